"""Before and after pictures of every dashboard a pull request changes (``diff --against
REF --render DIR``), the panels the change touches outlined, and their links for the
markdown comment."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..build import DASHBOARDS_DIR
from ..dashboard_file import v1_model
from ..filenames import safe_stem
from ..modern.common import panels_by_key
from ..sync.markdown import Pictures
from ..sync.model import Action, Plan
from . import DataChoice, Drawing, picture

JSON = dict[str, Any]


@dataclass
class Review:
    drawing: Drawing = field(default_factory=Drawing)  # the files, and missing glyphs
    pictures: dict[str, Pictures] = field(default_factory=dict)  # dashboard uid -> links


def changed_panels(before: JSON, after: JSON) -> set[Any]:
    """Keys of the panels that differ, were added or were removed."""
    old, new = panels_by_key(before), panels_by_key(after)
    return {key for key in set(old) | set(new) if old.get(key) != new.get(key)}


def image_url(base: str, name: str) -> str:
    """``base`` with ``{name}`` replaced, or ``base/name`` (a relative path when empty)."""
    if "{name}" in base:
        return base.replace("{name}", name)
    return f"{base.rstrip('/')}/{name}" if base else name


@dataclass(frozen=True)
class Reviewed:
    """A dashboard the plan changes: its key, and the dashboard before and after (None
    where it is new or removed)."""

    key: str
    before: JSON | None
    after: JSON | None

    def sides(self) -> list[tuple[str, JSON | None]]:
        return [("before", self.before), ("after", self.after)]


def reviewed_dashboards(
    before_files: Mapping[str, bytes], after_files: Mapping[str, bytes], plan: Plan
) -> list[Reviewed]:
    """The dashboards ``plan`` changes, both sides read (a file of the revision that is
    not a dashboard names itself and the revision: ``against.read_json_at``)."""
    found = []
    for change in plan.changes:
        if change.resource.kind != "dashboard" or change.action == Action.UNCHANGED:
            continue
        path = f"{DASHBOARDS_DIR}/{change.resource.key}.json"
        found.append(
            Reviewed(
                change.resource.key,
                _dashboard(before_files.get(path)),
                _dashboard(after_files.get(path)),
            )
        )
    return found


def review_pictures(reviewed: list[Reviewed], choice: DataChoice, image_base_url: str) -> Review:
    review = Review()
    for item in reviewed:
        touched = changed_panels(item.before or {}, item.after or {})
        links: list[str | None] = []
        for side, dashboard in item.sides():
            if dashboard is None:
                links.append(None)
                continue
            drawn = picture(dashboard, choice, touched)
            stem = f"{safe_stem(item.key, 'dashboard')}.{side}"
            review.drawing.add(drawn, stem)
            links.append(image_url(image_base_url, f"{stem}.png"))
        review.pictures[item.key] = Pictures(links[0], links[1])
    return review


def _dashboard(data: bytes | None) -> JSON | None:
    if data is None:
        return None
    found = json.loads(data)
    return v1_model(found) if isinstance(found, dict) else None
