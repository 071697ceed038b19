"""Serialisation of runs: results.json (plain JSON, SI with units named) and fields.nc (netCDF-4, CF attributes).

The JSON record of a run holds, for every stage, its result (SI values), the unit and
description of each field where the result declares them (:func:`mtzsim.pipeline.contract.quantity`),
and the inputs the stage was actually called with (beam, tissue, scan, numerics — defaults
included), so that ``results.json`` says what was used, not what the scenario left out.

``fields.nc`` has one group per stage. Every variable and coordinate carries ``units`` and
``long_name`` (CF conventions 1.10); damage-zone codes are flag variables
(``flag_values``/``flag_meanings``); every temperature is in kelvin.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from mtzsim.constants import ZERO_CELSIUS
from mtzsim.pipeline.contract import describe
from mtzsim.report.palette import ZONE_NAMES

#: CF conventions version written in the global attributes.
CF_CONVENTIONS = "CF-1.10"

#: Damage zones (codes of :data:`mtzsim.physics.damage.ZONES`) as CF flag meanings.
ZONE_FLAGS = ZONE_NAMES

#: units and long_name of the variables the stages write, by name; used where a dataset left them out.
CF_ATTRIBUTES: dict[str, tuple[str, str]] = {
    "r": ("m", "radial distance from the beam axis"),
    "z": ("m", "depth below the skin surface"),
    "x": ("m", "position along the scan's x axis"),
    "y": ("m", "position along the scan's y axis"),
    "depth": ("m", "depth of the en-face map below the skin surface"),
    "time": ("s", "time since the first firing"),
    "probe": ("1", "probe point (radius, depth)"),
    "firing": ("1", "index of the firing in scan order"),
    "island_bin": ("m", "distance to the nearest MTZ (bin centre)"),
    "ablated": ("1", "ablated (vaporised) cell"),
    "peak_temperature": ("K", "highest tissue temperature reached"),
    "peak_temperature_xz": ("K", "highest tissue temperature reached, cross-section"),
    "residual_heat": ("J m-3", "heat per volume left in the tissue at the end of the pulse"),
    "probe_temperature": ("K", "temperature at the probe points"),
    "zone": ("1", "damage zone"),
    "zone_xz": ("1", "damage zone, cross-section"),
    "omega_collagen": ("1", "Arrhenius damage integral of collagen coagulation"),
    "omega_cell": ("1", "Arrhenius damage integral of cell death"),
    "omega_hsp": ("1", "Arrhenius damage integral of HSP70 induction"),
    "omega_collagen_xz": ("1", "Arrhenius damage integral of collagen coagulation, cross-section"),
    "bulk_temperature": ("K", "area-mean tissue temperature"),
    "heat_in_background": ("J", "heat handed to the far-field background"),
    "island_count": ("1", "number of intact-skin pixels in the distance bin"),
    "spot_x": ("m", "x position of the firing"),
    "spot_y": ("m", "y position of the firing"),
    "spot_t": ("s", "time of the firing"),
    "spot_pass": ("1", "pass of the firing"),
}

_TEMPERATURE_UNITS = {"K": 0.0, "degC": ZERO_CELSIUS, "°C": ZERO_CELSIUS, "C": ZERO_CELSIUS, "celsius": ZERO_CELSIUS}


# ---------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------


def jsonable(obj: Any) -> Any:
    """Plain JSON types: dataclasses to dicts, numpy to Python, NaN and infinities to None.

    Large arrays (over 64 values) are summarised as ``"<n values>"``; the netCDF file holds them.
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        to_dict = getattr(obj, "to_dict", None)
        if callable(to_dict):
            return jsonable(to_dict())
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if f.repr and not f.name.startswith("_")}
    if isinstance(obj, dict) or hasattr(obj, "items") and callable(obj.items) and not hasattr(obj, "dims"):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, np.generic):
        return jsonable(obj.item())
    if isinstance(obj, np.ndarray):
        if obj.size > 64:
            return f"<{obj.size} values>"
        return jsonable(obj.tolist())
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "dims"):  # xarray objects live in fields.nc
        return "<dataset in fields.nc>"
    return str(obj)


def field_metadata(result: Any) -> dict | None:
    """``{field: {"unit", "doc", "source", "kind"}}`` of a result that declares them, else None."""
    try:
        infos = describe(result)
    except TypeError:
        return None
    if not infos:
        return None
    return {i.name: {"unit": i.unit, "doc": i.doc, "source": i.source, "kind": i.kind, "display": i.display}
            for i in infos}


def result_to_dict(result: Any) -> dict:
    """A stage result as JSON: SI fields by their metadata, or the result's own ``to_dict()``.

    Results whose class declares its fields with :func:`~mtzsim.pipeline.contract.quantity`
    are written field by field (arrays and datasets are in fields.nc); the others (until their
    owners add the metadata) through their ``to_dict()``.
    """
    meta = field_metadata(result)
    if meta is None:
        to_dict = getattr(result, "to_dict", None)
        return jsonable(to_dict() if callable(to_dict) else result)
    out = {}
    for info in describe(result):
        if info.kind == "array" or hasattr(info.value, "dims"):
            continue
        out[info.name] = jsonable(info.value)
    warnings = result_warnings(result)
    if warnings:
        out["warnings"] = warnings
    return out


def result_warnings(result: Any) -> list[str]:
    """The plain-language warnings a stage result carries (``result.warnings``, e.g. FieldResult's), or []."""
    w = getattr(result, "warnings", None)
    if isinstance(w, (list, tuple)) and all(isinstance(x, str) for x in w):
        return list(w)
    return []


def stage_notes(run) -> dict[str, list[str]]:
    """Stage name → what to read with care: the chain's model warnings (the stage checks) and the
    result's own warnings, each once."""
    out: dict[str, list[str]] = {}
    for rec in run.records:
        notes = list(dict.fromkeys(list(getattr(rec, "notes", ()) or ()) + result_warnings(rec.result)))
        if notes:
            out[rec.name] = notes
    return out


def call_to_dict(call) -> dict | None:
    """The inputs and options a stage was called with, earlier results named, not copied."""
    if call is None:
        return None
    def one(v):
        if _is_stage_result(v):
            return f"<result of {type(v).__name__}>"
        return jsonable(v)

    return {"args": [one(a) for a in call.args], "kwargs": {k: one(v) for k, v in call.kwargs.items()}}


def _is_stage_result(v) -> bool:
    return hasattr(v, "dataset") and dataclasses.is_dataclass(v)


def run_to_dict(run) -> dict:
    """The JSON record of a :class:`~mtzsim.pipeline.chain.ChainResult` (what results.json holds)."""
    stages = {}
    units = {}
    inputs = {}
    provenance = {}
    for rec in run.records:
        stages[rec.name] = result_to_dict(rec.result)
        meta = field_metadata(rec.result)
        if meta is not None:
            units[rec.name] = meta
        inputs[rec.name] = call_to_dict(rec.call)
        provenance[rec.name] = {"source": rec.source, "cache_key": rec.key}
    return jsonable({
        "mtzsim_version": run.version,
        "run_id": run.run_id,
        "started_at": run.started_at,
        "scenario": run.scenario.to_dict(),
        "parameters": run.scenario.parameters(),
        "warnings": [w.to_dict() for w in run.warnings],
        "notes": stage_notes(run),
        "stages": stages,
        "fields": units,
        "inputs": inputs,
        "provenance": provenance,
        "timings_s": run.timings,
        "total_s": run.total_time,
    })


def write_text_atomic(path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json(run, path) -> Path:
    """Write the run's JSON record to ``path`` (atomically)."""
    text = json.dumps(run_to_dict(run), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return write_text_atomic(path, text)


# ---------------------------------------------------------------------------------------
# netCDF with CF attributes
# ---------------------------------------------------------------------------------------


def cf_dataset(ds, *, stage: str = "", run_id: str = "", version: str = ""):
    """A copy of ``ds`` with CF attributes on every variable and netCDF-safe attribute values.

    Every data variable and coordinate gets ``units`` and ``long_name`` (its own, else
    :data:`CF_ATTRIBUTES`, else ``"1"`` and its name); temperatures given in °C are converted
    to K; damage-zone variables become flag variables.

    Raises
    ------
    ValueError
        A variable has no unit and no entry in :data:`CF_ATTRIBUTES` and is not
        dimensionless by name — a defect of the stage that wrote it.
    """
    ds = ds.copy(deep=False)
    for name in list(ds.variables):
        var = ds[name]
        attrs = dict(var.attrs)
        unit = attrs.pop("units", None)
        known = CF_ATTRIBUTES.get(str(name))
        if unit is None and known is not None:
            unit = known[0]
        if unit is None:
            if var.dtype.kind in "USOb" or str(name).startswith(("omega", "n_", "count")):
                unit = "1"
            else:
                raise ValueError(f"variable {name!r} of stage {stage!r} has no units; add it to CF_ATTRIBUTES "
                                 "or give the dataset a 'units' attribute")
        offset = _TEMPERATURE_UNITS.get(unit)
        if offset and name not in ds.indexes:
            ds[name] = var + offset
            unit = "K"
        if var.dtype == object and name not in ds.indexes:
            ds[name] = var.astype(str)
        if str(name).startswith("zone") and var.dtype.kind in "iu":
            attrs.pop("codes", None)
            attrs["flag_values"] = np.arange(len(ZONE_FLAGS), dtype=var.dtype)
            attrs["flag_meanings"] = " ".join(ZONE_FLAGS)
        attrs.setdefault("long_name", known[1] if known else str(name).replace("_", " "))
        attrs["units"] = unit
        ds.variables[name].attrs = _netcdf_attrs(attrs)
    attrs = dict(ds.attrs)
    attrs.pop("zones", None)
    attrs.update({"Conventions": CF_CONVENTIONS, "mtzsim_version": version, "stage": stage, "run_id": run_id or ""})
    ds.attrs = _netcdf_attrs(attrs)
    return ds


def _netcdf_attrs(attrs: dict) -> dict:
    out = {}
    for k, v in attrs.items():
        if isinstance(v, (bool, np.bool_)):
            out[k] = int(v)
        elif isinstance(v, (int, float, str, np.integer, np.floating)):
            out[k] = v
        elif isinstance(v, np.ndarray) and v.dtype.kind in "iuf":
            out[k] = v
        elif v is None:
            continue
        else:
            out[k] = json.dumps(jsonable(v), ensure_ascii=False)
    return out


def stage_datasets(run) -> dict:
    """netCDF group → ``xarray.Dataset`` for the stages of ``run`` that give one."""
    out = {}
    for rec in run.records:
        ds = getattr(rec.result, "dataset", None)
        if rec.spec.group and ds is not None and hasattr(ds, "to_netcdf"):
            out[rec.spec.group] = ds
    return out


def write_netcdf(run, path) -> Path | None:
    """Every stage dataset of ``run`` as a CF group of one netCDF-4 file (atomically).

    Returns the path, or None when no stage produced a dataset.
    """
    datasets = stage_datasets(run)
    if not datasets:
        return None
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        mode = "w"
        for group, ds in datasets.items():
            cf = cf_dataset(ds, stage=group, run_id=run.run_id or "", version=run.version)
            cf.to_netcdf(tmp, mode=mode, group=group, engine="h5netcdf")
            mode = "a"
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


__all__ = [
    "CF_ATTRIBUTES",
    "CF_CONVENTIONS",
    "ZONE_FLAGS",
    "cf_dataset",
    "field_metadata",
    "jsonable",
    "result_to_dict",
    "result_warnings",
    "run_to_dict",
    "stage_datasets",
    "stage_notes",
    "write_json",
    "write_netcdf",
    "write_text_atomic",
]
