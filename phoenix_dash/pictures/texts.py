"""Panels drawn as text: logs, text (markdown or HTML, markup dropped), and the types
without a drawing of their own."""

from __future__ import annotations

import re
import textwrap

from .content import Content
from .theme import NO_DATA, TEXT, TEXT_WEAK


def draw_logs(content: Content, synthetic: bool) -> None:
    if not synthetic:
        content.centred("No data", 16, NO_DATA)
        return
    line = 17
    for index in range(max(int(content.height / line) - 1, 0)):
        stamp = f"2026-01-01 11:{59 - index // 4:02d}:{(53 - index * 13) % 60:02d}"
        source = f"component=agent-{index % 3 + 1}"
        text = f'{stamp}  level=error {source} msg="synthetic log line {index + 1}"'
        content.canvas.text(
            content.left,
            content.top + index * line + line / 2,
            text[:200],
            11,
            TEXT,
            family="DejaVu Sans Mono",
        )


def draw_text(content: Content) -> None:
    raw = str(content.options.get("content") or content.panel.get("content") or "")
    plain = re.sub(r"<[^>]+>", "", raw) if content.options.get("mode") == "html" else raw
    plain = re.sub(r"^[#>\s]+|[*_`]+", "", plain, flags=re.MULTILINE)
    per_line = max(int(content.width / 7.5), 10)
    lines = [w for p in plain.splitlines() for w in (textwrap.wrap(p, per_line) or [""])]
    for index, text in enumerate(lines[: max(int(content.height / 18), 0)]):
        content.canvas.text(content.left, content.top + index * 18 + 9, text, 13, TEXT)


def draw_other(content: Content) -> None:
    """A type without a drawing of its own (alert lists, plugins): named, like a placeholder."""
    kind = str(content.panel.get("type"))
    text = "No alerts" if kind == "alertlist" else f"{kind} panel"
    content.centred(text, 14, TEXT_WEAK)
