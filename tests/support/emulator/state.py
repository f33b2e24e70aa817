"""Everything the emulated Grafana stores, and the rules of each call, as BEHAVIOR.md describes
Grafana's: dashboards (dashboards.py), alert rules (rules.py), datasources (datasources.py) and
folders (here)."""

from __future__ import annotations

import copy
import itertools
import secrets

from .behaviour import Quirks, with_future_field
from .dashboards import DashboardsMixin
from .datasources import DatasourcesMixin
from .library_elements import LibraryElementsMixin
from .model import JSON, Answer, Dashboard, Folder, Org, Version, now, typed_identity
from .notifications import NotificationsMixin
from .resources import ResourcesMixin
from .routing_trees import RoutingTreesMixin
from .rules import RulesMixin


class State(
    DashboardsMixin,
    ResourcesMixin,
    RulesMixin,
    DatasourcesMixin,
    NotificationsMixin,
    RoutingTreesMixin,
    LibraryElementsMixin,
):
    """Everything the emulated Grafana stores, per organisation."""

    def __init__(self, quirks: Quirks | None = None) -> None:
        self.orgs: dict[int, Org] = {1: Org(1)}
        self._ids = itertools.count(1)
        self._versions = itertools.count(1_700_000_000_000_001)  # like Grafana's, large
        self.quirks = quirks or Quirks()
        # A Grafana Cloud stack's id: its organisation's namespace is then "stacks-<id>".
        self.cloud_stack: int | None = None

    def org(self, org_id: int) -> Org:
        return self.orgs.setdefault(org_id, Org(org_id))

    # --- folders -----------------------------------------------------------------------

    def list_folders(self, org: Org, parent: str | None) -> Answer:
        return 200, [
            {
                "id": f.id,
                "uid": f.uid,
                "title": f.title,
                **({"parentUid": f.parent_uid} if f.parent_uid else {}),
            }
            for f in org.folders.values()
            if f.parent_uid == parent
        ]

    def create_folder(self, org: Org, body: JSON, user: str = "admin") -> Answer:
        uid = body.get("uid") or secrets.token_hex(5)[:9]
        if uid in org.folders or uid in org.dashboards:
            return 409, {"message": "a folder/dashboard with the same uid already exists"}
        parent = body.get("parentUid") or None
        if parent and parent not in org.folders:
            return 400, {"message": "parent folder not found"}
        if not str(body.get("title") or "").strip():
            return 400, {"message": "folder title cannot be empty"}
        folder = org.folders[uid] = Folder(
            next(self._ids), uid, body["title"], parent, created_by=user, updated_by=user
        )
        folder.k8s_uid, folder.created_at, folder.updated_at = secrets.token_hex(8), now(), now()
        folder.created_by_id = folder.updated_by_id = typed_identity(user)
        folder.resource_version = next(self._versions)
        return 200, self._folder_answer(folder)

    def _folder_answer(self, folder: Folder) -> JSON:
        return with_future_field(folder.as_json(), self.quirks)

    def get_folder(self, org: Org, uid: str) -> Answer:
        folder = org.folders.get(uid)
        if folder is None:
            return 404, {"status": "not-found", "message": "folder not found"}
        return 200, self._folder_answer(folder)

    def update_folder(self, org: Org, uid: str, body: JSON, user: str = "admin") -> Answer:
        folder = org.folders.get(uid)
        if folder is None:
            return 404, {"status": "not-found", "message": "folder not found"}
        if not body.get("overwrite") and body.get("version") != folder.version:
            return 412, {
                "status": "version-mismatch",
                "message": "the folder has been changed by someone else",
            }
        folder.title = body.get("title") or folder.title
        if "F1" not in self.quirks and "parentUid" in body:  # F1: PUT never moves a folder
            folder.parent_uid = body["parentUid"] or None
        self.folder_changed(folder, user)
        return 200, self._folder_answer(folder)

    def move_folder(self, org: Org, uid: str, body: JSON, user: str = "admin") -> Answer:
        """F1: POST /api/folders/{uid}/move {"parentUid"} ("" or absent: to the root)."""
        folder = org.folders.get(uid)
        if folder is None:
            return 404, {"status": "not-found", "message": "folder not found"}
        parent = body.get("parentUid") or None
        ancestor = parent
        while ancestor is not None:
            if ancestor == uid:
                return 400, {
                    "message": "failed to move folder: a folder cannot be moved "
                    "under one of its own descendants"
                }
            found = org.folders.get(ancestor)
            if found is None:
                return 404, {"status": "not-found", "message": "folder not found"}
            ancestor = found.parent_uid
        folder.parent_uid = parent
        self.folder_changed(folder, user)
        return 200, self._folder_answer(folder)

    def delete_folder(self, org: Org, uid: str, force_rules: bool) -> Answer:
        folder = org.folders.get(uid)
        if folder is None:
            return 404, {"status": "not-found", "message": "folder not found"}
        rules = [r for r in org.rules.values() if r["folderUID"] == uid]
        if rules and not force_rules:
            return 400, {"message": "folder cannot be deleted: folder contains alert rules"}
        for rule in rules:
            del org.rules[rule["uid"]]
        for dashboard_uid in [d.uid for d in org.dashboards.values() if d.folder_uid == uid]:
            del org.dashboards[dashboard_uid]
            self.index(org, None, dashboard_uid)
        del org.folders[uid]
        return 200, {"message": "Folder deleted", "title": folder.title, "id": folder.id}

    # --- fixtures: what other tools and people put into a Grafana ------------------------

    def provision_dashboard(
        self,
        org: Org,
        dashboard: JSON,
        folder_uid: str = "",
        path: str | None = None,
        plugin: str | None = None,
    ) -> Dashboard:
        """A dashboard from file provisioning (``path``) or a plugin (``plugin``) (D6)."""
        found = org.dashboards[dashboard["uid"]] = Dashboard(
            next(self._ids), dashboard["uid"], folder_uid, provisioned=path, plugin_id=plugin
        )
        self.store_version(org, found, copy.deepcopy(dashboard), "admin", "")
        # How the resource APIs show them (the shim kinds of pkg/apimachinery/utils/manager.go).
        if path:
            found.annotations = {
                "grafana.app/managedBy": "classic-file-provisioning",
                "grafana.app/managerId": "default",
                "grafana.app/sourcePath": path,
            }
        elif plugin:
            found.annotations = {"grafana.app/managedBy": "plugin", "grafana.app/managerId": plugin}
        return found

    def manage(self, org: Org, kind_of_record: str, uid: str, kind: str, identity: str) -> None:
        """Another tool (Terraform, Git Sync, grafanactl) manages the dashboard or folder."""
        record = (org.dashboards if kind_of_record == "dashboard" else org.folders)[uid]
        record.annotations = {
            **record.annotations,
            "grafana.app/managedBy": kind,
            "grafana.app/managerId": identity,
        }
        record.resource_version = next(self._versions)

    def store_as_v2(self, org: Org, uid: str, user: str = "alice") -> None:
        """Someone saved the dashboard from Grafana 13's new editor: stored as v2 (D5)."""
        dashboard = org.dashboards[uid]
        self.store_version(org, dashboard, copy.deepcopy(dashboard.current.data), user, "")
        dashboard.stored_as_v2 = True

    def restore_answer(self, org: Org, uid: str, body: JSON, user: str) -> Answer:
        """POST /api/dashboards/uid/{uid}/restore {"version"}."""
        dashboard = org.dashboards.get(uid)
        if dashboard is None:
            return 404, {"message": "Dashboard not found"}
        if not any(v.version == body.get("version") for v in dashboard.versions):
            return 404, {"message": "Dashboard version not found"}
        version = self.restore(org, uid, int(body["version"]), user)
        return 200, {
            "id": dashboard.id,
            "uid": uid,
            "status": "success",
            "version": version,
            "url": f"/d/{uid}",
            "slug": uid,
        }

    def restore(self, org: Org, uid: str, version: int, user: str = "alice") -> int:
        """Restore an old version from the UI's history (D1: listed as "Restored from")."""
        dashboard = org.dashboards[uid]
        old = next(v for v in dashboard.versions if v.version == version)
        return self.store_version(
            org, dashboard, copy.deepcopy(old.data), user, "", restored_from=version
        )


__all__ = ["Dashboard", "Folder", "Org", "State", "Version", "now"]
