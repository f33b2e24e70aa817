"""How phoenix-dash marks what it manages on Grafana's resource APIs, and how it reads who
manages a resource and whether someone else changed it since phoenix-dash wrote it.

Grafana's own ownership annotations (pkg/apimachinery/utils/meta.go, manager.go):
``grafana.app/managedBy`` (the manager's kind), ``grafana.app/managerId`` (which instance),
``grafana.app/managerAllowsEdits``, ``grafana.app/sourcePath`` and
``grafana.app/sourceChecksum``. phoenix-dash writes the kind ``kubectl``: of the kinds Grafana
knows, ``repo`` is Git Sync's (Grafana refuses other writers), ``terraform`` the Terraform
provider's, ``plugin`` and ``grafana`` Grafana's own; ``kubectl`` is the one for API clients,
and grafanactl/gcx use it too, told apart by the identity (``phoenix-dash``).

Edits are told from phoenix-dash's own writes by Grafana's metadata, never by comparing the
spec (Grafana migrates a dashboard when it saves it): ``metadata.generation`` counts spec and
folder changes, and phoenix-dash records, in ``phoenix-dash/generation``, the generation its
write produced. A higher generation is someone else's save. The identity in
``grafana.app/updatedBy`` says who, but cannot decide it: a service account cannot read its
own recorded identity back (``/api/user`` answers its numeric id, Grafana records its uid).
The UI also marks its saves with ``grafana.app/saved-from-ui``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]

MANAGED_BY = "grafana.app/managedBy"
MANAGER_ID = "grafana.app/managerId"
ALLOWS_EDITS = "grafana.app/managerAllowsEdits"
SOURCE_PATH = "grafana.app/sourcePath"
SOURCE_CHECKSUM = "grafana.app/sourceChecksum"
FOLDER = "grafana.app/folder"
MESSAGE = "grafana.app/message"
UPDATED_BY = "grafana.app/updatedBy"
UPDATED_AT = "grafana.app/updatedTimestamp"
SAVED_FROM_UI = "grafana.app/saved-from-ui"
WRITTEN_GENERATION = "phoenix-dash/generation"

OUR_KIND = "kubectl"
FILE_PROVISIONING = "classic-file-provisioning"
PLUGIN = "plugin"
GIT_SYNC = "repo"
OUR_ID = "phoenix-dash"
MANAGER_KEYS = (MANAGED_BY, MANAGER_ID, ALLOWS_EDITS, SOURCE_PATH, SOURCE_CHECKSUM)
UI_EDIT_CHOICES = ("allow", "deny")


@dataclass(frozen=True)
class Ownership:
    """What a resource's metadata says about who manages it and who changed it last."""

    kind: str  # "" when unmanaged
    identity: str
    source_path: str
    checksum: str
    allows_edits: bool
    generation: int
    written_generation: int | None  # what phoenix-dash's last write produced
    updated_by: str
    updated_at: str
    saved_from_ui: bool

    @property
    def managed(self) -> bool:
        # Grafana counts a resource as managed only when it names a manager identity.
        return bool(self.identity)

    @property
    def ours(self) -> bool:
        return self.kind == OUR_KIND and self.identity == OUR_ID

    @property
    def manager(self) -> str:
        """For messages: "file provisioning (ops/x.json)", "terraform (identity tf-prod)"."""
        if self.kind == FILE_PROVISIONING:
            return (
                f"file provisioning ({self.source_path})"
                if self.source_path
                else ("file provisioning")
            )
        if self.kind == PLUGIN:
            return f"a plugin ({self.identity})"
        if self.kind == GIT_SYNC:
            return f"Git Sync (repository {self.identity})"
        return f"{self.kind or 'an unknown manager'} (identity {self.identity})"

    @property
    def can_be_taken_over(self) -> bool:
        """Whether --take-over may claim it: not from file provisioning or a plugin, which
        write their version back (Grafana would allow the release itself)."""
        return self.kind not in (FILE_PROVISIONING, PLUGIN)

    @property
    def edited_since_written(self) -> bool:
        """Someone saved the resource after phoenix-dash's last write."""
        if self.saved_from_ui:
            return True
        return self.written_generation is None or self.generation > self.written_generation

    def editor(self) -> str:
        who = self.updated_by or "someone"
        when = f" at {self.updated_at}" if self.updated_at else ""
        return f"{who}{when} (generation {self.generation})"


def ownership(item: JSON) -> Ownership:
    metadata = item.get("metadata") or {}
    notes = metadata.get("annotations") or {}
    written = str(notes.get(WRITTEN_GENERATION) or "")
    return Ownership(
        kind=str(notes.get(MANAGED_BY) or ""),
        identity=str(notes.get(MANAGER_ID) or ""),
        source_path=str(notes.get(SOURCE_PATH) or ""),
        checksum=str(notes.get(SOURCE_CHECKSUM) or ""),
        allows_edits=str(notes.get(ALLOWS_EDITS) or "").lower() == "true",
        generation=int(metadata.get("generation") or 0),
        written_generation=int(written) if written.isdigit() else None,
        updated_by=str(notes.get(UPDATED_BY) or ""),
        updated_at=str(notes.get(UPDATED_AT) or ""),
        saved_from_ui=SAVED_FROM_UI in notes,
    )


def our_annotations(
    checksum: str, source_path: str, allow_ui_edits: bool, generation: int
) -> dict[str, str]:
    """The manager and source annotations of a phoenix-dash write that will produce
    ``generation``."""
    notes = {
        MANAGED_BY: OUR_KIND,
        MANAGER_ID: OUR_ID,
        SOURCE_CHECKSUM: checksum,
        WRITTEN_GENERATION: str(generation),
    }
    if source_path:
        notes[SOURCE_PATH] = source_path
    if allow_ui_edits:
        notes[ALLOWS_EDITS] = "true"  # Grafana reads only "true"; absent means no
    return notes


def released(item: JSON) -> JSON:
    """``item`` without any manager: the first of the two writes Grafana requires to change
    a resource's manager ("remove the existing manager first, then add the new one")."""
    metadata = dict(item.get("metadata") or {})
    notes = {
        k: v
        for k, v in (metadata.get("annotations") or {}).items()
        if k not in (*MANAGER_KEYS, WRITTEN_GENERATION)
    }
    return {**item, "metadata": {**metadata, "annotations": notes}}
