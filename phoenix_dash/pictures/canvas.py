"""A matplotlib figure addressed in page pixels from the top left, as Grafana's grid is,
and written deterministically: the same drawing gives the same PNG and SVG bytes (no
timestamps or version in the metadata, a fixed SVG id salt, glyphs as paths)."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot-free use too: no display, no GUI toolkit

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

DPI = 100
PT_PER_PX = 72 / DPI
# Fonts for the characters DejaVu Sans (bundled with matplotlib) has not, used where the
# machine has them (Debian: fonts-noto-cjk): matplotlib falls back glyph by glyph.
FALLBACK_FONTS = ("Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans Symbols 2")
INSTALLED = {font.name for font in font_manager.fontManager.ttflist}
RC: Any = {  # matplotlib types its settings by key
    "svg.hashsalt": "phoenix-dash",  # stable ids inside the SVG
    "svg.fonttype": "path",  # glyphs as paths: the same picture without the fonts
    "font.family": ["DejaVu Sans", *(f for f in FALLBACK_FONTS if f in INSTALLED)],
    "axes.unicode_minus": False,
}
MISSING_GLYPH = re.compile(r"Glyph (\d+) .*missing from font")


class Canvas:
    def __init__(self, width: float, height: float, background: str) -> None:
        self.width, self.height = width, height
        self.missing: set[str] = set()  # characters no installed font draws
        with matplotlib.rc_context(RC):
            self.figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor=background)

    def _x(self, px: float) -> float:
        return px / self.width

    def _y(self, px: float) -> float:
        return 1 - px / self.height

    def rect(
        self,
        left: float,
        top: float,
        width: float,
        height: float,
        fill: str,
        edge: str | None = None,
        line: float = 1.0,
        zorder: float = 0,
    ) -> None:
        self.figure.patches.append(
            Rectangle(
                (self._x(left), self._y(top + height)),
                width / self.width,
                height / self.height,
                transform=self.figure.transFigure,
                facecolor=fill,
                edgecolor=edge or fill,
                linewidth=line,
                zorder=zorder,
            )
        )

    def text(
        self,
        left: float,
        top: float,
        text: str,
        size_px: float,
        colour: str,
        **style: Any,
    ) -> None:
        """``text`` anchored at (left, top) pixels; ``style``: matplotlib's (ha, va, ...)."""
        with matplotlib.rc_context(RC):
            self.figure.text(
                self._x(left),
                self._y(top),
                text,
                fontsize=size_px * PT_PER_PX,
                color=colour,
                **{"va": "center", **style},
            )

    def axes(self, left: float, top: float, width: float, height: float, fill: str) -> Axes:
        with matplotlib.rc_context(RC):
            ax = self.figure.add_axes(
                (
                    self._x(left),
                    self._y(top + max(height, 1)),
                    max(width, 1) / self.width,
                    max(height, 1) / self.height,
                )
            )
        ax.set_facecolor(fill)
        ax.set_zorder(2)  # over the panel's frame, a figure patch drawn after axes of equal order
        return ax

    @contextmanager
    def _drawing(self) -> Iterator[None]:
        """matplotlib's settings, and its warning per missing glyph (per text, per format:
        a flood on stderr) gathered into ``missing`` for the caller to say once."""
        with matplotlib.rc_context(RC), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        for warning in caught:
            found = MISSING_GLYPH.search(str(warning.message))
            if found:
                self.missing.add(chr(int(found.group(1))))
            else:
                warnings.warn_explicit(
                    warning.message, warning.category, warning.filename, warning.lineno
                )

    def png(self) -> bytes:
        with self._drawing():
            out = io.BytesIO()
            self.figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
        return out.getvalue()

    def svg(self) -> bytes:
        with self._drawing():
            out = io.BytesIO()
            self.figure.savefig(
                out, format="svg", dpi=DPI, metadata={"Date": None, "Creator": None}
            )
        return out.getvalue()
