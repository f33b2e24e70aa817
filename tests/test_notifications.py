"""notifications.yaml: read and checked as Grafana and Alertmanager check it, built in their
forms (Alertmanager's accepted by amtool check-config), and routed as amtool routes: every
Phoenix alert rule reaches the receiver its severity calls for, through its own route."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from phoenix_dash.build import Build
from phoenix_dash.cli import main
from phoenix_dash.errors import ConfigError
from phoenix_dash.notifications.definitions import load_notifications, stored_template, written_at
from tests.support.project import ROOT, oracle, require

ALERTMANAGER = ROOT / "build/notifications/alertmanager/alertmanager.yml"
EXPECTED = {"critical": "phoenix-oncall", "warning": "phoenix-slack", "info": "phoenix-slack"}


def amtool() -> str:
    found = shutil.which("amtool")
    require(
        found is not None, "amtool not installed (Debian: apt-get install prometheus-alertmanager)"
    )
    assert found is not None
    return found


def amtool_receivers(config: Path, labels: dict[str, str]) -> list[str]:
    shown = [f"{name}={value}" for name, value in sorted(labels.items())]
    done = subprocess.run(
        [amtool(), "config", "routes", "test", f"--config.file={config}", *shown],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout.strip().split(",")


def rule_labels(build: Build) -> list[dict[str, str]]:
    return [dict(rule.labels) for group in build.alert_groups for rule in group.rules]


def test_the_alertmanager_form_is_a_valid_configuration() -> None:
    checked = subprocess.run([amtool(), "check-config", str(ALERTMANAGER)], capture_output=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config = yaml.safe_load(ALERTMANAGER.read_text())
    files = [
        entry["api_url_file"]
        for receiver in config["receivers"]
        for entry in receiver.get("slack_configs", [])
    ]
    assert files == ["/etc/alertmanager/secrets/PHOENIX_SLACK_WEBHOOK_URL"]


def test_every_phoenix_rule_reaches_who_its_severity_calls_for(repo_build: Build) -> None:
    """A rule's alert reaches the receiver of its severity through that severity's own
    route, never the policy's catch-all: as phoenix-dash answers and as amtool answers on
    the built alertmanager.yml."""
    notifications = load_notifications(ROOT / "notifications.yaml")
    labels = rule_labels(repo_build)
    assert len(labels) == 23
    for alert in labels:
        [route] = notifications.receivers(alert)
        assert route.receiver == EXPECTED[alert["severity"]], alert
        assert written_at(route).startswith("policies.routes["), (alert, written_at(route))
        assert amtool_receivers(ALERTMANAGER, alert) == [route.receiver], alert


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        ({"team": "platform", "severtiy": "critical"}, ["phoenix-slack"]),  # a typo: no page
        ({"team": "db", "severity": "critical"}, ["phoenix-slack"]),  # not Phoenix's
        ({"team": "platform", "severity": "page"}, ["phoenix-slack"]),
        ({}, ["phoenix-slack"]),
    ],
)
def test_labels_no_route_selects_fall_to_the_default_as_amtool_says(
    labels: dict[str, str], receivers: list[str]
) -> None:
    notifications = load_notifications(ROOT / "notifications.yaml")
    assert [r.receiver for r in notifications.receivers(labels)] == receivers
    assert amtool_receivers(ALERTMANAGER, labels) == receivers


def test_build_holds_no_secret_and_grafanas_forms(repo_build: Build) -> None:
    files = repo_build.files()
    oncall = json.loads(files["notifications/grafana/contact-points/phoenix-oncall.json"])
    assert oncall["settings"]["integrationKey"] == "${PHOENIX_PAGERDUTY_KEY}"
    assert oncall["disableResolveMessage"] is False and oncall["type"] == "pagerduty"
    policy = json.loads(files["notifications/grafana/policy.json"])
    assert policy["object_matchers"] == [["team", "=", "platform"]]
    assert [r["receiver"] for r in policy["routes"]] == [
        "phoenix-oncall",
        "phoenix-slack",
        "phoenix-slack",
    ]
    timing = json.loads(files["notifications/grafana/mute-timings/phoenix-maintenance.json"])
    assert timing["time_intervals"] == [
        {
            "times": [{"start_time": "02:00", "end_time": "04:00"}],
            "weekdays": ["sunday"],
            "location": "UTC",
        }
    ]


def test_templates_are_stored_as_grafana_stores_them() -> None:
    """Trimmed, and wrapped in a define with two spaces of indent when they define nothing
    (Grafana's NotificationTemplate.Validate): what sync compares with what Grafana reads back."""
    assert stored_template("t", "\n  Hello {{ .Status }}\nbye\n") == (
        '{{ define "t" }}\n  Hello {{ .Status }}\n  bye\n{{ end }}'
    )
    written = '{{ define "x" }}x{{ end }}'
    assert stored_template("x", f"\n{written}\n\n") == written


def project(tmp_path: Path, notifications: str) -> Path:
    shutil.copy(ROOT / "phoenix-dash.yaml", tmp_path / "phoenix-dash.yaml")
    (tmp_path / "notifications.yaml").write_text(textwrap.dedent(notifications))
    return tmp_path / "notifications.yaml"


VALID = """\
contact_points:
  - name: oncall
    type: pagerduty
    settings: {integrationKey: {env: PD_KEY}}
mute_timings:
  - name: nights
    time_intervals:
      - times: [{start_time: "22:00", end_time: "24:00"}]
        months: ["january:march", may]
        weekdays: [Monday]
policies:
  matchers: ['team="x"']
  receiver: oncall
"""


@pytest.mark.parametrize(
    ("change", "line", "says"),
    [
        (
            ("{integrationKey: {env: PD_KEY}}", "{integrationKey: 'e93f-SECRET-1234'}"),
            4,
            "contact_points[0].settings.integrationKey: is a secret: write it {env: VARIABLE}",
        ),
        (
            ("receiver: oncall", "receiver: on-call"),
            13,
            "policies.receiver: no contact point is named 'on-call' (contact_points: oncall)",
        ),
        (
            ("  receiver: oncall", "  receiver: oncall\n  mute_time_intervals: [night]"),
            14,
            "no mute timing is named 'night' (mute_timings: nights)",
        ),
        (('start_time: "22:00"', 'start_time: "9:00"'), 8, "does not match"),
        (('end_time: "24:00"', 'end_time: "21:00"'), 8, "the end must come after the start"),
        (("may]", "mai]"), 9, "'mai' is not one of january"),
        (("matchers: ['team=\"x\"']", "matchers: ['team x']"), 12, "is not a matcher"),
        (("type: pagerduty", "type: pager"), 3, "'pager' is not one of"),
    ],
)
def test_bad_notifications_are_one_line_at_their_place(
    tmp_path: Path, change: tuple[str, str], line: int, says: str
) -> None:
    old, new = change
    assert old in VALID
    path = project(tmp_path, VALID.replace(old, new))
    with pytest.raises(ConfigError) as caught:
        load_notifications(path, "notifications.yaml")
    text = str(caught.value)
    assert text.startswith(f"notifications.yaml:{line}: "), text
    assert says in text and "SECRET" not in text, text


def test_mute_timings_in_the_form_grafana_stores(tmp_path: Path) -> None:
    [timing] = load_notifications(project(tmp_path, VALID)).mute_timings
    assert timing.time_intervals == [
        {
            "times": [{"start_time": "22:00", "end_time": "24:00"}],
            "weekdays": ["monday"],
            "months": ["1:3", "5"],
        }
    ]


def test_route_command(tmp_path: Path) -> None:
    def run(*args: str) -> Any:
        config = str(ROOT / "phoenix-dash.yaml")
        return CliRunner().invoke(main, ["route", "--config", config, *args])

    found = run("team=platform", "severity=critical", "component=api")
    assert found.exit_code == 0, found.output
    assert "-> phoenix-oncall  (route policies.routes[0]; grouped by alertname, component" in (
        found.output
    )
    missed = run("team=platform", "severtiy=critical", "--expect", "phoenix-oncall")
    assert missed.exit_code == 1
    assert "error: reaches phoenix-slack, expected phoenix-oncall" in missed.output
    as_json = json.loads(run("team=platform", "severity=warning", "--format", "json").output)
    assert as_json["receivers"][0]["mute_time_intervals"] == ["phoenix-maintenance"]
    bad = run("severity")
    assert bad.exit_code == 2 and "'severity': labels are NAME=VALUE" in bad.output


def test_a_pull_request_shows_what_it_changes_in_notifications(tmp_path: Path) -> None:
    from tests.support.project import copy_repo_project

    config = copy_repo_project(tmp_path)

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, [*args, "--config", str(config)])

    assert run("build").exit_code == 0
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "start"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *command],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )
    path = tmp_path / "notifications.yaml"
    path.write_text(
        path.read_text()
        .replace("repeat_interval: 1h", "repeat_interval: 30m")
        .replace("#phoenix-alerts", "#phoenix-alarms")
    )
    assert run("build").exit_code == 0
    diff = run("diff", "--against", "HEAD")
    assert diff.exit_code == 1, diff.output
    assert (
        "~ contact-point phoenix-slack update: changed since HEAD\n"
        "    settings.recipient: #phoenix-alerts -> #phoenix-alarms\n"
        "~ policy policies update: changed since HEAD\n"
        '    -   severity="critical" -> phoenix-oncall (group_wait 10s; repeat_interval 1h)\n'
        '    +   severity="critical" -> phoenix-oncall (group_wait 10s; repeat_interval 30m)\n'
    ) in diff.output


@pytest.mark.slow  # the real promtool, several runs
@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (
            ("    - matchers: ['severity=\"info\"']\n", "    - matchers: ['severity=\"debug\"']\n"),
            "reaches only the catch-all phoenix-slack (policies): no route of "
            "notifications.yaml's policies selects it",
        ),
        (
            ("matchers: ['team=\"platform\"']", "matchers: ['team=\"platfrom\"']"),
            "is not selected by notifications.yaml's policies.matchers: Grafana's default "
            "contact point would get it, not this project's",
        ),
    ],
)
def test_test_alerts_fails_when_a_tested_alert_reaches_no_route_of_the_project(
    tmp_path: Path, edit: tuple[str, str], says: str
) -> None:
    from tests.support.project import copy_repo_project

    require(shutil.which("promtool") is not None, "promtool not installed (Debian: prometheus)")
    config = copy_repo_project(tmp_path)
    path = tmp_path / "notifications.yaml"
    old, new = edit
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    result = CliRunner().invoke(main, ["test-alerts", "--config", str(config)])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    # The same alerts also reach others than the tests' .receivers.yaml say: said apart.
    routing = [line for line in errors if ".receivers.yaml:" not in line]
    assert routing and all(says in line for line in routing), result.output
    assert any("alertname=" in line and ".yaml:" in line for line in routing)


@pytest.mark.slow  # the real promtool, several runs
@pytest.mark.parametrize(
    ("change", "says"),
    [
        (
            (
                "Memory usage over quota: [phoenix-oncall]",
                "Memory usage over quota: [phoenix-slack]",
            ),
            "reaches phoenix-oncall, but resources.receivers.yaml:5 says phoenix-slack",
        ),
        (
            ("Memory usage over quota: [phoenix-oncall]\n", ""),
            "fires, and resources.receivers.yaml does not say who must receive it (routing "
            "sends it to phoenix-oncall)",
        ),
        (
            ("CPU usage over quota: [phoenix-slack]", "CPU usage over quotas: [phoenix-slack]"),
            "resources.receivers.yaml:3: 'CPU usage over quotas' fires in no test of this file",
        ),
        (None, "resources.yaml: its alerts fire, but no resources.receivers.yaml beside it"),
    ],
)
def test_test_alerts_checks_who_each_tested_alert_reaches(
    tmp_path: Path, change: tuple[str, str] | None, says: str
) -> None:
    from tests.support.project import copy_repo_project

    require(shutil.which("promtool") is not None, "promtool not installed (Debian: prometheus)")
    config = copy_repo_project(tmp_path)
    path = tmp_path / "alerts" / "tests" / "resources.receivers.yaml"
    if change is None:
        path.unlink()
    else:
        assert change[0] in path.read_text()
        path.write_text(path.read_text().replace(*change))
    result = CliRunner().invoke(main, ["test-alerts", "--config", str(config)])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert any(says in line for line in errors), result.output
    assert all("resources." in line for line in errors), result.output  # no other file


PROVISIONING_GOLDENS = "grafana/goldens/alerting"
GOLDEN_MISSING = (
    "Grafana's alerting provisioning test files (grafana/grafana's "
    "pkg/services/provisioning/alerting/testdata and pkg/tests/api/alerting/test-data) not "
    f"found ({PROVISIONING_GOLDENS} in ../shared or $PHOENIX_DASH_SHARED)"
)


def key_paths(value: Any, path: str = "") -> set[str]:
    """Every key path of a provisioning document, list items as []; a child route is a route
    (its keys are the root's), and a receiver's settings (their keys depend on its type) are
    not entered."""
    if isinstance(value, dict):
        found = {path} if path else set()
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if key == "settings":
                found.add(inner)
            else:
                found |= key_paths(item, inner)
        return {re.sub(r"(\.routes\[\])+\.", ".", p) for p in found}
    if isinstance(value, list):
        return set().union(*(key_paths(item, f"{path}[]") for item in value)) | {f"{path}[]"}
    return {path}


def test_the_provisioning_file_reads_like_grafanas_own(repo_build: Build) -> None:
    """Every key path of build/notifications/provisioning.yaml appears in Grafana's own
    notification provisioning test files, a route's keys in its API's Route (the test files
    leave some out): Grafana reads what it writes."""
    from tests.support.oracles import locate

    directory = locate(PROVISIONING_GOLDENS)
    require(directory.is_dir(), GOLDEN_MISSING)
    golden_paths: set[str] = set()
    for path in sorted(directory.glob("*")):
        if path.suffix in (".yml", ".yaml") and "provisioning" in path.name:
            document = yaml.safe_load(path.read_text())
            if (isinstance(document, dict) and "groups" not in document) or (
                isinstance(document, dict) and "contactPoints" in document
            ):
                golden_paths |= key_paths(document)
    spec = json.loads(oracle(locate("grafana/openapi/api-merged.json")).read_text())
    route_keys = set(spec["definitions"]["Route"]["properties"]) | {"orgId"}
    ours = yaml.safe_load(repo_build.files()["notifications/provisioning.yaml"])
    assert set(ours) == {"apiVersion", "contactPoints", "templates", "muteTimes", "policies"}
    unknown = {
        path
        for path in key_paths(ours) - golden_paths
        if not (
            path.startswith("policies[].")
            and path.removeprefix("policies[].").split(".")[0].removesuffix("[]") in route_keys
        )
    }
    assert unknown == set()


def test_the_provisioning_file_escapes_what_grafana_would_read_as_a_variable(
    tmp_path: Path,
) -> None:
    path = project(
        tmp_path,
        VALID.replace(
            "mute_timings:",
            "templates:\n  t: 'Value {{ $value }} of {{ $labels.instance }}'\nmute_timings:",
        ),
    )
    from phoenix_dash.notifications.outputs import file_provisioning

    document = file_provisioning(load_notifications(path))
    [template] = document["templates"]
    assert "{{ $$value }} of {{ $$labels.instance }}" in template["template"]
    [point] = document["contactPoints"]
    assert point["receivers"][0]["settings"] == {"integrationKey": "${PD_KEY}"}
    assert document["policies"][0]["routes"][0]["object_matchers"] == [["team", "=", "x"]]


@pytest.mark.parametrize(
    ("edit", "rule", "says"),
    [
        (
            ("matchers: ['severity=\"critical\"']", "matchers: ['severtiy=\"critical\"']"),
            "notifications/unset-label",
            "no alert rule sets the label 'severtiy'",
        ),
        (
            ("matchers: ['severity=\"info\"']", "matchers: ['severity=\"informational\"']"),
            "notifications/unset-label",
            "no alert rule gives severity the value 'informational'",
        ),
        (
            ("{{ end }}{{ end }}", "{{ end }}"),
            "notifications/template-syntax",  # at the template's name
            "is never closed with {{ end }}",
        ),
    ],
)
def test_lint_names_the_line_of_a_routing_mistake(
    tmp_path: Path, edit: tuple[str, str], rule: str, says: str
) -> None:
    from tests.support.project import copy_repo_project

    config = copy_repo_project(tmp_path)
    path = tmp_path / "notifications.yaml"
    old, new = edit
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    at = text.index(old) if "template" not in rule else text.index("phoenix.message:")
    line = text[:at].count("\n") + 1
    result = CliRunner().invoke(main, ["lint", "--config", str(config), "--format", "json"])
    found = [f for f in json.loads(result.output)["findings"] if f["rule"] == rule]
    assert len(found) == 1 and says in found[0]["message"], result.output
    assert (found[0]["file"], found[0]["line"]) == ("notifications.yaml", line)


def test_alertmanager_templates_read_grafanas_own_fields_from_annotations() -> None:
    from phoenix_dash.notifications.outputs import alertmanager_template

    text = (
        "{{ range .Alerts }}{{ if .PanelURL }}{{ .PanelURL }}{{ end }}{{ $a.SilenceURL }}{{ end }}"
    )
    assert alertmanager_template(text) == (
        '{{ range .Alerts }}{{ if (index .Annotations "panel_url") }}'
        '{{ (index .Annotations "panel_url") }}{{ end }}'
        '{{ (index $a.Annotations "silence_url") }}{{ end }}'
    )
    assert alertmanager_template("{{ .PanelURLs }} {{ .Labels.PanelURL }}") == (
        "{{ .PanelURLs }} {{ .Labels.PanelURL }}"
    )


def test_receivers_files_name_receivers_by_labels_too(tmp_path: Path) -> None:
    from phoenix_dash.notifications.expectations import load_expectations, receiver_mismatches

    notifications = load_notifications(ROOT / "notifications.yaml")
    path = tmp_path / "x.receivers.yaml"
    path.write_text(
        "Task failure ratio high:\n"
        "  - labels: {severity: critical}\n"
        "    receivers: [phoenix-oncall]\n"
        "  - labels: {severity: warning}\n"
        "    receivers: [phoenix-oncall]\n"
    )
    expected = load_expectations(path)
    fired = [
        ("x.yaml:3", {"alertname": "Task failure ratio high", "team": "platform", "severity": s})
        for s in ("critical", "warning")
    ]
    assert receiver_mismatches(notifications, expected, fired, path.name) == [
        "x.yaml:3: alert {alertname=Task failure ratio high, severity=warning, team=platform} "
        "reaches phoenix-slack, but x.receivers.yaml:4 says phoenix-oncall"
    ]
    path.write_text("Task failure ratio high: {receivers: oops}\n")
    with pytest.raises(ConfigError, match=r"x.receivers.yaml:1"):
        load_expectations(path)
