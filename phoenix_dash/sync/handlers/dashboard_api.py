"""Dashboards on the resource APIs (``dashboard.grafana.app``): the spec is the dashboard
JSON (schema v1), the folder and the version message are annotations, and phoenix-dash's
ownership is Grafana's manager annotations (see ``ownership``)."""

from __future__ import annotations

from dataclasses import replace

from ...build import Build
from ...dashboard_file import v1_model
from ...grafana.connection import GrafanaConnection
from ...schema_v2 import to_v2
from ...schema_v2.resource import as_code
from ..model import Action, Change, Remote, Resource
from ..normalize import content_hash, owned_view, version_message
from ..ownership import FOLDER, MESSAGE, ownership
from ..target import Target
from .base import JSON, conflict_or
from .dashboard import DashboardHandler, StoredAsV2
from .resource_api import ResourceHandler

STORED_AS_V2 = (
    "stored as schema v2 in Grafana (saved from Grafana 13's dashboard editor); this project "
    "writes schema v1, which would lose its layout, so it is left unchanged. To manage it "
    "from code again, set dashboards.schema: v2, or delete it in Grafana (or restore a "
    "version saved before) and sync"
)


class DashboardResourceHandler(ResourceHandler):
    legacy: DashboardHandler

    def unwritable(self, item: JSON) -> str:
        """Grafana converts a dashboard stored as schema v2 for a v1 read and says so in
        ``status.conversion.storedVersion``. One phoenix-dash wrote in v2, untouched since
        (the project switched back to v1), is its own to rewrite."""
        stored = str(_conversion(item).get("storedVersion") or "")
        owner = ownership(item)
        theirs = not owner.ours or owner.edited_since_written
        return STORED_AS_V2 if stored.startswith("v2") and theirs else ""

    def spec(self, resource: Resource) -> JSON:
        return dict(resource.desired or {})

    def extra_annotations(self, resource: Resource, target: Target) -> dict[str, str]:
        # The same message as over the legacy API: the dashboard's history reads alike.
        return {MESSAGE: version_message(target.revision, resource.content_hash, target.note)}

    def details(self, resource: Resource, item: JSON) -> list[str]:
        from ..diffing import dashboard_changes

        conversion = _conversion(item)
        if conversion.get("failed"):
            return [
                f"(Grafana could not show the dashboard it stores as "
                f"{conversion.get('storedVersion')} in this schema: {conversion.get('error')})"
            ]
        desired = v1_model(resource.desired or {})
        folder = ((item.get("metadata") or {}).get("annotations") or {}).get(FOLDER)
        found = v1_model(item.get("spec") or {})
        return dashboard_changes(owned_view(found, desired), desired, folder, resource.folder)

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


class DashboardV2ResourceHandler(DashboardResourceHandler):
    """Dashboards written in schema v2 (``dashboard.grafana.app/v2``, Grafana 13): the
    same ownership, locking and plan, with the spec Grafana's converter makes of the
    dashboard. The checksum covers the schema, so switching it rewrites every dashboard."""

    def desired(self, build: Build, target: Target) -> list[Resource]:
        return [
            replace(
                resource,
                desired=(spec := as_code(to_v2(resource.desired or {}, build.datasource_index))),
                content_hash=content_hash({"folder": resource.folder or "", "v2": spec}),
            )
            for resource in self.legacy.desired(build, target)
        ]

    def unwritable(self, item: JSON) -> str:
        return ""  # a v2 write replaces whatever schema the dashboard was stored in


def _conversion(item: JSON) -> JSON:
    found = (item.get("status") or {}).get("conversion")
    return found if isinstance(found, dict) else {}
