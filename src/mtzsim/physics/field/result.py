"""The result of a treated field: damage-map summaries, islands, heating and their dataset, with units and sources."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mtzsim.pipeline.contract import describe, quantity
from mtzsim.units import to_display

_SUPERPOSITION = "linear superposition of the single-MTZ response + spectral Pennes background (DESIGN.md 'Field')"
_ARRHENIUS = "Arrhenius damage integral on the superposed temperature (mtzsim.physics.damage.ZONE_PROCESSES)"

#: Display unit → key suffix of :meth:`FieldResult.to_dict` (the stage-1 keys, kept for the report's
#: legacy readers); other fields keep their SI value under their own name (fractions stay fractions).
_SUFFIX = {"um": "_um", "mJ": "_mj", "mm3": "_mm3", "degC": "_c", "s": "_s"}


@dataclass(frozen=True)
class FieldResult:
    """Damage maps, coverage, islands and bulk heating of a treated field (SI inside).

    Summary attributes are at the epidermal map depth (``depths[0]``) unless stated.
    ``dataset`` holds the maps (x, y, depth), the cross-section (x, z), the bulk
    temperature over time and the island-distance histogram.
    """

    depths: tuple = quantity("m", "depths of the en-face maps; the first is the epidermis", kind="array",
                             display="um")
    resolution: float = quantity("m", "pixel size of the maps and the cross-section", display="um")
    n_mtz: int = quantity("1", "distinct MTZ sites over all passes", kind="count")
    n_firings: int = quantity("1", "firings (sites × passes × stack)", kind="count")
    coverage_ablated: float = quantity("1", "area fraction of the epidermal map inside a crater", source=_SUPERPOSITION, display="%")
    coverage_coagulated: float = quantity("1", "area fraction coagulated (Ω_collagen ≥ 1), crater excluded",
                                          source=_ARRHENIUS, display="%")
    coverage_lethal: float = quantity("1", "area fraction lethal (Ω_cell ≥ 1), collagen intact", source=_ARRHENIUS, display="%")
    coverage_heat_shock: float = quantity("1", "area fraction with HSP70 induced (Ω_hsp ≥ 1) only", source=_ARRHENIUS, display="%")
    coverage_treated: float = quantity("1", "area fraction ablated, coagulated or lethal", source=_ARRHENIUS, display="%")
    max_bulk_temperature: float = quantity(
        "K", "highest area-mean temperature of the treated rectangle over time and map depths (at most the peak "
        "tissue temperature at that depth)", source=_SUPERPOSITION, display="degC")
    mean_coagulation_thickness: float = quantity("m", "mean lateral thickness of the coagulated ring around a crater",
                                                 source=_ARRHENIUS, display="um")
    merged_fraction: float = quantity("1", "fraction of MTZ sites whose coagulated region joins another's", display="%")
    median_island_distance: float = quantity(
        "m", "median distance from treated epidermis to the nearest intact epidermis (sub-pixel; inf when no "
        "intact epidermis is left)", display="um")
    area_contraction: float = quantity("1", "immediate area contraction from collagen shrinkage",
                                       source="mtzsim.physics.damage.collagen_linear_shrinkage", display="%")
    energy_delivered: float = quantity("J", "sum of the pulse energies of all firings", display="mJ")
    heat_deposited: float = quantity("J", "sum of the heat the MTZs leave in tissue (the hot wall layer included)",
                                     display="mJ")
    coagulated_volume: float = quantity("m3", "Ω_collagen ≥ 1 volume from the maps (slab sum over map depths)",
                                        source=_ARRHENIUS, display="mm3")
    peak_temperature: float = quantity("K", "highest tissue temperature on the maps outside craters",
                                       source=_SUPERPOSITION, display="degC")
    duration: float = quantity("s", "scan + cooling simulated")
    dataset: object = quantity("", "maps, cross-section, bulk temperature and island histogram (xarray, SI)",
                               kind="table", default=None)
    max_local_bulk_temperature: float = quantity(
        "K", "highest mean temperature over any window of 3 × 3 pitches, over time and map depths (at most the "
        "peak tissue temperature at that depth)", source=_SUPERPOSITION, display="degC", default=float("nan"))
    pattern: object = quantity("", "the scan that was simulated (mtzsim.physics.pattern.Pattern)", kind="result",
                               default=None)
    timings: dict = quantity("s", "wall-clock time of each stage of the computation", kind="table",
                             default_factory=dict)
    # ---- added in stage 2 --------------------------------------------------------------
    median_intact_distance: float = quantity(
        "m", "median distance from intact epidermis to the nearest treated epidermis (how far the islands reach; "
        "falls as the density rises)", display="um", default=float("nan"))
    island_distance_resolution: float = quantity(
        "m", "sampling of the island distances: pixel centres, edge located to sub-pixel", display="um",
        default=float("nan"))
    n_islands: int = quantity("1", "connected regions of intact epidermis", kind="count", default=-1)
    no_intact_islands: bool = quantity("", "the epidermis has no intact skin left (warning)", kind="flag",
                                       default=False)
    capped_fraction: float = quantity(
        "1", "fraction of map points whose superposed temperature reached boiling while wet (capped there)",
        default=0.0, display="%")
    dry_fraction: float = quantity(
        "1", "fraction of map points dried by a firing's own heat beyond boiling (left uncapped)", default=0.0, display="%")
    bulk_limited: bool = quantity(
        "", "a bulk or local mean temperature was lowered to the peak tissue temperature beside it: the superposed "
        "heat exceeds what wet tissue holds below boiling (the excess boils tissue water)", kind="flag",
        default=False)
    handoff_age: float = quantity("s", "age at which each firing's heat passes to the background (τ_c)",
                                  default=float("nan"))
    laser: str = quantity("", "laser, wavelength and pulse energy, for titles", kind="category", default="")
    estimated_memory: float = quantity("B", "memory estimated before the computation (bytes)", default=float("nan"))

    @property
    def warnings(self) -> list[str]:
        """Plain-language warnings about this field (also issued through :mod:`warnings`)."""
        out = []
        if self.no_intact_islands:
            out.append("no intact epidermis is left between the MTZs: the treated area heals from its edges and "
                       "follicles only, like a full-field wound")
        if self.bulk_limited:
            out.append("the linear sum of the heat gave a mean temperature above the peak tissue temperature beside "
                       "it (heat beyond boiling in wet tissue goes into boiling its water, which the field does not "
                       "follow); mean temperatures are shown at most that peak")
        return out

    def to_dict(self) -> dict:
        """Plain JSON-able summary in display units (µm, °C, mJ, fractions); keys as in stage 1, plus the new ones.

        Key = field name + display suffix (``_um``, ``_c``, ``_mj``, ``_mm3``, ``_s``); fractions and counts
        keep their names. ``depths_um`` lists the map depths; inf and NaN become None.
        """
        out: dict = {}
        for info in describe(self):
            if info.kind in ("table", "result") or info.name in ("timings",):
                continue
            v = info.value
            if info.name == "depths":
                out["depths_um"] = [float(d * 1e6) for d in v]
                continue
            if info.kind == "flag":
                out[info.name] = bool(v)
                continue
            if info.kind == "category":
                out[info.name] = str(v)
                continue
            if info.kind == "count":
                out[info.name] = int(v)
                continue
            v = float(v)
            name = info.name
            if info.display in _SUFFIX:
                v = float(to_display(v, info.display))
                name = info.name + _SUFFIX[info.display]
            out[name] = v if math.isfinite(v) else None
        out["warnings"] = self.warnings
        return out


def field_dataset(*, xs, ys, depths, cs_depths, step_times, zones, omega_maps, tpeak_maps, cs_zones, cs_omega,
                  cs_tpeak, bulk_T, local_T, local_window, heat_box, island_hist, island_bins, reach_hist, reach_bins,
                  pattern, attrs):
    """The field's maps and curves as an xarray Dataset with CF ``units`` and ``long_name`` on every variable."""
    import numpy as np
    import xarray as xr

    from mtzsim.physics.damage import ZONES

    codes = sorted(ZONES.items(), key=lambda kv: kv[1])
    zone_attrs = {"units": "1", "long_name": "damage zone", "flag_values": np.array([v for _, v in codes], np.int8),
                  "flag_meanings": " ".join(k for k, _ in codes),
                  "codes": str(dict(ZONES))}  # stage-1 attribute, read by mtzsim.biology.healing
    xy = ("depth", "y", "x")
    ds = xr.Dataset(
        {
            "zone": (xy, zones.astype(np.int8), zone_attrs),
            "omega_collagen": (xy, omega_maps[..., 0], {"units": "1", "long_name": "collagen damage integral"}),
            "omega_cell": (xy, omega_maps[..., 1], {"units": "1", "long_name": "cell death damage integral"}),
            "omega_hsp": (xy, omega_maps[..., 2], {"units": "1", "long_name": "HSP70 induction damage integral"}),
            "peak_temperature": (xy, tpeak_maps, {"units": "K", "long_name": "peak tissue temperature"}),
            "zone_xz": (("z", "x"), cs_zones.astype(np.int8), dict(zone_attrs, long_name="damage zone, cross-section")),
            "omega_collagen_xz": (("z", "x"), cs_omega[..., 0],
                                  {"units": "1", "long_name": "collagen damage integral, cross-section"}),
            "peak_temperature_xz": (("z", "x"), cs_tpeak,
                                    {"units": "K", "long_name": "peak tissue temperature, cross-section"}),
            "bulk_temperature": (("depth", "time"), bulk_T.astype(np.float64),
                                 {"units": "K", "long_name": "area-mean temperature of the treated rectangle"}),
            "local_bulk_temperature": (("depth", "time"), local_T, {
                "units": "K", "window_m": local_window,
                "long_name": "highest mean temperature over 3 x 3 pitch windows"}),
            "heat_in_background": (("time",), heat_box, {"units": "J", "long_name": "heat handed to the background"}),
            "island_count": (("island_bin",), island_hist.astype(np.int64),
                             {"units": "1", "long_name": "treated pixels by distance to intact epidermis"}),
            "island_reach_count": (("island_reach_bin",), reach_hist.astype(np.int64),
                                   {"units": "1", "long_name": "intact pixels by distance to treated epidermis"}),
            "spot_x": (("firing",), pattern.x, {"units": "m", "long_name": "spot centre x"}),
            "spot_y": (("firing",), pattern.y, {"units": "m", "long_name": "spot centre y"}),
            "spot_t": (("firing",), pattern.t_fire, {"units": "s", "long_name": "firing time"}),
            "spot_pass": (("firing",), pattern.pass_index, {"units": "1", "long_name": "pass (0-based)"}),
        },
        coords={
            "x": ("x", xs, {"units": "m", "long_name": "x"}),
            "y": ("y", ys, {"units": "m", "long_name": "y"}),
            "depth": ("depth", np.asarray(depths), {"units": "m", "long_name": "depth of the en-face map",
                                                    "positive": "down"}),
            "z": ("z", cs_depths, {"units": "m", "long_name": "depth", "positive": "down"}),
            "time": ("time", step_times, {"units": "s", "long_name": "time from the first firing"}),
            "island_bin": ("island_bin", island_bins, {"units": "m", "long_name": "distance to intact epidermis"}),
            "island_reach_bin": ("island_reach_bin", reach_bins,
                                 {"units": "m", "long_name": "distance to treated epidermis"}),
        },
        attrs=dict(title="mtzsim treatment field", Conventions="CF-1.8", **attrs),
    )
    return ds
