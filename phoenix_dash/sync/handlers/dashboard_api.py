"""Dashboards on the resource APIs (``dashboard.grafana.app``): the spec is the dashboard
JSON (schema v1), the folder and the version message are annotations, and phoenix-dash's
ownership is Grafana's manager annotations (see ``ownership``)."""

from __future__ import annotations

from ...grafana.connection import GrafanaConnection
from ..model import Action, Change, Remote, Resource
from ..normalize import owned_view, version_message
from ..ownership import FOLDER, MESSAGE
from ..target import Target
from .base import JSON, conflict_or
from .dashboard import DashboardHandler, StoredAsV2
from .resource_api import ResourceHandler

STORED_AS_V2 = (
    "stored as schema v2 in Grafana (saved from Grafana 13's dashboard editor); phoenix-dash "
    "writes schema v1 and would lose its layout, so it is left unchanged. To manage it from "
    "code again, delete it in Grafana (or restore a version saved before) and sync"
)


class DashboardResourceHandler(ResourceHandler):
    legacy: DashboardHandler

    def unwritable(self, item: JSON) -> str:
        """Grafana converts a dashboard stored as schema v2 for a v1 read and says so in
        ``status.conversion.storedVersion``."""
        conversion = (item.get("status") or {}).get("conversion") or {}
        stored = str(conversion.get("storedVersion") or "")
        return STORED_AS_V2 if stored.startswith("v2") else ""

    def spec(self, resource: Resource) -> JSON:
        return dict(resource.desired or {})

    def extra_annotations(self, resource: Resource, target: Target) -> dict[str, str]:
        # The same message as over the legacy API: the dashboard's history reads alike.
        return {MESSAGE: version_message(target.revision, resource.content_hash, target.note)}

    def details(self, resource: Resource, item: JSON) -> list[str]:
        from ..diffing import dashboard_changes

        desired = resource.desired or {}
        folder = ((item.get("metadata") or {}).get("annotations") or {}).get(FOLDER)
        return dashboard_changes(
            owned_view(item.get("spec") or {}, desired), desired, folder, resource.folder
        )

    def unmanaged(
        self, conn: GrafanaConnection, resource: Resource, remote: Remote, target: Target
    ) -> Change:
        """No manager: a dashboard phoenix-dash wrote through the legacy API (its version
        message says so) becomes phoenix-dash's; any other is someone else's."""
        details = self.details(resource, remote.body)
        try:
            legacy = self.legacy.read(conn, resource.key)
        except StoredAsV2:
            legacy = None
        if legacy is not None and legacy.recorded_hash is not None:
            reason = "written by phoenix-dash through the legacy API; now marked as its own"
            return Change(resource, Action.UPDATE, remote, reason, details)
        if legacy is not None and legacy.history_hidden:
            reason = "not marked as phoenix-dash's (this credential may not read who saved it)"
            return Change(resource, Action.UPDATE, remote, reason, details)
        editor = (legacy.last_editor if legacy else "") or remote.last_editor or "someone"
        change = conflict_or(
            Action.UPDATE,
            resource,
            remote,
            f"exists in Grafana, last saved by {editor}, not by phoenix-dash",
            target,
        )
        change.details = details
        return change
