"""Units at the edge: the only place where mJ, µm, J/cm², °C and % become SI floats.

Everything inside mtzsim is SI (m, s, kg, J, W, K). Users write quantities with
units (``"80mJ"``, ``"120um"``, ``"10J/cm2"``, ``"13%"``, ``"4weeks"``); a bare
number is refused with a message that names the field and the expected unit.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from functools import lru_cache

from mtzsim.constants import ZERO_CELSIUS
from mtzsim.errors import InputError

#: Kinds of quantity accepted at the edge: pint dimensionality and the SI unit returned.
KINDS: dict[str, tuple[str, str, str]] = {
    # kind: (pint dimensionality, SI unit, example)
    "energy": ("[energy]", "J", "80mJ"),
    "length": ("[length]", "m", "120um"),
    "time": ("[time]", "s", "2.7ms"),
    "power": ("[power]", "W", "30W"),
    "fluence": ("[energy] / [length] ** 2", "J/m**2", "10J/cm2"),
    "irradiance": ("[power] / [length] ** 2", "W/m**2", "100kW/cm2"),
    "frequency": ("1 / [time]", "Hz", "300Hz"),
    "areal_density": ("1 / [length] ** 2", "1/m**2", "100/cm2"),
    "area": ("[length] ** 2", "m**2", "1cm2"),
}


@lru_cache(maxsize=1)
def _registry():
    import pint

    ureg = pint.UnitRegistry()
    return ureg


_ALIASES = [
    (re.compile(r"µ|μ"), "u"),
    (re.compile(r"(?<=[a-zA-Z])2\b"), "**2"),  # cm2 -> cm**2, mm2 -> mm**2
    (re.compile(r"(?<=[a-zA-Z])3\b"), "**3"),
    (re.compile(r"\bum\b"), "micrometer"),
    (re.compile(r"\bus\b"), "microsecond"),
    (re.compile(r"°C|\bdegC\b|\bC\b"), "degC"),
    (re.compile(r"\bweeks?\b"), "week"),
    (re.compile(r"\bdays?\b|\bd\b"), "day"),
    (re.compile(r"\bmonths?\b|\bmo\b"), "month"),
    (re.compile(r"\bh\b|\bhours?\b"), "hour"),
]


def _pint_parse_errors() -> tuple[type[BaseException], ...]:
    """What pint's string parser raises for text that is no quantity (seen by fuzzing pint 0.25:
    its own errors, tokenizer errors, failed internal asserts, and arithmetic on the literals)."""
    import tokenize

    from pint.errors import PintError

    return (PintError, tokenize.TokenError, AssertionError, ValueError, TypeError, ArithmeticError,
            AttributeError, KeyError, IndexError, SyntaxError, RecursionError)


_PINT_PARSE_ERRORS = _pint_parse_errors()


#: The text the edge reads as a quantity: one number (ASCII digits, or nan/inf for a clear refusal),
#: then unit names (letters, µ, Ω) joined by spaces, ``*``, ``·`` or ``/``, each with an optional
#: one-digit power (``cm2``, ``cm^2``, ``cm**2``, ``cm²``). No arithmetic, no parentheses, no unit
#: without a number: pint's expression evaluator never sees ``9**9**9mJ`` (it would run for ever),
#: ``2**100000mJ`` (overflow), ``20mJ + 5mJ`` or a bare ``mJ`` (read by pint as 1 mJ).
_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:nan|inf(?:inity)?)"
_UNIT_NAME = r"[A-Za-zµμΩ_]+(?:\s*(?:\*\*|\^)\s*-?[0-9]|[0-9]|[²³])?"
_UNIT_TEXT = re.compile(rf"(?:(?:{_NUMBER})\s*)?(?:[*/·]\s*)?{_UNIT_NAME}(?:\s*(?:[*/·]\s*)?{_UNIT_NAME})*",
                        re.IGNORECASE)  # what :func:`_normalise` passes to pint: the same, the number optional
_QUANTITY_TEXT = re.compile(rf"(?:{_NUMBER})\s*(?:[*/·]\s*)?{_UNIT_NAME}(?:\s*(?:[*/·]\s*)?{_UNIT_NAME})*",
                            re.IGNORECASE)

#: Longest quantity text read [characters] ("20 millijoule per square centimeter" has 35); a
#: 100,000-letter unit name keeps pint busy for minutes.
_LONGEST_QUANTITY = 64


def _refuse_long(text: str, field: str, expected: str) -> None:
    """InputError when ``text`` is longer than any quantity: the regular expressions and pint's
    unit-name search take time that grows with the square of the length (a 20,000-digit text: 10 s)."""
    if len(text) > _LONGEST_QUANTITY:
        raise InputError(field, f"{text[:24]!r}… is {len(text)} characters long; write {expected}")


def _normalise(text: str) -> str:
    """``text`` in pint's spelling (``um`` → ``micrometer``, ``cm2`` → ``cm**2``).

    Raises ValueError for text that is no optional number and unit (:data:`_UNIT_TEXT`) or is longer
    than :data:`_LONGEST_QUANTITY`: pint would evaluate it (``9**9**9mJ`` runs for ever). Every caller
    that hands text to pint goes through here (the sweep file's ranges too).
    """
    out = text.strip()
    if len(out) > _LONGEST_QUANTITY or not _UNIT_TEXT.fullmatch(out):
        raise ValueError(f"not a number and a unit: {out[:_LONGEST_QUANTITY]!r}")
    for pattern, repl in _ALIASES:
        out = pattern.sub(repl, out)
    return out


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def parse_quantity(value, kind: str, field: str) -> float:
    """Convert a quantity with units to an SI float.

    Parameters
    ----------
    value : str
        The quantity as the user wrote it, e.g. ``"80mJ"`` or ``"10 J/cm2"``.
    kind : str
        One of :data:`KINDS` (``"energy"``, ``"length"``, ...).
    field : str
        Name of the field, used in the error message.

    Returns
    -------
    float
        The value in the SI unit of ``kind`` (J, m, s, W, J/m², ...).

    Raises
    ------
    InputError
        Bare number, unknown unit, wrong dimension, NaN or infinity.
    """
    dim, si_unit, example = KINDS[kind]
    if isinstance(value, bool) or value is None:
        raise InputError(field, f"expected {_a(kind)} with a unit, such as {example!r}")
    if isinstance(value, (int, float)):
        raise InputError(
            field, f"a bare number ({value!r}) has no unit; write {_a(kind)} with a unit, such as {example!r}"
        )
    if not isinstance(value, str):
        raise InputError(field, f"expected {_a(kind)} with a unit, such as {example!r}, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise InputError(field, f"empty; expected {_a(kind)} such as {example!r}")
    _refuse_long(text, field, f"{_a(kind)} such as {example!r}")
    if re.fullmatch(_NUMBER, text, re.IGNORECASE):
        raise InputError(
            field, f"a bare number ({text!r}) has no unit; write {_a(kind)} with a unit, such as {example!r}"
        )
    number = re.match(_NUMBER, text, re.IGNORECASE)
    if not number:
        raise InputError(field, f"{text!r} has no number; write {_a(kind)} such as {example!r}")
    if not _QUANTITY_TEXT.fullmatch(text):
        raise InputError(field, f"cannot read {text!r} as {_a(kind)}: write one number and a unit, such as "
                                f"{example!r}")
    if not math.isfinite(float(number.group())):
        raise InputError(field, f"{text!r} is not a finite number")
    ureg = _registry()
    try:  # pint reads the unit alone: the number stays the decimal the user wrote
        unit = ureg.Quantity(_normalise(f"1 {text[number.end():]}"))
    except _PINT_PARSE_ERRORS:
        raise InputError(field, f"cannot read {text!r} as {_a(kind)}; write e.g. {example!r}") from None
    if not hasattr(unit, "magnitude") or unit.dimensionless:
        raise InputError(
            field, f"{text!r} has no unit; write {_a(kind)} with a unit, such as {example!r}"
        )
    if not unit.check(dim):
        raise InputError(field, f"{text!r} is not {_a(kind)} (units {unit.units:~}); write e.g. {example!r}")
    # the number times the unit's factor in exact arithmetic, then the nearest double: pint's float
    # chain left noise ("5um" gave 4.9999999999999996e-06 m, refused as below the 5 µm limit); a
    # unit's factor is a short decimal (1e-06, 3600, 1e4), so 15 digits of it are exact
    factor = Fraction(f"{float(unit.to(si_unit).magnitude):.15g}")
    try:
        si = float(Fraction(number.group()) * factor)
    except OverflowError:  # beyond the largest double
        si = math.inf
    if not math.isfinite(si):
        raise InputError(field, f"{text!r} is not a finite number")
    return si


def parse_in_unit(text, si_unit: str, field: str) -> float:
    """A quantity the user wrote (one number and a unit) in ``si_unit`` (``"J"``, ``"J/m2"``, ``"Hz"``).

    For a scenario key whose unit is known but whose kind is not one of :data:`KINDS` (a sweep
    range of any swept key); pint converts multiplicative units. A temperature (``si_unit`` "K") is read
    by :func:`parse_temperature`, so ``"5degC"`` (an offset unit pint does not multiply) is 278.15 K.

    Raises
    ------
    InputError
        No number and unit (``"mJ"`` alone is not 1 mJ), or pint cannot read or convert it; naming ``field``.
    """
    if si_unit == "K":
        return parse_temperature(text, field)
    if not (isinstance(text, str) and _QUANTITY_TEXT.fullmatch(text.strip())):
        raise InputError(field, f"cannot read {text!r} as a value in {si_unit}: write a number and a unit "
                                f"(e.g. '10mJ' for J)")
    try:
        return float(_registry().Quantity(_normalise(text)).to(_normalise(si_unit)).magnitude)
    except _PINT_PARSE_ERRORS:
        raise InputError(field, f"cannot read {text!r} as a value in {si_unit} (e.g. '10mJ' for J)") from None


def parse_fraction(value, field: str) -> float:
    """Convert ``"13%"`` to 0.13; bare numbers are refused (is 13 a fraction or a percent?)."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise InputError(field, f"expected a percentage such as '10%', got {value!r}")
    text = value.strip()
    _refuse_long(text, field, "a percentage such as '10%'")
    m = re.fullmatch(r"([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)\s*%", text)
    if not m:
        raise InputError(field, f"expected a percentage such as '10%', got {text!r}")
    frac = float(m.group(1)) / 100.0
    if not math.isfinite(frac):
        raise InputError(field, f"{text!r} is not a finite number")
    return frac


def parse_temperature(value, field: str) -> float:
    """Convert ``"5degC"``, ``"5°C"``, ``"-10 C"`` or ``"278.15K"`` to kelvin; bare numbers are refused.

    Temperatures are read here rather than by pint: an offset unit (°C) cannot be multiplied,
    which pint's expression parser does.
    """
    example = "5degC"
    if isinstance(value, bool) or not isinstance(value, str):
        raise InputError(field, f"expected a temperature with a unit, such as {example!r}, got {value!r}")
    text = value.strip()
    _refuse_long(text, field, f"a temperature such as {example!r}")
    m = re.fullmatch(r"([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)\s*(°C|degC|C|celsius|K|kelvin)", text)
    if not m:
        raise InputError(field, f"cannot read {text!r} as a temperature; write e.g. {example!r} or '278K'")
    number = float(m.group(1))
    kelvin = number if m.group(4) in ("K", "kelvin") else number + ZERO_CELSIUS
    if not math.isfinite(kelvin) or kelvin <= 0.0:
        raise InputError(field, f"{text!r} is not a temperature above absolute zero")
    return kelvin


def celsius_to_kelvin(t_c):
    """Temperature [°C] → [K]."""
    return t_c + ZERO_CELSIUS


def kelvin_to_celsius(t_k):
    """Temperature [K] → [°C]."""
    return t_k - ZERO_CELSIUS


# ---------------------------------------------------------------------------------------
# Display: SI values shown in the units people use, with sensible precision
# ---------------------------------------------------------------------------------------

#: Display units: name → (SI unit, factor, offset, symbol); shown = value_SI × factor + offset.
DISPLAY_UNITS: dict[str, tuple[str, float, float, str]] = {
    "m": ("m", 1.0, 0.0, "m"),
    "cm": ("m", 1e2, 0.0, "cm"),
    "mm": ("m", 1e3, 0.0, "mm"),
    "um": ("m", 1e6, 0.0, "µm"),
    "m2": ("m2", 1.0, 0.0, "m²"),
    "cm2": ("m2", 1e4, 0.0, "cm²"),
    "mm2": ("m2", 1e6, 0.0, "mm²"),
    "mm3": ("m3", 1e9, 0.0, "mm³"),
    "J": ("J", 1.0, 0.0, "J"),
    "mJ": ("J", 1e3, 0.0, "mJ"),
    "W": ("W", 1.0, 0.0, "W"),
    "J/cm2": ("J/m2", 1e-4, 0.0, "J/cm²"),
    "W/cm2": ("W/m2", 1e-4, 0.0, "W/cm²"),
    "/cm2": ("1/m2", 1e-4, 0.0, "/cm²"),
    "K": ("K", 1.0, 0.0, "K"),
    "degC": ("K", 1.0, -ZERO_CELSIUS, "°C"),
    "s": ("s", 1.0, 0.0, "s"),
    "ms": ("s", 1e3, 0.0, "ms"),
    "us": ("s", 1e6, 0.0, "µs"),
    "min": ("s", 1 / 60, 0.0, "min"),
    "h": ("s", 1 / 3600, 0.0, "h"),
    "d": ("s", 1 / 86400, 0.0, "days"),
    "weeks": ("s", 1 / (7 * 86400), 0.0, "weeks"),
    "months": ("s", 1 / (30.4375 * 86400), 0.0, "months"),
    "Hz": ("Hz", 1.0, 0.0, "Hz"),
    "kJ/mol": ("J/mol", 1e-3, 0.0, "kJ/mol"),
    "%": ("1", 100.0, 0.0, "%"),
    "1": ("1", 1.0, 0.0, ""),
    "": ("", 1.0, 0.0, ""),
}


def to_display(value, display: str):
    """An SI value (or array) in the display unit ``display`` (a key of :data:`DISPLAY_UNITS`)."""
    try:
        _, factor, offset, _ = DISPLAY_UNITS[display]
    except KeyError:
        raise ValueError(f"unknown display unit {display!r}; known: {', '.join(DISPLAY_UNITS)}") from None
    return value * factor + offset


def format_number(value, digits: int = 4) -> str:
    """A number with at most ``digits`` significant digits and no float noise.

    ``119.99999999999999`` → ``"120"``; ``0.000123456`` → ``"0.0001235"``; ``1.5e7`` →
    ``"1.5e+07"``; NaN and infinities → ``"—"``; integers as they are.
    """
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return "—"
    if x == 0:
        return "0"
    if 10 ** digits <= abs(x) < 10 ** (digits + 2):
        return f"{x:.0f}"
    return f"{x:.{digits}g}"


def display(value, unit: str, display_unit: str | None = None, *, digits: int = 4) -> str:
    """``value`` [``unit``, SI] as text in ``display_unit``: ``display(1.2e-4, "m", "um")`` → ``"120 µm"``.

    ``display_unit`` defaults to ``unit``. Raises ValueError when the two units do not match.
    """
    display_unit = unit if display_unit is None else display_unit
    si_unit, _, _, symbol = DISPLAY_UNITS.get(display_unit, (unit, 1.0, 0.0, display_unit))
    if display_unit in DISPLAY_UNITS and si_unit != _si_name(unit):
        raise ValueError(f"cannot show a value in {unit!r} as {display_unit!r}")
    shown = to_display(value, display_unit) if display_unit in DISPLAY_UNITS else value
    text = format_number(shown, digits)
    return f"{text} {symbol}" if symbol and text != "—" else text


def _si_name(unit: str) -> str:
    return {"m**2": "m2", "m²": "m2", "m**3": "m3", "m³": "m3", "J/m**2": "J/m2", "J/m²": "J/m2",
            "W/m**2": "W/m2", "1/m**2": "1/m2", "-": "1", "fraction": "1"}.get(unit, unit)


def display_duration(seconds: float) -> str:
    """A duration in the unit that suits it: µs, ms, s, min, h or days."""
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        return "—"
    a = abs(seconds)
    for limit, unit in ((1e-3, "us"), (1.0, "ms"), (120.0, "s"), (7200.0, "min"), (3 * 86400.0, "h")):
        if a < limit:
            return display(seconds, "s", unit)
    return display(seconds, "s", "d")


def require_positive(value: float, field: str, *, allow_zero: bool = False) -> float:
    """Refuse NaN, infinity and non-positive values with a message naming the field."""
    if not math.isfinite(value):
        raise InputError(field, f"must be a finite number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise InputError(field, f"must be {'non-negative' if allow_zero else 'positive'}, got {value!r}")
    return value
