"""The plan: what should exist, what does, and what to do about each resource."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..grafana.resources import ResourceAPI

JSON = dict[str, Any]

# Kinds in dependency order: folders before what lives in them, what a policy route names
# before the route (deletes run in the reverse order).
KINDS = (
    "folder",
    "datasource",
    "template",
    "mute-timing",
    "contact-point",
    "routing-tree",
    "policy",
    "library-panel",
    "dashboard",
    "alert-group",
)


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"


@dataclass
class Resource:
    """One thing sync manages, as it should be (``desired``) or as found (``remote``)."""

    kind: str
    key: str  # uid, or "folder/group" for rule groups
    name: str
    folder: str | None = None
    desired: JSON | None = None  # the body to write (None: to delete)
    content_hash: str = ""  # of the normalised desired content
    secrets: dict[str, str] = field(default_factory=dict)  # field -> environment variable
    source: str = ""  # the file that defines it, as the project shows it

    @property
    def label(self) -> str:
        return f"{self.kind} {self.key}"


@dataclass
class Remote:
    """What Grafana has for a resource, as much as the plan needs."""

    body: JSON
    version: int | None = None
    content_hash: str = ""
    recorded_hash: str | None = None  # what our last write recorded, when known
    recorded_version: int | None = None  # the version our last write was given, when known
    history_hidden: bool = False  # the credential may not read who wrote it (read-only)
    last_editor: str = ""
    last_edited: str = ""
    resource_version: str = ""  # the resource APIs' optimistic lock, as read


@dataclass
class Change:
    resource: Resource
    action: Action
    remote: Remote | None = None
    reason: str = ""
    details: list[str] = field(default_factory=list)  # the semantic diff, for people
    # False for a conflict --force cannot settle: the resource belongs to something else (file
    # provisioning, a plugin) or is stored in a form phoenix-dash does not write (schema v2).
    forceable: bool = True
    # Why Grafana's dry run (resource APIs, ``dryRun=All``) refuses the write; "" if it
    # accepts it or was not asked.
    rejected: str = ""

    @property
    def writes(self) -> bool:
        return self.action in (Action.CREATE, Action.UPDATE, Action.DELETE)

    def as_json(self) -> JSON:
        return {
            "kind": self.resource.kind,
            "key": self.resource.key,
            "name": self.resource.name,
            "action": self.action.value,
            "reason": self.reason,
            "details": self.details,
            "forceable": self.forceable,
            **({"rejected": self.rejected} if self.rejected else {}),
        }


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    message: str = ""
    api: ResourceAPI | None = None  # the resource APIs the plan was read from; None: legacy
    notes: list[str] = field(default_factory=list)  # what people should know about the plan
    against: str = ""  # the git revision compared with (diff --against); "": Grafana

    def by_action(self, action: Action) -> list[Change]:
        return [c for c in self.changes if c.action == action]

    @property
    def deletions(self) -> int:
        return len(self.by_action(Action.DELETE))

    @property
    def in_sync(self) -> bool:
        return all(c.action == Action.UNCHANGED for c in self.changes)

    @property
    def rejected(self) -> list[Change]:
        return [c for c in self.changes if c.rejected]

    def summary(self) -> dict[str, int]:
        return {action.value: len(self.by_action(action)) for action in Action}


@dataclass
class Outcome:
    """What applying one change did."""

    change: Change
    ok: bool
    detail: str = ""
