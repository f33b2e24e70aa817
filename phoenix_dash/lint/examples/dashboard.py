"""Failing and passing examples of the dashboard/* lint rules."""

from __future__ import annotations

from .builders import CLEAN, Example, _dash, _set, dashboard, panel


def _link(url: str) -> Example:
    link = {
        "title": "Details",
        "type": "link",
        "url": url,
        "icon": "external link",
        "tooltip": "",
        "tags": [],
        "asDropdown": False,
        "targetBlank": False,
        "includeVars": True,
        "keepTime": True,
    }
    return _dash(_set(["links"], [link]))


EXAMPLES: dict[str, tuple[Example, Example]] = {
    "dashboard/link-target": (_link("/d/service-detail?orgId=1"), _link("/d/example/example")),
    "dashboard/schema": (_dash(_set(["graphTooltip"], 7)), CLEAN),
    "dashboard/schema-unknown-key": (_dash(_set(["graphTooltips"], 1)), CLEAN),
    "dashboard/schema-defaults": (
        _dash(_set(["style"], "dark"), panel(fieldConfig={"defaults": {}})),
        CLEAN,
    ),
    "dashboard/uid-format": (_dash(_set(["uid"], "has spaces")), CLEAN),
    "dashboard/uid-unique": (
        ([dashboard(), dashboard(title="Other")], []),
        ([dashboard(), dashboard(uid="other", title="Other")], []),
    ),
    "dashboard/title-unique": (
        ([dashboard(), dashboard(uid="other")], []),
        ([dashboard(), dashboard(uid="other", title="Other")], []),
    ),
    "dashboard/missing-title": (_dash(_set(["title"], "")), CLEAN),
    "dashboard/editable": (_dash(_set(["editable"], True)), CLEAN),
}
