"""What dashboards and folders share on Grafana's resource APIs (/apis): reading in pages,
ownership from Grafana's manager annotations, optimistic locking by ``resourceVersion``,
taking a resource over from another manager, and server-side dry runs.

A kind supplies its spec, its parent folder, the differences people read, and what it does
with a resource that exists but has no manager (``unmanaged``)."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import replace

from ...build import Build
from ...grafana import resources
from ...grafana.connection import GrafanaConnection
from ...grafana.errors import GrafanaError, GrafanaManagedElsewhere
from ...grafana.resources import ResourceAPI
from ..model import Action, Change, Remote, Resource
from ..ownership import (
    FOLDER,
    WRITTEN_GENERATION,
    Ownership,
    our_annotations,
    ownership,
    released,
)
from ..target import Target
from .base import JSON, Handler, conflict_or

# Fewer desired resources than this are read one by one; more, with one paged list.
LIST_FROM = 20
KIND_NAMES = {"dashboard": "Dashboard", "folder": "Folder"}


class ResourceHandler(Handler):
    """A kind on the resource APIs; ``legacy`` is the same kind's legacy-API handler, which
    says what should exist (that does not depend on the API)."""

    def __init__(self, api: ResourceAPI, legacy: Handler) -> None:
        self.api = api
        self.legacy = legacy
        self.kind = legacy.kind
        self.found: dict[str, JSON] | None = None  # name -> item, when listed

    # --- what each kind says -------------------------------------------------------------

    @abstractmethod
    def spec(self, resource: Resource) -> JSON: ...

    @abstractmethod
    def details(self, resource: Resource, item: JSON) -> list[str]: ...

    @abstractmethod
    def unmanaged(
        self, conn: GrafanaConnection, resource: Resource, remote: Remote, target: Target
    ) -> Change:
        """The resource exists with no manager at all."""

    def extra_annotations(self, resource: Resource, target: Target) -> dict[str, str]:
        return {}

    def unwritable(self, item: JSON) -> str:
        """Why phoenix-dash must not write over this resource whoever manages it ("" when
        it may)."""
        return ""

    # --- planning ------------------------------------------------------------------------

    def desired(self, build: Build, target: Target) -> list[Resource]:
        return self.legacy.desired(build, target)

    def prefetch(self, conn: GrafanaConnection, desired: list[Resource]) -> None:
        self.found = None
        if len(desired) >= LIST_FROM:
            self.found = self._list(conn)

    def _list(self, conn: GrafanaConnection) -> dict[str, JSON]:
        """Every item by name: only its metadata where Grafana can answer so (whether a
        resource is phoenix-dash's unchanged write needs no more); the whole item of the few
        that need more is read when planned."""
        collection = self.api.collection(self.kind)
        return {
            str(item["metadata"]["name"]): item
            for item in resources.list_all(conn, collection, metadata_only=True)
            if isinstance(item.get("metadata"), dict)
        }

    def _item(self, conn: GrafanaConnection, name: str, whole: bool = True) -> JSON | None:
        if self.found is not None:
            item = self.found.get(name)
            if item is None or not (whole and resources.is_metadata_only(item)):
                return item
        return resources.read(conn, self.api.item(self.kind, name))

    def plan(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        item = self._item(conn, resource.key, whole=False)
        if item is None:
            return Change(resource, Action.CREATE, reason=f"new {self.kind}")
        owner = ownership(item)
        if _unchanged(owner, resource, target):
            return Change(resource, Action.UNCHANGED, _remote(item, owner))
        if resources.is_metadata_only(item):
            item = self._item(conn, resource.key)
            if item is None:  # deleted since the list
                return Change(resource, Action.CREATE, reason=f"new {self.kind}")
            owner = ownership(item)
        remote = _remote(item, owner)
        why_not = self.unwritable(item)
        if why_not:
            return Change(resource, Action.CONFLICT, remote, why_not, forceable=False)
        if owner.managed and not owner.ours:
            return self._managed_elsewhere(resource, remote, owner, target)
        if not owner.managed:
            return self.unmanaged(conn, resource, remote, target)
        if owner.edited_since_written:
            reason = f"last saved by {owner.editor()}, not by phoenix-dash"
            change = conflict_or(Action.UPDATE, resource, remote, reason, target)
        elif owner.checksum != resource.content_hash:
            change = Change(resource, Action.UPDATE, remote, "changed in code")
        elif owner.allows_edits != target.allow_ui_edits:
            change = Change(resource, Action.UPDATE, remote, _ui_edits_reason(target))
        else:  # the whole item was read, and it is unchanged after all (it changed meanwhile)
            return Change(resource, Action.UNCHANGED, remote)
        change.details = self.details(resource, item)
        return change

    def _managed_elsewhere(
        self, resource: Resource, remote: Remote, owner: Ownership, target: Target
    ) -> Change:
        details = self.details(resource, remote.body)
        if target.take_over and owner.can_be_taken_over:
            return Change(
                resource, Action.UPDATE, remote, f"taking over from {owner.manager}", details
            )
        hint = " (--take-over makes it phoenix-dash's)" if owner.can_be_taken_over else ""
        return Change(
            resource,
            Action.CONFLICT,
            remote,
            f"managed by {owner.manager}, not phoenix-dash; left unchanged{hint}",
            details,
            forceable=False,
        )

    def managed(self, conn: GrafanaConnection, target: Target) -> list[Resource]:
        """What phoenix-dash manages here, by Grafana's manager annotations, over all
        pages."""
        if self.found is None:
            self.found = self._list(conn)
        return [
            Resource(self.kind, name, _title(item), _annotation(item, FOLDER) or None)
            for name, item in self.found.items()
            if ownership(item).ours
        ]

    def plan_delete(self, conn: GrafanaConnection, resource: Resource, target: Target) -> Change:
        item = self._item(conn, resource.key)
        if item is None:
            return Change(resource, Action.UNCHANGED, reason="already gone")
        resource = replace(resource, name=resource.name or _title(item))  # listed: no spec
        owner = ownership(item)
        remote = _remote(item, owner)
        if not owner.ours:
            return Change(resource, Action.UNCHANGED, remote, f"managed by {owner.manager}")
        why_not = self.unwritable(item)
        if why_not:
            reason = f"to delete, but {why_not}"
            return Change(resource, Action.CONFLICT, remote, reason, forceable=False)
        if owner.edited_since_written:
            reason = f"to delete, but last saved by {owner.editor()}, not by phoenix-dash"
            return conflict_or(Action.DELETE, resource, remote, reason, target)
        return Change(resource, Action.DELETE, remote, "no longer defined")

    # --- applying ------------------------------------------------------------------------

    def apply(self, conn: GrafanaConnection, change: Change, target: Target) -> str:
        resource = change.resource
        if change.action == Action.DELETE:
            resources.delete(conn, self._path(resource), _version_of(change))
            return "deleted"
        if change.action == Action.CREATE:
            created = resources.create(
                conn, self.api.collection(self.kind), self.body(resource, target, 1)
            )
            self._record_generation(conn, created, 1)
            return "created"
        assert change.remote is not None
        item = change.remote.body
        owner = ownership(item)
        version = _version_of(change)
        took_over = owner.managed and not owner.ours
        if took_over:
            # Grafana refuses a change of manager in one write (403): release, then claim.
            version = _version_of_item(resources.update(conn, self._path(resource), released(item)))
        expected = owner.generation + (1 if self.changes_spec(resource, item) else 0)
        body = self.body(resource, target, expected, version, item)
        try:
            written = resources.update(conn, self._path(resource), body)
        except GrafanaError as exc:
            if took_over:  # the release is written: say where that leaves the resource
                exc.message = (
                    f"{exc.message}: it was released by {owner.manager} but not claimed, "
                    "so no tool manages it now; `sync --force` makes it phoenix-dash's"
                )
            raise
        self._record_generation(conn, written, expected)
        return f"taken over from {owner.manager}" if took_over else self.updated(resource, item)

    def changes_spec(self, resource: Resource, item: JSON) -> bool:
        """Whether writing ``resource`` over ``item`` changes its spec or folder, which is
        what Grafana counts in the generation. A different checksum says so for what
        phoenix-dash wrote; a kind that can compare the spec itself does better."""
        return ownership(item).checksum != resource.content_hash

    def updated(self, resource: Resource, item: JSON) -> str:
        """What an update did, for the sync's report."""
        return "updated"

    def body(
        self,
        resource: Resource,
        target: Target,
        generation: int,
        resource_version: str = "",
        current: JSON | None = None,
    ) -> JSON:
        notes: dict[str, str] = {}
        if resource.folder:
            notes[FOLDER] = resource.folder
        notes.update(self.extra_annotations(resource, target))
        notes.update(
            our_annotations(
                resource.content_hash, resource.source, target.allow_ui_edits, generation
            )
        )
        metadata: JSON = {"name": resource.key, "annotations": notes}
        labels = ((current or {}).get("metadata") or {}).get("labels")
        if labels:
            metadata["labels"] = labels  # Grafana's and other tools', kept as found
        if resource_version:
            metadata["resourceVersion"] = resource_version
        return {
            "apiVersion": self.api.api_version(self.kind),
            "kind": KIND_NAMES[self.kind],
            "metadata": metadata,
            "spec": self.spec(resource),
        }

    def _record_generation(self, conn: GrafanaConnection, written: JSON, expected: int) -> None:
        """The generation phoenix-dash records is the one its write produced. Grafana counts
        a spec change only when the stored spec differs, which a prediction cannot always
        know; when they differ, one more write (annotations only: the generation stays)
        records the real one."""
        generation = int((written.get("metadata") or {}).get("generation") or 0)
        if not generation or generation == expected:
            return
        metadata = dict(written.get("metadata") or {})
        notes = {**(metadata.get("annotations") or {}), WRITTEN_GENERATION: str(generation)}
        resources.update(
            conn,
            f"{self.api.collection(self.kind)}/{metadata.get('name')}",
            {**written, "metadata": {**metadata, "annotations": notes}},
        )

    def validate(
        self, conn: GrafanaConnection, change: Change, target: Target, new_folders: set[str]
    ) -> str:
        """Grafana's verdict on a planned create or update, from a dry run (``dryRun=All``:
        admission and validation, nothing stored); "" when it would be accepted. A resource
        going into a folder the plan creates is judged at the root: that folder does not
        exist yet (its own creation is judged on its own)."""
        resource = change.resource
        if resource.folder in new_folders:
            resource = replace(resource, folder=None)
        try:
            if change.action == Action.CREATE:
                resources.create(
                    conn,
                    self.api.collection(self.kind),
                    self.body(resource, target, 1),
                    dry_run=True,
                )
            elif change.action == Action.UPDATE and change.remote is not None:
                item = change.remote.body
                body = self.body(resource, target, 0, _version_of(change), item)
                owner = ownership(item)
                if owner.managed and not owner.ours:
                    body = released(body)  # the claim follows a release the dry run cannot see
                resources.update(conn, self._path(resource), body, dry_run=True)
        except GrafanaError as exc:
            if exc.exit_code == 2 and not isinstance(exc, GrafanaManagedElsewhere):
                raise
            return exc.grafana_message or exc.message
        return ""

    def refusal(self, error: GrafanaError) -> str | None:
        if isinstance(error, GrafanaManagedElsewhere):
            return f"another manager (Grafana: {error.grafana_message})"
        return None

    def already_applied(self, conn: GrafanaConnection, change: Change) -> bool:
        item = resources.read(conn, self._path(change.resource))
        if item is None:
            return False
        owner = ownership(item)
        return (
            owner.ours
            and not owner.edited_since_written
            and owner.checksum == change.resource.content_hash
        )

    def _path(self, resource: Resource) -> str:
        return self.api.item(self.kind, resource.key)


def _unchanged(owner: Ownership, resource: Resource, target: Target) -> bool:
    """phoenix-dash's own write of this very code, untouched since, with the edit setting
    the target wants: the metadata alone says so."""
    return (
        owner.ours
        and not owner.edited_since_written
        and owner.checksum == resource.content_hash
        and owner.allows_edits == target.allow_ui_edits
    )


def _remote(item: JSON, owner: Ownership) -> Remote:
    metadata = item.get("metadata") or {}
    return Remote(
        item,
        owner.generation,
        last_editor=owner.updated_by,
        last_edited=owner.updated_at,
        resource_version=str(metadata.get("resourceVersion") or ""),
    )


def _version_of(change: Change) -> str:
    return change.remote.resource_version if change.remote else ""


def _version_of_item(item: JSON) -> str:
    return str((item.get("metadata") or {}).get("resourceVersion") or "")


def _annotation(item: JSON, key: str) -> str:
    return str(((item.get("metadata") or {}).get("annotations") or {}).get(key) or "")


def _title(item: JSON) -> str:
    return str((item.get("spec") or {}).get("title") or "")


def _ui_edits_reason(target: Target) -> str:
    if target.allow_ui_edits:
        return "grafana.ui_edits is now allow: Grafana lets people edit it in the UI"
    return "grafana.ui_edits is now deny: Grafana stops people editing it in the UI"
