"""Single microscopic treatment zone (MTZ): one microbeam's crater, coagulation and heat-shock zones.

(Interface laid down first; the solver is filled in by the single-MTZ engine work.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from mtzsim.laser import Beam


@dataclass(frozen=True)
class EnergyPartition:
    """Where the pulse energy went [J]. ``error`` = (in − out − stored) / in [-]."""

    delivered: float  # pulse energy reaching the skin surface
    plume_loss: float  # absorbed or scattered by the plume and carried away
    wall_heating: float  # re-deposited by the hot plume on the crater walls
    ablated: float  # enthalpy carried off with the vaporised tissue
    stored: float  # heat left in the tissue at the end of the run
    perfusion: float  # removed by blood perfusion (Pennes term)
    boundary: float  # through the domain's boundaries
    reflected: float  # Fresnel reflection at the surface
    error: float


@dataclass(frozen=True)
class ThermalResponse:
    """Temperature rise of one MTZ, tabulated for superposition in a treatment field.

    ``rise[i, j, k]`` is T − T_body [K] at time ``t[i]`` (from the start of the first
    pulse), radius ``r[j]`` and depth ``z[k]`` (cell centres, [m], z = 0 at the skin
    surface, positive into the skin). ``void[j, k]`` marks ablated cells (crater).
    ``residual_heat[j, k]`` is the heat per volume left in the tissue at the end of the
    last pulse [J/m³], with ``t_end_pulse`` [s]; ``heat_content`` [J] its integral.
    """

    t: np.ndarray
    r: np.ndarray
    z: np.ndarray
    rise: np.ndarray
    void: np.ndarray
    residual_heat: np.ndarray
    t_end_pulse: float
    heat_content: float
    diffusivity: float  # representative thermal diffusivity of the dermis [m²/s]
    volumetric_heat_capacity: float  # ρc of the dermis [J/(m³ K)]


@dataclass(frozen=True)
class MTZResult:
    """Geometry, zones, temperatures and energy of one MTZ (all SI).

    Depths are from the skin surface; radii from the beam axis. The histology
    correction (Marqa & Mordon 2014) is *not* applied to these model values;
    ``histology()`` returns them shrunk as a fixed biopsy would show them.
    """

    beam: Beam
    ablation_depth: float  # [m] deepest ablated point
    ablation_diameter: float  # [m] crater diameter at the surface
    coagulation_depth: float  # [m] deepest Ω_collagen ≥ 1 below the surface
    coagulation_thickness: float  # [m] lateral thickness of the coagulated wall (half-depth of crater)
    lethal_depth: float  # [m] deepest Ω_cell ≥ 1
    lethal_radius: float  # [m] widest Ω_cell ≥ 1
    heat_shock_depth: float  # [m]
    heat_shock_radius: float  # [m] widest heat-shock induction Ω_hsp ≥ 1
    peak_temperature: float  # [K] highest temperature in remaining tissue
    pulse_duration: float  # [s]
    energy: EnergyPartition
    dataset: object = field(repr=False)  # xarray.Dataset of the fields
    response: ThermalResponse | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        """Plain JSON-able summary in user units (µm, °C, mJ)."""
        b = self.beam
        return {
            "laser": b.laser,
            "energy_mj": b.energy * 1e3,
            "spot_um": b.spot_diameter * 1e6,
            "pulse_duration_s": self.pulse_duration,
            "stack": b.stack,
            "ablation_depth_um": self.ablation_depth * 1e6,
            "ablation_diameter_um": self.ablation_diameter * 1e6,
            "coagulation_depth_um": self.coagulation_depth * 1e6,
            "coagulation_thickness_um": self.coagulation_thickness * 1e6,
            "lethal_depth_um": self.lethal_depth * 1e6,
            "lethal_radius_um": self.lethal_radius * 1e6,
            "heat_shock_depth_um": self.heat_shock_depth * 1e6,
            "heat_shock_radius_um": self.heat_shock_radius * 1e6,
            "peak_temperature_c": self.peak_temperature - 273.15,
            "energy_balance_error": self.energy.error,
            "energy_partition_mj": {k: v * 1e3 for k, v in asdict(self.energy).items() if k != "error"},
        }


def simulate_mtz(beam: Beam, *, tissue="face", **options) -> MTZResult:
    """Simulate one microbeam in skin; see module docstring."""
    raise NotImplementedError("single-MTZ engine not built yet")
