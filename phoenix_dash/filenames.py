"""File names made from what a file or a module says (a dashboard's uid, its title): the one
rule for a name that can never leave the directory it is written into. Any run of other
characters than the allowed ones (a slash, a dot, a space) becomes one joiner, so
``../../docs/x`` is ``docs-x``; a name that keeps nothing is the fallback."""

from __future__ import annotations

import re

UID_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")
IDENTIFIER_WORDS = re.compile(r"[a-z0-9]+")


def safe_stem(
    text: str,
    fallback: str,
    words: re.Pattern[str] = UID_CHARACTERS,
    joiner: str = "-",
    limit: int = 80,
) -> str:
    """``text`` as a file name without an extension: the runs ``words`` matches, joined by
    ``joiner``, at most ``limit`` characters, never empty, never ``.`` or ``..``."""
    stem = joiner.join(words.findall(text))[:limit].strip(joiner)
    return stem or fallback


def module_stem(title: str) -> str:
    """A Python module name for a dashboard titled ``title`` (what ``adopt`` writes)."""
    return safe_stem(title.lower(), "adopted", IDENTIFIER_WORDS, "_", 60)
