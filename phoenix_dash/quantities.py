"""Quantities as people write them in YAML: Kubernetes resource quantities (``64Gi``,
``500m``), percentages (``80%``) and Prometheus durations (``1h30m``, ``500ms``)."""

from __future__ import annotations

import re

BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
DECIMAL = {
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "": 1,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
}
QUANTITY_RE = re.compile(
    r"^(?P<number>[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)(?P<suffix>[a-zA-Z]*)$"
)
PERCENT_RE = re.compile(r"^(?P<number>[+-]?(\d+(\.\d*)?|\.\d+))\s*%$")
DURATION_RE = re.compile(
    r"^((?P<y>\d+)y)?((?P<w>\d+)w)?((?P<d>\d+)d)?((?P<h>\d+)h)?"
    r"((?P<m>\d+)m)?((?P<s>\d+)s)?((?P<ms>\d+)ms)?$"
)
DURATION_UNITS = {
    "y": 365 * 86400,
    "w": 7 * 86400,
    "d": 86400,
    "h": 3600,
    "m": 60,
    "s": 1,
    "ms": 0.001,
}


class QuantityError(ValueError):
    """A value that is not a quantity of the expected kind (the message says why)."""


def parse_quantity(value: str | int | float) -> float:
    """``"64Gi"`` -> 68719476736.0, ``"500m"`` -> 0.5, ``32`` -> 32.0."""
    if isinstance(value, bool):
        raise QuantityError(f"{value!r} is not a quantity")
    if isinstance(value, (int, float)):
        return float(value)
    match = QUANTITY_RE.match(value.strip())
    if not match:
        raise QuantityError(f"{value!r} is not a quantity like 32, 500m, 64Gi or 1.5G")
    suffix = match.group("suffix")
    factor = BINARY.get(suffix) or DECIMAL.get(suffix)
    if factor is None:
        known = ", ".join([*BINARY, *(s for s in DECIMAL if s)])
        raise QuantityError(f"{value!r} has an unknown unit {suffix!r} (known: {known})")
    return float(match.group("number")) * factor


def parse_percent(value: str | int | float) -> float:
    """``"80%"`` -> 0.8. Bare numbers are refused: is 0.8 meant as 0.8 % or 80 %?"""
    match = PERCENT_RE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise QuantityError(f"{value!r} is not a percentage like 80%")
    return float(match.group("number")) / 100


def parse_duration(value: str) -> float:
    """A Prometheus duration (``5m``, ``1h30m``, ``250ms``) in seconds."""
    match = DURATION_RE.match(value.strip()) if isinstance(value, str) else None
    if not match or not value.strip():
        raise QuantityError(f"{value!r} is not a duration like 30s, 5m or 1h30m")
    return sum(int(n) * DURATION_UNITS[unit] for unit, n in match.groupdict().items() if n)


def format_duration(seconds: float) -> str:
    """``seconds`` as Prometheus writes a duration (model.Duration), which is also how Grafana
    stores a rule's ``for``: largest units first, years and weeks only when exact
    (``90`` -> ``1m30s``, ``604800`` -> ``1w``, ``0`` -> ``0s``)."""
    millis = round(seconds * 1000)
    if millis == 0:
        return "0s"
    out = ""
    for unit in ("y", "w", "d", "h", "m", "s"):
        size = int(DURATION_UNITS[unit] * 1000)
        if unit in ("y", "w") and millis % size:
            continue
        count, millis = divmod(millis, size)
        if count:
            out += f"{count}{unit}"
    return out + (f"{millis}ms" if millis else "")
