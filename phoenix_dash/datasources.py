"""Datasources as code: definitions in YAML (datasources.yaml), the API bodies and Grafana's
file-provisioning document built from them. Secrets are references to environment variables,
resolved only when a datasource is written to Grafana; build/ shows placeholders."""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError, Location
from .yamlconf import YamlDocument, dotted, load_yaml, validate_bundled

JSON = dict[str, Any]
# In jsonData: the hash of what sync last wrote, and the version Grafana gave that write; a
# stored version other than that one means someone else saved the datasource since.
HASH_KEY = "phoenixDashHash"
VERSION_KEY = "phoenixDashVersion"


@dataclass(frozen=True)
class DatasourceDef:
    uid: str
    name: str
    type: str
    body: JSON  # the API body without secrets
    secrets: Mapping[str, str]  # secureJsonData field -> environment variable
    location: Location
    key_lines: Mapping[str, int] = field(default_factory=dict)  # "jsonData.x" -> line

    def placeholder_body(self) -> JSON:
        """The body as build/ shows it: secrets as ${VARIABLE}."""
        body = copy.deepcopy(self.body)
        if self.secrets:
            body["secureJsonData"] = {k: f"${{{v}}}" for k, v in sorted(self.secrets.items())}
        return body


def missing_secrets(
    secrets: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """(field, variable) of each secret whose variable is not set."""
    environ = os.environ if environ is None else environ
    return [
        (name, variable) for name, variable in sorted(secrets.items()) if not environ.get(variable)
    ]


def secret_values(
    label: str, secrets: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> JSON:
    """The secrets' values from the environment; a missing one stops everything.
    ``label`` names what needs them: "datasource prometheus"."""
    environ = os.environ if environ is None else environ
    for name, variable in missing_secrets(secrets, environ)[:1]:
        raise ConfigError(
            f"{label}: {name} needs ${variable}, which is not set; nothing was changed"
        )
    return {name: environ[variable] for name, variable in sorted(secrets.items())}


def load_datasources(path: Path, display: str | None = None) -> list[DatasourceDef]:
    doc = load_yaml(path, display)
    _refuse_secret_literals(doc)  # before the schema, whose messages would quote the value
    validate_bundled(doc, "datasources.schema.json")
    found: list[DatasourceDef] = []
    seen: dict[str, set[str]] = {"uid": set(), "name": set()}
    for index, item in enumerate(doc.data["datasources"]):
        where: list[str | int] = ["datasources", index]
        for key in ("uid", "name"):
            if item[key] in seen[key]:
                raise doc.error([*where, key], f"datasource {key} {item[key]!r} is defined twice")
            seen[key].add(item[key])
        secrets = {field: ref["env"] for field, ref in (item.get("secureJsonData") or {}).items()}
        body = {k: v for k, v in item.items() if k != "secureJsonData"}
        body.setdefault("access", "proxy")
        found.append(
            DatasourceDef(
                item["uid"],
                item["name"],
                item["type"],
                body,
                secrets,
                doc.location(where),
                doc.key_lines(where),
            )
        )
    return found


def _refuse_secret_literals(doc: YamlDocument) -> None:
    """A secret in clear would land in the committed build/: refused, without quoting it."""
    items = doc.data.get("datasources") if isinstance(doc.data, dict) else None
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        for path in secret_literals(item):
            if path == ("url",):
                raise doc.error(
                    ["datasources", index, "url"],
                    "the URL holds a password; use "
                    "basicAuthUser and secureJsonData {basicAuthPassword: {env: "
                    "VAR}}",
                )
            raise doc.error(
                ["datasources", index, *path],
                "holds a secret in clear; move it to secureJsonData as {env: VARIABLE}",
            )
        secure = item.get("secureJsonData")
        for field_name, value in secure.items() if isinstance(secure, dict) else ():
            if not isinstance(value, dict):
                raise doc.error(
                    ["datasources", index, "secureJsonData", field_name],
                    "a secret is written {env: VARIABLE}, never as its value",
                )


def provisioning(defs: list[DatasourceDef]) -> JSON:
    """Grafana's datasource file-provisioning document. Grafana expands $VARIABLE in these
    files, so secrets stay references; a literal $ is written $$."""
    datasources = []
    for ds in defs:
        entry = _escape_dollars(copy.deepcopy(ds.body))
        entry["orgId"] = 1
        entry["editable"] = False
        if ds.secrets:
            entry["secureJsonData"] = {k: f"${v}" for k, v in sorted(ds.secrets.items())}
        datasources.append(entry)
    return {"apiVersion": 1, "datasources": datasources}


def _escape_dollars(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {k: _escape_dollars(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape_dollars(v) for v in value]
    return value


def links(value: Any, path: str = "") -> list[tuple[str, str]]:
    """(dotted key path, uid) of every datasourceUid under ``value``."""
    return [
        (where, text)
        for where, text in strings(value, path)
        if where.rsplit(".", 1)[-1] == "datasourceUid"
    ]


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted key path, value) of every string under ``value``, paths as in yamlconf.dotted."""
    for items, text in leaves(value):
        where = dotted(items) if items else ""
        yield (
            (
                f"{path}.{where}"
                if path and where and not where.startswith("[")
                else f"{path}{where}"
            ),
            text,
        )


def leaves(
    value: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(key path, value) of every string under ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    elif isinstance(value, str):
        yield path, value


# Custom HTTP header values carry API keys; well-known token formats give themselves away.
HEADER_VALUE_RE = re.compile(r"httpHeaderValue\d+")
TOKEN_RE = re.compile(r"(glsa_|glc_|ghp_|github_pat_|xox[bp]-|AKIA[0-9A-Z]{16}|Bearer\s|Basic\s)")


def secret_literals(definition: JSON) -> Iterator[tuple[str | int, ...]]:
    """Key paths of secrets written in clear in one datasource definition: a password in the
    URL; anywhere outside secureJsonData, a value under a secret-named key, a custom header
    value, or a value shaped like a known token. The values themselves are never needed."""
    url = definition.get("url")
    if isinstance(url, str) and urlsplit(url).password is not None:
        yield ("url",)
    clear = {k: v for k, v in definition.items() if k not in ("secureJsonData", "url")}
    for path, value in leaves(clear):
        leaf = str(next((item for item in reversed(path) if isinstance(item, str)), ""))
        if value and (
            SECRET_KEY_RE.search(leaf) or HEADER_VALUE_RE.fullmatch(leaf) or TOKEN_RE.match(value)
        ):
            yield path


SECRET_KEY_RE = re.compile(r"pass(word)?|secret|token|api_?key|credential", re.I)
