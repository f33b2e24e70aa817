"""Phoenix alerting conventions: labels, links to dashboard panels, and the one shape every
Phoenix rule has (query -> reduce to the last value -> compare with a threshold)."""

from __future__ import annotations

from pathlib import Path

from grafanalib.core import (
    ALERTRULE_STATE_DATA_ERROR,
    ALERTRULE_STATE_DATA_OK,
    EXP_REDUCER_FUNC_DROP_NN,
    EXP_REDUCER_FUNC_LAST,
    EXP_TYPE_MATH,
    EXP_TYPE_REDUCE,
    AlertExpression,
    AlertGroup,
    AlertRulev9,
    Target,
)

from phoenix_dash.modern.ids import panel_id
from phoenix_dash.values import load_values

HERE = Path(__file__).resolve().parent
THRESHOLDS = load_values(
    HERE / "thresholds.yaml", HERE / "thresholds.schema.json", display="alerts/thresholds.yaml"
)
QUOTAS = THRESHOLDS["quotas"]
SLOS = THRESHOLDS["slos"]
AGENTS = THRESHOLDS["agents"]

FOLDER = "phoenix"
TEAM = "platform"
JOB = 'job="phoenix"'
RUNBOOKS = "https://runbooks.phoenix.example.com/alerts"


def panel(dashboard_uid: str, row: str | None, title: str) -> dict[str, object]:
    """The link from a rule to the panel that shows its query."""
    return {"dashboard_uid": dashboard_uid, "panel_id": panel_id(title, row)}


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def rule(
    title: str,
    uid: str,
    query: str,
    op: str,
    threshold: float,
    *,
    for_: str,
    severity: str,
    component: str,
    summary: str,
    description: str,
    link: dict[str, object],
    labels: dict[str, str] | None = None,
) -> AlertRulev9:
    """A rule that fires when the last value of ``query`` is ``op`` (> or <) ``threshold``.

    No data means nothing to alert on (a missing series is the "metrics absent" rule's job);
    a failing query is reported as an error state, not as a firing alert.
    """
    return AlertRulev9(
        title=title,
        uid=uid,
        triggers=[
            Target(expr=query, refId="A", datasource="prometheus", instant=True),
            AlertExpression(
                refId="B",
                expression="A",
                expressionType=EXP_TYPE_REDUCE,
                reduceFunction=EXP_REDUCER_FUNC_LAST,
                reduceMode=EXP_REDUCER_FUNC_DROP_NN,
            ),
            AlertExpression(
                refId="C", expression=f"$B {op} {number(threshold)}", expressionType=EXP_TYPE_MATH
            ),
        ],
        condition="C",
        evaluateFor=for_,
        timeRangeFrom=600,
        labels={"severity": severity, "team": TEAM, "component": component, **(labels or {})},
        annotations={
            "summary": summary,
            "description": description,
            "runbook_url": f"{RUNBOOKS}/{uid}",
        },
        noDataAlertState=ALERTRULE_STATE_DATA_OK,
        errorAlertState=ALERTRULE_STATE_DATA_ERROR,
        **link,
    )


def group(name: str, interval: str, rules: list[AlertRulev9]) -> AlertGroup:
    return AlertGroup(name=name, folder=FOLDER, evaluateInterval=interval, rules=rules)
