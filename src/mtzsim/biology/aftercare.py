"""Aftercare as a timed schedule of sourced, evidence-graded modifiers of the healing models."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from mtzsim.constants import DAY  # noqa: E402  [s]
from mtzsim.params import tables
from mtzsim.params.tables import value_or_nan as _f


@dataclass(frozen=True)
class Modifier:
    """One effect of one aftercare product (value with its range, grade and source)."""

    name: str
    target: str
    effect: str
    value: float
    low: float
    high: float
    default_start: float  # [s]
    default_end: float  # [s]
    evidence_grade: str
    source: str
    assumption: str
    note: str


@dataclass(frozen=True)
class AftercareEvent:
    """An aftercare product applied from ``start`` to ``end`` [s] after the treatment."""

    name: str
    start: float
    end: float


@lru_cache(maxsize=1)
def modifiers() -> tuple:
    """All aftercare modifiers of ``params/data/aftercare.csv``."""
    out = []
    for row in tables.rows("aftercare.csv"):
        v = _f(row["value"])
        lo, hi = _f(row["low"]), _f(row["high"])
        out.append(Modifier(row["name"], row["target"], row["effect"], v,
                            v if math.isnan(lo) else lo, v if math.isnan(hi) else hi,
                            _f(row["default_start_d"]) * DAY, _f(row["default_end_d"]) * DAY,
                            row["evidence_grade"], row["source"], row["assumption"], row["note"]))
    return tuple(out)


def regimen_names() -> tuple:
    """Names of the known aftercare products."""
    return tuple(dict.fromkeys(m.name for m in modifiers()))


def build_schedule(regimen, *, follow_up=None) -> tuple:
    """Validated aftercare events from names or (name, start [s], end [s]) triples.

    A bare name takes the product's default window from the table.

    Raises
    ------
    ValueError
        Unknown product, negative day, end before start, or a start after the follow-up; the
        message starts with ``aftercare[i]`` so that the edge can name the field.
    """
    known = regimen_names()
    events = []
    for i, item in enumerate(regimen or ()):
        if isinstance(item, AftercareEvent):
            name, start, end = item.name, item.start, item.end
        elif isinstance(item, str):
            name, start, end = item, None, None
        else:
            name, start, end = item
        if name not in known:
            raise ValueError(f"aftercare[{i}]: unknown regimen {name!r}; known: {', '.join(known)}")
        rows = [m for m in modifiers() if m.name == name]
        start = rows[0].default_start if start is None else float(start)
        end = rows[0].default_end if end is None else float(end)
        if not (math.isfinite(start) and start >= 0):
            raise ValueError(f"aftercare[{i}] ({name}): start day must be zero or positive, got {start / DAY:g} d")
        if not (math.isfinite(end) and end >= start):
            raise ValueError(f"aftercare[{i}] ({name}): end day must not be before the start, got {end / DAY:g} d")
        if follow_up is not None and start > follow_up:
            raise ValueError(f"aftercare[{i}] ({name}): starts on day {start / DAY:g}, after the follow-up "
                             f"({follow_up / DAY:g} d)")
        events.append(AftercareEvent(name, start, end))
    return tuple(events)


def _effect_rows(events, effect):
    for ev in events:
        for m in modifiers():
            if m.name == ev.name and m.effect == effect:
                yield ev, m


def _pick(m, quantile):
    """Value of a modifier at a quantile of its range (0.5 = the table value)."""
    if quantile is None or quantile == 0.5:
        return m.value
    if quantile < 0.5:
        return m.low + (m.value - m.low) * (quantile / 0.5)
    return m.value + (m.high - m.value) * ((quantile - 0.5) / 0.5)


def factor_curve(events, effect, times, *, quantile=None):
    """Product of the factors of ``effect`` active at each time [-] (1 where none applies)."""
    times = np.asarray(times, float)
    out = np.ones_like(times)
    for ev, m in _effect_rows(events, effect):
        active = (times >= ev.start) & (times <= ev.end) if ev.end > ev.start else times >= ev.start
        out = np.where(active, out * _pick(m, quantile), out)
    return out


def speed_pieces(events, *, quantile=None):
    """Breaks [s] and factors of the front-speed factor (occlusion) as piecewise-constant pieces."""
    rows = list(_effect_rows(events, "front_speed_factor"))
    pts = sorted({0.0} | {ev.start for ev, _ in rows} | {ev.end for ev, _ in rows})
    factors = []
    for k, t0 in enumerate(pts):
        f = 1.0
        for ev, m in rows:
            if ev.start <= t0 < ev.end:
                f *= _pick(m, quantile)
        factors.append(f)
    return tuple(pts), tuple(factors)


def occluded_at_start(events) -> bool:
    """True when an occlusive dressing is on from the day of treatment (no eschar forms)."""
    return any(ev.start <= 0.0 < ev.end for ev, _ in _effect_rows(events, "lag_occluded"))


def flags(events) -> dict:
    """Flags passed on to later stages (PIH protection, antiviral prophylaxis)."""
    out = {"pih_protection": False, "antiviral_prophylaxis": False}
    for ev in events:
        for m in modifiers():
            if m.name == ev.name and m.effect == "pih_flag":
                out["pih_protection"] = True
            if m.name == ev.name and m.effect == "hsv_prophylaxis_flag":
                out["antiviral_prophylaxis"] = True
    return out
