"""Sourced parameter tables of the remodeling, scar and outcome models (read once, SI inside)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from mtzsim.params import tables

#: Unit conversions from the tables' units to SI.
_TO_SI = {"d": 86400.0, "1/d": 1.0 / 86400.0, "m": 1.0, "-": 1.0, "": 1.0, "y": 1.0, "1/y": 1.0}  # ages stay in years (a covariate)


@dataclass(frozen=True)
class Param:
    """One model parameter with its pedigree (value, plausible range, unit in SI)."""

    name: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    reliability: str
    assumption: str
    note: str = ""


@lru_cache(maxsize=None)
def table(name: str) -> dict[str, Param]:
    """A parameter table of ``mtzsim/params/data`` keyed by name, converted to SI.

    Parameters
    ----------
    name : str
        File name, e.g. ``"remodeling_parameters.csv"``.
    """
    out = {}
    for row in tables.rows(name):
        unit = row["unit"]
        if unit not in _TO_SI:
            raise ValueError(f"{name}: unit {unit!r} of {row['name']} has no SI conversion")
        f = _TO_SI[unit]
        si_unit = {"d": "s", "1/d": "1/s"}.get(unit, unit)
        out[row["name"]] = Param(
            name=row["name"], value=float(row["value"]) * f, low=float(row["low"]) * f,
            high=float(row["high"]) * f, unit=si_unit, source=row["source"], reliability=row["reliability"],
            assumption=row["assumption"], note=row.get("note", ""),
        )
    return out


@lru_cache(maxsize=None)
def rows(name: str) -> tuple[dict, ...]:
    """The raw rows of a data table (strings), e.g. the clinical calibration table."""
    return tuple(tables.rows(name))


@lru_cache(maxsize=None)
def references() -> dict[str, str]:
    """Full reference text per source key used by the clinic and remodeling tables."""
    return {r["key"]: r["reference"] for r in tables.rows("clinical_references.csv")}
