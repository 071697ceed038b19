"""An analytic single MTZ — an instantaneous heated column in a half-space — for tests, examples and verification of the field."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erf

from mtzsim.constants import T_BODY

def synthetic_response(
    *,
    heat_content=2e-3,
    column_radius=60e-6,
    column_depth=300e-6,
    diffusivity=8.06e-8,
    volumetric_heat_capacity=3.6e6,
    perfusion_rate=0.0,
    crater_radius=40e-6,
    crater_depth=200e-6,
    t_max=0.2,
    dr=5e-6,
    r_max=1.0e-3,
    z_max=1.2e-3,
    n_t=90,
):
    """Analytic temperature rise of an instantaneous heated column in a half-space.

    Heat q(r, z) = q0 exp(−r²/a²) for 0 ≤ z ≤ L (q0 = Q / (π a² L)), released at t = 0
    in a homogeneous half-space with an adiabatic surface (image source) and uniform
    perfusion w:

        ΔT = q0/ρc · a²/(a² + 4ατ) · exp(−r²/(a² + 4ατ))
             · ½ [erf((L − z)/√(4ατ)) + erf((L + z)/√(4ατ))] · exp(−w τ)

    Returns a :class:`mtzsim.physics.mtz.ThermalResponse` (t_end_pulse = 0).
    """
    from mtzsim.physics.mtz import ThermalResponse

    a2, L, alpha, rc = column_radius**2, column_depth, diffusivity, volumetric_heat_capacity
    q0 = heat_content / (math.pi * a2 * L)
    t = np.concatenate([[0.0], np.geomspace(1e-6, t_max, n_t - 1)])
    r = (np.arange(int(round(r_max / dr))) + 0.5) * dr
    z = (np.arange(int(round(z_max / dr))) + 0.5) * dr
    s = 4 * alpha * t[:, None, None]
    radial = a2 / (a2 + s) * np.exp(-r[None, :, None] ** 2 / (a2 + s))
    with np.errstate(divide="ignore", invalid="ignore"):
        sq = np.sqrt(s)
        axial = 0.5 * (erf((L - z[None, None, :]) / sq) + erf((L + z[None, None, :]) / sq))
    axial[0] = (z <= L).astype(float)[None, :]
    rise = q0 / rc * radial * axial * np.exp(-perfusion_rate * t)[:, None, None]
    residual = q0 * np.exp(-r[:, None] ** 2 / a2) * (z[None, :] <= L)
    void = (r[:, None] < crater_radius) & (z[None, :] < crater_depth)
    return ThermalResponse(
        t=t, r=r, z=z, rise=rise, void=void, residual_heat=residual, t_end_pulse=0.0,
        heat_content=float(heat_content), diffusivity=float(alpha), volumetric_heat_capacity=float(rc),
    )


def synthetic_mtz(beam=None, **kwargs):
    """A :class:`mtzsim.physics.mtz.MTZResult` around :func:`synthetic_response` (zone radii unset).

    Like the second-generation engine, no heat reaches the tissue after the pulse from a plume
    (``wall_heating`` = 0: the column's heat is all in the tissue at t = 0); the energy not
    stored is booked as ablated. ``peak_wall_temperature`` is the hottest tissue cell next to
    the crater; ``ablated_mass`` and ``histology`` stay unset (no ablation model here).
    """
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import EnergyPartition, MTZResult
    from mtzsim.physics.mtz.result import wall_cells

    beam = beam or make_beam("co2", energy=15e-3, spot_diameter=120e-6)
    resp = synthetic_response(**kwargs)
    q = resp.heat_content
    part = EnergyPartition(delivered=beam.energy, plume_loss=0.0, wall_heating=0.0, ablated=beam.energy - q,
                           stored=q, perfusion=0.0, boundary=0.0, reflected=0.0, error=0.0)
    cr = kwargs.get("crater_radius", 40e-6)
    cd = kwargs.get("crater_depth", 200e-6)
    nan = float("nan")
    wall = wall_cells(resp.void)
    return MTZResult(
        beam=beam, ablation_depth=cd, ablation_diameter=2 * cr, coagulation_depth=nan,
        coagulation_thickness=nan, lethal_depth=nan, lethal_radius=nan, heat_shock_depth=nan,
        heat_shock_radius=nan, peak_temperature=T_BODY + float(resp.rise.max()),
        pulse_duration=beam.pulse_duration, energy=part, dataset=None, response=resp,
        peak_wall_temperature=(T_BODY + float(resp.rise[:, wall].max())) if wall.any() else nan,
    )
