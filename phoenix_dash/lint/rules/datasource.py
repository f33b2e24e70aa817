"""Datasource rules (datasource/*): references resolve, correlation targets exist, URLs
are sound, no secret is written down."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from ...datasources import links, secret_literals
from ...yamlconf import dotted
from ..context import AlertCtx, DatasourceCtx, PanelCtx, datasource_uid
from ..core import Problem, rule

BUILTIN = frozenset(
    {"grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --", "__expr__", "-100"}
)


def _unknown(uid: str, known: set[str] | None) -> bool:
    return (
        known is not None
        and bool(uid)
        and not uid.startswith("$")
        and uid not in BUILTIN
        and uid not in known
    )


@rule(
    "datasource/unknown-uid",
    "error",
    "panel",
    "A panel or query naming a datasource uid that does not exist shows an error.",
    "Use a uid defined in datasources.yaml, or a datasource variable.",
)
def unknown_uid(ctx: PanelCtx) -> Iterator[Problem]:
    known = ctx.dashboard.project.datasource_uids
    nodes = [(ctx.panel, f"{ctx.path}/datasource")] + [
        (t, f"{ctx.path}/targets/{i}/datasource")
        for i, t in enumerate(ctx.panel.get("targets") or [])
        if isinstance(t, dict)
    ]
    for node, path in nodes:
        uid = datasource_uid(node)
        if isinstance(node.get("datasource"), dict) and _unknown(uid, known):
            yield Problem(f"panel {ctx.title!r}: datasource uid {uid!r} is not defined", node, path)


@rule(
    "datasource/alert-uid",
    "error",
    "alert",
    "An alert query on a datasource that does not exist fails on every evaluation.",
    "Use a datasource uid defined in datasources.yaml.",
)
def alert_uid(ctx: AlertCtx) -> Iterator[Problem]:
    known = ctx.project.datasource_uids
    for index, node in enumerate(ctx.rule.get("data") or []):
        uid = str(node.get("datasourceUid") or "")
        if _unknown(uid, known):
            yield Problem(
                f"rule {ctx.rule.get('title')!r}: query {node.get('refId')} uses "
                f"undefined datasource uid {uid!r}",
                None,
                f"{ctx.path}/data/{index}/datasourceUid",
            )


@rule(
    "datasource/correlation-target",
    "error",
    "datasource",
    "A trace, log or exemplar link to a missing datasource fails when someone clicks it.",
    "Point datasourceUid at a datasource defined in datasources.yaml.",
)
def correlation_target(ctx: DatasourceCtx) -> Iterator[Problem]:
    known = ctx.project.datasource_uids or set()
    for key, uid in links(ctx.definition.get("jsonData") or {}, "jsonData"):
        if uid not in known:
            yield Problem(
                f"datasource {ctx.definition.get('uid')!r}: {key} links to undefined "
                f"datasource {uid!r}",
                ctx.at(key),
                key,
            )


@rule(
    "datasource/url",
    "error",
    "datasource",
    "Grafana cannot reach a datasource whose URL is not http(s)://host.",
    "Write the URL as http://host:port or https://host[/path].",
)
def url(ctx: DatasourceCtx) -> Iterator[Problem]:
    value = str(ctx.definition.get("url") or "")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = value if parts.password is None else "(a URL with a password)"
        yield Problem(
            f"datasource {ctx.definition.get('uid')!r}: URL {shown!r} is not "
            "http(s)://host[:port][/path]",
            ctx.at("url"),
            "url",
        )


@rule(
    "datasource/secret-literal",
    "error",
    "datasource",
    "A password or token written in the repository is leaked to everyone who reads it.",
    "Move it to secureJsonData as {env: VARIABLE}.",
)
def secret_literal(ctx: DatasourceCtx) -> Iterator[Problem]:
    uid = ctx.definition.get("uid")
    for path in secret_literals(ctx.definition):
        key = dotted(path)
        what = "url holds a password" if key == "url" else f"{key} holds a secret"
        yield Problem(f"datasource {uid!r}: {what} in clear", ctx.at(key), key)


@rule(
    "datasource/plain-string",
    "warning",
    "panel",
    "A datasource given by name breaks when it is renamed; Grafana 12 expects {type, uid}.",
    'Reference the datasource as {"type": ..., "uid": ...} or a $variable.',
)
def plain_string_datasource(ctx: PanelCtx) -> Iterator[Problem]:
    if isinstance(ctx.panel.get("datasource"), str):
        yield Problem(
            f"panel {ctx.title!r}: datasource {ctx.panel['datasource']!r} is a plain string",
            ctx.panel,
            ctx.path + "/datasource",
        )
    for index, target in enumerate(ctx.panel.get("targets") or []):
        if isinstance(target, dict) and isinstance(target.get("datasource"), str):
            yield Problem(
                f"panel {ctx.title!r}: target {target.get('refId', index)} datasource "
                f"{target['datasource']!r} is a plain string",
                target,
                f"{ctx.path}/targets/{index}/datasource",
            )
