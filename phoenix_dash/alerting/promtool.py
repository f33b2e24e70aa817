"""Prometheus' own rule engine as a test runner: ``promtool check rules`` and
``promtool test rules`` on the rule file we build, plus a coverage check of the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError, PhoenixDashError
from ..notifications.expectations import is_expectations_file
from ..yamlconf import load_yaml

RULES_NAME = "rules.yaml"
TIMEOUT = 300


class PromtoolMissing(ConfigError):
    """promtool is needed and not found."""


def find_promtool(configured: str | None = None) -> Path:
    """promtool from the config, $PROMTOOL, or PATH."""
    candidate = configured or os.environ.get("PROMTOOL") or shutil.which("promtool")
    if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
        return Path(candidate)
    where = f" at {candidate}" if candidate else " on PATH"
    raise PromtoolMissing(
        f"promtool not found{where}: install Prometheus (Debian: apt-get install prometheus), "
        "or set prometheus.promtool in phoenix-dash.yaml or $PROMTOOL"
    )


@dataclass
class PromtoolRun:
    ok: bool
    output: str


def check_rules(promtool: Path, rules: bytes) -> PromtoolRun:
    with tempfile.TemporaryDirectory(prefix="phoenix-dash-") as tmp:
        path = Path(tmp) / RULES_NAME
        path.write_bytes(rules)
        return _run([str(promtool), "check", "rules", str(path)], Path(tmp))


def run_tests(promtool: Path, rules: bytes, files: list[Path]) -> PromtoolRun:
    """``promtool test rules`` with each test file pointed at ``rules`` (the fresh build)."""
    with tempfile.TemporaryDirectory(prefix="phoenix-dash-") as tmp:
        directory = Path(tmp)
        (directory / RULES_NAME).write_bytes(rules)
        copies = []
        for test_file in files:  # one directory: names are unique
            doc = load_yaml(test_file, test_file.name).data
            doc["rule_files"] = [RULES_NAME]
            copy = directory / test_file.name
            copy.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
            copies.append(copy)
        return _run([str(promtool), "test", "rules", *map(str, copies)], directory)


def _run(command: list[str], cwd: Path) -> PromtoolRun:
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PhoenixDashError(f"running {command[0]} failed: {exc}") from None
    output = (done.stdout + done.stderr).replace(str(cwd) + os.sep, "")
    return PromtoolRun(done.returncode == 0, output)


@dataclass
class Coverage:
    """Which rules the tests show firing, and which they show quiet."""

    firing: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    quiet: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # Every alert the tests expect to fire: where, and its labels (alertname included).
    fired: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # The same, by the test file that expects them.
    fired_by_file: dict[Path, list[tuple[str, dict[str, str]]]] = field(default_factory=dict)

    def gaps(self, alert_names: list[str]) -> list[str]:
        problems = []
        for name in alert_names:
            if not self.firing.get(name):
                problems.append(f"rule {name!r} has no test in which it fires")
            if not self.quiet.get(name):
                problems.append(f"rule {name!r} has no test in which it stays quiet")
        unknown = sorted((set(self.firing) | set(self.quiet)) - set(alert_names))
        problems += [f"tests name {name!r}, which is no rule" for name in unknown]
        return problems


def coverage(files: list[Path]) -> Coverage:
    found = Coverage()
    for test_file in files:
        doc = load_yaml(test_file, test_file.name)
        for index, test in enumerate(_list(doc.data, "tests")):
            for case in _list(test, "alert_rule_test"):
                name = case.get("alertname")
                where = f"{doc.location(['tests', index])}"
                bucket = found.firing if case.get("exp_alerts") else found.quiet
                bucket[str(name)].append(where)
                for alert in _list(case, "exp_alerts"):
                    labels = alert.get("exp_labels") if isinstance(alert, dict) else None
                    shown = {str(k): str(v) for k, v in (labels or {}).items()}
                    alert_labels = {**shown, "alertname": str(name)}
                    found.fired.append((where, alert_labels))
                    found.fired_by_file.setdefault(test_file, []).append((where, alert_labels))
    return found


def _list(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def alert_test_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    found = [*directory.glob("*.yaml"), *directory.glob("*.yml")]
    return sorted(path for path in found if not is_expectations_file(path))
