"""What a reader of a picture reads: the value axes' labels on 1-2-5 steps with the decimals
they need, and no two texts of a picture on top of each other, on the golden dashboards."""

from __future__ import annotations

import itertools
import json
import math
import re
from typing import Any

import pytest

from tests.support.grafana_schemas import REALWORLD
from tests.support.pictures import needs_matplotlib
from tests.support.project import PHOENIX_UIDS, ROOT, oracle

NUMBER = re.compile(r"-?\d+(?:\.(\d+))?")


def phoenix_dashboard(uid: str) -> dict[str, Any]:
    for path in (ROOT / "build" / "dashboards").glob("*.json"):
        dashboard: dict[str, Any] = json.loads(path.read_text())
        if dashboard.get("uid") == uid:
            return dashboard
    raise AssertionError(f"{uid} not in build/")


def drawn(dashboard: dict[str, Any]) -> Any:
    from phoenix_dash.catalog import load_catalog
    from phoenix_dash.pictures.data import SYNTHETIC_END, time_range
    from phoenix_dash.pictures.page import draw_dashboard
    from phoenix_dash.pictures.synthetic import SyntheticData

    data = SyntheticData(load_catalog(ROOT / "metrics.yaml"), time_range(dashboard, SYNTHETIC_END))
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = draw_dashboard(dashboard, data, "").figure
    FigureCanvasAgg(figure).draw()  # type: ignore[no-untyped-call]  # lays every text out
    return figure


def value_axes_labels(figure: Any) -> list[list[str]]:
    """The labels each value axis of a time series shows, bottom to top."""
    found = []
    for ax in figure.axes:
        if not ax.lines:
            continue
        low, high = sorted(ax.get_ylim())
        labels = [
            tick.label1.get_text()
            for tick in ax.yaxis.get_major_ticks()
            if tick.label1.get_visible()
            and tick.label1.get_text()
            and low <= tick.get_loc() <= high
        ]
        if len(labels) >= 2:
            found.append(labels)
    return found


def texts(figure: Any) -> list[tuple[str, Any]]:
    renderer = figure.canvas.get_renderer()
    artists = list(figure.texts)
    for ax in figure.axes:
        artists += ax.texts
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            artists += [
                tick.label1
                for tick in axis.get_major_ticks()
                if tick.label1.get_visible() and low <= tick.get_loc() <= high
            ]
    return [
        (artist.get_text(), artist.get_window_extent(renderer))
        for artist in artists
        if artist.get_visible() and artist.get_text().strip()
    ]


def overlaps(boxes: list[tuple[str, Any]]) -> list[str]:
    found = []
    for index, (text, box) in enumerate(boxes):
        for other, other_box in boxes[index + 1 :]:
            width = min(box.x1, other_box.x1) - max(box.x0, other_box.x0)
            height = min(box.y1, other_box.y1) - max(box.y0, other_box.y0)
            if width > 1 and height > 1:  # more than touching
                found.append(f"{text!r} over {other!r}")
    return found


@pytest.mark.parametrize("uid", PHOENIX_UIDS)
def test_value_axes_step_by_one_two_or_five_with_the_decimals_they_need(uid: str) -> None:
    needs_matplotlib()
    axes = value_axes_labels(drawn(phoenix_dashboard(uid)))
    assert axes
    for labels in axes:
        check_axis(labels)


def check_axis(labels: list[str], own_decimals: bool = False) -> None:
    """Equal steps of 1, 2 or 5 times a power of ten, each label with the decimals the step
    needs (``own_decimals``: or more, all alike, where a panel sets its own, as Grafana
    writes them then), no two alike."""
    numbers = [NUMBER.search(label) for label in labels]
    assert all(numbers), labels
    values = [float(n.group()) for n in numbers if n]
    steps = {round(b - a, 9) for a, b in itertools.pairwise(values)}
    assert len(steps) == 1, f"unequal steps: {labels}"
    step = steps.pop()
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1, 2, 5), f"step {step}: {labels}"
    places = {len(n.group(1) or "") for n in numbers if n}
    needed = max(0, -math.floor(math.log10(step) + 1e-9))
    if own_decimals:
        assert len(places) == 1 and min(places) >= needed, f"decimals {places}: {labels}"
    else:
        assert places == {needed}, f"decimals {places} for a step of {step}: {labels}"
    assert len(set(labels)) == len(labels), labels


@pytest.mark.parametrize("uid", PHOENIX_UIDS)
def test_no_two_texts_of_a_picture_overlap(uid: str) -> None:
    needs_matplotlib()
    assert overlaps(texts(drawn(phoenix_dashboard(uid)))) == []


@pytest.mark.slow  # a sweep over every production dashboard; the Phoenix ones above stay quick
@pytest.mark.parametrize("name", [p.stem for p in REALWORLD])
def test_production_dashboards_have_ordered_axes_and_no_overlapping_texts(name: str) -> None:
    needs_matplotlib()
    from phoenix_dash.pictures import file_source
    from phoenix_dash.pictures.repeats import expanded

    [path] = [p for p in REALWORLD if p.stem == name]
    figure = drawn(expanded(file_source(oracle(path)).dashboard))
    for labels in value_axes_labels(figure):
        check_axis(labels, own_decimals=True)  # production panels set theirs
    assert overlaps(texts(figure)) == []
