"""`phoenix-dash preview --local`: the project's dashboards in a browser with no Grafana and
no Docker: each drawn as `render` draws it (synthetic data from the catalog), its variables
as selectors and its time range to choose, each panel's lint findings beside it; drawn again
when a module or setting is saved (the page asks for the build's version every second).

The server listens on loopback by default; what it serves is looked up by dashboard uid in
the current build, never read from a path a request names."""

from __future__ import annotations

import html
import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from .build import build_project
from .catalog import Catalog
from .config import Config
from .errors import PhoenixDashError
from .lint.core import Finding, Severity
from .lint.runner import lint_build
from .local_http import local_server, reply
from .preview import snapshot

JSON = dict[str, Any]
RANGES = ("now-1h", "now-6h", "now-24h", "now-7d")
POLL_SECONDS = 0.5


@dataclass
class Snapshot:
    """The build the pages show: its version goes up at every rebuild."""

    version: int = 0
    dashboards: dict[str, JSON] = field(default_factory=dict)
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # by dashboard uid
    error: str = ""  # the last rebuild's failure; the dashboards are the last good ones
    catalog: Catalog | None = None  # the build's, for the pictures' synthetic data


class LocalPreview:
    """Builds, lints and serves; ``serve_forever`` until ``stop``."""

    def __init__(self, config: Config, host: str = "127.0.0.1", port: int = 8808) -> None:
        self.config = config
        self.state = Snapshot()
        self.lock = threading.Lock()
        self.pictures: dict[tuple[int, str, str], bytes] = {}
        self.stopped = threading.Event()
        self.drawing = threading.Lock()
        self.server, self.url = local_server(host, port, self.answer)

    def rebuild(self) -> None:
        """Build and lint the project now; a broken edit is kept as the page's error."""
        try:
            built = build_project(self.config)
            findings: dict[str, list[Finding]] = defaultdict(list)
            for finding in lint_build(built, self.config):
                findings[finding.target.split(" / ")[0]].append(finding)
        except PhoenixDashError as exc:
            with self.lock:
                self.state = replace(self.state, version=self.state.version + 1, error=str(exc))
            return
        with self.lock:
            dashboards = {d.uid: d.clean for d in built.dashboards}
            self.state = Snapshot(
                self.state.version + 1, dashboards, dict(findings), catalog=built.catalog
            )
            self.pictures.clear()

    def watch(self) -> None:
        """Rebuild after every change of the files the build depends on, until ``stop``."""
        seen = snapshot(self.config)
        while not self.stopped.wait(POLL_SECONDS):
            current = snapshot(self.config)
            if current != seen:
                seen = current
                self.rebuild()

    def start(self) -> LocalPreview:
        """Build, then serve and watch on background threads (for tests and callers)."""
        self.rebuild()
        threading.Thread(target=self.server.serve_forever, args=(0.1,), daemon=True).start()
        threading.Thread(target=self.watch, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.server.shutdown()
        self.server.server_close()

    # --- answers ----------------------------------------------------------------------------

    def answer(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.lock:
            state = self.state
        path = parts.path
        if path == "/state":
            body = json.dumps({"version": state.version, "error": state.error}).encode()
            reply(request, 200, body, "application/json")
        elif path == "/":
            reply(request, 200, index_page(state).encode(), "text/html; charset=utf-8")
        elif path.startswith("/d/") and path[3:] in state.dashboards:
            page = dashboard_page(state, path[3:], query)
            reply(request, 200, page.encode(), "text/html; charset=utf-8")
        elif path.startswith("/picture/") and path[9:].removesuffix(".png") in state.dashboards:
            uid = path[9:].removesuffix(".png")
            try:
                reply(request, 200, self._picture(state, uid, query), "image/png")
            except PhoenixDashError as exc:  # a drawing that fails: said, not raised
                reply(request, 500, f"error: {exc}\n".encode())
        else:
            reply(request, 404, b"not found: try /\n", "text/plain; charset=utf-8")

    def _picture(self, state: Snapshot, uid: str, query: dict[str, str]) -> bytes:
        key = (state.version, uid, urlencode(sorted(query.items())))
        with self.drawing:  # matplotlib draws one picture at a time (it is not thread-safe)
            return self._drawn(state, uid, query, key)

    def _drawn(
        self, state: Snapshot, uid: str, query: dict[str, str], key: tuple[int, str, str]
    ) -> bytes:
        if key not in self.pictures:
            from .pictures import DataChoice, drawn

            dashboard = chosen_view(state.dashboards[uid], query)
            self.pictures[key] = drawn(dashboard, DataChoice(state.catalog)).png()
        return self.pictures[key]


def chosen_view(dashboard: JSON, query: dict[str, str]) -> JSON:
    """``dashboard`` with the time range and variable values a page chose (``from``,
    ``var-NAME``), as Grafana's URL parameters set them."""
    variables = []
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        value = query.get(f"var-{variable.get('name')}")
        if value is not None:
            chosen = ["$__all"] if value == "All" else [value]
            variable = {**variable, "current": {"text": chosen, "value": chosen}}
        variables.append(variable)
    time_range = dict(dashboard.get("time") or {})
    if query.get("from") in RANGES:
        time_range = {"from": query["from"], "to": "now"}
    return {**dashboard, "time": time_range, "templating": {"list": variables}}


# --- pages ------------------------------------------------------------------------------------

STYLE = """
body{background:#111217;color:#ccccdc;font:14px/1.4 sans-serif;margin:0}
header{padding:10px 16px;background:#181b1f;display:flex;gap:16px;align-items:center}
a{color:#6e9fff} h1{font-size:18px;margin:0} .error{background:#4a1c1c;padding:8px 16px}
main{display:flex;gap:12px;padding:12px} .picture{position:relative;flex:0 0 72%}
.picture img{width:100%;display:block} .badge{position:absolute;transform:translate(-100%,0);
font:bold 12px sans-serif;padding:1px 6px;border-radius:8px;margin:4px}
.error-badge{background:#d10e5c;color:#fff} .warning-badge{background:#ff9830;color:#000}
aside{flex:1;overflow:auto} aside h2{font-size:14px;margin:12px 0 4px}
li{margin:0 0 6px} .rule{color:#8e8e99} select{background:#22252b;color:#ccccdc}
form{display:flex;gap:14px} label{white-space:nowrap}
"""
POLLING = """
<script>
const shown = VERSION;
setInterval(async () => {
  try {
    const state = await (await fetch('/state')).json();
    if (state.version !== shown) location.reload();
  } catch (e) {}
}, 1000);
</script>
"""


def _page(title: str, state: Snapshot, body: str) -> str:
    error = f'<div class="error" id="error">{html.escape(state.error)}</div>' if state.error else ""
    polling = POLLING.replace("VERSION", str(state.version))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{error}{body}{polling}</body></html>"
    )


def index_page(state: Snapshot) -> str:
    items = "".join(
        f'<li><a href="/d/{quote(uid)}">{html.escape(str(d.get("title") or uid))}</a>'
        f"{_count(state.findings.get(uid, []))}</li>"
        for uid, d in sorted(state.dashboards.items(), key=lambda i: str(i[1].get("title")))
    )
    body = f"<header><h1>phoenix-dash preview</h1></header><main><ul>{items}</ul></main>"
    return _page("phoenix-dash preview", state, body)


def _count(findings: list[Finding]) -> str:
    shown = [f for f in findings if f.severity >= Severity.WARNING]
    return f" <span class='rule'>({len(shown)} lint findings)</span>" if shown else ""


def dashboard_page(state: Snapshot, uid: str, query: dict[str, str]) -> str:
    from .pictures.page import panel_places
    from .pictures.repeats import expanded, variable_values

    dashboard = chosen_view(state.dashboards[uid], query)
    selectors = [
        _range_selector(
            query.get("from") or str((dashboard.get("time") or {}).get("from") or "now-6h")
        )
    ]
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        if variable.get("type") in ("datasource", "constant") or variable.get("hide") == 2:
            continue
        values = (["All"] if variable.get("includeAll") else []) + variable_values(
            {**variable, "current": {}}
        )
        selectors.append(_selector(f"var-{variable.get('name')}", values, query))
    width, height, places = panel_places(expanded(dashboard))
    findings = state.findings.get(uid, [])
    by_panel: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_panel[finding.target.partition(" / ")[2] or "dashboard"].append(finding)
    badges = "".join(
        _badge(place.panel, place.left + place.width, place.top, width, height, by_panel)
        for place in places
    )
    picture = f"/picture/{quote(uid)}.png?{urlencode(sorted(query.items()))}"
    title = html.escape(str(dashboard.get("title") or uid))
    body = (
        f"<header><a href='/'>all dashboards</a><h1>{title}</h1>"
        f"<form id='view'>{''.join(selectors)}</form></header>"
        f"<main><div class='picture'><img id='picture' alt='{title}' src='{picture}'>{badges}</div>"
        f"<aside id='findings'>{_findings(by_panel)}</aside></main>"
    )
    return _page(str(dashboard.get("title") or uid), state, body)


def _range_selector(chosen: str) -> str:
    options = "".join(
        f"<option value='{r}'{' selected' if r == chosen else ''}>{r}</option>" for r in RANGES
    )
    return (
        f"<label>time <select name='from' onchange='this.form.submit()'>{options}</select></label>"
    )


def _selector(name: str, values: list[str], query: dict[str, str]) -> str:
    chosen = query.get(name, "All" if "All" in values else (values[0] if values else ""))
    options = "".join(
        f"<option{' selected' if v == chosen else ''}>{html.escape(v)}</option>" for v in values
    )
    label = html.escape(name.removeprefix("var-"))
    submit = "onchange='this.form.submit()'"
    return f"<label>{label} <select name='{html.escape(name)}' {submit}>{options}</select></label>"


def _badge(
    panel: JSON,
    right: float,
    top: float,
    width: float,
    height: float,
    by_panel: dict[str, list[Finding]],
) -> str:
    found = [
        f for f in by_panel.get(str(panel.get("title") or ""), []) if f.severity >= Severity.WARNING
    ]
    if not found:
        return ""
    worst = "error" if any(f.severity >= Severity.ERROR for f in found) else "warning"
    where = f"left:{right / width * 100:.3f}%;top:{top / height * 100:.3f}%"
    return f"<span class='badge {worst}-badge' style='{where}' title='lint'>{len(found)}</span>"


def _findings(by_panel: dict[str, list[Finding]]) -> str:
    if not by_panel:
        return "<p>lint: no findings</p>"
    parts = []
    for panel, findings in sorted(by_panel.items()):
        items = "".join(
            f"<li><b>{f.severity}</b> {html.escape(f.message)} "
            f"<span class='rule'>[{html.escape(f.rule)}] {html.escape(f.where)}</span></li>"
            for f in sorted(findings, key=lambda f: -int(f.severity))
        )
        parts.append(f"<h2>{html.escape(panel)}</h2><ul>{items}</ul>")
    return "".join(parts)
