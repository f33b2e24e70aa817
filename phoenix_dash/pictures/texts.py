"""Panels drawn as text: logs, text (markdown as Grafana's text panel shows it: headings,
lists, quotes, code; HTML with its tags dropped), and the types without a drawing of
their own."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

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


# Markdown's block kinds, as Grafana's text panel shows them: (size px, bold, colour, indent).
HEADINGS = {1: (22, True), 2: (18, True), 3: (15, True)}
INLINE = (
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images: their text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])"), r"\2"),  # italics
    (re.compile(r"`([^`]*)`"), r"\1"),  # code spans
)


@dataclass(frozen=True)
class Block:
    """One line of a text panel, drawn as its markdown says."""

    text: str
    size: float = 13
    bold: bool = False
    colour: str = TEXT
    indent: float = 0
    mono: bool = False


def markdown_blocks(source: str, html: bool) -> list[Block]:
    """The text panel's content as lines to draw: headings larger and bold, list items
    with a bullet, quotes dimmed, code in a monospaced font, inline markup dropped."""
    if html:
        source = re.sub(r"<br\s*/?>|</p>|</h\d>|</li>", "\n", source, flags=re.IGNORECASE)
        source = re.sub(r"<[^>]+>", "", source)
    blocks: list[Block] = []
    in_code = False
    for raw in source.splitlines():
        if raw.strip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            blocks.append(Block(raw, 12, mono=True, indent=8))
            continue
        blocks.append(_block(raw.rstrip()))
    return blocks


def _block(line: str) -> Block:
    heading = re.match(r"^(#{1,6})\s+(.*)", line)
    if heading:
        size, bold = HEADINGS.get(len(heading.group(1)), (14, True))
        return Block(_inline(heading.group(2)), size, bold)
    item = re.match(r"^(\s*)([-*+]|\d+[.)])\s+(.*)", line)
    if item:
        marker = "•" if item.group(2) in "-*+" else item.group(2)
        return Block(f"{marker} {_inline(item.group(3))}", indent=8 + 4 * len(item.group(1)))
    quote = re.match(r"^>\s?(.*)", line)
    if quote:
        return Block(_inline(quote.group(1)), colour=TEXT_WEAK, indent=10)
    return Block(_inline(line))


def _inline(text: str) -> str:
    for pattern, replacement in INLINE:
        text = pattern.sub(replacement, text)
    return text


def draw_text(content: Content) -> None:
    raw = str(content.options.get("content") or content.panel.get("content") or "")
    blocks = markdown_blocks(raw, content.options.get("mode") == "html")
    top, bottom = content.top, content.top + content.height
    for block in blocks:
        line_height = block.size * 1.4
        per_line = max(int((content.width - block.indent) / (block.size * 0.58)), 10)
        for text in textwrap.wrap(block.text, per_line) or [""]:
            if top + line_height > bottom:
                return
            if text:
                content.canvas.text(
                    content.left + block.indent,
                    top + line_height / 2,
                    text,
                    block.size,
                    block.colour,
                    weight="bold" if block.bold else "normal",
                    **({"family": "DejaVu Sans Mono"} if block.mono else {}),
                )
            top += line_height


def draw_other(content: Content) -> None:
    """A type without a drawing of its own (alert lists, plugins): named, like a placeholder."""
    kind = str(content.panel.get("type"))
    text = "No alerts" if kind == "alertlist" else f"{kind} panel"
    content.centred(text, 14, TEXT_WEAK)
