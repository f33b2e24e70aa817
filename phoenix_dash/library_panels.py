"""Library panels as code: a panel defined once and shown by several dashboards, which
Grafana keeps as one library element (``/api/library-elements``) that every dashboard using it
references by ``{"libraryPanel": {"uid", "name"}}``.

In a dashboard module::

    HEALTH = LibraryPanel("phoenix-service-health", "Service health", Stat(...))
    Dashboard(panels=[HEALTH(gridPos=GridPos(h=4, w=6, x=0, y=0)), ...])

Each use is the library's panel with the use's own overrides (its position, mostly) and the
reference. The built dashboard keeps the whole panel beside the reference, as Grafana's
frontend loads it, so lint, check, render and diff read what Grafana shows. ``build`` gathers
the library panels from the dashboards that use them (``build/library-panels/<uid>.json``);
two uses of one uid that differ in anything but their place are an error: there is one
definition per uid."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import DefinitionError, Location
from .filenames import safe_stem
from .modern.common import every_panel
from .provenance import stamped_at, strip_stamps

JSON = dict[str, Any]
# A use's own keys: where it is, its number on the dashboard, and the reference itself.
PLACE_KEYS = ("gridPos", "id", "libraryPanel")
KIND_PANEL = 1  # Grafana's library element kind of a panel (2 is a variable)


@dataclass(frozen=True)
class LibraryPanel:
    """One library panel: its uid (stable, as a dashboard's), its name in Grafana's library,
    and the grafanalib panel it shows."""

    uid: str
    name: str
    panel: Any

    def __call__(self, **overrides: Any) -> LibraryPanelUse:
        """A use of the panel on a dashboard: ``gridPos`` and anything else overridden."""
        return LibraryPanelUse(self, overrides)


@dataclass
class LibraryPanelUse:
    library: LibraryPanel
    overrides: dict[str, Any] = field(default_factory=dict)

    def to_json_data(self) -> JSON:
        panel = self.library.panel
        data: JSON = dict(panel.to_json_data() if hasattr(panel, "to_json_data") else panel)
        data.update(self.overrides)
        data["libraryPanel"] = {"uid": self.library.uid, "name": self.library.name}
        return data


@dataclass(frozen=True)
class LibraryPanelDef:
    """A library panel as build writes it and sync creates it."""

    uid: str
    name: str
    model: JSON  # the panel, without its place on any one dashboard
    used_by: tuple[str, ...]  # dashboard uids

    @property
    def file_name(self) -> str:
        return f"{safe_stem(self.uid, 'library-panel')}.json"

    def body(self, folder_uid: str) -> JSON:
        """The library element (POST /api/library-elements)."""
        return {
            "uid": self.uid,
            "name": self.name,
            "kind": KIND_PANEL,
            "folderUid": folder_uid,
            "model": {**self.model, "libraryPanel": {"uid": self.uid, "name": self.name}},
        }


def library_model(panel: JSON) -> JSON:
    return {k: v for k, v in strip_stamps(panel).items() if k not in PLACE_KEYS}


def gather(dashboards: Iterable[tuple[str, JSON]]) -> list[LibraryPanelDef]:
    """The library panels the dashboards (uid, modern JSON) use; one definition per uid."""
    found: dict[str, LibraryPanelDef] = {}
    first_at: dict[str, Location | None] = {}
    for dashboard_uid, dashboard in dashboards:
        for panel in every_panel(dashboard):
            ref = panel.get("libraryPanel")
            if not isinstance(ref, dict) or not ref.get("uid") or "type" not in panel:
                continue  # not a library panel, or a bare reference to one Grafana keeps
            uid, name, model = str(ref["uid"]), str(ref.get("name") or ""), library_model(panel)
            known = found.get(uid)
            if known is None:
                found[uid] = LibraryPanelDef(uid, name, model, (dashboard_uid,))
                first_at[uid] = stamped_at(panel)
            elif (known.name, known.model) != (name, model):
                where = first_at[uid]
                other = f" ({where.file}:{where.line})" if where and where.line else ""
                raise DefinitionError(
                    f"library panel {uid!r} differs from its use in dashboard "
                    f"{known.used_by[0]!r}{other}: a library panel has one definition; "
                    "only a use's gridPos may differ",
                    stamped_at(panel),
                )
            else:
                found[uid] = LibraryPanelDef(uid, name, model, (*known.used_by, dashboard_uid))
    return [found[uid] for uid in sorted(found)]
