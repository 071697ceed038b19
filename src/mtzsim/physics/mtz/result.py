"""Result of one MTZ: crater and zone geometry from the void mask and the damage maps, and its summary."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from mtzsim.constants import ZERO_CELSIUS
from mtzsim.physics.histology import Histology, deepest, widest
from mtzsim.physics.laser import Beam
from mtzsim.physics.mtz.energy import EnergyPartition
from mtzsim.physics.mtz.response import ThermalResponse
from mtzsim.pipeline.contract import quantity

#: Damage processes integrated in every MTZ, in this order (keys of damage.ARRHENIUS).
PROCESSES = ("collagen_birefringence", "skin_necrosis", "fibroblast_death", "hsp70_induction")

_COLLAGEN = "MaitlandWalsh1997 collagen birefringence loss, Omega >= 1"
_CELL = "Henriques skin necrosis set (damage.ZONE_PROCESSES['cell']), Omega >= 1"
_HSP = "HSP70 induction set (damage.ZONE_PROCESSES['hsp']), Omega >= 1"


@dataclass(frozen=True)
class MTZResult:
    """Geometry, zones, temperatures and energy of one MTZ (all SI, living tissue).

    Depths are from the skin surface; radii from the beam axis. ``histology`` holds the same
    lesion as a fixed H&E section shows it (Marqa & Mordon 2014 shrinkage applied).
    """

    beam: Beam = quantity("", "the microbeam", kind="result")
    ablation_depth: float = quantity("m", "deepest ablated point", display="um")
    ablation_diameter: float = quantity("m", "crater diameter at the surface", display="um")
    coagulation_depth: float = quantity("m", "deepest collagen-denatured point (or the crater floor)", source=_COLLAGEN,
                                        display="um")
    coagulation_thickness: float = quantity("m", "mean lateral thickness of the coagulated wall (middle half of the "
                                            "crater); where nothing ablates, the radius of the coagulated zone",
                                            source=_COLLAGEN, display="um")
    lethal_depth: float = quantity("m", "deepest point where cells die", source=_CELL, display="um")
    lethal_radius: float = quantity("m", "widest radius where cells die", source=_CELL, display="um")
    heat_shock_depth: float = quantity("m", "deepest heat-shock (HSP70) induction", source=_HSP, display="um")
    heat_shock_radius: float = quantity("m", "widest heat-shock (HSP70) induction", source=_HSP, display="um")
    peak_temperature: float = quantity("K", "highest temperature reached in tissue that remains", display="degC")
    pulse_duration: float = quantity("s", "duration of one pulse", display="ms")
    energy: EnergyPartition = quantity("", "energy partition", kind="result")
    dataset: object = field(default=None, repr=False, metadata={"unit": "", "doc": "xarray.Dataset of the fields",
                                                                  "source": "", "kind": "array", "display": ""})
    response: ThermalResponse | None = field(default=None, repr=False, metadata={
        "unit": "", "doc": "tabulated temperature rise for the treatment field", "source": "", "kind": "result",
        "display": ""})
    peak_wall_temperature: float = quantity("K", "highest temperature of the tissue left on the crater wall and floor",
                                            default=math.nan, display="degC")
    ablated_mass: float = quantity("kg", "tissue mass ejected", default=0.0, display="ug")
    histology: Histology | None = quantity("", "the lesion as a fixed H&E section shows it", kind="result", default=None)
    intervals: dict = quantity("", "prediction intervals (calibration uncertainty): name -> (low, high) in SI",
                               kind="table", default_factory=dict)
    coagulation_top: float = quantity("m", "shallowest collagen-denatured point (0: the zone reaches the surface; "
                                      "a cooled surface spares the top)", source=_COLLAGEN, default=math.nan,
                                      display="um")
    lethal_top: float = quantity("m", "shallowest point where cells die (0: at the surface)", source=_CELL,
                                 default=math.nan, display="um")
    ejecta_gasification_bound: tuple = quantity("J/kg", "what one kg of ejected dermis can absorb from the beam before "
                                                "it is gasified, (low, high): the bound of the plume and wall terms "
                                                "per ejected mass", source="physics/mtz/losses.py "
                                                "ejecta_gasification_bound (water's latent heat, VanDeVelden2010)",
                                                default=(math.nan, math.nan), display="MJ/kg")
    surface_cooling: object = quantity("", "the coolant on the skin surface (physics/mtz/surface_cooling.py), None: "
                                       "adiabatic surface", kind="result", default=None)

    @property
    def plume_energy_per_ejected_mass(self) -> float:
        """What the ejecta took from the beam (plume and wall terms) per kg of ejected tissue [J/kg]; nan if none."""
        if not self.ablated_mass > 0.0:
            return math.nan
        return (self.energy.plume_loss + self.energy.wall_heating) / self.ablated_mass

    @property
    def specific_ablation(self) -> float:
        """Ejected mass per delivered pulse energy [kg/J] (Walsh & Deutsch 1989's µg/J × 1e-9)."""
        return self.ablated_mass / (self.beam.energy * self.beam.stack)

    def to_dict(self) -> dict:
        """Plain JSON-able summary in user units (µm, °C, mJ), with a ``histology`` object."""
        b = self.beam
        out = {
            "laser": b.laser,
            "energy_mj": b.energy * 1e3,
            "spot_um": b.spot_diameter * 1e6,
            "pulse_duration_s": self.pulse_duration,
            "peak_power_w": b.peak_power,
            "stack": b.stack,
            "ablation_depth_um": self.ablation_depth * 1e6,
            "ablation_diameter_um": self.ablation_diameter * 1e6,
            "coagulation_depth_um": self.coagulation_depth * 1e6,
            "coagulation_thickness_um": self.coagulation_thickness * 1e6,
            "lethal_depth_um": self.lethal_depth * 1e6,
            "lethal_radius_um": self.lethal_radius * 1e6,
            "heat_shock_depth_um": self.heat_shock_depth * 1e6,
            "heat_shock_radius_um": self.heat_shock_radius * 1e6,
            "peak_temperature_c": self.peak_temperature - ZERO_CELSIUS,
            "peak_wall_temperature_c": (self.peak_wall_temperature - ZERO_CELSIUS
                                        if math.isfinite(self.peak_wall_temperature) else None),
            "specific_ablation_ug_per_j": self.specific_ablation * 1e9,
            "energy_balance_error": self.energy.error,
            "energy_partition_mj": {k: v * 1e3 for k, v in asdict(self.energy).items() if k != "error"},
            "plume_energy_per_ejected_mass_mj_per_kg": (self.plume_energy_per_ejected_mass / 1e6
                                                        if math.isfinite(self.plume_energy_per_ejected_mass) else None),
            "ejecta_gasification_bound_mj_per_kg": ([x / 1e6 for x in self.ejecta_gasification_bound]
                                                    if all(map(math.isfinite, self.ejecta_gasification_bound))
                                                    else None),
            "coagulation_top_um": self.coagulation_top * 1e6 if math.isfinite(self.coagulation_top) else None,
            "lethal_top_um": self.lethal_top * 1e6 if math.isfinite(self.lethal_top) else None,
        }
        if self.surface_cooling is not None:
            c = self.surface_cooling
            out["surface_cooling"] = {"kind": c.kind, "coefficient_w_per_m2_k": c.coefficient,
                                      "temperature_c": c.temperature - ZERO_CELSIUS, "precool_s": c.precool}
        if self.histology is not None:
            out["histology"] = self.histology.to_dict()
        for key, (lo, hi) in self.intervals.items():
            out[f"{key}_interval"] = [lo, hi]
        return out


def geometry(h: float, void, Omega, keys) -> dict:
    """Crater and zone dimensions [m] from the void mask and the Ω maps (first map: collagen)."""
    from mtzsim.physics.damage import ZONE_PROCESSES as zp

    nz = void.shape[1]
    floor = np.argmin(void, axis=1)  # first solid cell of each column
    floor[np.all(void, axis=1)] = nz
    ablation_depth = float(np.max(floor) * h)
    ablation_diameter = 2.0 * h * float(np.sum(void[:, 0]))
    solid = ~void
    coag = Omega[0] >= 1.0
    coag_depth = max(deepest(coag & solid, h), ablation_depth)
    if ablation_depth > 0:
        # mean radial thickness of the coagulated wall over the middle half of the crater
        k0 = int(0.25 * ablation_depth / h)
        k1 = max(int(0.75 * ablation_depth / h), k0 + 1)
        thickness = float(np.mean(np.sum(coag[:, k0:k1] & solid[:, k0:k1], axis=0))) * h
    else:
        thickness = widest(coag & solid, h)
    lethal = Omega[keys.index(zp["cell"])] >= 1.0
    hsp = Omega[keys.index(zp["hsp"])] >= 1.0
    return {
        "ablation_depth": ablation_depth,
        "ablation_diameter": ablation_diameter,
        "coagulation_depth": coag_depth,
        "coagulation_thickness": thickness,
        "lethal_depth": max(deepest(lethal & solid, h), coag_depth),
        "lethal_radius": widest((lethal | coag) & solid, h),
        "heat_shock_depth": max(deepest(hsp & solid, h), deepest(lethal & solid, h), coag_depth),
        "heat_shock_radius": widest((hsp | lethal | coag) & solid, h),
        "coagulation_top": shallowest(coag & solid, h),
        "lethal_top": shallowest((lethal | coag) & solid, h),
    }


def shallowest(mask, h: float) -> float:
    """Depth [m] of the top face of the shallowest cell of ``mask`` (NaN when it is empty)."""
    rows = np.flatnonzero(np.asarray(mask, bool).any(axis=0))
    return float(rows[0] * h) if rows.size else math.nan


def zones(void, Omega, keys) -> np.ndarray:
    """Zone code of each cell (0 untouched, 1 heat shock, 2 lethal, 3 coagulated, 4 ablated)."""
    from mtzsim.physics import damage

    zp = damage.ZONE_PROCESSES
    return damage.classify_zones(void, Omega[0], Omega[keys.index(zp["cell"])], Omega[keys.index(zp["hsp"])])


def wall_cells(void) -> np.ndarray:
    """Solid cells with a void face neighbour (the crater wall and floor)."""
    v = np.asarray(void, bool)
    nb = np.zeros_like(v)
    nb[:, 1:] |= v[:, :-1]
    nb[1:, :] |= v[:-1, :]
    nb[:-1, :] |= v[1:, :]
    return nb & ~v
