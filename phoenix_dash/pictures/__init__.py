"""``phoenix-dash render``: a picture of each dashboard (PNG and SVG) that a person
recognises as the Grafana dashboard, without a Grafana or a browser.

matplotlib draws them (the ``render`` extra): it writes PNG and SVG from one drawing, with
deterministic bytes, its fonts bundled, in a few tens of megabytes, where a headless
browser needs a running Grafana and gigabytes (grafana-image-renderer)."""

from __future__ import annotations

import difflib
import multiprocessing
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..catalog import Catalog
from ..errors import ConfigError
from ..prometheus_api import PrometheusSettings
from ..workers import can_fork

JSON = dict[str, Any]
FORMATS = ("png", "svg")
INSTALL_HINT = "pictures need matplotlib: pip install 'phoenix-dash[render]'"


@dataclass(frozen=True)
class DataChoice:
    """Where the panels' data comes from: a live API, or synthetic series."""

    catalog: Catalog | None = None
    prometheus: PrometheusSettings | None = None
    scrape_seconds: float = 15.0
    end: float | None = None  # the live range's end (default: now)


@dataclass(frozen=True)
class Picture:
    uid: str
    png: bytes
    svg: bytes

    def files(self, stem: str | None = None) -> dict[str, bytes]:
        name = stem or self.uid
        return {f"{name}.png": self.png, f"{name}.svg": self.svg}


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None


def picture(dashboard: JSON, choice: DataChoice, changed: Collection[Any] = ()) -> Picture:
    """One dashboard's picture; ``changed``: panel keys to outline (``modern.common.panel_key``)."""
    _require_matplotlib()
    from .data import SYNTHETIC_END, PanelData, PrometheusData, SyntheticData, time_range
    from .page import draw_dashboard

    data: PanelData
    if choice.prometheus is not None:
        span = time_range(dashboard, choice.end if choice.end is not None else time.time())
        data = PrometheusData(choice.prometheus, span, choice.scrape_seconds)
        source = f"data: {choice.prometheus.url}"
    else:
        data = SyntheticData(choice.catalog, time_range(dashboard, SYNTHETIC_END))
        source = ""
    canvas = draw_dashboard(dashboard, data, source, changed)
    return Picture(str(dashboard.get("uid") or "dashboard"), canvas.png(), canvas.svg())


def chosen(dashboards: Sequence[JSON], only: Sequence[str]) -> list[JSON]:
    """The dashboards ``only`` names (all when empty); a uid that names none is an error."""
    uids = [str(d.get("uid")) for d in dashboards]
    for uid in only:
        if uid not in uids:
            close = difflib.get_close_matches(uid, uids, n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise ConfigError(f"--only {uid!r}: no dashboard has this uid{hint}")
    return [d for d in dashboards if not only or str(d.get("uid")) in only]


def dashboard_pictures(
    dashboards: Sequence[JSON], choice: DataChoice, jobs: int = 1
) -> dict[str, bytes]:
    """File name -> bytes: a PNG and an SVG per dashboard, named after its uid; drawn by
    ``jobs`` forked workers when there are several (each picture is independent, so the
    bytes are the same)."""
    _require_matplotlib()  # imported here: the workers inherit it
    files: dict[str, bytes] = {}
    if jobs > 1 and len(dashboards) > 1 and can_fork():
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork")
        workers = min(jobs, len(dashboards))
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            drawn = list(pool.map(picture, dashboards, [choice] * len(dashboards)))
    else:
        drawn = [picture(dashboard, choice) for dashboard in dashboards]
    for item in drawn:
        files.update(item.files())
    return files


def write_pictures(out: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write every file, or none: each goes to a temporary name first, then into place."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        staged = []
        for name, data in sorted(files.items()):
            temporary = out / f".{name}.tmp"
            temporary.write_bytes(data)
            staged.append((temporary, out / name))
        for temporary, final in staged:
            temporary.replace(final)
    except OSError as exc:
        raise ConfigError(f"cannot write pictures to {out}: {exc.strerror or exc}") from None
    return [final for _, final in staged]
