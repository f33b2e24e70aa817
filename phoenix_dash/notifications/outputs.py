"""What build writes for notifications, from one set of definitions:

- Grafana's provisioning API bodies (``build/notifications/grafana/``): a contact point per
  file with its secrets as ``${VARIABLE}`` placeholders, each template and mute timing in the
  form Grafana stores, and the project's policy subtree with Grafana's ``object_matchers``;
- Grafana's file provisioning (``build/notifications/provisioning.yaml``), in the shape of
  Grafana's own provisioning test data: every string there is templated by Grafana from its
  environment, so a ``$`` is written ``$$`` and a secret ``${VARIABLE}``;
- an Alertmanager configuration (``build/notifications/alertmanager/``) for teams that run
  Alertmanager: ``alertmanager.yml`` (secrets read from files named after their variables,
  Alertmanager's own way to keep them out of the configuration) and the templates."""

from __future__ import annotations

import re
from typing import Any

from ..alerting.outputs import yaml_bytes
from ..output import json_bytes
from .definitions import ContactPoint, Notifications, root_route
from .matchers import Matcher

JSON = dict[str, Any]
DIR = "notifications"
GRAFANA_DIR = f"{DIR}/grafana"
ALERTMANAGER_DIR = f"{DIR}/alertmanager"
# Where alertmanager.yml reads each secret from: a file named after its variable.
SECRETS_DIR = "/etc/alertmanager/secrets"
ROUTE_KEYS = (
    "receiver",
    "group_by",
    "group_wait",
    "group_interval",
    "repeat_interval",
    "mute_time_intervals",
    "active_time_intervals",
    "continue",
)


def notification_files(notifications: Notifications) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for point in notifications.contact_points:
        files[f"{GRAFANA_DIR}/contact-points/{point.uid}.json"] = json_bytes(contact_point(point))
    for name, text in notifications.templates.items():
        files[f"{GRAFANA_DIR}/templates/{name}.json"] = json_bytes({"name": name, "template": text})
    for timing in notifications.mute_timings:
        body = {"name": timing.name, "time_intervals": timing.time_intervals}
        files[f"{GRAFANA_DIR}/mute-timings/{timing.name}.json"] = json_bytes(body)
    if notifications.policy is not None:
        files[f"{GRAFANA_DIR}/policy.json"] = json_bytes(grafana_route(notifications.policy))
    if notifications.contact_points or notifications.policy is not None:
        files[f"{DIR}/provisioning.yaml"] = yaml_bytes(
            file_provisioning(notifications), "notifications.yaml"
        )
    if notifications.contact_points and notifications.policy is not None:
        files[f"{ALERTMANAGER_DIR}/alertmanager.yml"] = yaml_bytes(
            alertmanager_config(notifications), "notifications.yaml"
        )
        for name, text in notifications.templates.items():
            files[f"{ALERTMANAGER_DIR}/templates/{name}.tmpl"] = (
                alertmanager_template(text) + "\n"
            ).encode()
    return files


# Fields Grafana adds to each alert of a template's data (grafana/alerting's ExtendedAlert)
# that Alertmanager's Alert lacks: reading one there is an error that stops the notification.
# Alertmanager's form reads the annotation of the same name in snake case instead (empty
# unless the rule sets it).
GRAFANA_ONLY_FIELDS = {
    "PanelURL": "panel_url",
    "DashboardURL": "dashboard_url",
    "SilenceURL": "silence_url",
    "ValueString": "value_string",
    "ImageURL": "image_url",
}
# A field of the dot or of a variable (``.PanelURL``, ``$alert.PanelURL``), not a key of a
# map further down a chain (``.Labels.PanelURL``).
GRAFANA_FIELD_RE = re.compile(
    r"(?<![\w.)\]])(\$[A-Za-z0-9_]*)?\.(" + "|".join(GRAFANA_ONLY_FIELDS) + r")(?![A-Za-z0-9_])"
)


def alertmanager_template(text: str) -> str:
    """A template written for Grafana, readable by Alertmanager: Grafana's own alert fields
    become annotations (``.PanelURL`` -> ``(index .Annotations "panel_url")``)."""
    return GRAFANA_FIELD_RE.sub(
        lambda m: f'(index {m.group(1) or ""}.Annotations "{GRAFANA_ONLY_FIELDS[m.group(2)]}")',
        text,
    )


def contact_point(point: ContactPoint) -> JSON:
    """The provisioning API's body (POST/PUT /api/v1/provisioning/contact-points)."""
    settings = dict(point.settings)
    settings.update({key: f"${{{variable}}}" for key, variable in sorted(point.secrets.items())})
    return {
        "uid": point.uid,
        "name": point.name,
        "type": point.type,
        "settings": settings,
        "disableResolveMessage": point.disable_resolve_message,
    }


def file_provisioning(notifications: Notifications) -> JSON:
    """Grafana's notification provisioning file. Its policies replace the organisation's
    whole tree (file provisioning has no subtree): the project's under a root with its
    default receiver, for a Grafana whose tree is the project's alone."""
    org = {"orgId": 1}
    document: JSON = {"apiVersion": 1}
    if notifications.contact_points:
        document["contactPoints"] = [
            {**org, "name": _escaped(point.name), "receivers": [_provisioned(point)]}
            for point in notifications.contact_points
        ]
    if notifications.templates:
        document["templates"] = [
            {**org, "name": _escaped(name), "template": _escaped(text)}
            for name, text in notifications.templates.items()
        ]
    if notifications.mute_timings:
        document["muteTimes"] = [
            {**org, "name": _escaped(t.name), "time_intervals": _escaped(t.time_intervals)}
            for t in notifications.mute_timings
        ]
    if notifications.policy is not None:
        tree = grafana_route(root_route(notifications.policy))
        document["policies"] = [{**org, **_escaped(tree)}]
    return document


def _provisioned(point: ContactPoint) -> JSON:
    """One receiver of a provisioned contact point (its name is the contact point's)."""
    settings = {**_escaped(point.settings)}
    settings.update({key: f"${{{variable}}}" for key, variable in sorted(point.secrets.items())})
    return {
        "uid": point.uid,
        "type": point.type,
        "settings": settings,
        "disableResolveMessage": point.disable_resolve_message,
    }


def _escaped(value: Any) -> Any:
    """``value`` with every ``$`` doubled: Grafana's file provisioning reads ``$NAME`` and
    ``${NAME}`` as environment variables in every string of a notification file."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    return value


def grafana_route(route: JSON) -> JSON:
    """A route as Grafana's policy tree writes it: matchers as sorted [name, op, value]."""
    out: JSON = {key: route[key] for key in ROUTE_KEYS if key in route}
    matchers = sorted(
        (Matcher.parse(text) for text in route.get("matchers") or []),
        key=lambda m: (m.name, m.operator, m.value),
    )
    if matchers:
        out["object_matchers"] = [[m.name, m.operator, m.value] for m in matchers]
    if route.get("routes"):
        out["routes"] = [grafana_route(child) for child in route["routes"]]
    return out


def alertmanager_config(notifications: Notifications) -> JSON:
    """alertmanager.yml: the project's subtree under a root that keeps its default receiver
    for everything else, its receivers, mute timings and templates."""
    assert notifications.policy is not None
    policy = notifications.policy
    root = root_route(policy)
    config: JSON = {
        "route": {**root, "routes": [_alertmanager_route(policy)]},
        "receivers": [_receiver(point) for point in notifications.contact_points],
    }
    if notifications.mute_timings:
        config["time_intervals"] = [
            {"name": timing.name, "time_intervals": timing.time_intervals}
            for timing in notifications.mute_timings
        ]
    if notifications.templates:
        config["templates"] = ["templates/*.tmpl"]
    return config


def _alertmanager_route(route: JSON) -> JSON:
    out: JSON = {key: route[key] for key in ROUTE_KEYS if key in route}
    if route.get("matchers"):
        out["matchers"] = [str(Matcher.parse(text)) for text in route["matchers"]]
    if route.get("routes"):
        out["routes"] = [_alertmanager_route(child) for child in route["routes"]]
    return out


# Each contact point type's settings under their Alertmanager names (those not listed have
# no counterpart there); secrets are handled apart, as files.
ALERTMANAGER_NAMES = {
    "slack": {
        "recipient": "channel",
        "username": "username",
        "icon_emoji": "icon_emoji",
        "title": "title",
        "text": "text",
    },
    "pagerduty": {
        "severity": "severity",
        "class": "class",
        "component": "component",
        "group": "group",
        "summary": "description",
        "client": "client",
        "client_url": "client_url",
    },
    "webhook": {"url": "url", "maxAlerts": "max_alerts"},
}


def _receiver(point: ContactPoint) -> JSON:
    secrets = point.secrets
    names = ALERTMANAGER_NAMES[point.type]
    config: JSON = {"send_resolved": not point.disable_resolve_message}
    config.update({names[k]: v for k, v in point.settings.items() if k in names})
    if point.type == "slack":
        config["api_url_file"] = _secret_file(secrets["url"])
    elif point.type == "pagerduty":
        config["routing_key_file"] = _secret_file(secrets["integrationKey"])
    elif "password" in secrets:
        config["http_config"] = {
            "basic_auth": {
                "username": point.settings.get("username", ""),
                "password_file": _secret_file(secrets["password"]),
            }
        }
    elif "authorization_credentials" in secrets:
        credentials = _secret_file(secrets["authorization_credentials"])
        config["http_config"] = {"authorization": {"credentials_file": credentials}}
    return {"name": point.name, f"{point.type}_configs": [config]}


def _secret_file(variable: str) -> str:
    return f"{SECRETS_DIR}/{variable}"
