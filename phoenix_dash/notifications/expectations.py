"""Who the alerts of a unit test file must reach: ``<tests>.receivers.yaml`` beside each promtool
test file (promtool refuses keys it does not know in its own files, so the expectation lives
next to them). Each key is an alert name; its value the receivers, in the order routing
reaches them, or a list of ``{labels: {...}, receivers: [...]}`` when alerts of one name go
to different places by their labels:

    CPU usage over quota: [phoenix-slack]
    Task failures high:
      - labels: {severity: critical}
        receivers: [phoenix-oncall]
      - labels: {severity: warning}
        receivers: [phoenix-slack]

``test-alerts`` routes every alert a test expects to fire through notifications.yaml's tree
(as ``phoenix-dash route`` does) and fails when the receivers differ, or when an alert that
fires has no expectation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..yamlconf import YamlDocument, load_yaml
from .definitions import Notifications

SUFFIX = ".receivers.yaml"


@dataclass(frozen=True)
class Expectation:
    labels: Mapping[str, str]  # those the alert must carry for this to apply (may be none)
    receivers: tuple[str, ...]
    where: str  # file:line


def expectations_file(test_file: Path) -> Path:
    return test_file.with_name(test_file.name.rsplit(".", 1)[0] + SUFFIX)


def is_expectations_file(path: Path) -> bool:
    return path.name.endswith(SUFFIX)


def load_expectations(path: Path) -> dict[str, list[Expectation]]:
    doc = load_yaml(path, path.name)
    if not isinstance(doc.data, dict):
        raise doc.error([], "a mapping of alert names to the receivers their alerts reach")
    found: dict[str, list[Expectation]] = {}
    for name, value in doc.data.items():
        entries = value if _entries(value) else [{"receivers": value}]
        found[str(name)] = [
            _expectation(doc, [str(name), *([i] if entries is value else [])], entry)
            for i, entry in enumerate(entries)
        ]
    return found


def _entries(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _expectation(doc: YamlDocument, path: list[str | int], entry: dict[str, object]) -> Expectation:
    receivers = entry.get("receivers")
    labels = entry.get("labels") or {}
    if not isinstance(receivers, list) or not all(isinstance(r, str) for r in receivers):
        raise doc.error(path, "receivers: a list of contact point names")
    if not isinstance(labels, dict) or set(entry) - {"labels", "receivers"}:
        raise doc.error(path, "an entry is {labels: {name: value}, receivers: [names]}")
    where = f"{doc.file}:{doc.line_of(path)}"
    return Expectation({str(k): str(v) for k, v in labels.items()}, tuple(receivers), where)


def receiver_mismatches(
    notifications: Notifications,
    expected: Mapping[str, list[Expectation]],
    fired: Iterable[tuple[str, Mapping[str, str]]],
    file_name: str,
) -> list[str]:
    """One line per alert a test expects to fire whose receivers are not the ones
    ``file_name`` states (or that it states nothing for)."""
    problems = []
    for where, labels in fired:
        name = labels.get("alertname", "")
        shown = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
        actual = tuple(route.receiver for route in notifications.receivers(labels))
        matching = [
            e
            for e in expected.get(name, [])
            if all(labels.get(k) == v for k, v in e.labels.items())
        ]
        if not matching:
            problems.append(
                f"{where}: alert {{{shown}}} fires, and {file_name} does not say who must "
                f"receive it (routing sends it to {', '.join(actual) or 'nobody'})"
            )
        elif matching[0].receivers != actual:
            problems.append(
                f"{where}: alert {{{shown}}} reaches {', '.join(actual) or 'nobody'}, but "
                f"{matching[0].where} says {', '.join(matching[0].receivers) or 'nobody'}"
            )
    return problems


def unused_expectations(
    expected: Mapping[str, list[Expectation]], fired: Iterable[tuple[str, Mapping[str, str]]]
) -> list[str]:
    names = {labels.get("alertname") for _, labels in fired}
    return [
        f"{entries[0].where}: {name!r} fires in no test of this file"
        for name, entries in expected.items()
        if name not in names
    ]
