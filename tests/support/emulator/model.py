"""The emulator's records: what it stores per organisation."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .alerting_behaviour import DEFAULT_EMAIL_UID, default_email, default_tree

JSON = dict[str, Any]
Answer = tuple[int, Any]  # status, JSON body (None: empty body)
UID_RE = re.compile(r"^[a-zA-Z0-9_-]*$")


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def typed_identity(login: str) -> str:
    """Who Grafana records in grafana.app/createdBy and updatedBy: the requester's typed
    uid (authlib ``<type>:<uid>``); the emulator's service accounts have logins "sa-...",
    and a login stands for the uid."""
    kind = "service-account" if login.startswith("sa-") else "user"
    return f"{kind}:{login}"


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


@dataclass
class Version:
    version: int
    created: str
    created_by: str
    message: str
    data: JSON
    parent_version: int = 0
    restored_from: int = 0


@dataclass
class Dashboard:
    id: int
    uid: str
    folder_uid: str
    versions: list[Version] = field(default_factory=list)
    provisioned: str | None = None  # the file it is provisioned from (D6)
    plugin_id: str | None = None  # a plugin's dashboard (D6)
    stored_as_v2: bool = False  # saved from the new editor (D5)
    # A schema v2 spec written through dashboard.grafana.app/v2; the versions then hold only
    # its title and tags (the emulator converts no schema: see resources.py).
    v2_spec: JSON | None = None
    # The resource APIs' view of the same record (resources.py).
    annotations: dict[str, str] = field(default_factory=dict)  # as written, not server-set
    k8s_uid: str = ""
    resource_version: int = 0
    created_by_id: str = ""
    updated_by_id: str = ""
    created_at: str = ""
    updated_at: str = ""

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def generation(self) -> int:
        """Grafana 12+ counts spec and folder changes, which are the legacy versions."""
        return self.current.version if self.versions else 0

    @property
    def title(self) -> str:
        return str(self.current.data.get("title", ""))


@dataclass
class Folder:
    id: int
    uid: str
    title: str
    parent_uid: str | None
    version: int = 1
    created_by: str = ""
    updated_by: str = ""
    annotations: dict[str, str] = field(default_factory=dict)
    k8s_uid: str = ""
    resource_version: int = 0
    generation: int = 1
    created_by_id: str = ""
    updated_by_id: str = ""
    created_at: str = ""
    updated_at: str = ""

    def as_json(self) -> JSON:
        out = {
            "id": self.id,
            "uid": self.uid,
            "title": self.title,
            "version": self.version,
            "url": f"/dashboards/f/{self.uid}/{slug(self.title)}",
            "createdBy": self.created_by,
            "updatedBy": self.updated_by,
        }
        if self.parent_uid:
            out["parentUid"] = self.parent_uid
        return out


@dataclass
class Org:
    id: int
    dashboards: dict[str, Dashboard] = field(default_factory=dict)
    folders: dict[str, Folder] = field(default_factory=dict)
    rules: dict[str, JSON] = field(default_factory=dict)
    datasources: dict[str, JSON] = field(default_factory=dict)
    # Notification resources (notifications.py): integrations by uid, the policy tree as
    # stored and its provenance, mute timings and templates by name.
    integrations: dict[str, JSON] = field(
        default_factory=lambda: {DEFAULT_EMAIL_UID: default_email()}
    )
    policy: JSON = field(default_factory=default_tree)
    policy_provenance: str = ""
    mute_timings: dict[str, JSON] = field(default_factory=dict)
    templates: dict[str, JSON] = field(default_factory=dict)
    # Named routing trees (routing_trees.py): name -> {"tree": stored route, "annotations"}.
    routing_trees: dict[str, JSON] = field(default_factory=dict)
    library_elements: dict[str, JSON] = field(default_factory=dict)  # library_elements.py
    # What /api/search sees: per uid, (when it became visible, the hit or None when deleted).
    search_index: dict[str, list[tuple[float, JSON | None]]] = field(default_factory=dict)
