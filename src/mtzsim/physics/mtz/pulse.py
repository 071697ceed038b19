"""Pulse phase of one MTZ: enthalpy-method heating, desiccation, superheating and ejection while the laser fires.

Every cell holds its enthalpy H above body temperature [J/m³]. Below H1 = ρc (T_boil − T_body)
it is wet tissue; between H1 and H2 = H1 + ρ_w L its water boils at T_boil; above H2 it is the
desiccated matrix at T = T_boil + (H − H2)/ρc_dry, which is ejected once H reaches H_abl (the
ablation temperature, :mod:`.losses`). Light is absorbed in columns below the crater floor
(Beer–Lambert, with the divergence of a Gaussian beam focused on the surface) or by a fixed
deposition map (:mod:`.source`); the ejecta in the beam path shield it. Conduction and
perfusion are explicit (stable step), Arrhenius damage accumulates at each step's start
temperature. The numba kernel is :func:`mtzsim._kernels.axisym.make_pulse_phase`;
:func:`pulse_phase_numpy` is its readable twin (whole grid, no active box, no probes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mtzsim._kernels import axisym as _k
from mtzsim.constants import R_GAS, T_BOIL, WATER_LATENT_HEAT
from mtzsim.physics.heat import axisym as heat


@dataclass(frozen=True)
class PulseTally:
    """What the pulse phase accounted for [J] (and the ejected mass [kg])."""

    delivered: float  # into the tissue columns or map
    plume: float  # absorbed by the ejecta in the beam path (leaves the skin)
    transmitted: float  # left the bottom of the domain
    ablated: float  # enthalpy carried off by ejected cells
    boundary: float  # conducted through the far boundaries
    perfusion: float  # removed by perfusion
    ejected_mass: float  # [kg]
    wall_heating: float  # absorbed by the ejecta and given to the confined channel's wall and floor
    steps: int
    probes: int


def material(grid, props, ablation_temperature: float, t_body: float) -> _k.Material:
    """The :data:`~mtzsim._kernels.axisym.Material` record of a grid and its tissue properties."""
    Gr, Gz = heat.conductances(grid, props.k)
    H1 = props.rc * (T_BOIL - t_body)
    H2 = H1 + props.rho_water * WATER_LATENT_HEAT
    Habl = H2 + props.rc_dry * max(0.0, ablation_temperature - T_BOIL)
    return _k.Material(H1, H2, Habl, props.rc, props.rc_dry, props.mua, props.perf, grid.volume, props.rho,
                       Gr, Gz, grid.r, float(grid.h), float(t_body), float(T_BOIL))


def pulse_train(beam, q_static) -> _k.PulseTrain:
    """The :data:`~mtzsim._kernels.axisym.PulseTrain` record of a beam (q_static None → columns)."""
    q = np.zeros((0, 0)) if q_static is None else np.asarray(q_static, float)
    return _k.PulseTrain(np.array(beam.pulse_starts(), float), float(beam.pulse_duration), float(beam.total_duration),
                         float(beam.peak_power), float(beam.radius), float(beam.rayleigh_range),
                         beam.profile == "gaussian", q)


def plume(beam, tissue, losses) -> _k.Plume:
    """The :data:`~mtzsim._kernels.axisym.Plume` record: ejecta absorbing like the dermis at the beam's wavelength."""
    mu = tissue.dermis.absorption(beam.laser)
    return _k.Plume(float(mu), float(losses.near_fraction), float(losses.ejecta_fraction),
                    float(losses.acceleration_length * beam.radius), float(losses.vent_length * beam.radius),
                    float(losses.ejection_delay), float(losses.wall_fraction))


def rates(A, Ea, t_cut) -> _k.Rates:
    """The :data:`~mtzsim._kernels.axisym.Rates` record; ``EaR`` = Ea / R_GAS [K] (mtzsim.constants) for the kernels."""
    Ea = np.asarray(Ea, float)
    return _k.Rates(np.asarray(A, float), Ea, np.asarray(t_cut, float), Ea / R_GAS)


def steps(grid, props, mat: _k.Material, heat_step: float) -> _k.Steps:
    dt = 0.9 * heat.stable_dt(grid, props.rc, mat.Gr, mat.Gz)
    return _k.Steps(dt, dt * float(np.min(props.rc_dry / props.rc)), float(heat_step))


def run_pulse(state: _k.State, mat, pulse, plm, rts, stp, probes: _k.Probes) -> PulseTally:
    """Advance ``state`` through the pulse train with the numba kernel."""
    tally, nsteps, nprobe = _k.make_pulse_phase()(state, mat, pulse, plm, rts, stp, probes)
    return PulseTally(*(float(x) for x in tally), steps=int(nsteps), probes=int(nprobe))


def temperature_of(H, void, mat, dry=None) -> np.ndarray:
    """Temperature [K] of each cell from its enthalpy (void cells at body temperature; dry cells hold no water)."""
    T = np.where(H < mat.H1, mat.t_body + H / mat.rc,
                 np.where(H < mat.H2, mat.t_boil, mat.t_boil + (H - mat.H2) / mat.rc_dry))
    if dry is not None:
        T = np.where(dry, mat.t_boil + (H - mat.H2) / mat.rc_dry, T)
    return np.where(void, mat.t_body, T)


def _columns(void, mat, pulse, power, trans):
    """Beer–Lambert power per volume [W/m³] in each column below its floor, power in and out [W]."""
    nr, nz = void.shape
    floor = np.where(void.all(axis=1), nz, np.argmin(void, axis=1))
    w2 = pulse.w0**2 * (1.0 + (floor * mat.h / pulse.z_rayleigh) ** 2)
    r2 = mat.r**2
    if pulse.gaussian:
        irr = np.where(r2 <= 12.25 * w2, power * 2.0 / (math.pi * w2) * np.exp(-2.0 * r2 / w2), 0.0)
    else:
        irr = np.where(r2 <= w2, power / (math.pi * w2), 0.0)
    irr = np.where(floor < nz, irr * trans, 0.0)
    p_in = irr * mat.vol[:, 0] / mat.h
    below = (np.arange(nz)[None, :] >= floor[:, None]) & ~void
    a = np.where(below, mat.mua * mat.h, 0.0)
    before = np.exp(-(np.cumsum(a, axis=1) - a))
    frac = before * (1.0 - np.exp(-a))
    Q = p_in[:, None] * frac / mat.vol
    out = float(np.sum(p_in * np.exp(-np.sum(a, axis=1))))
    return Q, float(p_in.sum()), out, floor


def plume_wall_heat_numpy(void, floor0, vol, h, power):
    """Readable twin of :func:`mtzsim._kernels.axisym.plume_wall_heat`: (Q [W/m³], power placed [W]).

    The same heat flux per unit area on the lateral wall of every row above the floor on the axis.
    """
    nr, _ = void.shape
    Q = np.zeros(void.shape)
    rows = np.arange(floor0)
    solid = ~void[:, rows]
    has = solid.any(axis=0)
    jw = np.argmax(solid, axis=0)[has]
    rows = rows[has]
    faces = 2.0 * math.pi * jw * h * h
    if faces.sum() <= 0.0:
        return Q, 0.0
    Q[jw, rows] += power / faces.sum() * faces / vol[jw, rows]
    return Q, float(power * (faces > 0).any())


def pulse_phase_numpy(state: _k.State, mat, pulse, plm, rts, stp) -> PulseTally:
    """Readable twin of the pulse-phase kernel: the same explicit steps on the whole grid.

    Advances ``state`` in place; slow (meant for coarse grids in the tests).
    """
    H, void, Omega, Tmax, dry = state.H, state.void, state.Omega, state.Tmax, state.dry
    tally = np.zeros(len(_k.TALLY))
    current, ablating = -1, False  # pulse firing now; whether it has ejected mass
    t_mark = np.full(H.shape, np.inf)
    scattering = pulse.q_static.shape[0] == H.shape[0]
    t, nsteps = 0.0, 0
    while t < pulse.t_end - 1e-15:
        starts = pulse.starts
        on = (starts <= t) & (t < starts + pulse.duration)
        p_now = pulse.power if on.any() else 0.0
        firing = int(np.flatnonzero(on)[-1]) if on.any() else -1
        if firing != current:
            current, ablating = firing, False
        edges = np.concatenate([starts[on] + pulse.duration, starts[starts > t], [pulse.t_end]])
        t_edge = float(edges.min())
        T = temperature_of(H, void, mat, dry)
        cond, lost = heat.conduction_rate_numpy(T, void, mat.Gr, mat.Gz, mat.t_body)
        Q = np.zeros_like(H)
        p_deliv = p_out = 0.0
        if p_now > 0.0:
            trans = 1.0
            if ablating and (plm.near > 0.0 or plm.far > 0.0):
                d = (int(np.argmin(void[0])) if not void[0].all() else void.shape[1]) * mat.h
                c = max(d - plm.vent, 0.0)
                trans = math.exp(-plm.mu * (plm.near * min(c, plm.length) + plm.far * max(c - plm.length, 0.0)))
            if scattering:
                Q = np.where(void, 0.0, p_now * trans * pulse.q_static)
                p_deliv = float(np.sum(Q * mat.vol))
            else:
                Q, p_deliv, p_out, _ = _columns(void, mat, pulse, p_now, trans)
            p_wall = 0.0
            if plm.wall > 0.0 and trans < 1.0:
                d0 = int(np.argmin(void[0])) if not void[0].all() else void.shape[1]
                Qw, p_wall = plume_wall_heat_numpy(void, d0, mat.vol, mat.h, plm.wall * p_now * (1.0 - trans))
                Q = Q + Qw
        dt = stp.dt_max_dry if np.any(~void & (dry | (H > mat.H2))) else stp.dt_max
        qmax = float(np.max(np.where(Q > 0.0, Q / mat.Habl, 0.0)))
        if qmax > 0.0:
            dt = min(dt, stp.heat_step / qmax)
        dt = min(dt, t_edge - t)
        if dt <= 0.0:
            dt = 1e-12
        solid = ~void
        with np.errstate(over="ignore"):
            k_rate = rts.A[:, None, None] * np.exp(-rts.Ea[:, None, None] / (R_GAS * T[None]))
        active = solid[None] & (T[None] >= rts.t_cut[:, None, None])
        Omega += np.where(active, dt * k_rate, 0.0)
        pl = mat.perf * mat.rc * (T - mat.t_body)
        H += np.where(solid, dt * (Q + cond / mat.vol - pl), 0.0)
        dry |= solid & (H > mat.H2)
        np.maximum(Tmax, np.where(solid, T, Tmax), out=Tmax)
        tally[0] += dt * p_deliv
        if p_now > 0.0:
            tally[1] += dt * (p_now * (1.0 - trans) - p_wall)
            tally[7] += dt * p_wall
        tally[2] += dt * p_out
        tally[4] += dt * lost
        tally[5] += dt * float(np.sum(np.where(solid, pl * mat.vol, 0.0)))
        t = t + dt
        hot = solid & (H >= mat.Habl)
        t_mark = np.where(hot & np.isinf(t_mark), t, t_mark)
        go = hot & (t >= t_mark + plm.ejection_delay - 1e-15)
        if go.any():
            m = float(np.sum(mat.rho[go] * mat.vol[go]))
            tally[3] += float(np.sum(H[go] * mat.vol[go]))
            tally[6] += m
            ablating = ablating or current >= 0
            H[go] = 0.0
            void |= go
        nsteps += 1
    late = ~void & (H >= mat.Habl)
    tally[3] += float(np.sum(H[late] * mat.vol[late]))
    tally[6] += float(np.sum(mat.rho[late] * mat.vol[late]))
    H[late] = 0.0
    void |= late
    np.maximum(Tmax, np.where(void, Tmax, temperature_of(H, void, mat, dry)), out=Tmax)
    return PulseTally(*(float(x) for x in tally), steps=nsteps, probes=0)
