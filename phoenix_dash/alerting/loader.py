"""Load alert modules: each defines ``alertgroup`` or ``alertgroups`` (grafanalib's names)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from grafanalib.core import AlertGroup

from ..errors import DefinitionError, Location
from ..loader import ModuleRunner, defined, discover, on_module_thread
from .convert import AlertContext, convert_group
from .model import RuleGroup

ALERT_NAMES = ("alertgroups", "alertgroup")


def load_alert_groups(
    root: Path, directory: Path, ctx: AlertContext, track: bool = True
) -> list[RuleGroup]:
    """Every alert group under ``directory``; without ``track`` each group and rule is
    located at its module's first line (tracking costs importing every grafanalib module)."""
    return on_module_thread(lambda: _load_alert_groups(root, directory, ctx, track))


def _load_alert_groups(
    root: Path, directory: Path, ctx: AlertContext, track: bool
) -> list[RuleGroup]:
    runner = ModuleRunner(root, track)
    groups: list[RuleGroup] = []
    with runner.session():
        for index, path in enumerate(discover(directory)):
            module_loc = Location(runner.display(str(path)), 1)
            try:
                module = runner.run(path, index)
                for group in defined(module, module_loc, ALERT_NAMES, AlertGroup):
                    where = runner.tracker.location_of(group) or module_loc
                    groups.append(convert_group(group, where, runner.tracker, ctx))
            finally:
                runner.tracker.forget()
    check_unique(groups)
    return groups


def check_unique(groups: Iterable[RuleGroup]) -> None:
    """Rule uids are unique in Grafana; titles and group names unique per folder."""
    uids: dict[str, Location] = {}
    titles: dict[tuple[str, str], Location] = {}
    names: dict[tuple[str, str], Location] = {}
    for group in groups:
        _claim(
            names,
            (group.folder_uid, group.name),
            group.location,
            f"rule group {group.name!r} is already defined in folder {group.folder_uid!r}",
        )
        for rule in group.rules:  # titles first: equal titles also derive equal uids
            _claim(
                titles,
                (group.folder_uid, rule.title),
                rule.location,
                f"rule title {rule.title!r} is already used in folder {group.folder_uid!r}",
            )
            _claim(uids, rule.uid, rule.location, f"rule uid {rule.uid!r} is already used")


def _claim(seen: dict[Any, Location], key: Any, where: Location, message: str) -> None:
    if key in seen:
        raise DefinitionError(f"{message} (at {seen[key]})", where)
    seen[key] = where


def check_panel_links(groups: Iterable[RuleGroup], panels: Mapping[str, AbstractSet[int]]) -> None:
    """Every rule's dashboard uid and panel id exist in the built dashboards."""
    for group in groups:
        for rule in group.rules:
            if rule.dashboard_uid is None:
                if rule.panel_id is not None:
                    raise DefinitionError(
                        f"rule {rule.title!r}: panel_id without dashboard_uid", rule.location
                    )
                continue
            if rule.panel_id is None:  # Grafana refuses one annotation without the other
                raise DefinitionError(
                    f"rule {rule.title!r}: dashboard_uid without panel_id "
                    "(Grafana needs both, or neither)",
                    rule.location,
                )
            if rule.dashboard_uid not in panels:
                raise DefinitionError(
                    f"rule {rule.title!r}: dashboard uid "
                    f"{rule.dashboard_uid!r} is not built by this project",
                    rule.location,
                )
            if rule.panel_id not in panels[rule.dashboard_uid]:
                raise DefinitionError(
                    f"rule {rule.title!r}: dashboard {rule.dashboard_uid!r} "
                    f"has no panel with id {rule.panel_id}",
                    rule.location,
                )
