"""Line numbers in a JSON text, by JSON pointer (``/panels/3/targets/0``).

The json module parses without positions; so that findings in a JSON file name a line (for
editors, GitHub annotations and SARIF), and errors about a JSON file can too, this walks the
text once more, recording where each member and item starts."""

from __future__ import annotations

import json
import re
from bisect import bisect_right

WHITESPACE = re.compile(r"[ \t\n\r]*")
_SCALARS = json.JSONDecoder()  # decodes one string, number, true, false or null


def pointer_lines(text: str) -> dict[str, int]:
    """Pointer -> 1-based line where that value (or its key, in an object) starts.
    ``text`` must be valid JSON."""
    breaks = [match.start() for match in re.finditer("\n", text)]
    lines: dict[str, int] = {}

    def line_at(position: int) -> int:
        return bisect_right(breaks, position - 1) + 1

    def skip(position: int) -> int:
        match = WHITESPACE.match(text, position)
        return match.end() if match else position

    def value(position: int, pointer: str) -> int:
        """Record ``pointer`` and everything under it; return where the value ends."""
        position = skip(position)
        lines.setdefault(pointer, line_at(position))
        opener = text[position]
        if opener not in "{[":
            return _SCALARS.raw_decode(text, position)[1]
        closer, index = ("}" if opener == "{" else "]"), 0
        position = skip(position + 1)
        while text[position] != closer:
            if opener == "{":
                key_start = position
                key, position = _SCALARS.raw_decode(text, position)
                child = f"{pointer}/{key}"
                lines[child] = line_at(key_start)
                position = skip(position) + 1  # past the ':'
            else:
                child = f"{pointer}/{index}"
                index += 1
            position = skip(value(position, child))
            if text[position] == ",":
                position = skip(position + 1)
        return position + 1

    value(0, "")
    return lines


def line_of(pointer: str, lines: dict[str, int]) -> int | None:
    """The line of ``pointer``, or of its nearest enclosing value that has one."""
    while True:
        if pointer in lines:
            return lines[pointer]
        if not pointer:
            return None
        pointer = pointer.rpartition("/")[0]
