"""Stage contract: typed, frozen stage results whose fields say their unit, meaning and source.

A stage is a plain function (physical inputs first, model coefficients next, options after
``*``; no Scenario and no I/O inside) that returns a frozen dataclass. Each field of that
dataclass is declared with :func:`quantity`, which stores its SI unit, a one-line description
and (where it is a model output that rests on a published model or datum) its source in the
field metadata. The JSON writer, the report, ``mtzsim runs diff`` and the web form's schema read
that metadata through :func:`describe`; none of them parses units out of key names.

Example
-------
>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Crater:
...     depth: float = quantity("m", "ablation depth below the skin surface")
...     regime: str = quantity("", "pulse regime", kind="category")
>>> describe(Crater(depth=5e-4, regime="ms"))[0].unit
'm'
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import MISSING, dataclass
from typing import Any

#: Field kinds: a number with a unit, a category (string label), a count, or a nested result.
KINDS = ("quantity", "category", "count", "flag", "array", "result", "table")


def quantity(unit: str, doc: str, *, source: str = "", kind: str = "quantity", default: Any = MISSING,
             default_factory: Any = MISSING, display: str | None = None) -> Any:
    """Declare a result field with its SI unit, description and source.

    Parameters
    ----------
    unit : str
        SI unit of the stored value (``"m"``, ``"K"``, ``"J"``, ``"s"``, ``"1"`` for a ratio or
        fraction, ``""`` for categories and nested results).
    doc : str
        One line for people: what the value is.
    source : str, optional
        Model or datum the value rests on (a reference key or a doi).
    kind : str, optional
        One of :data:`KINDS`; ``runs diff`` computes "% change" only for ``"quantity"``.
    display : str, optional
        Preferred display unit (``"um"``, ``"degC"``, ``"mJ"``, ``"%"``, ``"d"``); the conversion
        itself lives in :mod:`mtzsim.units`.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown field kind {kind!r}; expected one of {KINDS}")
    meta = {"unit": unit, "doc": doc, "source": source, "kind": kind, "display": display or unit}
    kwargs: dict[str, Any] = {"metadata": meta}
    if default is not MISSING:
        kwargs["default"] = default
    if default_factory is not MISSING:
        kwargs["default_factory"] = default_factory
    return dataclasses.field(**kwargs)


@dataclass(frozen=True)
class FieldInfo:
    """One described field of a stage result."""

    name: str
    unit: str
    doc: str
    source: str
    kind: str
    display: str
    value: Any


def describe(result: Any) -> list[FieldInfo]:
    """The declared fields of a result dataclass, with their metadata and values.

    Raises
    ------
    TypeError
        When ``result`` is not a dataclass instance, or a field was declared without
        :func:`quantity` (a field with no unit and no description is a defect).
    """
    if not dataclasses.is_dataclass(result) or isinstance(result, type):
        raise TypeError(f"{type(result).__name__} is not a stage result dataclass")
    out = []
    for f in dataclasses.fields(result):
        if not f.metadata or "unit" not in f.metadata:
            if f.name.startswith("_"):
                continue
            raise TypeError(f"{type(result).__name__}.{f.name} has no unit/doc metadata; declare it with quantity()")
        m = f.metadata
        out.append(FieldInfo(f.name, m["unit"], m["doc"], m["source"], m["kind"], m["display"],
                             getattr(result, f.name)))
    return out


def to_jsonable(value: Any) -> Any:
    """SI values as JSON-ready Python objects: nested results become dicts, NaN/inf become None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict"):
            return value.to_dict()
        return {info.name: to_jsonable(info.value) for info in describe(value) if info.kind != "array"}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "tolist") and not hasattr(value, "dims"):  # numpy scalar or array
        return to_jsonable(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
