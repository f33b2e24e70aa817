"""Phoenix conventions shared by every dashboard: uids, variables, links, panel builders.

Sizes are hints (``w`` of 24 columns, ``h`` in grid rows): phoenix-dash lays panels out.
"""

from __future__ import annotations

from collections.abc import Sequence

from grafanalib.core import (
    Dashboard,
    DashboardLink,
    GridPos,
    Panel,
    Repeat,
    RowPanel,
    Stat,
    Target,
    Template,
    Templating,
    Threshold,
    Time,
    TimeSeries,
)

from phoenix_dash.library_panels import LibraryPanel

DATASOURCE = "${datasource}"
RATE = "$__rate_interval"
TAGS = ["phoenix", "orchestrator"]

OVERVIEW = "phoenix-overview"
PERFORMANCE = "phoenix-performance"
BUSINESS = "phoenix-business-metrics"
AGENT_HEALTH = "phoenix-agent-health"
TITLES = {
    OVERVIEW: "Phoenix / Overview",
    PERFORMANCE: "Phoenix / Performance",
    BUSINESS: "Phoenix / Business Metrics",
    AGENT_HEALTH: "Phoenix / Agent Health",
}
AGENTS = ("git", "llm_router", "obsidian")


def sel(*extra: str) -> str:
    """The label selector every query carries: the dashboard's job and instance choice."""
    matchers = ['job=~"$job"', 'instance=~"$instance"', *extra]
    return "{" + ", ".join(matchers) + "}"


def rate(metric: str, *extra: str, by: str = "") -> str:
    grouping = f" by ({by})" if by else ""
    return f"sum{grouping}(rate({metric}{sel(*extra)}[{RATE}]))"


def quantile(q: float, histogram: str, *extra: str, by: str = "") -> str:
    labels = ", ".join(filter(None, ["le", by]))
    inner = f"sum by ({labels})(rate({histogram}_bucket{sel(*extra)}[{RATE}]))"
    return f"histogram_quantile({q}, {inner})"


def ratio(numerator: str, denominator: str) -> str:
    return f"{numerator}\n/\n{denominator}"


def size(w: int, h: int) -> GridPos:
    """A size hint; x and y are placed by phoenix-dash."""
    return GridPos(h=h, w=w, x=0, y=0)


def prom(expr: str, legend: str = "", instant: bool = False, fmt: str = "time_series") -> Target:
    return Target(expr=expr, legendFormat=legend, instant=instant, format=fmt)


def steps(*levels: tuple[str, float]) -> list[Threshold]:
    """Threshold steps: the first colour is the base, the rest start at their value."""
    return [Threshold(color, index, float(value)) for index, (color, value) in enumerate(levels)]


GOOD_HIGH = steps(("red", 0), ("orange", 0.9), ("green", 0.95))
GOOD_LOW = steps(("green", 0), ("orange", 0.7), ("red", 0.9))
ERROR_RATIO = steps(("green", 0), ("orange", 0.01), ("red", 0.05))


def timeseries(
    title: str,
    description: str,
    targets: Sequence[Target],
    unit: str,
    w: int = 12,
    h: int = 8,
    **options: object,
) -> TimeSeries:
    return TimeSeries(
        title=title,
        description=description,
        dataSource=DATASOURCE,
        targets=list(targets),
        unit=unit,
        gridPos=size(w, h),
        legendCalcs=["mean", "max", "lastNotNull"],
        legendDisplayMode="table",
        tooltipMode="multi",
        **options,
    )


def stat(
    title: str,
    description: str,
    target: Target,
    unit: str,
    thresholds: list[Threshold] | None = None,
    w: int = 4,
    h: int = 4,
    **options: object,
) -> Stat:
    return Stat(
        title=title,
        description=description,
        dataSource=DATASOURCE,
        targets=[target],
        format=unit,
        thresholds=thresholds or steps(("green", 0)),
        reduceCalc="lastNotNull",
        gridPos=size(w, h),
        **options,
    )


def row(
    title: str, panels: Sequence[Panel], collapsed: bool = False, repeat: str | None = None
) -> RowPanel:
    return RowPanel(
        title=title,
        panels=list(panels),
        collapsed=collapsed,
        repeat=Repeat(variable=repeat) if repeat else Repeat(),
    )


def _query_variable(name: str, label: str, query: str) -> Template:
    # refresh=2: new values when the time range changes, not only on load.
    return Template(
        name=name,
        label=label,
        query=query,
        dataSource=DATASOURCE,
        refresh=2,
        multi=True,
        includeAll=True,
        allValue=".+",
        sort=1,
    )


def variables(*extra: Template) -> Templating:
    return Templating(
        list=[
            Template(name="datasource", label="Data source", query="prometheus", type="datasource"),
            _query_variable("job", "Job", "label_values(requests_total, job)"),
            _query_variable(
                "instance", "Instance", 'label_values(requests_total{job=~"$job"}, instance)'
            ),
            *extra,
        ]
    )


def agent_variable() -> Template:
    return Template(
        name="agent",
        label="Agent",
        query=",".join(AGENTS),
        type="custom",
        multi=True,
        includeAll=True,
        allValue=".+",
    )


def links(current: str) -> list[DashboardLink]:
    """Links to the other Phoenix dashboards, keeping time range and variables."""
    return [
        DashboardLink(
            title=title,
            type="link",
            uri=f"/d/{uid}",
            keepTime=True,
            includeVars=True,
            icon="dashboard",
            tooltip=f"Open {title}",
        )
        for uid, title in TITLES.items()
        if uid != current
    ]


def phoenix_dashboard(
    uid: str, description: str, panels: Sequence[Panel], extra_variables: Sequence[Template] = ()
) -> Dashboard:
    return Dashboard(
        uid=uid,
        title=TITLES[uid],
        description=description,
        tags=TAGS,
        editable=False,
        graphTooltip=1,
        refresh="30s",
        time=Time("now-6h", "now"),
        timezone="browser",
        templating=variables(*extra_variables),
        links=links(uid),
        panels=list(panels),
    )


# The service's error ratio, one definition shown on Overview and Performance: a Grafana
# library panel (phoenix_dash.library_panels), so an edit is made once.
SERVICE_ERROR_RATIO = LibraryPanel(
    "phoenix-service-error-ratio",
    "Phoenix service error ratio",
    stat(
        "Error ratio",
        "Share of requests that ended in an error.",
        prom(ratio(rate("request_errors_total"), rate("requests_total"))),
        "percentunit",
        ERROR_RATIO,
    ),
)
