"""A structural LogQL check. No LogQL parser runs in Python (PyPI has only converters; the
real ones are Loki's Go parser and Grafana's @grafana/lezer-logql on npm), so this checks
what breaks a Loki query most often: quotes and brackets, a stream selector with valid
matchers, line filters, and pipeline stages Loki knows. tests/test_logql_oracle.py holds it
to Grafana's grammar on a corpus of valid and broken queries."""

from __future__ import annotations

import re
from itertools import pairwise

MATCHER_RE = re.compile(r'\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*')
_STRING = r'("(?:[^"\\]|\\.)*"|`[^`]*`)'
LINE_FILTER_RE = re.compile(rf"(\|=|!=|\|~|!~)\s*({_STRING}|ip\({_STRING}\))(\s+or\s+{_STRING})*")
PARSERS = {"json", "logfmt", "unpack", "decolorize"}
WITH_ARGUMENT = {"regexp", "pattern", "line_format", "label_format", "unwrap", "drop", "keep"}
LABEL_FILTER_RE = re.compile(
    r'^[a-zA-Z_][a-zA-Z0-9_.]*\s*(=~|!~|!=|==|=|>=|<=|>|<)\s*("(?:[^"\\]|\\.)*"|`[^`]*`|'
    r"[0-9.]+[a-zA-Z]*)(\s*(and|or|,)\s*.+)?$"
)
VARIABLE_RE = re.compile(r"\$\{\w+(?::[^}]*)?\}|\$\w+|\[\[\w+\]\]")


LABEL_AT_END_RE = re.compile(r"(?<![\w.])([a-zA-Z_][a-zA-Z0-9_.]*)\s*$")


def _unquoted(text: str) -> tuple[list[tuple[int, str]], bool]:
    """The characters of ``text`` outside quoted strings ("..." with backslash escapes, or
    `...` raw), with their indices, and whether a string is left open at the end."""
    chars: list[tuple[int, str]] = []
    quote: str | None = None
    escaped = False
    for index, char in enumerate(text):
        if quote is None:
            if char in '"`':
                quote = char
            else:
                chars.append((index, char))
        elif escaped:
            escaped = False
        elif char == "\\" and quote == '"':
            escaped = True
        elif char == quote:
            quote = None
    return chars, quote is not None


def _balanced(expr: str) -> str | None:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    chars, string_open = _unquoted(expr)
    for _, char in chars:
        if char in "([{":
            stack.append(char)
        elif char in ")]}" and (not stack or stack.pop() != pairs[char]):
            return f"unbalanced {char!r}"
    if string_open:
        return "unclosed string"
    return f"unclosed {stack[-1]!r}" if stack else None


def _split_pipeline(text: str) -> list[str]:
    """Stages after the selector: cut before each | and each != or !~ that starts a line
    filter (after a label name, != and !~ compare the label instead)."""
    cuts = [0]
    for index, char in _unquoted(text)[0]:
        if char == "|" or (
            text[index : index + 2] in ("!=", "!~") and not _compares_label(text[cuts[-1] : index])
        ):
            cuts.append(index)
    stages = (text[start:end] for start, end in zip(cuts, [*cuts[1:], len(text)], strict=True))
    return [stage.strip() for stage in stages if stage.strip()]


def _compares_label(stage: str) -> bool:
    """Whether ``stage`` ends with a label name waiting for its comparison operator."""
    label = LABEL_AT_END_RE.search(stage)
    return label is not None and label.group(1) not in PARSERS and stage.lstrip().startswith("|")


def _end_outside_strings(text: str, ends: str) -> int:
    """Index of the first of ``ends`` outside quoted strings and parentheses opened in
    ``text`` (an unmatched ")" ends too), else len(text)."""
    depth = 0
    for index, char in _unquoted(text)[0]:
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif char in ends and not depth:
            return index
    return len(text)


def ranges(expr: str) -> list[str]:
    """What each [range] of a metric query holds, as written (variables kept)."""
    found: list[str] = []
    start: int | None = None
    for index, char in _unquoted(expr)[0]:
        if char == "[":
            start = index
        elif char == "]" and start is not None:
            found.append(expr[start + 1 : index])
            start = None
    return found


def check(expr: str) -> str | None:
    """None when ``expr`` looks like valid LogQL, else what is wrong."""
    text = VARIABLE_RE.sub("x", expr.strip())
    problem = _balanced(text)
    if problem:
        return problem
    start = text.find("{")
    if start < 0:
        return 'no stream selector {label="value"}'
    end = start + 1 + _end_outside_strings(text[start + 1 :], "}")
    selector = text[start + 1 : end]
    if not selector.strip():
        return "the stream selector has no matcher"
    commas = [index for index, char in _unquoted(selector)[0] if char == ","]
    for after, before in pairwise([-1, *commas, len(selector)]):
        matcher = selector[after + 1 : before]
        if not MATCHER_RE.fullmatch(matcher):
            return f"invalid matcher {matcher.strip()!r}"
    rest = text[end + 1 :]
    # In a metric query the pipeline ends at the range or the closing parenthesis.
    for stage in _split_pipeline(rest[: _end_outside_strings(rest, "[)")]):
        if LINE_FILTER_RE.fullmatch(stage):
            continue
        if stage[:2] in ("|=", "!=", "|~", "!~"):
            return f"line filter {stage[:2]} needs a quoted string: {stage!r}"
        if not stage.startswith("|"):
            return f"unexpected {stage!r} after the selector"
        body = stage[1:].strip()
        word = body.split(" ", 1)[0]
        if word in PARSERS and body == word:
            continue
        if word in WITH_ARGUMENT:
            if body != word:
                continue
            return f"'| {word}' needs an argument"
        if LABEL_FILTER_RE.match(body):
            continue
        return f"unknown pipeline stage {stage!r}"
    return None
