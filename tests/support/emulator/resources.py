"""Dashboards and folders through Grafana's resource APIs (/apis/dashboard.grafana.app,
/apis/folder.grafana.app), over the same records as the legacy API: in Grafana 12 and 13 the
legacy routes write through these (BEHAVIOR.md, "Grafana 13: the legacy API is deprecated").

What a real Grafana does here, from its source:
- pkg/storage/unified/apistore/prepare.go: create sets generation 1 and createdBy; an update
  keeps createdBy, bumps generation and sets updatedBy/updatedTimestamp only when the spec or
  the folder changed; a create with a resourceVersion is refused.
- pkg/storage/unified/apistore/managed.go: a manager's kind (and, except Terraform's, its
  identity) cannot change in one write (403); removing the manager is allowed for kubectl,
  terraform, plugin and classic file provisioning, for a repository only to admins.
- k8s.io/apiserver: a stale resourceVersion is 409 Conflict; create of an existing name 409
  AlreadyExists; ``dryRun=All`` runs admission and validation and stores nothing; lists page
  with ``limit``/``continue``; errors are ``Status`` objects.
- the dashboard admission step migrates the spec on save (D2, D3) as the legacy API does.
"""

from __future__ import annotations

import base64
import copy
import uuid
from typing import TYPE_CHECKING, Any

from .behaviour import Quirks, saved_dashboard
from .model import JSON, UID_RE, Answer, Dashboard, Folder, Org, now, typed_identity

if TYPE_CHECKING:
    import itertools

DASHBOARDS = "dashboard.grafana.app"
FOLDERS = "folder.grafana.app"
SERVER_SET = (
    "grafana.app/createdBy",
    "grafana.app/updatedBy",
    "grafana.app/updatedTimestamp",
    "grafana.app/folder",
    "grafana.app/message",
    "grafana.app/grant-permissions",
)
MANAGER_KIND = "grafana.app/managedBy"
MANAGER_ID = "grafana.app/managerId"
ALLOWS_EDITS = "grafana.app/managerAllowsEdits"
MANAGER_KEYS = (MANAGER_KIND, MANAGER_ID, ALLOWS_EDITS)
SAVED_FROM_UI = "grafana.app/saved-from-ui"


def served_groups(quirks: Quirks) -> dict[str, list[str]]:
    """The group versions a Grafana of ``quirks.version`` serves: 13.x dashboards v1 (and
    v2 for schema v2), folders v1; 12.x v1beta1 of both."""
    if quirks.major >= 13:
        return {DASHBOARDS: ["v1", "v1beta1", "v2", "v2beta1"], FOLDERS: ["v1", "v1beta1"]}
    return {DASHBOARDS: ["v1beta1", "v0alpha1", "v2alpha1"], FOLDERS: ["v1beta1"]}


def discovery(quirks: Quirks) -> JSON:
    """GET /apis: the APIGroupList."""
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {
                "name": group,
                "versions": [{"groupVersion": f"{group}/{v}", "version": v} for v in versions],
                "preferredVersion": {
                    "groupVersion": f"{group}/{versions[0]}",
                    "version": versions[0],
                },
            }
            for group, versions in served_groups(quirks).items()
        ],
    }


def status(code: int, reason: str, message: str, details: JSON | None = None) -> Answer:
    """A Kubernetes Status error body."""
    body: JSON = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    return code, body


def not_found(resource: str, group: str, name: str) -> Answer:
    return status(404, "NotFound", f'{resource}.{group} "{name}" not found')


def stale(resource: str, group: str, name: str) -> Answer:
    return status(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {resource}.{group} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again",
    )


def manager_change_refused(old: JSON, new: JSON, is_admin: bool) -> Answer | None:
    """checkManagerPropertiesOnUpdateSpec (apistore/managed.go)."""
    old_id, new_id = old.get(MANAGER_ID, ""), new.get(MANAGER_ID, "")
    old_kind = old.get(MANAGER_KIND, "") if old_id else ""
    new_kind = new.get(MANAGER_KIND, "") if new_id else ""
    if not old_id:
        if new_kind == "repo":
            return status(403, "Forbidden", "this resource is managed by a repository")
        return None
    if not new_id:  # removing the manager
        if old_kind == "repo" and not is_admin:
            return status(403, "Forbidden", "Can not remove resource manager from resource")
        return None
    if new_kind != old_kind:
        return status(
            403,
            "Forbidden",
            f'Cannot change resource manager kind from "{old_kind}" (identity "{old_id}") to '
            f'"{new_kind}" (identity "{new_id}"); remove the existing manager first, then add '
            "the new one",
            {
                "causes": [
                    {
                        "type": "ResourceManagerKindConflict",
                        "field": f"metadata.annotations[{MANAGER_KIND}]",
                    }
                ]
            },
        )
    if new_kind != "terraform" and new_id != old_id:
        return status(
            403,
            "Forbidden",
            "Cannot change resource manager identity; remove the existing manager first, then "
            "add the new one",
        )
    return None


def same_manager_as_git_sync_folder(folder: JSON, resource: JSON) -> Answer | None:
    """ensureSameRepoManager (apistore/managed.go): what goes into a folder Git Sync manages
    must be managed by the same repository."""
    if folder.get(MANAGER_KIND) != "repo" or not folder.get(MANAGER_ID):
        return None
    folder_manager = f"repo:{folder[MANAGER_ID]}"
    if not resource.get(MANAGER_ID):
        return status(
            403,
            "Forbidden",
            f"folder is managed by {folder_manager}, but the resource is not managed",
        )
    mine = f"{resource.get(MANAGER_KIND, '')}:{resource[MANAGER_ID]}"
    if mine != folder_manager:
        return status(
            403,
            "Forbidden",
            f"resource manager ({mine}) does not match folder manager ({folder_manager}); "
            "resources must be managed by the same manager as their containing folder",
        )
    return None


def kept_annotations(metadata: JSON) -> dict[str, str]:
    """The annotations a write stores as sent (the server sets the others)."""
    notes = metadata.get("annotations") or {}
    return {str(k): str(v) for k, v in notes.items() if k not in SERVER_SET}


class ResourcesMixin:
    quirks: Quirks
    _ids: itertools.count[int]
    _versions: itertools.count[int]

    # --- rendering ------------------------------------------------------------------------

    def dashboard_object(self, org: Org, d: Dashboard, api_version: str) -> JSON:
        # A shallow copy: stored versions are never changed in place (each save stores a new
        # dict), and copying 20-panel dashboards for every answer would time the emulator.
        spec = {k: v for k, v in d.current.data.items() if k != "id"}
        notes = {**d.annotations}
        if d.folder_uid:
            notes["grafana.app/folder"] = d.folder_uid
        if d.current.message:
            notes["grafana.app/message"] = d.current.message
        found = self._object(org, d, f"{DASHBOARDS}/{api_version}", "Dashboard", notes, spec)
        if d.stored_as_v2 and not api_version.startswith("v2"):
            # Read in another version than stored: Grafana converts and says from what.
            found["status"] = {"conversion": {"failed": False, "storedVersion": "v2"}}
        return found

    def folder_object(self, org: Org, f: Folder, api_version: str) -> JSON:
        notes = {**f.annotations}
        if f.parent_uid:
            notes["grafana.app/folder"] = f.parent_uid
        return self._object(org, f, f"{FOLDERS}/{api_version}", "Folder", notes, {"title": f.title})

    @staticmethod
    def _object(
        org: Org, record: Any, api_version: str, kind: str, notes: JSON, spec: JSON
    ) -> JSON:
        notes["grafana.app/createdBy"] = record.created_by_id
        if record.generation > 1 or record.updated_by_id != record.created_by_id:
            notes["grafana.app/updatedBy"] = record.updated_by_id
            notes["grafana.app/updatedTimestamp"] = record.updated_at
        return {
            "kind": kind,
            "apiVersion": api_version,
            "metadata": {
                "name": record.uid,
                "namespace": org.namespace,
                "uid": record.k8s_uid,
                "resourceVersion": str(record.resource_version),
                "generation": record.generation,
                "creationTimestamp": record.created_at,
                "labels": {"grafana.app/deprecatedInternalID": str(record.id)},
                "annotations": notes,
            },
            "spec": spec,
        }

    # --- lists ----------------------------------------------------------------------------

    def list_resources(
        self, org: Org, kind: str, api_version: str, query: dict[str, list[str]]
    ) -> Answer:
        names = sorted(org.dashboards if kind == "dashboards" else org.folders)
        limit = int((query.get("limit") or ["0"])[0] or 0)
        token = (query.get("continue") or [""])[0]
        start = int(base64.b64decode(token).decode()) if token else 0
        end = start + limit if limit else len(names)
        items = [
            self.dashboard_object(org, org.dashboards[name], api_version)
            if kind == "dashboards"
            else self.folder_object(org, org.folders[name], api_version)
            for name in names[start:end]
        ]
        records = names
        metadata: JSON = {"resourceVersion": str(next(self._versions))}
        if end < len(records):
            metadata["continue"] = base64.b64encode(str(end).encode()).decode()
            metadata["remainingItemCount"] = len(records) - end
        group = DASHBOARDS if kind == "dashboards" else FOLDERS
        return 200, {
            "kind": f"{kind[:-1].title()}List",
            "apiVersion": f"{group}/{api_version}",
            "metadata": metadata,
            "items": items,
        }

    # --- dashboards -----------------------------------------------------------------------

    def get_dashboard_resource(self, org: Org, name: str, api_version: str) -> Answer:
        found = org.dashboards.get(name)
        if found is None:
            return not_found("dashboards", DASHBOARDS, name)
        return 200, self.dashboard_object(org, found, api_version)

    def write_dashboard_resource(
        self,
        org: Org,
        body: Any,
        login: str,
        api_version: str,
        name: str | None,
        dry_run: bool,
        is_admin: bool = False,
    ) -> Answer:
        """POST (``name`` None) or PUT of a dashboard."""
        problem = self._check_object(body, "Dashboard", name)
        if problem is not None:
            return problem
        metadata = body["metadata"]
        uid = str(metadata["name"])
        spec = body["spec"]
        existing = org.dashboards.get(uid)
        if name is None and existing is not None:
            return status(409, "AlreadyExists", f'dashboards.{DASHBOARDS} "{uid}" already exists')
        if name is not None and existing is None:
            return not_found("dashboards", DASHBOARDS, uid)
        if name is None and metadata.get("resourceVersion"):
            return status(
                400, "BadRequest", "resourceVersion should not be set on objects to be created"
            )
        notes = metadata.get("annotations") or {}
        folder_uid = str(notes.get("grafana.app/folder") or "")
        message = str(notes.get("grafana.app/message") or "")
        invalid = self._invalid_dashboard(org, uid, spec, folder_uid, message)
        if invalid is not None:
            return invalid
        if existing is not None:
            version = str(metadata.get("resourceVersion") or "")
            if version and version != str(existing.resource_version):
                return stale("dashboards", DASHBOARDS, uid)
            refused = manager_change_refused(existing.annotations, notes, is_admin)
        else:
            refused = manager_change_refused({}, notes, is_admin)
        if refused is None and folder_uid:
            refused = same_manager_as_git_sync_folder(org.folders[folder_uid].annotations, notes)
        if refused is not None:
            return refused
        # Admission (D2, D3); the spec was parsed from this request: ours to keep.
        data = saved_dashboard(spec, self.quirks)
        changed = existing is None or (
            folder_uid != existing.folder_uid
            or _comparable(data) != _comparable(existing.current.data)
        )
        if dry_run:  # the answer the write would get; nothing stored
            existing = copy.deepcopy(existing) if existing else Dashboard(0, uid, folder_uid)
            org = copy.copy(org)
            org.dashboards, org.search_index = {uid: existing}, {}
        elif existing is None:
            existing = org.dashboards[uid] = Dashboard(next(self._ids), uid, folder_uid)
        existing.annotations = kept_annotations(metadata)
        existing.folder_uid = folder_uid
        existing.stored_as_v2 = False
        if changed:
            self.store_version(org, existing, data, login, message)  # type: ignore[attr-defined]
        else:
            self.touch(existing)
        return (201 if name is None else 200), self.dashboard_object(org, existing, api_version)

    def _invalid_dashboard(
        self, org: Org, uid: str, spec: Any, folder_uid: str, message: str
    ) -> Answer | None:
        if not isinstance(spec, dict):
            return status(400, "BadRequest", "spec must be an object")
        if not UID_RE.match(uid) or len(uid) > 40:
            return status(
                422,
                "Invalid",
                f'Dashboard.{DASHBOARDS} "{uid}" is invalid: metadata.name: Invalid value',
            )
        if not str(spec.get("title") or "").strip():
            return status(
                422,
                "Invalid",
                f'Dashboard.{DASHBOARDS} "{uid}" is invalid: spec.title: Required value: '
                "dashboard title cannot be empty",
            )
        if folder_uid and folder_uid not in org.folders:
            return status(400, "BadRequest", f"folder not found: {folder_uid}")
        if "D4" in self.quirks and len(message) > 500:
            return status(400, "BadRequest", "message too long, max 500 characters")
        return None

    def delete_dashboard_resource(self, org: Org, name: str, body: Any, is_admin: bool) -> Answer:
        found = org.dashboards.get(name)
        if found is None:
            return not_found("dashboards", DASHBOARDS, name)
        wanted = ((body or {}).get("preconditions") or {}).get("resourceVersion")
        if wanted and str(wanted) != str(found.resource_version):
            return stale("dashboards", DASHBOARDS, name)
        if found.annotations.get(MANAGER_KIND) == "repo" and found.annotations.get(MANAGER_ID):
            return status(403, "Forbidden", "this resource is managed by a repository")
        del org.dashboards[name]
        self.index(org, None, name)  # type: ignore[attr-defined]
        return 200, {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {
                "name": name,
                "group": DASHBOARDS,
                "kind": "dashboards",
                "uid": found.k8s_uid,
            },
        }

    # --- folders --------------------------------------------------------------------------

    def get_folder_resource(self, org: Org, name: str, api_version: str) -> Answer:
        found = org.folders.get(name)
        if found is None:
            return not_found("folders", FOLDERS, name)
        return 200, self.folder_object(org, found, api_version)

    def write_folder_resource(
        self,
        org: Org,
        body: Any,
        login: str,
        api_version: str,
        name: str | None,
        dry_run: bool,
        is_admin: bool = False,
    ) -> Answer:
        problem = self._check_object(body, "Folder", name)
        if problem is not None:
            return problem
        metadata = body["metadata"]
        uid = str(metadata["name"])
        title = str((body["spec"] or {}).get("title") or "")
        notes = metadata.get("annotations") or {}
        parent = str(notes.get("grafana.app/folder") or "") or None
        existing = org.folders.get(uid)
        if name is None and (existing is not None or uid in org.dashboards):
            return status(409, "AlreadyExists", f'folders.{FOLDERS} "{uid}" already exists')
        if name is not None and existing is None:
            return not_found("folders", FOLDERS, uid)
        if not title.strip():
            return status(
                422,
                "Invalid",
                f'Folder.{FOLDERS} "{uid}" is invalid: spec.title: Required value: '
                "folder title cannot be empty",
            )
        ancestor = parent
        while ancestor is not None:
            if ancestor == uid:
                return status(
                    400, "BadRequest", "a folder cannot be moved under one of its own descendants"
                )
            found = org.folders.get(ancestor)
            if found is None:
                return status(400, "BadRequest", f"parent folder not found: {ancestor}")
            ancestor = found.parent_uid
        if existing is not None:
            version = str(metadata.get("resourceVersion") or "")
            if version and version != str(existing.resource_version):
                return stale("folders", FOLDERS, uid)
            refused = manager_change_refused(existing.annotations, notes, is_admin)
        else:
            refused = manager_change_refused({}, notes, is_admin)
        if refused is not None:
            return refused
        if dry_run:
            probe = copy.deepcopy(existing) if existing else Folder(0, uid, title, parent)
            probe.title, probe.parent_uid = title, parent
            probe.annotations = kept_annotations(metadata)
            return (200 if existing else 201), self.folder_object(org, probe, api_version)
        if existing is None:
            existing = org.folders[uid] = Folder(
                next(self._ids), uid, title, parent, created_by=login, updated_by=login
            )
            existing.k8s_uid = str(uuid.uuid4())
            existing.created_by_id = existing.updated_by_id = typed_identity(login)
            existing.created_at = existing.updated_at = now()
            existing.resource_version = next(self._versions)
        else:
            changed = title != existing.title or parent != existing.parent_uid
            existing.title, existing.parent_uid = title, parent
            if changed:
                self.folder_changed(existing, login)
            else:
                existing.resource_version = next(self._versions)
        existing.annotations = kept_annotations(metadata)
        return (201 if name is None else 200), self.folder_object(org, existing, api_version)

    def folder_changed(self, folder: Folder, login: str) -> None:
        folder.version += 1
        folder.generation += 1
        folder.updated_by = login
        folder.updated_by_id = typed_identity(login)
        folder.updated_at = now()
        folder.resource_version = next(self._versions)

    def touch(self, record: Dashboard | Folder) -> None:
        """A write that changed neither spec nor folder: a new resourceVersion only."""
        record.resource_version = next(self._versions)

    # --- shared ---------------------------------------------------------------------------

    @staticmethod
    def _check_object(body: Any, kind: str, name: str | None) -> Answer | None:
        if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
            return status(400, "BadRequest", "the body of the request was in an unknown format")
        if body.get("kind") not in (None, kind):
            return status(
                400,
                "BadRequest",
                f"the API version in the data does not match the expected kind {kind}",
            )
        if not body["metadata"].get("name"):
            return status(
                422,
                "Invalid",
                f"{kind} is invalid: metadata.name: Required value: name is required",
            )
        if name is not None and body["metadata"]["name"] != name:
            return status(
                400, "BadRequest", "the name of the object does not match the name on the URL"
            )
        if not isinstance(body.get("spec"), dict):
            return status(400, "BadRequest", "spec must be an object")
        return None


def _comparable(data: JSON) -> JSON:
    """A stored dashboard without what the legacy save adds (id, uid, version)."""
    return {k: v for k, v in data.items() if k not in ("id", "version")}


__all__ = ["ResourcesMixin", "discovery", "served_groups"]
