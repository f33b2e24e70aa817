"""Alert-rule test helpers: promtool, and throwaway projects with one rule module."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.project import Project, require


def promtool() -> Path:
    found = shutil.which("promtool")
    require(found is not None, "promtool not on PATH (Debian: apt-get install prometheus)")
    assert found is not None
    return Path(found)


CONFIG = """\
version: 1
datasources:
  prometheus: {type: prometheus, uid: prom-uid}
folders:
  ops: {title: Ops}
"""

RULE_MODULE = """\
from grafanalib.core import AlertExpression, AlertGroup, AlertRulev9, Target


def rule(title, uid=None, condition="C", for_="5m", threshold="$B > 1", extra=(), expr="up",
         **links):
    return AlertRulev9(
        **links,
        title=title,
        uid=uid,
        triggers=[
            Target(expr=expr, refId="A", datasource="prometheus", instant=True),
            AlertExpression(refId="B", expression="A", expressionType="reduce",
                            reduceFunction="last", reduceMode="dropNN"),
            AlertExpression(refId="C", expression=threshold, expressionType="math"),
            *extra,
        ],
        condition=condition,
        evaluateFor=for_,
    )

"""


def alert_project(
    project: Project, rules: str, interval: str = "1m", folder: str = "ops"
) -> Project:
    project.write("phoenix-dash.yaml", CONFIG)
    project.dashboard("d", "dash")
    project.write(
        "alerts/rules.py",
        RULE_MODULE
        + f"""\
alertgroup = AlertGroup(name="ops", folder="{folder}", evaluateInterval="{interval}", rules=[
{rules}
])
""",
    )
    return project
