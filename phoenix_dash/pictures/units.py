"""Values as Grafana writes them: its unit ids and its rounding, read from Grafana's
``packages/grafana-data/src/valueFormats`` (valueFormats.ts, categories.ts,
symbolFormatters.ts, dateTimeFormatters.ts, arithmeticFormatters.ts). A unit Grafana does
not know is written after the number, as Grafana does."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Formatter = Callable[[float, int | None], str]

# Powers of 1000 (the SIPrefix that valueFormats.test.ts and symbolFormatters.test.ts
# expect: 1000 V is "1 kV", 1e7 kB "10.000 GB").
SI_PREFIXES = ("f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y")
SI_BASE = SI_PREFIXES.index("")
BIN_PREFIXES = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi")


def _js_number(value: float) -> str:
    """``String(number)`` in JavaScript, for the values toFixed produces."""
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    return text if "e" not in text else f"{value:g}"


def _decimals_for(value: float) -> int:
    """getDecimalsForValue: enough decimals to show the value's leading digits."""
    magnitude = math.floor(math.log10(abs(value)))
    decimals = -magnitude + 1
    if value / 10 ** (-decimals) > 2.25:  # "special case for 2.5, requires an extra decimal"
        decimals += 1
    if value % 1 == 0:
        decimals = 0
    return max(0, decimals)


def to_fixed(value: float, decimals: int | None = None) -> str:
    """Grafana's toFixed: rounded half away from zero as Math.round does, padded with zeros
    to ``decimals`` (chosen from the value when None)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if decimals is None:
        decimals = _decimals_for(value) if value else 0
    decimals = max(0, decimals)
    if value == 0:
        return f"{0:.{decimals}f}"
    factor = 10**decimals
    rounded = math.floor(value * factor + 0.5) / factor  # Math.round: half up
    text = _js_number(rounded)
    if "e" in text:
        return text
    precision = len(text) - text.index(".") - 1 if "." in text else 0
    if precision < decimals:
        text = (text if precision else text + ".") + "0" * (decimals - precision)
    return text


def fixed_unit(unit: str, as_prefix: bool = False) -> Formatter:
    def format_value(value: float, decimals: int | None) -> str:
        text = to_fixed(value, decimals)
        if not unit:
            return text
        return f"{unit}{text}" if as_prefix else f"{text} {unit}"

    return format_value


def scaled_units(factor: float, suffixes: Sequence[str], offset: int = 0) -> Formatter:
    def format_value(value: float, decimals: int | None) -> str:
        if math.isnan(value) or math.isinf(value):
            return to_fixed(value)
        index = math.floor(math.log(abs(value), factor)) if value else 0
        index = min(max(index, -offset), len(suffixes) - offset - 1)
        return to_fixed(value / factor**index, decimals) + suffixes[offset + index]

    return format_value


def si_prefix(unit: str, offset: int = 0) -> Formatter:
    return scaled_units(1000, [f" {p}{unit}" for p in SI_PREFIXES], SI_BASE + offset)


def binary_prefix(unit: str, offset: int = 0) -> Formatter:
    return scaled_units(1024, [f" {p}{unit}" for p in BIN_PREFIXES], offset)


def count_unit(symbol: str) -> Formatter:
    scaler = scaled_units(1000, ["", "K", "M", "B", "T"])
    return lambda value, decimals: f"{scaler(value, decimals)} {symbol}"


def currency(symbol: str, as_suffix: bool = False) -> Formatter:
    scaler = scaled_units(1000, ["", "K", "M", "B", "T"])

    def format_value(value: float, decimals: int | None) -> str:
        text = scaler(abs(value), decimals)
        text = f"{text}{symbol}" if as_suffix else f"{symbol}{text}"
        return f"-{text}" if value < 0 else text

    return format_value


def _time_scales(scales: Sequence[tuple[float, float, str]]) -> Formatter:
    """(below this, divide by that, suffix), in order; the last applies above all."""

    def format_value(value: float, decimals: int | None) -> str:
        for below, divisor, suffix in scales:
            if abs(value) < below:
                return to_fixed(value / divisor, decimals) + suffix
        _, divisor, suffix = scales[-1]
        return to_fixed(value / divisor, decimals) + suffix

    return format_value


def seconds(value: float, decimals: int | None) -> str:
    size = abs(value)
    if size and size < 1e-6:
        return to_fixed(value * 1e9, decimals) + " ns"
    if size and size < 1e-3:
        return to_fixed(value * 1e6, decimals) + " µs"
    if size < 1 and size:
        return to_fixed(value * 1e3, decimals) + " ms"
    for below, divisor, suffix in (
        (60, 1, " s"),
        (3600, 60, " min"),
        (86400, 3600, " hour"),
        (604800, 86400, " day"),
        (31536000, 604800, " week"),
    ):
        if size < below:
            return to_fixed(value / divisor, decimals) + suffix
    return to_fixed(value / 3.15569e7, decimals) + " year"


INF = math.inf
milliseconds = _time_scales(
    [
        (1000, 1, " ms"),
        (60000, 1000, " s"),
        (3600000, 60000, " min"),
        (86400000, 3600000, " hour"),
        (31536000000, 86400000, " day"),
        (INF, 31536000000, " year"),
    ]
)


SHORT = scaled_units(1000, ["", " K", " Mil", " Bil", " Tri", " Quadr", " Quint", " Sext", " Sept"])

FORMATS: dict[str, Formatter] = {
    "none": fixed_unit(""),
    "short": SHORT,
    "percent": lambda v, d: to_fixed(v, d) + "%",
    "percentunit": lambda v, d: to_fixed(100 * v, d) + "%",
    "bits": binary_prefix("b"),
    "bytes": binary_prefix("B"),
    "kbytes": binary_prefix("B", 1),
    "mbytes": binary_prefix("B", 2),
    "gbytes": binary_prefix("B", 3),
    "decbits": si_prefix("b"),
    "decbytes": si_prefix("B"),
    "deckbytes": si_prefix("B", 1),
    "decmbytes": si_prefix("B", 2),
    "decgbytes": si_prefix("B", 3),
    "pps": si_prefix("pps"),
    "bps": si_prefix("bps"),
    "Bps": si_prefix("B/s"),
    "KBs": si_prefix("B/s", 1),
    "MBs": si_prefix("B/s", 2),
    "binBps": binary_prefix("B/s"),
    "hertz": si_prefix("Hz"),
    "ns": _time_scales(
        [
            (1e3, 1, " ns"),
            (1e6, 1e3, " µs"),
            (1e9, 1e6, " ms"),
            (6e10, 1e9, " s"),
            (INF, 6e10, " min"),
        ]
    ),
    "µs": _time_scales([(1e3, 1, " µs"), (1e6, 1e3, " ms"), (INF, 1e6, " s")]),
    "ms": milliseconds,
    "s": seconds,
    "m": _time_scales(
        [
            (60, 1, " min"),
            (1440, 60, " hour"),
            (10080, 1440, " day"),
            (604800, 10080, " week"),
            (INF, 5.25948e5, " year"),
        ]
    ),
    "h": _time_scales(
        [(24, 1, " hour"), (168, 24, " day"), (8760, 168, " week"), (INF, 8760, " year")]
    ),
    "d": _time_scales([(7, 1, " day"), (365, 7, " week"), (INF, 365, " year")]),
    "cps": count_unit("cps"),
    "ops": count_unit("ops"),
    "reqps": count_unit("reqps"),
    "rps": count_unit("rps"),
    "wps": count_unit("wps"),
    "iops": count_unit("iops"),
    "cpm": count_unit("cpm"),
    "opm": count_unit("opm"),
    "currencyUSD": currency("$"),
    "currencyEUR": currency("€"),
    "currencyGBP": currency("£"),
    "currencyKRW": currency("₩"),
    "watt": si_prefix("W"),
    "megwatt": si_prefix("W", 2),
    "kohm": si_prefix("Ω", 1),
    "Mohm": si_prefix("Ω", 2),
    "farad": si_prefix("F"),
    "µfarad": si_prefix("F", -2),
    "celsius": fixed_unit("°C"),
    "dB": fixed_unit("dB"),
}


def formatter(unit: str | None) -> Formatter:
    """Grafana's getValueFormat: a known id, or ``prefix:``, ``suffix:``, ``si:``,
    ``count:``, ``currency:``; anything else is written after the number."""
    if not unit:
        return FORMATS["none"]
    if unit in FORMATS:
        return FORMATS[unit]
    kind, _, rest = unit.partition(":")
    if rest:
        if kind == "prefix":
            return fixed_unit(rest, as_prefix=True)
        if kind == "suffix":
            return fixed_unit(rest)
        if kind == "si":
            offset = next(
                (
                    i - SI_BASE
                    for i, p in enumerate(SI_PREFIXES)
                    if p and rest.startswith(p) and len(rest) > len(p)
                ),
                0,
            )
            return si_prefix(rest[len(SI_PREFIXES[SI_BASE + offset]) :], offset)
        if kind == "count":
            return count_unit(rest)
        if kind == "currency":
            return currency(rest)
    return fixed_unit(unit)


def format_value(value: float, unit: str | None, decimals: int | None = None) -> str:
    """``value`` as a Grafana panel with this unit and decimals shows it."""
    return formatter(unit)(value, decimals)
