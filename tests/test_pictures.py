"""`phoenix-dash render`: pictures of dashboards without Grafana. Values formatted as Grafana
formats them (its own test cases), its grid, each panel type, "No data", live data from a
real Prometheus, deterministic bytes, and golden pictures of the Phoenix dashboards (those in
docs/pictures/) and of a real-world dashboard."""

from __future__ import annotations

import io
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from phoenix_dash.cli import main
from phoenix_dash.pictures.layout import MAX_GRID_ROWS, MAX_PANEL_ROWS, compacted, layout
from phoenix_dash.pictures.units import format_value, to_fixed
from tests.support.grafana_schemas import REALWORLD
from tests.support.pictures import needs_matplotlib, svg_texts
from tests.support.project import PHOENIX_UIDS, ROOT, Project, oracle

GOLDENS = ROOT / "tests" / "goldens" / "pictures"
DOCS = ROOT / "docs" / "pictures"

REALWORLD_GOLDEN = "kube-prometheus-nodes"
TOLERANCE = 1.0  # RMS over 0-255 channels: font rasterising may move a pixel, not a panel


def render(*args: str) -> Any:
    return CliRunner().invoke(main, ["render", *args], catch_exceptions=False)


def pixels(png: bytes) -> Any:
    import numpy
    from PIL import Image

    return numpy.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


def rms(left: bytes, right: bytes) -> float:
    a, b = pixels(left), pixels(right)
    assert a.shape == b.shape, f"picture size {a.shape} != {b.shape}"
    return float(math.sqrt(((a - b) ** 2).mean()))


# --- values as Grafana writes them ----------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "decimals", "value", "expected"),
    [  # Grafana's valueFormats.test.ts and symbolFormatters.test.ts
        ("currencyUSD", 2, 1532.82, "$1.53K"),
        ("currencyKRW", 2, 1532.82, "₩1.53K"),
        ("ms", 4, 0.0024, "0.0024 ms"),
        ("ms", 0, 100, "100 ms"),
        ("ms", 2, 1250, "1.25 s"),
        ("ms", 1, 10000086.123, "2.8 hour"),
        ("ms", 0, 1200, "1 s"),
        ("kbytes", 3, 10000000, "9.537 GiB"),
        ("deckbytes", 3, 10000000, "10.000 GB"),
        ("megwatt", 3, 1000, "1.000 GW"),
        ("kohm", 3, 1000, "1.000 MΩ"),
        ("Mohm", 3, 1000, "1.000 GΩ"),
        ("farad", 3, 1000, "1.000 kF"),
        ("µfarad", 3, 1000, "1.000 mF"),
        ("si:V", None, 1000, "1 kV"),
        ("si:V", None, -1000000, "-1 MV"),
        ("currencyUSD", None, -1000, "-$1K"),
        ("percentunit", None, 0.953, "95.3%"),
        ("percent", None, 42, "42%"),
        ("s", None, 0.2345, "235 ms"),
        ("s", None, 90, "1.50 min"),
        ("bytes", None, 1536, "1.50 KiB"),
        ("reqps", None, 42.5, "42.5 reqps"),
        ("short", None, 123456, "123 K"),
        ("none", None, 3, "3"),
        ("suffix: rpm", None, 12, "12  rpm"),
        ("widgets", None, 7, "7 widgets"),
    ],
)
def test_values_are_formatted_as_grafana_formats_them(
    unit: str, decimals: int | None, value: float, expected: str
) -> None:
    assert format_value(value, unit, decimals) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((100,), "100"),
        ((100.4,), "100"),
        ((100.5,), "101"),
        ((100, 1), "100.0"),
        ((100.37, 1), "100.4"),
        ((100.63, 1), "100.6"),
        ((100.4, 2), "100.40"),
        ((100.5, 2), "100.50"),
        ((186.123, -2), "186"),
        ((math.nan,), "NaN"),
    ],
)
def test_to_fixed_as_grafana(args: tuple[float, ...], expected: str) -> None:
    assert to_fixed(*args) == expected  # type: ignore[arg-type]


# --- the grid ---------------------------------------------------------------------------------


def test_the_grid_places_panels_as_grafana_does() -> None:
    dashboard = {
        "panels": [
            {"type": "row", "title": "r", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}},
            {"type": "stat", "id": 1, "gridPos": {"x": 0, "y": 1, "w": 12, "h": 8}},
            {"type": "stat", "id": 2, "gridPos": {"x": 12, "y": 1, "w": 12, "h": 8}},
            {
                "type": "row",
                "title": "c",
                "collapsed": True,
                "gridPos": {"x": 0, "y": 9, "h": 1},
                "panels": [
                    {"type": "stat", "id": 3, "gridPos": {"x": 0, "y": 10, "w": 24, "h": 8}}
                ],
            },
        ]
    }
    boxes = layout(dashboard, 1600 - 8).boxes  # 24 columns of (1592 - 23 * 8) / 24 = 58.67 px
    row, left, right, collapsed = boxes
    assert (row.top, row.height) == (0, 30) and row.width == pytest.approx(1592)
    assert (left.left, left.top, left.height) == (0, 38, 8 * 30 + 7 * 8)
    assert left.width == pytest.approx(12 * 58.666 + 11 * 8, abs=0.1)
    assert right.left == pytest.approx(left.width + 8)
    assert collapsed.is_row and collapsed.collapsed and len(boxes) == 4  # its panel not drawn
    alone = layout(
        {"panels": [{"type": "row", "gridPos": {"y": 0}}, {"type": "stat", **left.panel}]}, 1592
    )
    assert (alone.boxes[1].left, alone.boxes[1].top, alone.boxes[1].width) == (
        left.left,
        left.top,
        left.width,
    )  # same gridPos, same rectangle


def test_panels_float_up_as_grafanas_grid_compacts_them() -> None:
    """Grafana's grid (react-grid-layout, vertical compaction, the default of
    SceneGridLayout) moves each panel up until it meets another: a panel saved far below,
    or below a gap, is drawn where Grafana shows it."""
    cells = [
        (0, 4, 12, 8),  # a gap above: up to 0
        (12, 0, 12, 3),
        (6, 1_000_000, 12, 2),  # far below
    ]
    assert compacted(cells) == [0, 0, 8]  # under the taller of the two it overlaps
    tall = layout({"panels": [{"type": "stat", "gridPos": {"h": 10**9, "w": 24}}]}, 1592)
    assert tall.boxes[0].height == MAX_PANEL_ROWS * 30 + (MAX_PANEL_ROWS - 1) * 8
    stack = [
        {"type": "stat", "gridPos": {"x": 0, "y": y, "w": 24, "h": 50}} for y in range(0, 800, 50)
    ]
    cut = layout({"panels": stack}, 1592)
    assert len(cut.boxes) == MAX_GRID_ROWS // 50 and cut.left_out == 16 - MAX_GRID_ROWS // 50


# --- each panel type --------------------------------------------------------------------------


def _panel(kind: str, title: str, x: int, y: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "title": title,
        "id": len(title) * 100 + x + y,
        "gridPos": {"x": x, "y": y, "w": 8, "h": 8},
        **extra,
    }


def _target(expr: str, **extra: Any) -> list[dict[str, Any]]:
    return [{"refId": "A", "expr": expr, "datasource": {"type": "prometheus", "uid": "p"}, **extra}]


KINDS = {
    "dashboard": {
        "uid": "kinds",
        "title": "Every kind",
        "time": {"from": "now-1h", "to": "now"},
        "panels": [
            _panel(
                "timeseries",
                "Latency",
                0,
                0,
                targets=_target(
                    "histogram_quantile(0.99, sum by (le, route) (rate(x_bucket[5m])))",
                    legendFormat="{{route}}",
                ),
                fieldConfig={"defaults": {"unit": "s"}},
            ),
            _panel(
                "stat",
                "Ratio",
                8,
                0,
                targets=_target("sum(rate(ok[5m]))/sum(rate(all[5m]))"),
                fieldConfig={
                    "defaults": {
                        "unit": "percentunit",
                        "thresholds": {
                            "steps": [
                                {"color": "red", "value": None},
                                {"color": "green", "value": 0.9},
                            ]
                        },
                    }
                },
            ),
            _panel(
                "gauge",
                "Gauge",
                16,
                0,
                targets=_target("max(cpu)"),
                fieldConfig={"defaults": {"unit": "percent", "min": 0, "max": 100}},
            ),
            _panel("bargauge", "Bars", 0, 8, targets=_target("sum by (disk) (used)")),
            _panel("table", "Table", 8, 8, targets=_target("sum by (job) (up)")),
            _panel(
                "heatmap", "Heatmap", 16, 8, targets=_target("sum by (le) (rate(h_bucket[5m]))")
            ),
            _panel(
                "logs",
                "Logs",
                0,
                16,
                targets=[
                    {"refId": "A", "expr": '{job="x"}', "datasource": {"type": "loki", "uid": "l"}}
                ],
            ),
            _panel(
                "text",
                "Notes",
                8,
                16,
                options={"mode": "markdown", "content": "# Runbook\nCall **ops**."},
            ),
            _panel("alertlist", "Alerts", 16, 16),
            _panel("stat", "Empty", 0, 24, targets=[]),
            _panel("piechart", "Pie", 8, 24, targets=_target("sum(x)")),
        ],
    }
}


@pytest.fixture
def kinds(tmp_path: Path) -> dict[str, bytes]:
    needs_matplotlib()
    path = tmp_path / "kinds.json"
    path.write_text(json.dumps(KINDS["dashboard"]))
    result = render("--dashboard-file", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    return {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}


def test_each_panel_type_is_drawn_as_grafana_draws_it(kinds: dict[str, bytes]) -> None:
    texts = svg_texts(kinds["kinds.svg"])
    for title in (
        "Every kind",
        "Latency",
        "Ratio",
        "Gauge",
        "Bars",
        "Table",
        "Heatmap",
        "Logs",
        "Notes",
        "Alerts",
        "Empty",
        "Pie",
        "Last 1 hour",
        "synthetic data",
    ):
        assert title in texts, title
    assert {"/api/items", "/api/orders"} <= set(texts)  # the legend, from legendFormat
    assert any(re.fullmatch(r"\d+(\.\d+)? ms", t) for t in texts)  # the axis, in the unit
    assert any(re.fullmatch(r"9\d\.\d%", t) for t in texts)  # green band of the thresholds
    assert any(re.fullmatch(r"\d+(\.\d+)?%", t) for t in texts)  # the gauge
    assert {"Series", "Value", '{job="job-1"}'} <= set(texts)  # the table
    assert any("synthetic log line" in t for t in texts)  # the logs
    assert "Runbook" in texts and "Call ops." in texts  # the text, markup dropped
    assert "No alerts" in texts and "piechart panel" in texts
    assert "No data" in texts  # the panel without queries
    assert kinds["kinds.png"].startswith(b"\x89PNG")


@pytest.mark.slow  # two more processes drawing: CI's (the loop keeps the Phoenix pictures)
def test_the_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    """Two processes with different hash seeds, one dashboard: identical PNG and SVG."""
    needs_matplotlib()
    command = [sys.executable, "-m", "phoenix_dash", "render", "--only", "phoenix-overview"]
    runs = [  # both at once: each spends most of its time importing matplotlib
        subprocess.Popen(
            [*command, "--out", str(tmp_path / seed)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        for seed in ("1", "2")
    ]
    for run in runs:
        _, errors = run.communicate()
        assert run.returncode == 0, errors.decode()
    outputs = [{p.name: p.read_bytes() for p in (tmp_path / s).iterdir()} for s in ("1", "2")]
    assert outputs[0] == outputs[1] and set(outputs[0]) == {
        "phoenix-overview.png",
        "phoenix-overview.svg",
    }


@pytest.mark.parametrize("uid", PHOENIX_UIDS)
def test_the_phoenix_dashboards_match_their_pictures_in_docs(uid: str, tmp_path: Path) -> None:
    """docs/pictures/ holds them (README shows them): a drawing change must be looked at and
    the pictures renewed with `phoenix-dash render --out docs/pictures`."""
    needs_matplotlib()
    result = render("--only", uid, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    drawn = (tmp_path / f"{uid}.png").read_bytes()
    assert rms(drawn, (DOCS / f"{uid}.png").read_bytes()) <= TOLERANCE


def test_a_real_world_dashboard_matches_its_golden_picture(tmp_path: Path) -> None:
    needs_matplotlib()
    [source] = [p for p in REALWORLD if p.stem == REALWORLD_GOLDEN]
    result = render("--dashboard-file", str(oracle(source)), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    [drawn] = tmp_path.glob("*.png")
    assert rms(drawn.read_bytes(), (GOLDENS / f"{REALWORLD_GOLDEN}.png").read_bytes()) <= TOLERANCE


@pytest.mark.slow
def test_live_data_from_a_real_prometheus(tmp_path: Path) -> None:
    """The simulator scraped by Debian's Prometheus: the panels show its series."""
    needs_matplotlib()
    from tests.support.prometheus_stack import require_prometheus as prometheus

    prometheus()
    from tests.support.prometheus_stack import Stack

    stack = Stack()
    try:
        stack.wait_ready()
        result = render(
            "--only", "phoenix-overview", "--prometheus", stack.url, "--out", str(tmp_path)
        )
    finally:
        stack.stop()
    assert result.exit_code == 0, result.output
    texts = svg_texts((tmp_path / "phoenix-overview.svg").read_bytes())
    assert "synthetic data" not in texts and f"data: {stack.url}" in texts
    assert any(re.fullmatch(r"\d+(\.\d+)? reqps", t) for t in texts)  # Request rate's stat
    assert texts.count("No data") <= 1  # only the logs panel (Loki is not queried)


def test_bad_input_is_one_line(project: Project, tmp_path: Path) -> None:
    needs_matplotlib()
    project.dashboard("d", "dash")
    config = str(project.root / "phoenix-dash.yaml")
    wrong = CliRunner().invoke(main, ["render", "--config", config, "--only", "dahs"])
    assert wrong.exit_code == 2
    assert (
        wrong.output.strip()
        == "error: --only 'dahs': no dashboard has this uid; did you mean dash?"
    )
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "panels": [\n')
    result = render("--dashboard-file", str(broken), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and result.output.startswith(f"error: {broken}:")
    assert not (tmp_path / "out").exists()


def test_without_matplotlib_render_says_how_to_get_it(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.dashboard("d", "dash")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    result = CliRunner().invoke(
        main, ["render", "--config", str(project.root / "phoenix-dash.yaml")]
    )
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == "error: pictures need matplotlib: pip install 'phoenix-dash[render]' "
        "(from a checkout of phoenix-dash: pip install '.[render]')"
    )


@pytest.mark.slow  # four pictures drawn twice: CI's (the loop keeps the Phoenix pictures)
def test_workers_draw_the_same_bytes(tmp_path: Path) -> None:
    needs_matplotlib()
    outputs = []
    two = ("--only", "phoenix-overview", "--only", "phoenix-agent-health")  # one per worker
    for jobs in ("1", "2"):
        result = render(*two, "--jobs", jobs, "--out", str(tmp_path / jobs))
        assert result.exit_code == 0, result.output
        outputs.append({p.name: p.read_bytes() for p in (tmp_path / jobs).iterdir()})
    assert outputs[0] == outputs[1] and len(outputs[0]) == 2 * 2  # PNG and SVG each
