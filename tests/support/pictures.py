"""What the picture tests share: whether matplotlib (the render extra) is there, and the
texts a picture holds."""

from __future__ import annotations

import importlib.util
import re

from tests.support.project import require

HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None


def needs_matplotlib() -> None:
    require(HAS_MATPLOTLIB, "matplotlib not installed (pip install -e '.[render]')")


def svg_texts(svg: bytes | str) -> list[str]:
    """The texts drawn in a picture: matplotlib writes each as a comment before its glyphs."""
    text = svg.decode() if isinstance(svg, bytes) else svg
    return re.findall(r"<!-- (.*?) -->", text)
