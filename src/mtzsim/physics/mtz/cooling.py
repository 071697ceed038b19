"""Cooling phase of one MTZ: desiccation at the end of the pulse, then implicit Pennes conduction and Arrhenius damage.

At the end of the pulse the steam formed in cells that were not ejected leaves (its latent and
sensible heat is counted as vaporised). A fully desiccated cell keeps the dry matrix's heat at
its own temperature, which may be far above 100 °C: this hot layer on the crater wall and floor
conducts into the tissue with the dry matrix's heat capacity ρc_dry (no cap at boiling, no
hold). Partly boiled cells keep 100 °C and their remaining water. Then backward-Euler steps
(locally one-dimensional, :func:`mtzsim.physics.heat.axisym.implicit_step`) of growing length
until no damage integral can grow by more than ``settle_omega``; Ω by the trapezoid rule on the
rates. Perfusion stops in desiccated cells (assumption: their capillaries are coagulated).
Conductivity of desiccated cells is left at the wet value (assumption: Welch 1991 notes that
drying lowers it; no value in the package data). A cooled skin surface
(:mod:`.surface_cooling`) keeps giving heat to its coolant through the cooling phase, and the
tabulated rise is measured from the cooled skin without the laser (its :class:`.surface_cooling.Baseline`,
stepped with the same steps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mtzsim._kernels import axisym as _k
from mtzsim.constants import R_GAS, T_BOIL
from mtzsim.physics.heat import axisym as heat


@dataclass
class Desiccation:
    """State of the tissue once the steam has left [K, J/K, J/m³, J]."""

    T: np.ndarray
    cap: np.ndarray  # heat capacity of each cell [J/K]
    dry: np.ndarray  # fully desiccated cells
    residual_heat: np.ndarray  # heat per volume above body temperature [J/m³]
    vaporised: float  # latent and sensible heat carried off by the steam [J]


def desiccate(H, void, mat: _k.Material, dried=None) -> Desiccation:
    """Let the steam of non-ejected cells leave; temperatures and heat capacities of what stays.

    ``dried`` marks cells that lost their water earlier (a stacked pulse) and may have cooled
    below 100 °C since; they stay dry.
    """
    solid = ~void
    dry = solid & (H > mat.H2)
    if dried is not None:
        dry |= solid & dried
    boiling = solid & (H > mat.H1) & ~dry
    T = np.where(dry, mat.t_boil + (H - mat.H2) / mat.rc_dry,
                 np.where(boiling, mat.t_boil, mat.t_body + H / mat.rc))
    T = np.where(void, mat.t_body, T)
    cap_v = np.where(dry, mat.rc_dry, mat.rc)
    residual = np.where(solid, cap_v * (T - mat.t_body), 0.0)
    steam = np.where(solid, H - residual, 0.0)
    return Desiccation(T=T, cap=cap_v * mat.vol, dry=dry, residual_heat=residual,
                       vaporised=float(np.sum(steam * mat.vol)))


@dataclass
class Cooling:
    """Results of the cooling phase."""

    T: np.ndarray  # final temperatures [K]
    boundary: float  # [J]
    perfusion: float  # [J]
    surface: float  # conducted into the coolant on the surface [J]
    steps: int
    resp_times: list
    resp_fields: list
    probe_t: list
    probe_T: list


def cool(des: Desiccation, void, Omega, Tmax, mat: _k.Material, rts: _k.Rates, *, t_start: float, t_stop: float,
         dt0: float, numerics, probe_j, probe_k, baseline=None) -> Cooling:
    """Implicit cooling from ``t_start`` to at most ``t_stop`` [s]; Omega and Tmax are updated in place.

    ``baseline`` (:class:`.surface_cooling.Baseline` at ``t_start``, for a cooled surface): the
    cooled skin without the laser, stepped along; the tabulated rise is T minus its profile
    instead of T − T_body.
    """
    T = des.T.copy()
    perf = np.where(des.dry, 0.0, mat.perf)
    no_fixed = np.zeros_like(void)
    rate_old = np.empty_like(Omega)
    rate_new = np.empty_like(Omega)
    _k.arrhenius_rates(T, void, rts.A, rts.EaR, rts.t_cut, rate_old)
    t = t_start
    dt = dt0
    stride = numerics.response_stride

    def rise():
        ref = mat.t_body if baseline is None else baseline.profile[None, :]
        return np.where(void, 0.0, T - ref)[::stride, ::stride].astype(np.float32)

    resp_times = [t]
    resp_fields = [rise()]
    next_resp = t * 1.25 + 1e-4
    probe_t, probe_T = [], []
    boundary = perfusion = surface = 0.0
    nsteps = 0
    a_max = rts.A
    while t < t_stop - 1e-12:
        dt = min(dt, t_stop - t)
        lb, lp, ls = heat.implicit_step(T, void, mat.Gr, mat.Gz, des.cap, perf, mat.t_body, dt, no_fixed,
                                        t_surface=mat.t_surface)
        if baseline is not None:
            baseline.advance(dt)
        boundary += lb
        perfusion += lp
        surface += ls
        _k.arrhenius_rates(T, void, rts.A, rts.EaR, rts.t_cut, rate_new)
        Omega += (0.5 * dt) * (rate_old + rate_new)
        rate_old, rate_new = rate_new, rate_old
        np.maximum(Tmax, np.where(void, mat.t_body, T), out=Tmax)
        t += dt
        nsteps += 1
        probe_t.append(t)
        probe_T.append(T[probe_j, probe_k].copy())
        if t >= next_resp or t >= t_stop - 1e-12:
            resp_times.append(t)
            resp_fields.append(rise())
            next_resp = t * 1.25
        t_hot = float(np.max(np.where(void, mat.t_body, T)))
        if np.max(a_max * np.exp(-rts.Ea / (R_GAS * t_hot))) * (t_stop - t) < numerics.settle_omega:
            break
        # steep gradients while a hot (> 100 °C) layer remains: shorter steps
        limit = numerics.dt_wall_max if t_hot > T_BOIL else numerics.dt_cool_max
        dt = min(dt * numerics.dt_growth, limit)
    return Cooling(T=T, boundary=boundary, perfusion=perfusion, surface=surface, steps=nsteps, resp_times=resp_times,
                   resp_fields=resp_fields, probe_t=probe_t, probe_T=probe_T)


def stored_heat(T, void, cap, t_body: float) -> float:
    """Heat above body temperature left in the tissue [J]."""
    return float(np.sum(np.where(void, 0.0, cap * (T - t_body))))


__all__ = ["Cooling", "Desiccation", "cool", "desiccate", "stored_heat"]
