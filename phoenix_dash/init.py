"""`phoenix-dash init`: a new project for another team, from the templates in scaffold/: a
dashboard, an alert rule with its threshold and its promtool tests, a metric catalog, the
datasource, and a CI workflow. As generated, it builds, lints clean and passes test-alerts."""

from __future__ import annotations

import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .errors import ConfigError

# Templates whose place in the project is not their place in scaffold/ (a wheel keeps no
# dot-files reliably; a .py template would be imported as part of phoenix_dash).
DESTINATIONS = {
    "ci/github-workflow.yml": ".github/workflows/grafana.yml",
    "gitignore.tmpl": ".gitignore",
}


def templates() -> dict[str, bytes]:
    """Destination path (relative to the project) -> content."""
    found: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            relative = f"{prefix}{child.name}"
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, f"{relative}/")
            else:
                destination = DESTINATIONS.get(relative, relative.removesuffix(".tmpl"))
                found[destination] = child.read_bytes()

    walk(resources.files("phoenix_dash") / "scaffold", "")
    return found


def scaffold(directory: Path) -> list[Path]:
    """Write a new project into ``directory`` (created if need be). Refuses, writing
    nothing, when any file it would write exists already."""
    files = templates()
    taken = sorted(rel for rel in files if (directory / rel).exists())
    if taken:
        raise ConfigError(
            f"{directory} already has {', '.join(taken[:5])}"
            f"{' and more' if len(taken) > 5 else ''}: init writes into a new "
            "or empty project only; nothing was written"
        )
    written = []
    for rel, data in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        os.replace(partial, path)
        written.append(path)
    return written
