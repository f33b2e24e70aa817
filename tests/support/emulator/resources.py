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
- a dashboard is stored in the schema it was written in (v1 or v2); read in the other one,
  Grafana 13 converts it and says so in ``status.conversion``. The emulator carries no
  converter of its own (it would be a second copy of what it checks): it answers such a read
  with a failed conversion and an empty spec, which Grafana also does when a conversion
  fails. phoenix-dash must decide from metadata, never from a converted spec.
"""

from __future__ import annotations

import base64
import copy
import uuid
from typing import TYPE_CHECKING, Any

from .behaviour import Quirks, saved_dashboard
from .model import JSON, UID_RE, Answer, Dashboard, Folder, Org, now, typed_identity
from .resource_rules import (
    DASHBOARDS,
    FOLDERS,
    MANAGER_ID,
    MANAGER_KIND,
    kept_annotations,
    not_found,
    same_manager_as_git_sync_folder,
    stale,
    status,
    write_refused,
)

if TYPE_CHECKING:
    import itertools


class ResourcesMixin:
    quirks: Quirks
    cloud_stack: int | None
    _ids: itertools.count[int]
    _versions: itertools.count[int]

    def namespace_of(self, org_id: int) -> str:
        """The resource APIs' namespace of an organisation: ``default`` for org 1 (a Cloud
        stack's ``stacks-N``), ``org-N`` for others."""
        if org_id == 1:
            return f"stacks-{self.cloud_stack}" if self.cloud_stack else "default"
        return f"org-{org_id}"

    # --- rendering ------------------------------------------------------------------------

    def dashboard_object(self, org: Org, d: Dashboard, api_version: str) -> JSON:
        # A shallow copy: stored versions are never changed in place (each save stores a new
        # dict), and copying 20-panel dashboards for every answer would time the emulator.
        spec = {k: v for k, v in d.current.data.items() if k != "id"}
        wants_v2 = api_version.startswith("v2")
        stored = "v2" if d.v2_spec is not None else "v1"
        if wants_v2 and d.v2_spec is not None:
            spec = d.v2_spec
        elif wants_v2 or d.v2_spec is not None:
            spec = {}
        notes = {**d.annotations}
        if d.folder_uid:
            notes["grafana.app/folder"] = d.folder_uid
        if d.current.message:
            notes["grafana.app/message"] = d.current.message
        found = self._object(org, d, f"{DASHBOARDS}/{api_version}", "Dashboard", notes, spec)
        if wants_v2 != (stored == "v2"):  # the emulator converts no schema
            found["status"] = {
                "conversion": {
                    "failed": True,
                    "storedVersion": stored,
                    "error": f"the emulator does not convert a {stored} dashboard",
                }
            }
        elif d.stored_as_v2 and not wants_v2:
            # Saved from the new editor (a fixture that keeps the v1 form): converted.
            found["status"] = {"conversion": {"failed": False, "storedVersion": "v2"}}
        return found

    def folder_object(self, org: Org, f: Folder, api_version: str) -> JSON:
        notes = {**f.annotations}
        if f.parent_uid:
            notes["grafana.app/folder"] = f.parent_uid
        return self._object(org, f, f"{FOLDERS}/{api_version}", "Folder", notes, {"title": f.title})

    def _object(
        self, org: Org, record: Any, api_version: str, kind: str, notes: JSON, spec: JSON
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
                "namespace": self.namespace_of(org.id),
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

    def get_resource(self, org: Org, resource: str, name: str, api_version: str) -> Answer:
        """GET of one dashboard or folder (``resource``: "dashboards" or "folders")."""
        if resource == "dashboards":
            dashboard = org.dashboards.get(name)
            if dashboard is not None:
                return 200, self.dashboard_object(org, dashboard, api_version)
            return not_found(resource, DASHBOARDS, name)
        folder = org.folders.get(name)
        if folder is not None:
            return 200, self.folder_object(org, folder, api_version)
        return not_found(resource, FOLDERS, name)

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
        notes = metadata.get("annotations") or {}
        folder_uid = str(notes.get("grafana.app/folder") or "")
        message = str(notes.get("grafana.app/message") or "")
        existing = org.dashboards.get(uid)
        refused = write_refused(
            "dashboards", DASHBOARDS, existing, name, metadata, is_admin
        ) or self._invalid_dashboard(org, uid, spec, folder_uid, message)
        if refused is None and folder_uid:
            refused = same_manager_as_git_sync_folder(org.folders[folder_uid].annotations, notes)
        if refused is not None:
            return refused
        v2 = api_version.startswith("v2")
        # Admission (D2, D3 for v1); the spec was parsed from this request: ours to keep.
        data = (
            {"title": spec["title"], "tags": spec.get("tags", [])}
            if v2
            else (saved_dashboard(spec, self.quirks))
        )
        changed = existing is None or folder_uid != existing.folder_uid
        if not changed and existing is not None:
            changed = (
                spec != existing.v2_spec
                if v2
                else existing.v2_spec is not None
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
        existing.stored_as_v2 = v2
        existing.v2_spec = spec if v2 else None
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
        if "elements" in spec and not (
            isinstance(spec["elements"], dict) and isinstance(spec.get("layout"), dict)
        ):
            return status(422, "Invalid", f'Dashboard "{uid}" is invalid: spec.layout: Required')
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
        refused = write_refused("folders", FOLDERS, existing, name, metadata, is_admin)
        if refused is None and name is None and uid in org.dashboards:
            refused = status(409, "AlreadyExists", f'folders.{FOLDERS} "{uid}" already exists')
        if refused is None and not title.strip():
            refused = status(
                422,
                "Invalid",
                f'Folder.{FOLDERS} "{uid}" is invalid: spec.title: Required value: '
                "folder title cannot be empty",
            )
        ancestor = parent
        while refused is None and ancestor is not None:
            if ancestor == uid:
                refused = status(
                    400, "BadRequest", "a folder cannot be moved under one of its own descendants"
                )
            elif (found := org.folders.get(ancestor)) is None:
                refused = status(400, "BadRequest", f"parent folder not found: {ancestor}")
            else:
                ancestor = found.parent_uid
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


__all__ = ["ResourcesMixin"]
