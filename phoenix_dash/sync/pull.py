"""`pull`: live dashboards as JSON files (normalised: no instance ids or versions), to adopt
dashboards made in the UI."""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..dashboard_file import v1_model
from ..errors import ConfigError
from ..grafana import resources
from ..grafana.connection import GrafanaConnection
from ..grafana.errors import GrafanaNotFound
from ..grafana.resources import ResourceAPI
from ..library_panels import library_model
from ..modern.common import every_panel
from ..output import json_bytes
from .handlers.library_panel import without_record
from .normalize import normalize_dashboard
from .ownership import FOLDER

JSON = dict[str, Any]

PAGE = 5000  # /api/search's largest page; a larger limit is refused (D7)


def search_dashboards(
    conn: GrafanaConnection,
    uids: Sequence[str] = (),
    tags: Sequence[str] = (),
    folders: Sequence[str] = (),
) -> list[Any]:
    """Every dashboard hit, page after page. Several folders or uids go as repeated
    parameters (a comma-joined value matches nothing), and a hit must carry every tag asked
    for (Grafana 13's search matches any of them)."""
    params: dict[str, Any] = {"type": "dash-db", "limit": PAGE}
    if tags:
        params["tag"] = list(tags)
    if folders:
        params["folderUIDs"] = list(folders)
    if uids:
        params["dashboardUIDs"] = list(uids)
    hits: list[Any] = []
    for page in range(1, 10_000):
        found = conn.request("GET", "/search", params={**params, "page": page}) or []
        hits += found
        if len(found) < PAGE:
            break
    return [hit for hit in hits if set(tags) <= set(hit.get("tags") or [])]


def _near(conn: GrafanaConnection, uid: str) -> str:
    hits = search_dashboards(conn)
    names = {str(h.get("uid")): str(h.get("title")) for h in hits}
    close = difflib.get_close_matches(uid, sorted(names), n=3, cutoff=0.8)
    return f"; did you mean {', '.join(f'{u} ({names[u]})' for u in close)}?" if close else ""


def pull_dashboards(
    conn: GrafanaConnection,
    out_dir: Path,
    uids: Sequence[str],
    tags: Sequence[str],
    folders: Sequence[str],
    api: ResourceAPI | None = None,
) -> list[Path]:
    """Every dashboard read before any file is written; through the resource APIs when
    ``api`` is given (one paged list, no search lag), else the legacy API."""
    found = (
        _through_resources(conn, api, uids, tags, folders)
        if api is not None
        else _through_legacy(conn, uids, tags, folders)
    )
    if not found and (tags or folders):
        criteria = [f"tag {tag!r}" for tag in tags] + [f"folder {uid!r}" for uid in folders]
        raise ConfigError(f"no dashboard in Grafana matches {' and '.join(criteria)}")
    elements: dict[str, JSON | None] = {}
    for dashboard in found.values():
        _with_library_panels(conn, dashboard, elements)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for uid in sorted(found):
        path = out_dir / f"{uid}.json"
        partial = path.with_suffix(".json.partial")
        partial.write_bytes(json_bytes(normalize_dashboard(found[uid])))
        os.replace(partial, path)  # never a half-written file
        written.append(path)
    return written


def _through_legacy(
    conn: GrafanaConnection,
    uids: Sequence[str],
    tags: Sequence[str],
    folders: Sequence[str],
) -> dict[str, JSON]:
    # Uids alone are read directly: search may not show a dashboard written a moment ago.
    wanted = (
        sorted(set(uids))
        if uids and not tags and not folders
        else sorted({str(hit["uid"]) for hit in search_dashboards(conn, uids, tags, folders)})
    )
    found = {}
    for uid in wanted:
        try:
            found[uid] = conn.request("GET", f"/dashboards/uid/{uid}")["dashboard"]
        except GrafanaNotFound:
            raise ConfigError(
                f"--uid {uid!r}: no such dashboard in Grafana{_near(conn, uid)}"
            ) from None
    return found


def _through_resources(
    conn: GrafanaConnection,
    api: ResourceAPI,
    uids: Sequence[str],
    tags: Sequence[str],
    folders: Sequence[str],
) -> dict[str, JSON]:
    listed = {
        str(item["metadata"]["name"]): item
        for item in resources.list_all(conn, api.collection("dashboard"))
    }
    for uid in uids:
        if uid not in listed:
            close = difflib.get_close_matches(uid, sorted(listed), n=3, cutoff=0.8)
            near = ", ".join(f"{u} ({_title(listed[u])})" for u in close)
            hint = f"; did you mean {near}?" if close else ""
            raise ConfigError(f"--uid {uid!r}: no such dashboard in Grafana{hint}")
    chosen = {
        name: _dashboard(conn, api, item)
        for name, item in listed.items()
        if (not uids or name in uids) and (not folders or _folder(item) in folders)
    }
    return {name: d for name, d in chosen.items() if set(tags) <= set(d.get("tags") or [])}


def _dashboard(conn: GrafanaConnection, api: ResourceAPI, item: JSON) -> JSON:
    """The v1 model of a listed dashboard. One stored as schema v2 whose v1 form Grafana
    could not give is read in v2 and converted here."""
    conversion = (item.get("status") or {}).get("conversion") or {}
    if conversion.get("failed") and api.dashboards_v2:
        v2 = api.for_schema_v2()
        found = resources.read(conn, v2.item("dashboard", str(item["metadata"]["name"])))
        if found is not None:
            return v1_model(found)
    return dict(item.get("spec") or {})


def _title(item: JSON) -> str:
    return str((item.get("spec") or {}).get("title") or "")


def _folder(item: JSON) -> str:
    return str(((item.get("metadata") or {}).get("annotations") or {}).get(FOLDER) or "")


def _with_library_panels(
    conn: GrafanaConnection, dashboard: JSON, elements: dict[str, JSON | None]
) -> None:
    """Each use of a library panel as Grafana's frontend shows it: the library's panel at
    the use's place, with the reference (a dashboard saved from the UI keeps only
    ``{id, gridPos, libraryPanel}``). Lint, render and adopt then read what Grafana shows,
    and a build of the adopted module gives the library panel back. ``elements``: those
    read so far (None: Grafana has no such element; the bare reference is kept)."""
    for panel in every_panel(dashboard):
        reference = panel.get("libraryPanel")
        if not isinstance(reference, dict) or not reference.get("uid") or "type" in panel:
            continue
        uid = str(reference["uid"])
        if uid not in elements:
            try:
                found = conn.request("GET", f"/library-elements/{uid}") or {}
            except GrafanaNotFound:
                found = {}
            result = found.get("result") or {}
            elements[uid] = result if result.get("model") else None
        element = elements[uid]
        if element is None:
            continue
        model = library_model(without_record(element["model"]))  # phoenix-dash's own record
        place: JSON = {k: panel[k] for k in ("id", "gridPos") if k in panel}
        panel.clear()
        panel.update(model)
        panel.update(place)
        panel["libraryPanel"] = {"uid": uid, "name": str(element.get("name") or "")}
