"""`pull`: live dashboards as JSON files (normalised: no instance ids or versions), to adopt
dashboards made in the UI."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..grafana.connection import GrafanaConnection
from ..output import json_bytes
from .normalize import normalize_dashboard


def pull_dashboards(conn: GrafanaConnection, out_dir: Path, uids: Sequence[str],
                    tags: Sequence[str], folders: Sequence[str]) -> list[Path]:
    params: dict[str, Any] = {"type": "dash-db", "limit": 5000}
    if tags:
        params["tag"] = list(tags)
    if folders:
        params["folderUIDs"] = ",".join(folders)
    if uids:
        params["dashboardUIDs"] = ",".join(uids)
    hits = conn.request("GET", "/search", params=params) or []
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for hit in sorted(hits, key=lambda h: str(h["uid"])):
        found = conn.request("GET", f"/dashboards/uid/{hit['uid']}")
        path = out_dir / f"{hit['uid']}.json"
        partial = path.with_suffix(".json.partial")
        partial.write_bytes(json_bytes(normalize_dashboard(found["dashboard"])))
        os.replace(partial, path)  # never a half-written file
        written.append(path)
    return written
