"""Units at the edge: the only place where mJ, µm, J/cm², °C and % become SI floats.

Everything inside mtzsim is SI (m, s, kg, J, W, K). Users write quantities with
units (``"80mJ"``, ``"120um"``, ``"10J/cm2"``, ``"13%"``, ``"4weeks"``); a bare
number is refused with a message that names the field and the expected unit.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

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


def _normalise(text: str) -> str:
    out = text.strip()
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
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(nan|inf|infinity)", text, re.IGNORECASE):
        raise InputError(
            field, f"a bare number ({text!r}) has no unit; write {_a(kind)} with a unit, such as {example!r}"
        )
    ureg = _registry()
    try:
        q = ureg.Quantity(_normalise(text))
    except Exception:  # pint raises several exception types for bad strings
        raise InputError(field, f"cannot read {text!r} as {_a(kind)}; write e.g. {example!r}") from None
    if not hasattr(q, "magnitude") or q.dimensionless:
        raise InputError(
            field, f"{text!r} has no unit; write {_a(kind)} with a unit, such as {example!r}"
        )
    if not q.check(dim):
        raise InputError(field, f"{text!r} is not {_a(kind)} (units {q.units:~}); write e.g. {example!r}")
    si = float(q.to(si_unit).magnitude)
    if not math.isfinite(si):
        raise InputError(field, f"{text!r} is not a finite number")
    return si


def parse_fraction(value, field: str) -> float:
    """Convert ``"13%"`` to 0.13; bare numbers are refused (is 13 a fraction or a percent?)."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise InputError(field, f"expected a percentage such as '10%', got {value!r}")
    text = value.strip()
    m = re.fullmatch(r"([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)\s*%", text)
    if not m:
        raise InputError(field, f"expected a percentage such as '10%', got {text!r}")
    frac = float(m.group(1)) / 100.0
    if not math.isfinite(frac):
        raise InputError(field, f"{text!r} is not a finite number")
    return frac


def celsius_to_kelvin(t_c):
    """Temperature [°C] → [K]."""
    return t_c + 273.15


def kelvin_to_celsius(t_k):
    """Temperature [K] → [°C]."""
    return t_k - 273.15


def require_positive(value: float, field: str, *, allow_zero: bool = False) -> float:
    """Refuse NaN, infinity and non-positive values with a message naming the field."""
    if not math.isfinite(value):
        raise InputError(field, f"must be a finite number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise InputError(field, f"must be {'non-negative' if allow_zero else 'positive'}, got {value!r}")
    return value
