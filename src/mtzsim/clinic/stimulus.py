"""The treatment as the biology sees it: wounded and heat-shocked dermal volume per skin area.

A :class:`TreatmentStimulus` is built once from the physics (one MTZ, the scan density and,
when available, the treated field) so that the remodeling and outcome models run vectorised
over thousands of virtual patients without re-running any physics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from mtzsim.clinic.parameters import table
from mtzsim.pipeline.contract import quantity


@dataclass(frozen=True)
class TreatmentStimulus:
    """Per-session dose of one treatment setting (SI).

    Volume fractions are per unit skin area divided by the stimulus depth (the upper dermis
    over which fibroblasts are recruited, ``stimulus_depth`` in remodeling_parameters.csv).
    """

    ablation_depth: float = quantity("m", "deepest ablated point of one MTZ", display="um")
    ablation_diameter: float = quantity("m", "crater diameter at the surface", display="um")
    wound_depth: float = quantity("m", "deepest killed or coagulated tissue (MTZ depth for scars)", display="um")
    heat_shock_depth: float = quantity("m", "deepest heat-shock induction (HSP70 Ω ≥ 1)", display="um")
    heat_shock_radius: float = quantity("m", "widest heat-shock induction", display="um")
    areal_density: float = quantity("1/m^2", "MTZs per skin area per pass")
    passes: int = quantity("1", "passes per session", kind="count")
    energy: float = quantity("J", "pulse energy per MTZ", display="mJ")
    coverage: float = quantity("1", "area fraction of the spots per session (density × passes)", display="%")
    wound_volume_fraction: float = quantity("1", "lethal/ablated volume per area / stimulus depth")
    heat_shock_volume_fraction: float = quantity("1", "heat-shocked, surviving volume per area / stimulus depth")
    ablated_volume_fraction: float = quantity("1", "ablated (vaporised) volume per area / stimulus depth")
    area_contraction: float = quantity("1", "immediate area contraction of the field (0 when no field was simulated)")
    ablative: bool = quantity("", "the epidermis is opened (CO2, Er:YAG) rather than left intact", kind="flag")

    @property
    def mtzs_per_area(self) -> float:
        """MTZs per skin area per session [1/m²] (all passes)."""
        return self.areal_density * self.passes


def _zone_volume(radius: float, depth: float, shape: float) -> float:
    if not (math.isfinite(radius) and math.isfinite(depth)) or radius <= 0 or depth <= 0:
        return 0.0
    return shape * math.pi * radius**2 * depth


def treatment_stimulus(mtz, areal_density: float, *, passes: int = 1, field=None) -> TreatmentStimulus:
    """Build the per-session stimulus from one MTZ, the scan density and optionally the field.

    Parameters
    ----------
    mtz : MTZResult
        :func:`mtzsim.simulate_mtz` result; its zone extents (ablation, lethal, heat-shock) set
        the wounded and heat-shocked volume per MTZ (paraboloid zones, ``zone_shape_factor``).
    areal_density : float
        MTZs per skin area per pass [1/m²] (``PatternSpec.areal_density``).
    passes : int
        Passes per session.
    field : FieldResult, optional
        :func:`mtzsim.physics.field.simulate_field` result; supplies the immediate area
        contraction (collagen shrinkage), otherwise taken as 0.

    Returns
    -------
    TreatmentStimulus
    """
    if not (math.isfinite(areal_density) and areal_density > 0):
        raise ValueError(f"areal_density must be a positive number per m², got {areal_density!r}")
    if passes < 1:
        raise ValueError(f"passes must be at least 1, got {passes!r}")
    p = table("remodeling_parameters.csv")
    shape = p["zone_shape_factor"].value
    z_ref = p["stimulus_depth"].value
    r_abl = 0.5 * mtz.ablation_diameter
    depths = [d for d in (mtz.ablation_depth, mtz.coagulation_depth, mtz.lethal_depth) if math.isfinite(d)]
    wound_depth = max(depths) if depths else 0.0
    r_leth = mtz.lethal_radius if math.isfinite(mtz.lethal_radius) else r_abl
    v_abl = _zone_volume(r_abl, mtz.ablation_depth, shape)
    v_wound = max(_zone_volume(max(r_leth, r_abl), wound_depth, shape), v_abl)
    v_hs = _zone_volume(mtz.heat_shock_radius, mtz.heat_shock_depth, shape)
    v_shell = max(v_hs - v_wound, 0.0)
    n = areal_density * passes
    spot = getattr(mtz.beam, "spot_diameter", 2 * r_abl)
    contraction = 0.0
    if field is not None and math.isfinite(getattr(field, "area_contraction", float("nan"))):
        contraction = float(field.area_contraction)
    return TreatmentStimulus(
        ablation_depth=float(mtz.ablation_depth),
        ablation_diameter=float(mtz.ablation_diameter),
        wound_depth=float(wound_depth),
        heat_shock_depth=float(mtz.heat_shock_depth) if math.isfinite(mtz.heat_shock_depth) else 0.0,
        heat_shock_radius=float(mtz.heat_shock_radius) if math.isfinite(mtz.heat_shock_radius) else 0.0,
        areal_density=float(areal_density),
        passes=int(passes),
        energy=float(mtz.beam.energy),
        coverage=min(1.0, n * math.pi * spot**2 / 4),
        wound_volume_fraction=n * v_wound / z_ref,
        heat_shock_volume_fraction=n * v_shell / z_ref,
        ablated_volume_fraction=n * v_abl / z_ref,
        area_contraction=contraction,
        ablative=mtz.beam.laser in ("co2", "eryag"),
    )


def without_heat_shock(stimulus: TreatmentStimulus) -> TreatmentStimulus:
    """The same treatment with no heat-shocked shell (a mechanism check: wound only)."""
    return replace(stimulus, heat_shock_volume_fraction=0.0, heat_shock_depth=0.0, heat_shock_radius=0.0)
