"""One model of an alert rule, independent of where it is sent.

A rule is a small graph of nodes: datasource queries, then expressions that reduce, compute
or compare them; ``condition`` names the node whose result decides firing. grafanalib's
classes are read attribute by attribute (its JSON drops ``dashboard_uid``/``panel_id`` and uses
names no Grafana API accepts), validated, and turned into this model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..config import DatasourceRef
from ..errors import Location

UID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,40}$")
MAX_TITLE = 190

# grafanalib's state names -> Grafana's API enums.
NO_DATA_STATES = {
    "OK": "OK",
    "Alerting": "Alerting",
    "No Data": "NoData",
    "NoData": "NoData",
    "KeepLast": "KeepLast",
}
EXEC_ERR_STATES = {"OK": "OK", "Alerting": "Alerting", "Error": "Error", "KeepLast": "KeepLast"}


@dataclass(frozen=True)
class Query:
    ref_id: str
    datasource: DatasourceRef
    expr: str
    instant: bool
    range_seconds: int  # relativeTimeRange.from: how far back the query looks

    @property
    def inputs(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class Reduce:
    ref_id: str
    input: str
    function: str  # last, mean, min, max, sum, count
    mode: str  # strict, dropNN, replaceNN

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.input,)


@dataclass(frozen=True)
class Threshold:
    ref_id: str
    input: str
    evaluator: str  # gt, lt, within_range, outside_range
    params: tuple[float, ...]

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.input,)


@dataclass(frozen=True)
class Math:
    ref_id: str
    expression: str  # Grafana math: $A / $B > 0.5
    refs: tuple[str, ...]

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.refs


Node = Query | Reduce | Threshold | Math


@dataclass(frozen=True)
class Rule:
    uid: str
    title: str
    condition: str
    nodes: tuple[Node, ...]
    for_seconds: float
    labels: dict[str, str]
    annotations: dict[str, str]
    no_data_state: str
    exec_err_state: str
    location: Location
    dashboard_uid: str | None = None
    panel_id: int | None = None

    def node(self, ref_id: str) -> Node:
        return next(n for n in self.nodes if n.ref_id == ref_id)

    @property
    def value_ref(self) -> str:
        """The node whose number the condition compares: what ``$value`` means."""
        condition = self.node(self.condition)
        if isinstance(condition, (Threshold, Math)) and condition.inputs:
            return condition.inputs[0]
        return condition.ref_id


@dataclass(frozen=True)
class RuleGroup:
    name: str
    folder_uid: str
    interval_seconds: int
    rules: tuple[Rule, ...]
    location: Location
    slug: str = field(default="")
