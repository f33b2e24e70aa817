"""A value axis as Grafana draws one: ticks on 1-2-5 steps of the unit's own scale (100 MiB,
200 MiB; 0.5 s, 1 s; 20 %, 40 %), every label with the decimals its step needs (never
``8, 9, 11, 12`` for ticks at 8, 9.33, 10.67, 12), and no label so near the bottom of the
axis that it would touch the time labels under it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .units import format_value, to_fixed

STEPS = (1.0, 2.0, 5.0, 10.0)
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
LABEL_HALF_HEIGHT = 7.0  # px: a tick label centred closer than this to the bottom collides


@dataclass(frozen=True)
class ValueAxis:
    ticks: list[float]  # in the data's values
    labels: list[str]


def nice_step(rough: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten not below ``rough``."""
    power = 10.0 ** math.floor(math.log10(rough))
    return next(m * power for m in STEPS if m * power >= rough * (1 - 1e-9))


def value_axis(
    low: float, high: float, unit: str | None, most: int, height_px: float, decimals: int | None
) -> ValueAxis | None:
    """Ticks for values from ``low`` to ``high`` in ``unit``, at most ``most`` of them, on an
    axis ``height_px`` tall; ``decimals``: the panel's own, if it sets them. None where the
    unit writes no plain number (dates, ``1h 20m``): the caller keeps its own ticks."""
    scaled = _scale(max(abs(low), abs(high)), unit)
    if scaled is None or not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return None
    scale, prefix, suffix = scaled
    step = nice_step((high - low) / scale / max(most, 1))
    axis = _ticks(low, high, scale, step, height_px, decimals, (prefix, suffix))
    while len(axis.ticks) < 2 and step > (high - low) / scale / 20:
        step = smaller_step(step)  # two labels at least: one says nothing of the scale
        axis = _ticks(low, high, scale, step, height_px, decimals, (prefix, suffix))
    return axis if axis.ticks else None


def smaller_step(step: float) -> float:
    """The 1-2-5 step below ``step``: 500 -> 200 -> 100 -> 50."""
    power = 10.0 ** math.floor(math.log10(step) + 1e-9)
    mantissa = round(step / power)
    return {1: 0.5, 2: 1.0, 5: 2.0}.get(mantissa, 1.0) * power


def _ticks(
    low: float,
    high: float,
    scale: float,
    step: float,
    height_px: float,
    decimals: int | None,
    around: tuple[str, str],
) -> ValueAxis:
    places = decimals if decimals is not None else max(0, -math.floor(math.log10(step) + 1e-9))
    first, last = math.ceil(low / scale / step - 1e-9), math.floor(high / scale / step + 1e-9)
    ticks, labels = [], []
    for index in range(first, last + 1):
        shown = index * step
        value = shown * scale
        if (value - low) / (high - low) * height_px < LABEL_HALF_HEIGHT:
            continue  # it would sit on the time axis's labels
        ticks.append(value)
        labels.append(f"{around[0]}{to_fixed(shown, places)}{around[1]}")
    return ValueAxis(ticks, labels)


def _scale(top: float, unit: str | None) -> tuple[float, str, str] | None:
    """(what the unit divides values of this size by, the text before the number, after
    it): 1048576 and " MiB" for bytes around 500 MiB."""
    if not top or not math.isfinite(top):
        return None
    shown = format_value(top, unit, 6)
    found = NUMBER.search(shown)
    if found is None or float(found.group()) == 0:
        return None
    prefix, suffix = shown[: found.start()], shown[found.end() :]
    if any(c.isdigit() for c in prefix + suffix):
        return None  # several numbers (1h 20m), a date
    return top / abs(float(found.group())), prefix, suffix
