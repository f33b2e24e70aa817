"""The rules Grafana's API server and storage apply to every resource API call
(k8s.io/apiserver; pkg/storage/unified/apistore/managed.go and prepare.go): discovery,
Status errors, names, resourceVersion, who may change a resource's manager, and the
content negotiation of lists (metadata only)."""

from __future__ import annotations

from .behaviour import Quirks
from .model import JSON, Answer, Dashboard, Folder

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
    from .routing_trees import GROUP as NOTIFICATIONS
    from .routing_trees import served_versions

    notifications = {NOTIFICATIONS: served_versions(quirks)}
    if quirks.major >= 13:
        return {
            DASHBOARDS: ["v1", "v1beta1", "v2", "v2beta1"],
            FOLDERS: ["v1", "v1beta1"],
            **notifications,
        }
    return {DASHBOARDS: ["v1beta1", "v0alpha1", "v2alpha1"], FOLDERS: ["v1beta1"], **notifications}


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


PARTIAL_METADATA = "as=PartialObjectMetadataList"


def negotiated_list(answer: JSON, accept: str) -> JSON:
    """A list as the Accept header asks (k8s.io/apiserver handlers/response.go): the first
    type it names that the server serves wins; ``as=PartialObjectMetadataList;g=meta.k8s.io;
    v=v1`` gives each item's metadata without its spec (apiVersion and kind of
    meta.k8s.io/v1), the list's own metadata (continue, resourceVersion) kept."""
    first = accept.split(",")[0]
    if PARTIAL_METADATA not in first.replace(" ", "") or "g=meta.k8s.io" not in first:
        return answer
    return {
        "apiVersion": "meta.k8s.io/v1",
        "kind": "PartialObjectMetadataList",
        "metadata": answer.get("metadata", {}),
        "items": [
            {
                "apiVersion": "meta.k8s.io/v1",
                "kind": "PartialObjectMetadata",
                "metadata": i["metadata"],
            }
            for i in answer.get("items", [])
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


def write_refused(
    resource: str,
    group: str,
    existing: Dashboard | Folder | None,
    name: str | None,
    metadata: JSON,
    is_admin: bool,
) -> Answer | None:
    """What the API server and apistore check of any create (``name`` None) or update:
    the name taken or missing, the resourceVersion, the manager."""
    uid = str(metadata["name"])
    notes = metadata.get("annotations") or {}
    if name is None and existing is not None:
        return status(409, "AlreadyExists", f'{resource}.{group} "{uid}" already exists')
    if name is not None and existing is None:
        return not_found(resource, group, uid)
    if existing is None:
        if metadata.get("resourceVersion"):
            message = "resourceVersion should not be set on objects to be created"
            return status(400, "BadRequest", message)
        return manager_change_refused({}, notes, is_admin)
    version = str(metadata.get("resourceVersion") or "")
    if version and version != str(existing.resource_version):
        return stale(resource, group, uid)
    return manager_change_refused(existing.annotations, notes, is_admin)


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
