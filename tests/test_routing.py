"""Who gets an alert: phoenix-dash's routing engine (phoenix_dash/notifications) gives the
answers Alertmanager gives. The oracle is amtool (Debian's prometheus-alertmanager): `amtool
config routes test` on the same tree, for every label set of a few hundred."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from phoenix_dash.notifications.matchers import Matcher, MatcherError
from phoenix_dash.notifications.routing import RouteError, read_tree, receivers
from tests.support.project import require

# Nested routes, continue, regular expressions (anchored), negative matchers, the older
# match/match_re, a label that must be absent (x=""), grouping and timers inherited.
TREE: dict[str, Any] = {
    "receiver": "default",
    "group_by": ["alertname"],
    "routes": [
        {
            "matchers": ['service="phoenix"'],
            "receiver": "phoenix-slack",
            "group_by": ["alertname", "component"],
            "routes": [
                {"matchers": ['severity="critical"'], "receiver": "oncall", "continue": True},
                {
                    "matchers": ['severity=~"warn.*"', 'team!="db"'],
                    "receiver": "phoenix-warnings",
                    "mute_time_intervals": ["maintenance"],
                },
                {
                    "matchers": ['component=~"git|llm-router"', 'env!~"stag.*"'],
                    "receiver": "agents",
                    "group_wait": "10s",
                },
            ],
        },
        {"match": {"team": "db"}, "match_re": {"env": "prod|staging"}, "receiver": "db"},
        {
            "matchers": ['team="infra"', 'component=""'],
            "receiver": "infra",
            "continue": True,
        },
        {"matchers": ["severity=critical"], "receiver": "all-critical", "group_by": ["..."]},
    ],
}
VALUES = {
    "service": ["phoenix", "other", None],
    "severity": ["critical", "warning", "info", None],
    "team": ["db", "infra", None],
    "component": ["git", "llm-router", "obsidian", None],
    "env": ["prod", "staging", None],
}


def label_sets() -> list[dict[str, str]]:
    names = list(VALUES)
    return [
        {name: value for name, value in zip(names, values, strict=True) if value is not None}
        for values in itertools.product(*VALUES.values())
    ]


def amtool_receivers(config: Path, labels: dict[str, str]) -> list[str]:
    shown = [f"{name}={value}" for name, value in sorted(labels.items())]
    done = subprocess.run(
        ["amtool", "config", "routes", "test", f"--config.file={config}", *shown],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout.strip().split(",")


def alertmanager_config(tree: dict[str, Any], path: Path) -> Path:
    names = sorted(
        {"default"}
        | {str(route["receiver"]) for route in _walk(tree) if route.get("receiver") is not None}
    )
    config = {
        "route": tree,
        "receivers": [{"name": name} for name in names],
        "time_intervals": [{"name": "maintenance", "time_intervals": [{"weekdays": ["sunday"]}]}],
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _walk(route: dict[str, Any]) -> list[dict[str, Any]]:
    return [route, *(r for child in route.get("routes", []) for r in _walk(child))]


@pytest.mark.slow  # the real amtool, once for each of 432 label sets
def test_the_answers_are_amtools(tmp_path: Path) -> None:
    require(
        shutil.which("amtool") is not None,
        "amtool not installed (Debian: apt-get install prometheus-alertmanager)",
    )
    config = alertmanager_config(TREE, tmp_path / "alertmanager.yml")
    checked = subprocess.run(["amtool", "check-config", str(config)], capture_output=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tree = read_tree(TREE)
    sets = label_sets()
    assert len(sets) == 432
    differences = [
        (labels, ours, theirs)
        for labels in sets
        if (ours := receivers(tree, labels)) != (theirs := amtool_receivers(config, labels))
    ]
    assert differences == [], differences[:5]
    # Every route of the tree answers for some label set: the comparison covers them all.
    reached = {route.path for labels in sets for route in tree.match(labels)}
    leaves = {"route.routes[0]", "route.routes[0].routes[0]", "route.routes[3]", "route"}
    assert leaves <= reached and len(reached) == 8


def test_what_a_route_inherits_and_what_it_does_not() -> None:
    tree = read_tree(TREE)
    [agents] = tree.match({"service": "phoenix", "component": "git", "env": "prod"})
    assert agents.receiver == "agents" and agents.group_by == ("alertname", "component")
    assert agents.timers == {"group_wait": "10s", "group_interval": "5m", "repeat_interval": "4h"}
    [warned] = tree.match({"service": "phoenix", "severity": "warning"})
    assert warned.mute_time_intervals == ("maintenance",)
    critical = tree.match({"service": "phoenix", "severity": "critical"})[0]
    [everyone] = tree.match({"severity": "critical"})
    assert critical.receiver == "oncall" and critical.mute_time_intervals == ()
    assert everyone.receiver == "all-critical" and everyone.group_by is None  # "...": all


def test_grafanas_object_matchers_route_alike() -> None:
    """Grafana's policy tree writes matchers as [name, operator, value]."""

    def grafana_form(route: dict[str, Any]) -> dict[str, Any]:
        converted = {k: v for k, v in route.items() if k not in ("matchers", "match", "match_re")}
        matchers = [Matcher.parse(text) for text in route.get("matchers", [])]
        matchers += [Matcher(k, "=", v) for k, v in route.get("match", {}).items()]
        matchers += [Matcher(k, "=~", v) for k, v in route.get("match_re", {}).items()]
        if matchers:
            converted["object_matchers"] = [[m.name, m.operator, m.value] for m in matchers]
        converted["routes"] = [grafana_form(child) for child in route.get("routes", [])]
        return converted

    ours, grafanas = read_tree(TREE), read_tree(grafana_form(TREE))
    for labels in label_sets():
        assert receivers(ours, labels) == receivers(grafanas, labels), labels


@pytest.mark.parametrize(
    ("text", "name", "operator", "value"),
    [
        ('severity="critical"', "severity", "=", "critical"),
        ("severity=critical", "severity", "=", "critical"),
        ('  team != "db" ', "team", "!=", "db"),
        ('msg=~"a \\"quoted\\" \\\\ value"', "msg", "=~", 'a "quoted" \\ value'),
        ('x=""', "x", "=", ""),
    ],
)
def test_matchers_parse_as_alertmanager_writes_them(
    text: str, name: str, operator: str, value: str
) -> None:
    matcher = Matcher.parse(text)
    assert (matcher.name, matcher.operator, matcher.value) == (name, operator, value)
    assert Matcher.parse(str(matcher)) == matcher  # written back, read the same


def test_what_matchers_match() -> None:
    assert Matcher.parse('team=~"db|infra"').matches({"team": "db"})
    assert not Matcher.parse('team=~"db"').matches({"team": "db-replica"})  # anchored
    assert Matcher.parse('team!="db"').matches({})  # an absent label is ""
    assert Matcher.parse('team=""').matches({}) and not Matcher.parse('team=""').matches(
        {"team": "x"}
    )
    assert Matcher.parse('team!~"d.*"').matches({"team": "infra"})


@pytest.mark.parametrize(
    ("tree", "where", "says"),
    [
        ({"receiver": "x", "matchers": ["a=b"]}, "route", "must not have matchers"),
        ({"routes": []}, "route", "needs a receiver"),
        ({"receiver": "x", "routes": [{"matchers": ["sev critical"]}]}, "matchers[0]", "not a"),
        ({"receiver": "x", "routes": [{"matchers": ['a=~"("']}]}, "matchers[0]", "invalid"),
        (
            {"receiver": "x", "routes": [{"object_matchers": [["a", "==", "b"]]}]},
            "route.routes[0].object_matchers[0]",
            "unknown operator",
        ),
        ({"receiver": "x", "routes": "oops"}, "route.routes", "a list of routes"),
    ],
)
def test_a_tree_that_cannot_be_read_says_where(tree: dict[str, Any], where: str, says: str) -> None:
    with pytest.raises(RouteError) as caught:
        read_tree(tree)
    assert where in caught.value.path and says in caught.value.message


def test_a_bad_escape_is_an_error() -> None:
    with pytest.raises(MatcherError, match="unknown escape"):
        Matcher.parse('a="\\q"')
