"""Folders on the resource APIs (``folder.grafana.app``): the spec holds the title, the
parent is the ``grafana.app/folder`` annotation (a write with another parent moves the folder,
unlike the legacy PUT), and folders are created, retitled and moved, never deleted."""

from __future__ import annotations

from typing import Any

from ...grafana.connection import GrafanaConnection
from ..model import Action, Change, Remote, Resource
from ..ownership import FOLDER
from ..target import Target
from .base import JSON
from .folder import differences
from .resource_api import ResourceHandler


class FolderResourceHandler(ResourceHandler):
    def spec(self, resource: Resource) -> JSON:
        return {"title": (resource.desired or {}).get("title", resource.name)}

    def details(self, resource: Resource, item: JSON) -> list[str]:
        return [f"{key}: {was!r} -> {now!r}" for key, was, now in _differences(resource, item)]

    def unmanaged(
        self, conn: GrafanaConnection, resource: Resource, remote: Remote, target: Target
    ) -> Change:
        """phoenix-dash.yaml declares the folder by its uid: one without a manager (created
        by phoenix-dash through the legacy API, or by hand beforehand) becomes
        phoenix-dash's."""
        return Change(
            resource,
            Action.UPDATE,
            remote,
            "declared in phoenix-dash.yaml; now marked as phoenix-dash's",
            self.details(resource, remote.body),
        )

    def changes_spec(self, resource: Resource, item: JSON) -> bool:
        return bool(_differences(resource, item))  # a folder's spec: its title and parent

    def updated(self, resource: Resource, item: JSON) -> str:
        changed = {key for key, _, _ in _differences(resource, item)}
        verbs = (("title", "renamed"), ("parentUid", "moved"))
        return " and ".join(verb for key, verb in verbs if key in changed) or "updated"

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        return []  # folders are never pruned


def _differences(resource: Resource, item: JSON) -> list[tuple[str, Any, Any]]:
    """The folder's title and parent as the resource API holds them, against the code's."""
    found = {
        "title": (item.get("spec") or {}).get("title"),
        "parentUid": ((item.get("metadata") or {}).get("annotations") or {}).get(FOLDER),
    }
    return differences(found, resource.desired or {})
