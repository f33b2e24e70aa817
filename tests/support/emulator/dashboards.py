"""Dashboards through the legacy API: save, read, delete, versions and search, with what a real
Grafana does to them (D1-D7 of BEHAVIOR.md)."""

from __future__ import annotations

import secrets
import time
import uuid
from typing import TYPE_CHECKING, Any

from .behaviour import (
    Quirks,
    saved_dashboard,
    v2_not_supported,
    version_list_message,
    with_future_field,
)
from .jsoncopy import json_copy
from .model import JSON, UID_RE, Answer, Dashboard, Org, Version, now, slug, typed_identity

if TYPE_CHECKING:
    import itertools


class DashboardsMixin:
    quirks: Quirks
    _ids: itertools.count[int]
    _versions: itertools.count[int]  # resourceVersions, one sequence per server

    def save_dashboard(self, org: Org, body: Any, user: str) -> Answer:
        if not isinstance(body, dict) or not isinstance(body.get("dashboard"), dict):
            return 400, {"message": "bad request data"}
        dashboard = body["dashboard"]  # freshly parsed from the request: ours to keep
        if body.get("isFolder") or dashboard.get("isFolder"):
            return 400, {"message": "Use folders endpoint for saving folders."}
        folder_uid = body.get("folderUid") or ""
        if folder_uid and folder_uid not in org.folders:
            return 400, {"message": "folder not found"}
        if not str(dashboard.get("title") or "").strip():
            return 400, {"status": "empty-name", "message": "Dashboard title cannot be empty"}
        message = str(body.get("message") or "")
        if "D4" in self.quirks and len(message) > 500:
            return 400, {"message": "message too long, max 500 characters"}
        uid = dashboard.get("uid") or secrets.token_hex(5)[:9]
        if not UID_RE.match(uid):
            return 400, {"message": "uid contains illegal characters"}
        if len(uid) > 40:
            return 400, {"message": "uid too long, max 40 characters"}
        given_id = dashboard.get("id")
        if given_id:
            owner = next((d for d in org.dashboards.values() if d.id == given_id), None)
            if owner is None:
                return 404, {"status": "not-found", "message": "Dashboard not found"}
            if owner.uid != uid and uid in org.dashboards:
                return 400, {"message": "A dashboard with the same uid already exists"}
        existing = org.dashboards.get(uid)
        refused = self._refuse_managed(existing)
        if refused is not None:
            return refused
        if (
            existing is not None
            and not body.get("overwrite")
            and dashboard.get("version") != existing.current.version
        ):
            return 412, {
                "status": "version-mismatch",
                "message": "The dashboard has been changed by someone else",
            }
        if existing is None:
            existing = org.dashboards[uid] = Dashboard(next(self._ids), uid, folder_uid)
        existing.folder_uid = folder_uid
        existing.stored_as_v2 = False
        existing.v2_spec = None
        # Grafana 12+ writes a legacy save through the resource API as a new object with only
        # the folder and message annotations (LegacySaveCommandToUnstructured): a manager's
        # annotations are gone (removing a kubectl/terraform manager is allowed).
        existing.annotations = {}
        self.store_version(org, existing, saved_dashboard(dashboard, self.quirks), user, message)
        if self.unknown_library_panels(org, dashboard):  # type: ignore[attr-defined]
            return 500, {"message": "Error while connecting library panels"}  # L7: stored
        title = existing.title
        return 200, {
            "id": existing.id,
            "uid": uid,
            "url": f"/d/{uid}/{slug(title)}",
            "status": "success",
            "version": existing.current.version,
            "slug": slug(title),
            "folderUid": folder_uid,
        }

    def _refuse_managed(self, existing: Dashboard | None) -> Answer | None:
        """D6: dashboards that file provisioning or a plugin owns cannot be saved."""
        if existing is None or "D6" not in self.quirks:
            return None
        if existing.provisioned:
            return 400, {"message": "Cannot save provisioned dashboard"}
        if existing.plugin_id:
            return 412, {
                "status": "plugin-dashboard",
                "message": f"The dashboard belongs to plugin {existing.plugin_id}.",
            }
        return None

    def store_version(
        self,
        org: Org,
        dashboard: Dashboard,
        data: JSON,
        user: str,
        message: str,
        restored_from: int = 0,
    ) -> int:
        parent = dashboard.current.version if dashboard.versions else 0
        version = parent + 1
        data.update(id=dashboard.id, uid=dashboard.uid, version=version)
        dashboard.versions.append(
            Version(version, now(), user, message, data, parent, restored_from)
        )
        # The resource APIs' record of the same write: generation (the version), who, when.
        dashboard.updated_by_id, dashboard.updated_at = typed_identity(user), now()
        if parent == 0:
            dashboard.created_by_id, dashboard.created_at = dashboard.updated_by_id, now()
            dashboard.k8s_uid = dashboard.k8s_uid or str(uuid.uuid4())
        dashboard.resource_version = next(self._versions)
        self.index(org, dashboard)
        return version

    def index(self, org: Org, dashboard: Dashboard | None, uid: str = "") -> None:
        """D7: the search index learns of a write ``search_lag`` seconds later."""
        lag = self.quirks.search_lag if "D7" in self.quirks and self.quirks.major >= 13 else 0
        hit = None if dashboard is None else self._hit(org, dashboard)
        entries = org.search_index.setdefault(uid or (dashboard.uid if dashboard else ""), [])
        entries.append((time.monotonic() + lag, hit))

    def _hit(self, org: Org, d: Dashboard) -> JSON:
        folder = org.folders.get(d.folder_uid)
        return {
            "id": d.id,
            "uid": d.uid,
            "title": d.title,
            "type": "dash-db",
            "uri": f"db/{slug(d.title)}",
            "url": f"/d/{d.uid}/{slug(d.title)}",
            "tags": sorted(set(d.current.data.get("tags") or [])),
            "isStarred": False,
            "folderUid": d.folder_uid,
            "folderTitle": folder.title if folder else "General",
        }

    def get_dashboard(self, org: Org, uid: str) -> Answer:
        found = org.dashboards.get(uid)
        if found is None:
            return 404, {"message": "Dashboard not found"}
        if found.stored_as_v2 and "D5" in self.quirks:
            return 406, v2_not_supported(uid)
        folder = org.folders.get(found.folder_uid)
        first = found.versions[0]
        meta = {
            "type": "db",
            "slug": slug(found.title),
            "url": f"/d/{uid}/{slug(found.title)}",
            "folderUid": found.folder_uid,
            "folderTitle": folder.title if folder else "General",
            "version": found.current.version,
            "created": first.created,
            "updated": found.current.created,
            "createdBy": first.created_by,
            "updatedBy": found.current.created_by,
            "canSave": True,
            "provisioned": bool(found.provisioned and "D6" in self.quirks),
            "provisionedExternalId": found.provisioned or "",
        }
        dashboard = with_future_field(json_copy(found.current.data), self.quirks)
        return 200, {"dashboard": dashboard, "meta": meta}

    def delete_dashboard(self, org: Org, uid: str) -> Answer:
        found = org.dashboards.get(uid)
        if found is None:
            return 404, {"message": "Dashboard not found"}
        if found.provisioned and "D6" in self.quirks:
            return 400, {"message": "provisioned dashboard cannot be deleted"}
        del org.dashboards[uid]
        self.index(org, None, uid)
        return 200, {
            "title": found.title,
            "message": f"Dashboard {found.title} deleted",
            "uid": uid,
        }

    def versions(self, org: Org, uid: str) -> Answer:
        found = org.dashboards.get(uid)
        if found is None:
            return 404, {"message": "Dashboard not found"}
        items = [
            {
                "id": v.version,
                "dashboardId": found.id,
                "uid": uid,
                "version": v.version,
                "parentVersion": v.parent_version,
                "restoredFrom": v.restored_from,
                "created": v.created,
                "createdBy": v.created_by,
                "message": version_list_message(
                    v.message, v.parent_version, v.restored_from, self.quirks
                ),
            }
            for v in reversed(found.versions)
        ]
        return 200, {"continueToken": "", "versions": items}

    def version(self, org: Org, uid: str, number: str) -> Answer:
        """D1: one version, with its message as saved."""
        found = org.dashboards.get(uid)
        match = (
            next((v for v in found.versions if str(v.version) == number), None) if found else None
        )
        if found is None or match is None:
            return 404, {"message": "Dashboard version not found"}
        return 200, {
            "id": match.version,
            "dashboardId": found.id,
            "uid": uid,
            "version": match.version,
            "parentVersion": match.parent_version,
            "restoredFrom": match.restored_from,
            "created": match.created,
            "createdBy": match.created_by,
            "message": match.message,
            "data": json_copy(match.data),
        }

    def search(self, org: Org, query: dict[str, list[str]]) -> Answer:
        kind = (query.get("type") or [""])[0]
        text = (query.get("query") or [""])[0].lower()
        tags = set(query.get("tag") or [])
        # D7: repeated parameters; a comma-joined value is one (unknown) uid.
        split = "D7" not in self.quirks
        folders = {
            f for v in query.get("folderUIDs") or [] for f in (v.split(",") if split else [v]) if f
        }
        uids = {
            u
            for v in query.get("dashboardUIDs") or []
            for u in (v.split(",") if split else [v])
            if u
        }
        limit = int((query.get("limit") or ["1000"])[0])
        if limit > 5000 and "D7" in self.quirks:
            return 422, {"message": "limit must be less than or equal to 5000"}
        page = max(int((query.get("page") or ["1"])[0]), 1)
        any_tag = "D7" in self.quirks and self.quirks.major >= 13  # unified storage search
        hits: list[JSON] = []
        if kind in ("", "dash-folder"):
            hits += [
                {
                    "id": f.id,
                    "uid": f.uid,
                    "title": f.title,
                    "type": "dash-folder",
                    "uri": f"db/{slug(f.title)}",
                    "url": f.as_json()["url"],
                    "tags": [],
                    "isStarred": False,
                }
                for f in org.folders.values()
                if text in f.title.lower()
                and not tags
                and (not uids or f.uid in uids)
                and (not folders or f.parent_uid in folders)
            ]
        if kind in ("", "dash-db"):
            for hit in self._visible(org):
                hit_tags = set(hit["tags"])
                tagged = (tags & hit_tags if any_tag else tags <= hit_tags) if tags else True
                if (
                    text in hit["title"].lower()
                    and tagged
                    and (not uids or hit["uid"] in uids)
                    and (not folders or hit["folderUid"] in folders)
                ):
                    hits.append(json_copy(hit))
        hits.sort(key=lambda h: (h["type"] != "dash-folder", h["title"].lower(), h["uid"]))
        return 200, hits[(page - 1) * limit : page * limit]

    @staticmethod
    def _visible(org: Org) -> list[JSON]:
        moment = time.monotonic()
        visible = []
        for entries in org.search_index.values():
            shown = [hit for since, hit in entries if since <= moment]
            if shown and shown[-1] is not None:
                visible.append(shown[-1])
        return visible


__all__ = ["DashboardsMixin"]
