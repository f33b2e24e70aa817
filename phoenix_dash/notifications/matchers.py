"""Alertmanager's label matchers (``severity="critical"``, ``team=~"db|infra"``), as its
configuration and Grafana's notification policies write them, and what they match: a label an
alert does not carry has the value "", and a regular expression must match the whole value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

OPERATORS = ("=~", "!~", "!=", "=")
MATCHER = re.compile(r"^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$", re.DOTALL)
ESCAPES = {'"': '"', "\\": "\\", "n": "\n"}


class MatcherError(ValueError):
    """A matcher that does not parse, or whose regular expression does not compile."""


@dataclass(frozen=True)
class Matcher:
    name: str
    operator: str  # one of OPERATORS
    value: str

    @classmethod
    def parse(cls, text: str) -> Matcher:
        """``name op value``, the value quoted (with \\", \\\\ and \\n escapes) or bare."""
        found = MATCHER.match(text)
        if found is None:
            raise MatcherError(f'{text!r} is not a matcher such as severity="critical"')
        name, operator, raw = found.groups()
        return cls.of(name, operator, _unquoted(raw, text))

    @classmethod
    def of(cls, name: str, operator: str, value: str) -> Matcher:
        matcher = cls(name, operator, value)
        if operator in ("=~", "!~"):
            matcher.pattern()  # an invalid expression is an error where it is written
        return matcher

    def pattern(self) -> re.Pattern[str]:
        try:
            return _anchored(self.value)
        except re.error as exc:
            raise MatcherError(f"{self}: invalid regular expression: {exc}") from None

    def matches(self, labels: Mapping[str, str]) -> bool:
        value = labels.get(self.name, "")
        if self.operator == "=":
            return value == self.value
        if self.operator == "!=":
            return value != self.value
        found = self.pattern().fullmatch(value) is not None
        return found if self.operator == "=~" else not found

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'{self.name}{self.operator}"{escaped}"'


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _anchored(expression: str) -> re.Pattern[str]:
    """Compiled once per expression: a tree is asked about many label sets."""
    found = _PATTERNS.get(expression)
    if found is None:
        found = _PATTERNS[expression] = re.compile(f"(?:{expression})")
    return found


def _unquoted(raw: str, text: str) -> str:
    if not (len(raw) >= 2 and raw[0] == raw[-1] == '"'):
        return raw
    out, chars = [], iter(raw[1:-1])
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if escaped not in ESCAPES:
                raise MatcherError(f"{text!r}: unknown escape \\{escaped}")
            out.append(ESCAPES[escaped])
        elif char == '"':
            raise MatcherError(f'{text!r}: a quote inside the value must be written \\"')
        else:
            out.append(char)
    return "".join(out)


def all_match(matchers: tuple[Matcher, ...], labels: Mapping[str, str]) -> bool:
    return all(matcher.matches(labels) for matcher in matchers)
