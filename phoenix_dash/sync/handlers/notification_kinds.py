"""Contact points, mute timings and templates through Grafana's provisioning API, one handler
each (what they share: notification_base.py)."""

from __future__ import annotations

import os

from ...build import Build
from ...datasources import missing_secrets, secret_values
from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaConflict, GrafanaNotFound
from ...notifications import canonical
from ...notifications.outputs import contact_point
from ..ledger import is_ledger
from ..model import Action, Change, Resource
from ..target import Target
from .base import JSON
from .notification_base import BASE, NotificationHandler, provenance_headers, segment


class ContactPointHandler(NotificationHandler):
    """By uid (names are not unique in Grafana: P3). Secrets are write-only: Grafana reads
    them back as "[REDACTED]" (P5), so only whether one is set is compared; an update sends
    "[REDACTED]" for a secret whose variable is not set here, which keeps Grafana's (P6)."""

    kind = "contact-point"
    noun = "contact point"
    named_by_routes = ("receiver",)

    def desired(self, build: Build, target: Target) -> list[Resource]:
        notifications = build.notifications
        resources = []
        for point in notifications.contact_points if notifications else []:
            body = contact_point(point)
            resource = self.resource(point.uid, point.name, body, notifications.file)  # type: ignore[union-attr]
            resource.secrets = dict(point.secrets)
            resources.append(resource)
        return resources

    def canonical(self, body: JSON) -> JSON:
        return canonical.contact_point(body)

    def key_of(self, found: JSON) -> str:
        return str(found.get("uid"))

    def read_all(self, conn: GrafanaConnection) -> dict[str, JSON]:
        found = conn.request("GET", f"{BASE}/contact-points") or []
        return {str(point.get("uid")): point for point in found}

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        change = super().plan(conn, resource, target)
        if change.action == Action.CREATE:
            taken = [p for p in (self.live or {}).values() if p.get("name") == resource.name]
            if taken:  # P3: a POST would join someone else's contact point
                return Change(
                    resource,
                    Action.CONFLICT,
                    None,
                    f"Grafana already has a contact point named {resource.name!r} "
                    f"(uid {taken[0].get('uid')}); a new one would join it",
                    forceable=False,
                )
        if change.writes:
            change.details += [
                f"secret {field} (${variable}) is not set here: "
                + ("sync needs it" if change.action == Action.CREATE else "Grafana's is kept")
                for field, variable in missing_secrets(resource.secrets)
            ]
        return change

    def ready(self, change: Change) -> None:
        if change.action == Action.CREATE:
            secret_values(change.resource.label, change.resource.secrets)

    def write(self, conn: GrafanaConnection, change: Change, target: Target) -> None:
        body = dict(change.resource.desired or {})
        settings = dict(body["settings"])
        for field, variable in change.resource.secrets.items():
            settings[field] = os.environ.get(variable) or canonical.REDACTED
        body["settings"] = settings
        if change.action == Action.CREATE:
            conn.request("POST", f"{BASE}/contact-points", json=body, headers=_headers(target))
        else:
            path = f"{BASE}/contact-points/{segment(change.resource.key)}"
            conn.request("PUT", path, json=body, headers=_headers(target))

    def remove(self, conn: GrafanaConnection, change: Change, target: Target) -> None:
        conn.request("DELETE", f"{BASE}/contact-points/{segment(change.resource.key)}")


class MuteTimingHandler(NotificationHandler):
    """By name. Grafana stores the canonical form (P20: numeric months, lower-case days),
    which notifications.yaml's loader produces too; writes carry the version read (P21)."""

    kind = "mute-timing"
    noun = "mute timing"
    named_by_routes = ("mute_time_intervals", "active_time_intervals")

    def desired(self, build: Build, target: Target) -> list[Resource]:
        notifications = build.notifications
        return [
            self.resource(
                timing.name,
                timing.name,
                {"name": timing.name, "time_intervals": timing.time_intervals},
                notifications.file,  # type: ignore[union-attr]
            )
            for timing in (notifications.mute_timings if notifications else [])
        ]

    def canonical(self, body: JSON) -> JSON:
        return canonical.mute_timing(body)

    def read_all(self, conn: GrafanaConnection) -> dict[str, JSON]:
        found = conn.request("GET", f"{BASE}/mute-timings") or []
        return {str(timing.get("name")): timing for timing in found}

    def write(self, conn: GrafanaConnection, change: Change, target: Target) -> None:
        body = dict(change.resource.desired or {})
        if change.action == Action.CREATE:
            conn.request("POST", f"{BASE}/mute-timings", json=body, headers=_headers(target))
            return
        version = _version(change, target)
        path = f"{BASE}/mute-timings/{segment(change.resource.key)}"
        conn.request("PUT", path, json={**body, **version}, headers=_headers(target))

    def remove(self, conn: GrafanaConnection, change: Change, target: Target) -> None:
        path = f"{BASE}/mute-timings/{segment(change.resource.key)}"
        conn.request(
            "DELETE", path, params=_version(change, target) or None, headers=_headers(target)
        )


class TemplateHandler(NotificationHandler):
    """By name. Grafana trims a template and wraps it in ``{{ define }}`` when it defines
    nothing (P23): the canonical form does the same. Writes carry the version read (P24)."""

    kind = "template"
    noun = "template"

    def desired(self, build: Build, target: Target) -> list[Resource]:
        notifications = build.notifications
        return [
            self.resource(name, name, {"name": name, "template": text}, notifications.file)  # type: ignore[union-attr]
            for name, text in (notifications.templates.items() if notifications else [])
        ]

    def canonical(self, body: JSON) -> JSON:
        return canonical.template(str(body.get("name")), str(body.get("template") or ""))

    def read_all(self, conn: GrafanaConnection) -> dict[str, JSON]:
        try:
            found = conn.request("GET", f"{BASE}/templates") or []
        except GrafanaNotFound:  # Grafana before 11 answered 404 when it had none
            found = []
        return {str(t.get("name")): t for t in found if not is_ledger(str(t.get("name")))}

    def write(self, conn: GrafanaConnection, change: Change, target: Target) -> None:
        path = f"{BASE}/templates/{segment(change.resource.key)}"
        if change.action == Action.CREATE:
            try:  # an upsert (P24): make sure nobody created it since the plan
                conn.request("GET", path)
            except GrafanaNotFound:
                pass
            else:
                raise GrafanaConflict(
                    "created by someone else since the plan", 409, "PUT", path, ""
                )
        body = {
            "template": (change.resource.desired or {}).get("template"),
            **_version(change, target),
        }
        conn.request("PUT", path, json=body, headers=_headers(target))

    def remove(self, conn: GrafanaConnection, change: Change, target: Target) -> None:
        path = f"{BASE}/templates/{segment(change.resource.key)}"
        conn.request(
            "DELETE", path, params=_version(change, target) or None, headers=_headers(target)
        )


def _version(change: Change, target: Target) -> dict[str, str]:
    """The version the plan read, so Grafana refuses the write (409) if it changed since
    (none with --force, which writes over such an edit too)."""
    if target.force:
        return {}
    version = (change.remote.body.get("version") if change.remote is not None else None) or ""
    return {"version": str(version)} if version else {}


def _headers(target: Target) -> dict[str, str] | None:
    return provenance_headers(target.notifications_editable)
