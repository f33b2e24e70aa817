"""A dashboard with one mistake per panel; expected.txt lists what lint must say."""

from grafanalib.core import Dashboard, GridPos, Target, Template, Templating, TimeSeries

DS = "${datasource}"
SEL = 'job=~"$job", instance=~"$instance"'


def ts(title, expr, description="Shows something.", unit="short"):
    return TimeSeries(title=title, description=description, dataSource=DS, unit=unit,
                      targets=[Target(expr=expr)], gridPos=GridPos(h=8, w=12, x=0, y=0))


dashboard = Dashboard(
    uid="broken",
    title="Broken",
    editable=False,
    templating=Templating(list=[
        Template(name="datasource", query="prometheus", type="datasource"),
        Template(name="job", query="label_values(requests_total, job)", dataSource=DS,
                 refresh=2, multi=True, includeAll=True),
        Template(name="instance", query="label_values(requests_total, instance)",
                 dataSource=DS, refresh=1, multi=True, includeAll=True),
    ]),
    panels=[
        ts("Fine", f"sum(rate(requests_total{{{SEL}}}[$__rate_interval]))"),
        ts("Typo", f"sum(rate(request_total{{{SEL}}}[$__rate_interval]))"),
        ts("Raw counter", f"sum(requests_total{{{SEL}}})"),
        ts("Rate of gauge", f"sum(rate(queue_depth{{{SEL}}}[$__rate_interval]))"),
        ts("Lost le", f"histogram_quantile(0.99, sum by (job) "
                      f"(rate(request_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))"),
        ts("Short range", f"sum(rate(requests_total{{{SEL}}}[45s]))"),
        ts("Bad syntax", f"sum(rate(requests_total{{{SEL}}}[$__rate_interval])"),
        ts("No description", f"sum(rate(requests_total{{{SEL}}}[$__rate_interval]))",
           description=""),
        ts("Bad unit", f"sum(rate(requests_total{{{SEL}}}[$__rate_interval]))",
           unit="requests"),
        ts("Unknown label", f"sum by (status, pod) (rate(requests_total{{{SEL}}}"
                            "[$__rate_interval]))"),
    ],
)
