"""Python source for a tree of constructor calls, dicts, lists and scalars: one line where it
fits in the width, else one item per line; long strings are split into adjacent literals, and
non-ASCII characters escaped, so the code passes ruff's line-length and ambiguous-character
checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INDENT = "    "
WIDTH = 100


@dataclass
class Call:
    """``name(**kwargs)`` in the generated code."""

    name: str
    kwargs: dict[str, Any] = field(default_factory=dict)


def call_names(value: Any) -> set[str]:
    """The names of every Call in the tree (what to import)."""
    if isinstance(value, Call):
        return {value.name}.union(*(call_names(v) for v in value.kwargs.values()))
    if isinstance(value, (list, dict)):
        items = value.values() if isinstance(value, dict) else value
        return set().union(*(call_names(v) for v in items))
    return set()


def render(value: Any, depth: int = 0, prefix: int = 0) -> str:
    """``value`` as source, for a line indented ``depth`` levels that already holds ``prefix``
    characters before it and takes a comma after it."""
    flat = _flat(value)
    if len(INDENT) * depth + prefix + len(flat) + 1 <= WIDTH:
        return flat
    pad, inner = INDENT * depth, INDENT * (depth + 1)
    if isinstance(value, Call):
        lines = [f"{inner}{k}={render(v, depth + 1, len(k) + 1)}," for k, v in value.kwargs.items()]
        return f"{value.name}(\n" + "\n".join(lines) + f"\n{pad})"
    if isinstance(value, dict):
        lines = [
            f"{inner}{k!a}: {render(v, depth + 1, len(ascii(k)) + 2)}," for k, v in value.items()
        ]
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    if isinstance(value, list):
        return "[\n" + "\n".join(f"{inner}{render(v, depth + 1)}," for v in value) + f"\n{pad}]"
    if isinstance(value, str):
        pieces = _pieces(value, WIDTH - len(inner))
        return "(\n" + "\n".join(inner + piece for piece in pieces) + f"\n{pad})"
    return flat


def _flat(value: Any) -> str:
    if isinstance(value, Call):
        return f"{value.name}({', '.join(f'{k}={_flat(v)}' for k, v in value.kwargs.items())})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!a}: {_flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    return ascii(value) if isinstance(value, str) else repr(value)


def _pieces(text: str, width: int) -> list[str]:
    """``text`` as string literals of at most ``width`` characters each (at least one
    character per literal), split after a space where one is near."""
    pieces: list[str] = []
    while text:
        end = 1
        while end < len(text) and len(ascii(text[: end + 1])) <= width:
            end += 1
        space = text.rfind(" ", 0, end)
        if end < len(text) and space > end // 2:
            end = space + 1
        pieces.append(ascii(text[:end]))
        text = text[end:]
    return pieces
