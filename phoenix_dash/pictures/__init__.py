"""``phoenix-dash render``: a picture of each dashboard (PNG and SVG) that a person
recognises as the Grafana dashboard, without a Grafana or a browser.

matplotlib draws them (the ``render`` extra): it writes PNG and SVG from one drawing, with
deterministic bytes, its fonts bundled, in a few tens of megabytes, where a headless
browser needs a running Grafana and gigabytes (grafana-image-renderer)."""

from __future__ import annotations

import difflib
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..catalog import Catalog
from ..errors import ConfigError, Location, PhoenixDashError
from ..filenames import safe_stem
from ..prometheus_api import PrometheusAPI, PrometheusSettings
from ..workers import can_fork, forked_pool

if TYPE_CHECKING:
    from .canvas import Canvas
    from .data import QueryKey, QueryResult

JSON = dict[str, Any]
FORMATS = ("png", "svg")
INSTALL_HINT = (
    "pictures need matplotlib: pip install 'phoenix-dash[render]' "
    "(from a checkout of phoenix-dash: pip install '.[render]')"
)


@dataclass(frozen=True)
class DataChoice:
    """Where the panels' data comes from: a live API, or synthetic series."""

    catalog: Catalog | None = None
    prometheus: PrometheusSettings | None = None
    scrape_seconds: float = 15.0
    end: float | None = None  # the live range's end (default: now)
    # What the live API answered to each query, fetched before drawing (``with_live_data``).
    answers: Mapping[QueryKey, QueryResult] | None = None

    def failed_queries(self) -> list[str]:
        """The live queries that failed or timed out, with why."""
        return [f"{key[0]}: {a.error}" for key, a in (self.answers or {}).items() if a.error]


# All of a render's live queries together may take two requests' time (prometheus.timeout):
# a server that answers some queries and keeps quiet on others costs a minute, not one
# timeout per query.
DEADLINE_IN_TIMEOUTS = 2


def with_live_data(
    choice: DataChoice, dashboards: Collection[JSON], api: PrometheusAPI
) -> DataChoice:
    """``choice`` with every live query of ``dashboards`` answered, all of them within
    DEADLINE_IN_TIMEOUTS request timeouts (see ``data.fetch_live``): drawing then asks no
    server."""
    from .data import PrometheusData, fetch_live, time_range
    from .repeats import expanded

    end = choice.end if choice.end is not None else time.time()
    drawn = [expanded(dashboard) for dashboard in dashboards]  # as ``picture`` draws them
    wanted = [
        key
        for dashboard in drawn
        for key in PrometheusData({}, time_range(dashboard, end), choice.scrape_seconds).queries(
            dashboard
        )
    ]
    deadline = DEADLINE_IN_TIMEOUTS * api.timeout
    return replace(choice, end=end, answers=fetch_live(api, wanted, deadline))


@dataclass(frozen=True)
class Picture:
    png: bytes
    svg: bytes
    missing_glyphs: frozenset[str] = frozenset()  # drawn as boxes: no font here has them

    def files(self, stem: str) -> dict[str, bytes]:
        """Its files, named ``stem`` (made safe by whoever chose it: ``safe_stem``)."""
        return {f"{stem}.png": self.png, f"{stem}.svg": self.svg}


def require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None


def picture(dashboard: JSON, choice: DataChoice, changed: Collection[Any] = ()) -> Picture:
    """One dashboard's picture; ``changed``: panel keys to outline (``modern.common.panel_key``)."""
    canvas = drawn(dashboard, choice, changed)
    png, svg = canvas.png(), canvas.svg()
    return Picture(png, svg, frozenset(canvas.missing))


def drawn(dashboard: JSON, choice: DataChoice, changed: Collection[Any] = ()) -> Canvas:
    """The dashboard drawn, before it is written in a format (``Canvas.png``, ``svg``)."""
    require_matplotlib()
    from .data import SYNTHETIC_END, PanelData, PrometheusData, time_range
    from .page import draw_dashboard
    from .repeats import expanded
    from .synthetic import SyntheticData

    dashboard = expanded(dashboard)  # as Grafana shows it with its variables' values

    data: PanelData
    if choice.prometheus is not None:
        span = time_range(dashboard, choice.end if choice.end is not None else time.time())
        data = PrometheusData(choice.answers or {}, span, choice.scrape_seconds)
        source = f"data: {choice.prometheus.url}"
    else:
        data = SyntheticData(choice.catalog, time_range(dashboard, SYNTHETIC_END))
        source = ""
    return draw_dashboard(dashboard, data, source, changed)


@dataclass
class Drawing:
    """Pictures as files (name -> bytes), and the characters no font here could draw."""

    files: dict[str, bytes] = field(default_factory=dict)
    missing_glyphs: set[str] = field(default_factory=set)

    def add(self, item: Picture, stem: str) -> None:
        self.files.update(item.files(stem))
        self.missing_glyphs |= item.missing_glyphs


@dataclass(frozen=True)
class Source:
    """A dashboard to draw and where it comes from (a file, a module's line), for errors."""

    origin: str
    dashboard: JSON

    @property
    def uid(self) -> str:
        return str(self.dashboard.get("uid"))


def file_source(path: Path) -> Source:
    """A dashboard file to draw, read through the modern layer as Grafana reads it (an old
    schema's units, thresholds and colours kept); a file it cannot read is one line."""
    from ..dashboard_file import as_grafana_stores, read_dashboard

    data = read_dashboard(path).data
    try:
        return Source(str(path), as_grafana_stores(data))
    except PhoenixDashError as exc:
        raise ConfigError(f"cannot read it as a dashboard: {exc}", Location(str(path))) from None


def chosen(sources: Sequence[Source], only: Sequence[str]) -> list[Source]:
    """The dashboards ``only`` names (all when empty); a uid that names none is an error."""
    uids = [source.uid for source in sources]
    for uid in only:
        if uid not in uids:
            close = difflib.get_close_matches(uid, uids, n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise ConfigError(f"--only {uid!r}: no dashboard has this uid{hint}")
    return [source for source in sources if not only or source.uid in only]


def picture_names(sources: Sequence[Source]) -> dict[str, JSON]:
    """File stem -> dashboard: each picture is named after its dashboard's uid made safe for
    a file name (a uid is input: ``../x`` must not leave the output directory); two
    dashboards that come to one name are an error naming both, rather than one lost."""
    named: dict[str, Source] = {}
    for source in sources:
        stem = safe_stem(source.uid, "dashboard")
        first = named.get(stem)
        if first is not None:
            raise ConfigError(
                f"its picture would be {stem}.png, as {first.origin}'s is: give one of "
                "them another uid, or draw them separately",
                Location(source.origin),
            )
        named[stem] = source
    return {stem: source.dashboard for stem, source in named.items()}


def dashboard_pictures(
    dashboards: Mapping[str, JSON], choice: DataChoice, jobs: int = 1
) -> Drawing:
    """File name -> bytes: a PNG and an SVG per dashboard, named by the stems ``dashboards``
    is keyed by (``picture_names``); drawn by ``jobs`` forked workers when there are
    several (each picture is independent, so the bytes are the same)."""
    require_matplotlib()  # imported here: the workers inherit it
    result = Drawing()
    stems, drawing = list(dashboards), list(dashboards.values())
    if jobs > 1 and len(drawing) > 1 and can_fork():
        with forked_pool(min(jobs, len(drawing))) as pool:
            drawn = list(pool.map(picture, drawing, [choice] * len(drawing)))
    else:
        drawn = [picture(dashboard, choice) for dashboard in drawing]
    for stem, item in zip(stems, drawn, strict=True):
        result.add(item, stem)
    return result


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
