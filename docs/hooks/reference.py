"""mkdocs hook: the reference pages made at every build from what phoenix-dash itself says,
so they cannot fall behind it: the CLI (each click command's --help) and the settings files
(phoenix-dash's JSON Schemas: every key, its type, its limits, its description)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import click
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

SCHEMAS = {
    "phoenix-dash.yaml": "config.schema.json",
    "metrics.yaml (the metric catalog)": "catalog.schema.json",
    "datasources.yaml": "datasources.schema.json",
    "notifications.yaml": "notifications.schema.json",
}


def on_files(files: Files, config: MkDocsConfig) -> Files:
    files.append(File.generated(config, "reference/cli.md", content=cli_page()))
    files.append(File.generated(config, "reference/settings.md", content=settings_page()))
    return files


def cli_page() -> str:
    from phoenix_dash.cli import main

    out = [
        "# CLI reference",
        "",
        "Every command's `--help`, as phoenix-dash prints it (made from the commands at each",
        "build of this site). Exit codes: [Commands and exit codes](commands.md).",
        "",
        "```text",
        _help(main, "phoenix-dash", None),
        "```",
    ]
    root = click.Context(main, info_name="phoenix-dash")
    for name in sorted(main.list_commands(root)):
        command = main.get_command(root, name)
        if command is None or command.hidden:
            continue
        out += ["", f"## phoenix-dash {name}", "", "```text", _help(command, name, root), "```"]
    return "\n".join(out) + "\n"


def _help(command: click.Command, name: str, parent: click.Context | None) -> str:
    context = click.Context(command, info_name=name, parent=parent, terminal_width=88)
    return command.get_help(context)


def settings_page() -> str:
    out = [
        "# Settings reference",
        "",
        "Every key of the project's files, from the JSON Schemas phoenix-dash checks them with",
        "(made from them at each build of this site): a wrong key or value is an error naming",
        "the file, line and key. What the settings mean in use: the guides.",
    ]
    for file, schema_name in SCHEMAS.items():
        text = resources.files("phoenix_dash").joinpath("schemas", schema_name).read_text()
        schema = json.loads(text)
        out += ["", f"## {file}", ""]
        if schema.get("description"):
            out += [schema["description"], ""]
        out += ["| key | type | limits | description |", "|---|---|---|---|"]
        out += [_row(path, node) for path, node in _keys(schema, schema, "")]
    return "\n".join(out) + "\n"


def _keys(
    node: Any, root: dict[str, Any], path: str, refs: tuple[str, ...] = ()
) -> list[tuple[str, dict[str, Any]]]:
    """(key path, schema) of every key under ``node``; a definition met again on its own
    path (a route's routes) is listed once, not followed."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    if ref in refs:
        return []
    refs = (*refs, ref) if isinstance(ref, str) else refs
    node = _resolved(node, root)
    if not isinstance(node, dict):
        return []
    found: list[tuple[str, dict[str, Any]]] = []
    for key, child in node.get("properties", {}).items():
        child_path = f"{path}.{key}" if path else key
        found.append((child_path, _resolved(child, root)))
        found += _keys(child, root, child_path, refs)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        extra_path = f"{path}.<name>" if path else "<name>"
        found.append((extra_path, _resolved(extra, root)))
        found += _keys(extra, root, extra_path, refs)
    items = node.get("items")
    if isinstance(items, dict):
        found += _keys(items, root, f"{path}[]", refs)
    return found


def _resolved(node: Any, root: dict[str, Any]) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _row(path: str, node: dict[str, Any]) -> str:
    return f"| `{path}` | {_type(node)} | {_limits(node)} | {_cell(node.get('description', ''))} |"


def _type(node: dict[str, Any]) -> str:
    if "const" in node:
        return f"`{node['const']}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind:
        return str(kind)
    for combinator in ("oneOf", "anyOf"):
        if combinator in node:
            return " or ".join(sorted({_type(o) for o in node[combinator] if isinstance(o, dict)}))
    return ""


def _limits(node: dict[str, Any]) -> str:
    names = {
        "minimum": ">=",
        "exclusiveMinimum": ">",
        "maximum": "<=",
        "exclusiveMaximum": "<",
        "minLength": "length >=",
        "minItems": "items >=",
        "pattern": "matches",
    }
    parts = [f"{label} `{node[key]}`" for key, label in names.items() if key in node]
    return "; ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
