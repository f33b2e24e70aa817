"""Dashboards: phoenix-dash's own writes are recognised by a record in the dashboard (the
hash of what it sent and the version that write made), so one GET tells a no-op; a record
that does not name the current version (someone saved since, or an older phoenix-dash wrote
it) falls back to the version message (tool, git revision, hash), read from the version
itself: the versions list shows "Initial save" for a first version (D1). Grafana migrates a
dashboard when it saves it (D2, D3), so what it stores is never compared with what was sent:
the record or the message says whether the current version is phoenix-dash's write of the
current code."""

from __future__ import annotations

from ...build import Build
from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaError, GrafanaForbidden, GrafanaNotFound
from ..model import Action, Change, Remote, Resource
from ..normalize import (
    DASHBOARD_RECORD,
    content_hash,
    normalize_dashboard,
    owned_view,
    recorded_hash,
    version_message,
)
from ..target import Target
from .base import JSON, Handler, conflict_or, not_ours

STORED_AS_V2 = (
    "stored as schema v2 in Grafana (saved from Grafana 13's dashboard editor), "
    "which the legacy API phoenix-dash uses cannot read or overwrite; left unchanged."
    " To manage it from code again, delete it in Grafana (or restore a version "
    "saved before) and sync"
)


class DashboardHandler(Handler):
    kind = "dashboard"

    def desired(self, build: Build, target: Target) -> list[Resource]:
        resources = []
        for dashboard in build.dashboards:
            body = target.remap(normalize_dashboard(dashboard.clean, stamped=False))
            body["tags"] = sorted({*body.get("tags", []), target.managed_tag})
            if target.uid_prefix:
                body = _with_uids(body, target, {d.uid for d in build.dashboards})
            uid = target.dashboard_uid(dashboard.uid)
            folder = target.folder_uid(build.default_folder)
            resources.append(
                Resource(
                    self.kind,
                    uid,
                    dashboard.title,
                    folder,
                    body,
                    _dashboard_hash(folder, body),
                    source=dashboard.location.file,
                )
            )
        return resources

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        try:
            remote = self.read(conn, resource.key)
        except StoredAsV2:
            return Change(resource, Action.CONFLICT, reason=STORED_AS_V2, forceable=False)
        if remote is None:
            return Change(resource, Action.CREATE, reason="new dashboard")
        owner = _owner(remote)
        if owner:
            return not_ours(resource, remote, owner)
        if remote.history_hidden:
            return self._plan_without_history(resource, remote)
        if remote.recorded_hash == resource.content_hash:
            return Change(resource, Action.UNCHANGED, remote)
        if remote.recorded_hash is None:
            change = conflict_or(Action.UPDATE, resource, remote, self._foreign(remote), target)
        else:
            change = Change(resource, Action.UPDATE, remote, "changed in code")
        change.details = _details(resource, remote)
        return change

    @staticmethod
    def _plan_without_history(resource: Resource, remote: Remote) -> Change:
        """A read-only credential (a PR's diff) may not read a dashboard's history, which
        Grafana shows only to those who may save it: compare what phoenix-dash owns instead,
        and say that who saved it last is unknown. Sync itself needs a credential that may
        write, and so sees the history."""
        details = _details(resource, remote)
        if not details:
            return Change(resource, Action.UNCHANGED, remote)
        return Change(
            resource,
            Action.UPDATE,
            remote,
            "changed (this credential may not read who saved it last)",
            details,
        )

    @staticmethod
    def _foreign(remote: Remote) -> str:
        return (
            f"last saved by {remote.last_editor or 'someone'} at {remote.last_edited} "
            f"(version {remote.version}), not by phoenix-dash"
        )

    @staticmethod
    def read(conn: GrafanaConnection, uid: str) -> Remote | None:
        """The dashboard, and who wrote its current version with which message."""
        try:
            found = conn.request("GET", f"/dashboards/uid/{uid}")
        except GrafanaNotFound:
            return None
        except GrafanaError as exc:
            if exc.status == 406:  # D5: only /apis serves a dashboard stored as v2
                raise StoredAsV2(str(exc)) from None
            raise
        dashboard = found.get("dashboard") or {}
        version = dashboard.get("version")
        remote = Remote(found, version)
        record = dashboard.get(DASHBOARD_RECORD)
        if (
            isinstance(record, dict)
            and isinstance(version, int)
            and record.get("version") == version
            and isinstance(record.get("hash"), str)
        ):
            remote.recorded_hash = record["hash"]  # the current version is phoenix-dash's
            remote.last_editor = "phoenix-dash"
            return remote
        try:
            saved = conn.request("GET", f"/dashboards/uid/{uid}/versions/{version}")
        except GrafanaNotFound:  # history pruned (versions_to_keep): nobody's write to know
            return remote
        except GrafanaForbidden:  # the history is for those who may save the dashboard
            remote.history_hidden = True
            return remote
        remote.recorded_hash = recorded_hash(saved.get("message"))
        remote.last_editor = str(saved.get("createdBy") or "")
        remote.last_edited = str(saved.get("created") or "")
        return remote

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        from ..pull import search_dashboards

        return [
            Resource(self.kind, hit["uid"], hit.get("title", ""), hit.get("folderUid"))
            for hit in search_dashboards(conn, tags=[target.managed_tag])
        ]

    def plan_delete(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        try:
            remote = self.read(conn, resource.key)
        except StoredAsV2:
            return Change(
                resource, Action.CONFLICT, reason=f"to delete, but {STORED_AS_V2}", forceable=False
            )
        if remote is None:
            return Change(resource, Action.UNCHANGED, reason="already gone")
        owner = _owner(remote)
        if owner:
            return not_ours(resource, remote, owner)
        if remote.recorded_hash is None:
            return conflict_or(
                Action.DELETE, resource, remote, f"to delete, but {self._foreign(remote)}", target
            )
        return Change(resource, Action.DELETE, remote, "no longer defined")

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        resource = change.resource
        if change.action == Action.DELETE:
            conn.request("DELETE", f"/dashboards/uid/{resource.key}")
            return "deleted"
        body = dict(resource.desired or {})
        made = 1
        if change.remote is not None:
            body["version"] = change.remote.version
            made = change.remote.version + 1 if isinstance(change.remote.version, int) else 0
        body[DASHBOARD_RECORD] = {"hash": resource.content_hash, "version": made}
        message = version_message(target.revision, resource.content_hash, target.note)
        conn.request(
            "POST",
            "/dashboards/db",
            json={
                "dashboard": body,
                "folderUid": resource.folder or "",
                "message": message,
                "overwrite": target.force,
            },
        )
        return "created" if change.action == Action.CREATE else "updated"

    def refusal(self, error: GrafanaError) -> str | None:
        if error.grafana_status == "plugin-dashboard":  # D6
            return f"a plugin ({error.grafana_message})"
        if "provisioned dashboard" in error.grafana_message.lower():
            return "file provisioning"
        return None

    def already_applied(self, conn: GrafanaConnection, change: Change) -> bool:
        try:
            remote = self.read(conn, change.resource.key)
        except StoredAsV2:
            return False
        return remote is not None and remote.recorded_hash == change.resource.content_hash


class StoredAsV2(Exception):
    """The legacy API refuses a dashboard stored as schema v2 (406)."""


def _details(resource: Resource, remote: Remote) -> list[str]:
    """What differs, for people: Grafana's dashboard seen through the fields phoenix-dash sets."""
    from ..diffing import dashboard_changes

    desired = resource.desired or {}
    return dashboard_changes(
        owned_view(remote.body.get("dashboard", {}), desired),
        desired,
        remote.body.get("meta", {}).get("folderUid"),
        resource.folder,
    )


def _owner(remote: Remote) -> str:
    """Who else manages the dashboard, when Grafana says (D6)."""
    meta = remote.body.get("meta") or {}
    if meta.get("provisioned"):
        path = meta.get("provisionedExternalId")
        return f"file provisioning ({path})" if path else "file provisioning"
    return ""


def _with_uids(body: JSON, target: Target, uids: set[str]) -> JSON:
    """The dashboard under its preview uid, its links to the others pointing at theirs."""
    body = {**body, "uid": target.dashboard_uid(str(body.get("uid")))}
    links = []
    for link in body.get("links") or []:
        url = str(link.get("url") or "")
        if url.startswith("/d/") and url[3:].split("/")[0].split("?")[0] in uids:
            uid = url[3:].split("/")[0].split("?")[0]
            link = {**link, "url": url.replace(f"/d/{uid}", f"/d/{target.dashboard_uid(uid)}", 1)}
        links.append(link)
    body["links"] = links
    body["panels"] = [_library_uid(panel, target) for panel in body.get("panels") or []]
    return body


def _library_uid(panel: JSON, target: Target) -> JSON:
    """A panel (and a row's panels) using a library panel by the previewed one's uid."""
    panel = dict(panel)
    if panel.get("panels"):
        panel["panels"] = [_library_uid(child, target) for child in panel["panels"]]
    reference = panel.get("libraryPanel")
    if isinstance(reference, dict) and reference.get("uid"):
        panel["libraryPanel"] = {**reference, "uid": target.dashboard_uid(str(reference["uid"]))}
    return panel


def _dashboard_hash(folder: str | None, body: JSON) -> str:
    return content_hash({"folder": folder or "", "dashboard": body})
