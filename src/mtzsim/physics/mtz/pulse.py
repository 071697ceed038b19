"""Pulse phase of one MTZ: enthalpy-method heating, desiccation, superheating and ejection while the laser fires.

Every cell holds its enthalpy H above body temperature [J/m³]. Below H1 = ρc (T_boil − T_body)
it is wet tissue; between H1 and H2 = H1 + ρ_w L its water boils at T_boil; above H2 it is the
desiccated matrix at T = T_boil + (H − H2)/ρc_dry, which is ejected once H reaches H_abl (the
ablation temperature, :mod:`.losses`). With confined superheating (:class:`.losses.LossModel`
``vaporised_fraction`` f_v, CO2 and Er:YAG) the same levels describe liquid water held by the matrix:
H1 = ρc (T_abl − T_body), a plateau of f_v ρ_w L at T_abl, and ejection at its end (:func:`material`).
Light is absorbed in columns below the crater profile
(Beer–Lambert; the beam is focused on the surface and its rays diverge below it until they meet the
crater's floor or walls, so a deep, narrow crater's walls take the light that leaves its axis, a drying cell absorbing
µa (κ + (1 − κ) w), w the water it still holds and κ the desiccated matrix's absorption over the wet
tissue's, :class:`.losses.LossModel` ``dry_absorption``, default 1; Fresnel reflection
at the surface and the crater walls sends part of it out of the skin or deeper into the crater,
:mod:`.reflection`) or by a fixed
deposition map (:mod:`.source`, 1.55 µm) that each cell absorbs in proportion to the water it
still holds (the absorber at 1.55 µm is water; light a boiling cell lets through goes on down its
column, :func:`water_left`); the ejecta in the beam path shield it. Conduction and
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
from mtzsim.physics.tissue import AbsorptionTemperature, water_absorption_temperature


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
    reflected: float  # Fresnel-reflected at the surface or the crater walls and out of the skin
    redirected: float  # absorbed after at least one wall reflection (part of delivered)
    surface: float  # conducted out of the skin surface into a coolant (0 for an adiabatic surface)
    steps: int
    probes: int


def material(grid, props, ablation_temperature: float, t_body: float,
             vaporised_fraction: float | None = None, surface_cooling=None) -> _k.Material:
    """The :data:`~mtzsim._kernels.axisym.Material` record of a grid and its tissue properties.

    ``vaporised_fraction`` None (default): water boils at T_boil, the matrix dries and is
    superheated to T_abl (H_abl = ρc (T_boil − T_body) + ρ_w L + ρc_dry (T_abl − T_boil)).
    A number f_v in [0, 1]: confined superheated water (:class:`~mtzsim.physics.mtz.losses.LossModel`
    ``vaporised_fraction``): the tissue stays liquid, its water held by the matrix at its
    saturation pressure, up to T_abl; at T_abl the fraction f_v of its water vaporises before
    the matrix ruptures and the cell is ejected, H_abl = ρc (T_abl − T_body) + f_v ρ_w L. The same
    kernels then run with the levels H1 = ρc (T_abl − T_body), H2 = H_abl and the plateau
    temperature T_abl (the record's ``t_boil``); a cell below H_abl cools as liquid.

    ``surface_cooling`` (:class:`~mtzsim.physics.mtz.surface_cooling.SurfaceCooling`, None:
    adiabatic surface): the surface cells exchange heat with the coolant through Gz[:, 0]
    (:func:`mtzsim.physics.heat.axisym.surface_conductances`), and the far radial face is
    insulated instead of held at body temperature, so that the far column follows the cooled
    skin's one-dimensional profile (the baseline the MTZ's rise is measured from) rather than
    being warmed back to body temperature from the side.
    """
    Gr, Gz = heat.conductances(grid, props.k)
    t_surface = float(t_body)
    if surface_cooling is not None:
        Gz[:, 0] = heat.surface_conductances(grid, props.k[:, 0], surface_cooling.coefficient)
        Gr[grid.nr, :] = 0.0
        t_surface = float(surface_cooling.temperature)
    if vaporised_fraction is None:
        H1 = props.rc * (T_BOIL - t_body)
        H2 = H1 + props.rho_water * WATER_LATENT_HEAT
        Habl = H2 + props.rc_dry * max(0.0, ablation_temperature - T_BOIL)
        t_plateau = T_BOIL
    else:
        if not 0.0 <= vaporised_fraction <= 1.0:
            raise ValueError(f"vaporised_fraction must be a fraction, got {vaporised_fraction!r}")
        H1 = props.rc * (ablation_temperature - t_body)
        H2 = H1 + vaporised_fraction * props.rho_water * WATER_LATENT_HEAT
        Habl = H2.copy()
        t_plateau = ablation_temperature
    return _k.Material(H1, H2, Habl, props.rc, props.rc_dry, props.mua, props.perf, grid.volume, props.rho,
                       Gr, Gz, grid.r, float(grid.h), float(t_body), float(t_plateau), t_surface)


#: Layers (skin_layers.csv keys) whose desiccated matrix keeps the wet tissue's absorption (κ = 1) whatever the
#: fitted κ: subcutaneous fat, whose lipid absorbs at 10.6 µm itself — Ross, Domankevitz & Anderson 1997 measured
#: 250 cm⁻¹ for porcine fat by ATR spectroscopy, more than its water alone gives (0.2 × 846 = 169 cm⁻¹ in the
#: model), and saw fat ablate by the ejection of intact fat particles. κ was fitted on craters in the collagen layers
#: (:mod:`mtzsim.verify.calibration`) and has no source for a lipid matrix.
KEEP_WET_ABSORPTION_LAYERS = ("fat",)


def dry_absorption_cells(grid, tissue, dry_absorption: float) -> np.ndarray:
    """Each cell's κ [-] (nr, nz): ``dry_absorption`` in every layer but :data:`KEEP_WET_ABSORPTION_LAYERS` (1)."""
    keys = np.array([tissue.layers[i].key for i in tissue.layer_at(grid.z)])
    col = np.where(np.isin(keys, KEEP_WET_ABSORPTION_LAYERS), 1.0, float(dry_absorption))
    return np.broadcast_to(col[None, :], (grid.nr, grid.nz)).copy()


def pulse_train(beam, q_static, tissue=None, dry_absorption: float = 1.0, wall_optics: bool = True,
                water_temperature: bool = True, wall_roughness: float = 0.0, grid=None) -> _k.PulseTrain:
    """The :data:`~mtzsim._kernels.axisym.PulseTrain` record of a beam (q_static None → columns).

    With ``tissue`` and a beam absorbed in columns, the record carries the dermis's complex
    refractive index (:func:`mtzsim.physics.mtz.reflection.tissue_index`): Fresnel reflection at
    the surface and the crater walls. Without it, or for the scattering 1.55 µm map (whose Monte
    Carlo already removes the surface reflection), the index is 1 (no reflection).
    ``dry_absorption`` κ: the desiccated matrix's absorption over the wet tissue's at the beam's
    wavelength (:class:`~mtzsim.physics.mtz.losses.LossModel` ``dry_absorption``); only for a beam
    absorbed in columns (the 1.55 µm map already absorbs in proportion to the water left).
    ``wall_optics`` (:class:`~mtzsim.physics.mtz.losses.LossModel` ``wall_optics``): True traces the
    light the crater walls reflect (what they focus on the axis spread over its diffraction-limited spot at the
    beam's wavelength); False keeps only the normal-incidence Fresnel loss. ``wall_roughness`` σ [m]
    (:class:`~mtzsim.physics.mtz.losses.LossModel` ``wall_roughness``): with traced walls, the rms height of
    the crater walls; they reflect specularly only exp(−(4π σ cos θ / λ)²) of R.
    ``water_temperature``: with ``tissue`` and a beam absorbed in columns whose wavelength has a sourced
    temperature coefficient of water's absorption (:func:`mtzsim.physics.tissue.water_absorption_temperature`:
    2.94 µm), each cell absorbs at its own temperature; otherwise (or False) at the table's 25 °C.
    ``grid`` (with ``tissue`` and κ < 1): the record carries each cell's κ (:func:`dry_absorption_cells`: fat keeps
    1); without it κ applies to every cell.
    """
    if not 0.0 <= dry_absorption <= 1.0:
        raise ValueError(f"dry_absorption must be a ratio in [0, 1], got {dry_absorption!r}")
    if not (math.isfinite(wall_roughness) and wall_roughness >= 0.0):
        raise ValueError(f"wall_roughness must be a non-negative length, got {wall_roughness!r}")
    from mtzsim.physics.mtz.reflection import tissue_index

    columns = q_static is None  # a beam absorbed in columns (not the scattering 1.55 µm map)
    traced = wall_optics and columns
    q = np.zeros((0, 0)) if columns else np.asarray(q_static, float)
    index = tissue_index(beam.laser, tissue.dermis.water_fraction) if tissue is not None and columns else 1.0 + 0.0j
    law = (water_absorption_temperature().get(beam.laser) if water_temperature and tissue is not None and columns
           else None)
    thermal = (law.slope, law.t_ref, law.t_cap) if law is not None else (0.0, 0.0, 0.0)
    cells = (dry_absorption_cells(grid, tissue, dry_absorption) if grid is not None and tissue is not None and columns
             and dry_absorption < 1.0 else np.zeros((0, 0)))
    return _k.PulseTrain(np.array(beam.pulse_starts(), float), float(beam.pulse_duration), float(beam.total_duration),
                         float(beam.peak_power), float(beam.radius), float(beam.rayleigh_range),
                         beam.profile == "gaussian", q, complex(index), float(dry_absorption), bool(wall_optics),
                         *map(float, thermal), float(beam.wavelength) if traced else 0.0,
                         float(wall_roughness) if traced else 0.0, np.zeros((0, 0)), cells)


def plume(beam, tissue, losses, levels=None) -> _k.Plume:
    """The :data:`~mtzsim._kernels.axisym.Plume` record: ejecta absorbing like the dermis at the beam's wavelength.

    The vent is ``vent_length`` radii of the crater's own mouth (``vent_reference`` "mouth",
    measured by the kernel as the crater grows) or of the beam (``"beam"``, the stage-2 rule).
    ``levels`` (:func:`superheat_levels`): the superheated levels of a loss model whose boiling takes time
    (``boiling_time`` > 0); required then.
    """
    if losses.boiling_time > 0.0 and (levels is None or np.asarray(levels).ndim != 3):
        raise ValueError("a loss model with a boiling time needs the superheated levels (pulse.superheat_levels)")
    mu = tissue.dermis.absorption(beam.laser)
    mouth = losses.vent_reference == "mouth"
    return _k.Plume(float(mu), float(losses.near_fraction), float(losses.ejecta_fraction),
                    float(losses.acceleration_length * beam.radius),
                    0.0 if mouth else float(losses.vent_length * beam.radius),
                    float(losses.ejection_delay), float(losses.wall_fraction),
                    float(losses.vent_length) if mouth else 0.0, float(losses.ejecta_capacity),
                    float(losses.boiling_time), float(losses.ablation_temperature),
                    np.asarray(levels, float) if losses.boiling_time > 0.0 else np.zeros((0, 0, 0)))


def base_vaporised_fraction(losses, q_static):
    """The ``vaporised_fraction`` of :func:`material` for a loss model: confined superheating only for a beam
    absorbed in columns, and only when boiling takes no time (with a boiling time the material holds the
    equilibrium-boiling levels and :func:`superheat_levels` the superheated ones)."""
    return losses.vaporised_fraction if q_static is None and losses.boiling_time == 0.0 else None


def superheat_levels(grid, props, losses, t_body: float, surface_cooling=None, q_static=None):
    """(3, nr, nz) H1, H2, H_abl of confined superheating (f_v = ``vaporised_fraction``) for a loss model whose
    boiling takes time; None otherwise. A scattering (mapped) beam ablates nothing: refused with a boiling time."""
    if losses.boiling_time == 0.0:
        return None
    if q_static is not None:
        raise ValueError("a boiling time is for a beam absorbed in columns (CO2, Er:YAG), not the 1.55 um map")
    sh = material(grid, props, losses.ablation_temperature, t_body, losses.vaporised_fraction, surface_cooling)
    return np.stack([sh.H1, sh.H2, sh.Habl])


def rates(A, Ea, t_cut) -> _k.Rates:
    """The :data:`~mtzsim._kernels.axisym.Rates` record; ``EaR`` = Ea / R_GAS [K] (mtzsim.constants) for the kernels."""
    Ea = np.asarray(Ea, float)
    return _k.Rates(np.asarray(A, float), Ea, np.asarray(t_cut, float), Ea / R_GAS)


def steps(grid, props, mat: _k.Material, heat_step: float) -> _k.Steps:
    dt = 0.9 * heat.stable_dt(grid, props.rc, mat.Gr, mat.Gz)
    return _k.Steps(dt, dt * float(np.min(props.rc_dry / props.rc)), float(heat_step))


#: A gap between pulses that would take more explicit steps than this is stepped implicitly
#: (:func:`gap_phase_numpy`, the kernel :func:`mtzsim._kernels.axisym.make_gap_phase`); shorter
#: gaps (stacked CO2 pulses 1 ms apart) stay in the explicit pulse kernel, unchanged. Numerics
#: choice: 500 explicit steps cost about as much as the ~70 implicit steps of a 0.1 s gap.
IMPLICIT_GAP_STEPS = 500
#: Growth of the implicit gap step from the explicit stable step, and its longest step as a
#: fraction of the gap. Numerics choices, verified against the explicit kernel in
#: tests/test_pulse_train.py (depth equal, peak temperature and stored heat within 2 %).
GAP_GROWTH = 1.15
GAP_DT_FRACTION = 0.02
#: Active-box floor of a pulse that follows an implicit gap [K]: cells warmed by less than
#: this are frozen while the pulse fires (numerics choice; during a 250 µs pulse heat moves
#: ~5 µm, and the box grows one cell a step wherever its edge is warmer).
BOX_FLOOR_KELVIN = 0.01
#: Longest implicit gap step [s] (the cooling phase's longest step while > 100 °C cells remain,
#: :class:`mtzsim.physics.mtz.domain.Numerics` ``dt_wall_max``).
GAP_DT_MAX = 5e-3


def gaps(pulse) -> np.ndarray:
    """Gap [s] after each pulse but the last of a :data:`~mtzsim._kernels.axisym.PulseTrain`."""
    starts = np.asarray(pulse.starts, float)
    return starts[1:] - (starts[:-1] + pulse.duration)


def gap_record(t0: float, t1: float, stp: _k.Steps, mat: _k.Material) -> _k.Gap:
    """The :data:`~mtzsim._kernels.axisym.Gap` record of the gap from ``t0`` to ``t1`` [s].

    Its box floor is :data:`BOX_FLOOR_KELVIN` of wet tissue's heat; its diffusivity the
    largest of the grid's cells, dry (k / ρc_dry), so that the box's margin is never short.
    """
    nr = mat.Gz.shape[0]
    area = math.pi * (2 * np.arange(nr) + 1) * mat.h**2
    k = mat.Gz[:, 1:-1] * mat.h / area[:, None] if mat.Gz.shape[1] > 2 else mat.Gz[:, :1] * 0.5 * mat.h / area[:, None]
    alpha = float(np.max(k) / np.min(mat.rc_dry))
    return _k.Gap(float(t0), float(t1), float(stp.dt_max), GAP_GROWTH,
                  float(min(GAP_DT_MAX, GAP_DT_FRACTION * (t1 - t0))), BOX_FLOOR_KELVIN * float(np.min(mat.rc)), alpha)


def run_pulse(state: _k.State, mat, pulse, plm, rts, stp, probes: _k.Probes, *,
              implicit_gap_steps: float = IMPLICIT_GAP_STEPS) -> PulseTally:
    """Advance ``state`` through the pulse train with the numba kernels.

    A train whose gaps each fit in ``implicit_gap_steps`` explicit steps is stepped by the
    explicit pulse kernel from its first pulse to the end of its last. Otherwise (a train at a
    repetition rate: 1–15 Hz, gaps of 0.07–1 s) each pulse is stepped explicitly and each gap
    by the implicit gap kernel, which carries the residual heat, the desiccated cells and the
    water still boiling into the next pulse.
    """
    g = gaps(pulse)
    if g.size == 0 or float(g.max()) <= implicit_gap_steps * stp.dt_max:
        tally, nsteps, nprobe = _k.make_pulse_phase()(state, mat, pulse, plm, rts, stp, probes)
        return PulseTally(*(float(x) for x in tally), steps=int(nsteps), probes=int(nprobe))
    kernel, gap_kernel = _k.make_pulse_phase(), _k.make_gap_phase()
    total = np.zeros(len(_k.TALLY))
    nsteps = nprobe = 0
    one = pulse._replace(starts=np.zeros(1), t_end=float(pulse.duration))
    starts = np.asarray(pulse.starts, float)
    after_gap = stp._replace(box_floor=BOX_FLOOR_KELVIN * float(np.min(mat.rc)))
    for i, t0 in enumerate(starts):
        n, nprobe = _one_pulse(kernel, state, mat, one, plm, rts, stp if i == 0 else after_gap, probes, nprobe, t0,
                               total)
        nsteps += n
        if i + 1 < starts.size:
            gt, n = gap_kernel(state, mat, gap_record(t0 + pulse.duration, starts[i + 1], stp, mat), rts)
            total[[4, 5, 3, 6, 10]] += gt  # boundary, perfusion, ablated, ejected mass, surface
            nsteps += int(n)
    return PulseTally(*(float(x) for x in total), steps=nsteps, probes=nprobe)


def _one_pulse(kernel, state, mat, one, plm, rts, stp, probes, nprobe: int, t0: float, total) -> tuple[int, int]:
    """Step one pulse (``one``, starting at 0) that begins at ``t0`` in the train: its probes after the ``nprobe``
    already taken, their times shifted by ``t0``, its tally added to ``total``. Returns (steps, probes taken)."""
    prb = probes._replace(t=probes.t[nprobe:], T=probes.T[nprobe:])
    tally, n, m = kernel(state, mat, one, plm, rts, stp, prb)
    prb.t[:m] += t0
    total += tally
    return int(n), nprobe + int(m)


def temperature_scale(state: _k.State, mat, law=None) -> np.ndarray:
    """Water's 1.55 µm absorption at each cell's temperature over that at body temperature [-] (1 without a
    ``law``, :class:`~mtzsim.physics.tissue.AbsorptionTemperature`; a cooled cell is held at 1: the Monte Carlo
    cannot raise a cell's µa above its layer's)."""
    if law is None or law.slope == 0.0:
        return np.ones(state.H.shape)
    T = temperature_of(state.H, state.void, mat, state.dry)
    return np.minimum(1.0, law.factor(T) / law.factor(mat.t_body))


def run_recomputed_map(state: _k.State, mat, pulse, plm, rts, stp, probes: _k.Probes, recompute, segments: int,
                       law=None) -> PulseTally:
    """Advance ``state`` through one scattering-beam pulse in ``segments`` equal parts, the map recomputed before each.

    The first part uses ``pulse.q_static`` (wet tissue at body temperature). Before each later part,
    ``recompute(absorption, i)`` returns what each cell would absorb at its full µa [1/m³ per J] in the light
    field of the tissue as the pulse has left it, each cell absorbing ``absorption`` of its µa (the water it
    holds, :func:`water_left`, times water's temperature ``law``, :func:`temperature_scale`); the kernel then
    lets each cell absorb its water left × temperature scale of it (``absorption_scale``). The light a hot or
    drying cell no longer takes goes where the transport takes it, not down its column; within one part a
    cell's loss of water lowers its absorption and the light it leaves is not placed until the next map.
    """
    if pulse.starts.size != 1:
        raise ValueError("a recomputed map is for one pulse (a stacked train keeps the wet map)")
    kernel = _k.make_pulse_phase()
    part = float(pulse.duration) / segments
    total = np.zeros(len(_k.TALLY))
    nsteps = nprobe = 0
    for i in range(segments):
        if i == 0:
            q, scale = pulse.q_static, np.zeros((0, 0))
        else:
            scale = temperature_scale(state, mat, law)
            absorption = np.where(state.void, 0.0, water_left(state.H, mat, state.dry) * scale)
            q = np.asarray(recompute(absorption, i), float)
        one = pulse._replace(starts=np.zeros(1), duration=part, t_end=part, q_static=q, absorption_scale=scale)
        n, nprobe = _one_pulse(kernel, state, mat, one, plm, rts, stp, probes, nprobe, i * part, total)
        nsteps += n
    return PulseTally(*(float(x) for x in total), steps=nsteps, probes=nprobe)


def _line_numpy(T, free, solid, G, Gb, cap, perf, t_body, dt, t0=None):
    """One backward-Euler line (readable twin of ``_kernels.axisym._sweep_line``).

    ``G[0]`` is the first cell's conductance to a medium at ``t0`` (the coolant on the skin
    surface; None: t_body). Returns the new line, the heat each held (solid, not free) cell
    received [J], the boundary, the perfusion and the surface losses [J].
    """
    from scipy.linalg import solve_banded

    n = T.size
    left = np.r_[False, solid[:-1]]
    right = np.r_[solid[1:], False]
    gl = np.where(free & left, G[:n], 0.0)
    gr = np.where(free & right, G[1:n + 1], 0.0)
    t0 = t_body if t0 is None else t0
    gb = np.zeros(n)
    gb[-1] = Gb if free[-1] else 0.0
    gs = np.zeros(n)
    gs[0] = G[0] if free[0] else 0.0
    s = np.where(free, dt / cap, 0.0)
    pf = np.where(free, perf, 0.0)
    ab = np.zeros((3, n))
    ab[0, 1:] = -(s * gr)[:-1]
    ab[1] = 1.0 + s * (gl + gr + gb + gs) + dt * pf
    ab[2, :-1] = -(s * gl)[1:]
    x = solve_banded((1, 1), ab, np.where(free, T + s * (gb * t_body + gs * t0) + dt * pf * t_body, T))
    held = solid & ~free
    gain = np.zeros(n)
    gain[1:] += np.where(held[1:] & free[:-1], dt * G[1:n] * (x[:-1] - T[1:]), 0.0)
    gain[:-1] += np.where(held[:-1] & free[1:], dt * G[1:n] * (x[1:] - T[:-1]), 0.0)
    lost_s = dt * gs[0] * (x[0] - t0)
    if held[0]:  # a held surface cell gives its heat to the coolant too
        gain[0] += dt * G[0] * (t0 - T[0])
        lost_s += dt * G[0] * (T[0] - t0)
    lost_b = dt * gb[-1] * (x[-1] - t_body)
    lost_p = float(np.sum(dt * pf * cap * (x - t_body)))
    return np.where(free, x, T), gain, lost_b, lost_p, lost_s


def gap_phase_numpy(state: _k.State, mat, gap: _k.Gap, rts) -> tuple[np.ndarray, int]:
    """Readable twin of the gap kernel: implicit enthalpy steps through one gap of a train.

    Boiling cells (H1 < H < H2, not desiccated) are held at T_boil and take the heat
    conducted into them as latent heat; every other solid cell takes a locally one-dimensional
    backward-Euler step (radial lines, then depth lines with perfusion) with its own heat
    capacity and changes its enthalpy by ρc ΔT. Only the active box is stepped: the warm
    (|H| > floor) or ablated cells and a margin of
    :data:`~mtzsim._kernels.axisym.GAP_BOX_MARGIN` diffusion lengths; its rim is held and
    takes what the box conducts into it; a cooled surface (Gz[:, 0] > 0) makes the box span
    the grid's width. Returns (tally [boundary, perfusion, ablated, ejected mass, surface],
    steps); ``state`` advances in place.
    """
    H, void, Omega, Tmax, dry = state.H, state.void, state.Omega, state.Tmax, state.dry
    nr, nz = H.shape
    tally = np.zeros(len(_k.GAP_TALLY))

    def rates_of(T, solid):
        with np.errstate(over="ignore"):
            k = rts.A[:, None, None] * np.exp(-rts.EaR[:, None, None] / T[None])
        return np.where(solid[None] & (T[None] >= rts.t_cut[:, None, None]), k, 0.0)

    T = temperature_of(H, void, mat, dry)
    r_old = rates_of(T, ~void)
    t, dt, nsteps = gap.t0, gap.dt0, 0
    while t < gap.t1 - 1e-15:
        dt = min(dt, gap.t1 - t)
        warm = (np.abs(H) > gap.floor) | void
        jw = int(np.flatnonzero(warm.any(axis=1)).max()) + 1 if warm.any() else 0
        kw = int(np.flatnonzero(warm.any(axis=0)).max()) + 1 if warm.any() else 0
        if np.any(mat.Gz[:, 0] > 0.0):
            jw, kw = nr, max(kw, 1)
        m = int(math.ceil(_k.GAP_BOX_MARGIN * math.sqrt(gap.alpha * dt) / mat.h)) + 1
        jb, kb = min(jw + m, nr), min(kw + m, nz)
        jr, kr = min(jb + 1, nr), min(kb + 1, nz)
        box = (slice(0, jr), slice(0, kr))
        Hb, Tb, vb, db = H[box], T[box], void[box], dry[box]
        rc, rcd, vol, perf = mat.rc[box], mat.rc_dry[box], mat.vol[box], mat.perf[box]
        solid = ~vb
        wet = ~db & (Hb <= mat.H2[box])
        rim = np.zeros_like(vb)
        if jb < nr:
            rim[jb, :] = True
        if kb < nz:
            rim[:, kb] = True
        mushy = wet & (Hb > mat.H1[box])
        fixed = solid & (rim | mushy)
        cap = np.where(wet, rc, rcd) * vol
        gain = np.zeros_like(Hb)
        Tn = Tb.copy()
        for k in range(kr):
            Gb = mat.Gr[nr, k] if jr == nr else 0.0
            Tn[:, k], g, lb, lp, _ = _line_numpy(Tn[:, k], solid[:, k] & ~fixed[:, k], solid[:, k],
                                                 mat.Gr[:jr + 1, k], Gb, cap[:, k], np.zeros(jr), mat.t_body, dt)
            gain[:, k] += g
            tally[0] += lb
        for j in range(jr):
            Gb = mat.Gz[j, nz] if kr == nz else 0.0
            Tn[j], g, lb, lp, ls = _line_numpy(Tn[j], solid[j] & ~fixed[j], solid[j], mat.Gz[j, :kr + 1], Gb,
                                               cap[j], perf[j], mat.t_body, dt, mat.t_surface)
            gain[j] += g
            tally[0] += lb
            tally[1] += lp
            tally[4] += ls
        held_mushy = fixed & ~rim
        pl = dt * perf * rc * (mat.t_boil - mat.t_body)
        tally[1] += float(np.sum(np.where(held_mushy, pl * vol, 0.0)))
        Hb += np.where(fixed & rim, gain / vol,
                       np.where(held_mushy, gain / vol - pl, np.where(solid, cap / vol * (Tn - Tb), 0.0)))
        db |= solid & (Hb > mat.H2[box])
        T = temperature_of(H, void, mat, dry)
        r_new = rates_of(T, ~void)
        Omega += 0.5 * dt * (r_old + r_new)
        r_old = r_new
        go = ~void & (H >= mat.Habl)
        r_old[:, go] = 0.0  # an ejected cell accumulates no more damage
        tally[2] += float(np.sum(H[go] * mat.vol[go]))
        tally[3] += float(np.sum(mat.rho[go] * mat.vol[go]))
        H[go] = 0.0
        void |= go
        T = np.where(go, mat.t_body, T)
        Tmax[box] = np.maximum(Tmax[box], np.where(void[box], Tmax[box], T[box]))  # the box: all that changed
        t += dt
        nsteps += 1
        dt = min(dt * gap.growth, gap.dt_max)
    return tally, nsteps


def temperature_of(H, void, mat, dry=None) -> np.ndarray:
    """Temperature [K] of each cell from its enthalpy (void cells at body temperature; dry cells hold no water)."""
    T = np.where(H < mat.H1, mat.t_body + H / mat.rc,
                 np.where(H < mat.H2, mat.t_boil, mat.t_boil + (H - mat.H2) / mat.rc_dry))
    if dry is not None:
        T = np.where(dry, mat.t_boil + (H - mat.H2) / mat.rc_dry, T)
    return np.where(void, mat.t_body, T)


def _absorb_column_numpy(Q, void, mat, j, k0, p):
    """Beer–Lambert: absorb power p [W] entering column j at cell k0 into Q [W/m³]; returns what passes the bottom [W].
    The slanted ray at slope 0, as ``_kernels.axisym.absorb_column`` is."""
    return _absorb_slanted_numpy(Q, void, mat, j, k0, p, 0.0)


def _absorb_slanted_numpy(Q, void, mat, j, k0, p, slope):
    """Readable twin of ``_kernels.axisym.absorb_slanted``: Beer–Lambert along a ray entering column j at row k0 and
    moving ``slope`` outward per unit depth; returns what leaves the grid [W]."""
    nr, nz = void.shape
    h = mat.h
    ds = h * math.sqrt(1.0 + slope * slope)
    remaining, x = 1.0, (j + 0.5) * h
    for k in range(k0, nz):
        jj = int(x / h)
        if jj >= nr:
            break
        if not void[jj, k]:
            frac = remaining * (1.0 - math.exp(-mat.mua[jj, k] * ds))
            Q[jj, k] += p * frac / mat.vol[jj, k]
            remaining -= frac
            if remaining < 1e-14:
                break
        x += slope * h
    return p * remaining


def _profile_depth_numpy(floor, ra, h):
    """Depth [m] of the crater profile at radius ra: column floors joined linearly between column centres."""
    u = ra / h - 0.5
    if u <= 0.0:
        return floor[0] * h
    i = int(u)
    if i >= floor.size - 1:
        return floor[-1] * h
    return ((1.0 - (u - i)) * floor[i] + (u - i) * floor[i + 1]) * h


def _profile_slope_numpy(floor, ra, h, node):
    """Slope dz/dr [-]: central difference at column ``node`` (mirrored on the axis), else the segment's at ra."""
    nr = floor.size
    if node >= 0:
        a = floor[node - 1] if node > 0 else floor[min(1, nr - 1)]
        b = floor[node + 1] if node < nr - 1 else floor[node]
        return 0.5 * (b - a)
    u = ra / h - 0.5
    i = int(u)
    if u <= 0.0 or nr < 2 or i >= nr - 1:
        return 0.0
    return float(floor[i + 1] - floor[i])


def _spread_numpy(Q, void, mat, floor, k_hit, radius, p):
    """Readable twin of ``_kernels.axisym.absorb_spread``: p [W] evenly over the disk of ``radius`` about the
    axis, each column from its floor. Returns the power out of the bottom [W]."""
    nr, nz = void.shape
    h = mat.h
    lo = np.arange(nr) * h
    hi = np.minimum(lo + h, radius)
    share = np.where(lo < radius, (hi**2 - lo**2) / radius**2, 0.0)
    bottom = 0.0
    for j in np.flatnonzero(share > 0.0):
        k0 = max(int(floor[j]), int(k_hit))
        if k0 >= nz:
            bottom += p * share[j]
        else:
            bottom += _absorb_column_numpy(Q, void, mat, int(j), k0, p * share[j])
    return bottom


def _spread_radius_numpy(wavelength, sin_alpha, r_max, h):
    """Readable twin of ``_kernels.axisym.spread_radius``: Airy radius 0.61 λ / sin α, within [h, r_max]."""
    if wavelength <= 0.0:
        return 0.0
    return max(min(_k.AIRY * wavelength / max(sin_alpha, 1e-12), r_max), h)


def _trace_column(Q, void, mat, floor, j, k0, p_in, index, wall_optics=True, wavelength=0.0, roughness=0.0):
    """Follow light that meets the crater profile in column j at row ``k0`` through Fresnel reflections at the
    profile (readable twin of ``_kernels.axisym.trace_hit``). Returns (delivered, out of the bottom, reflected out
    of the skin, absorbed after a wall reflection) [W]. ``wall_optics`` False: normal incidence, no bounce.
    ``wavelength`` > 0: a reflected ray that meets the profile within the axis's diffraction-limited spot
    spreads over it (:func:`_spread_numpy`). ``roughness`` σ: the wall reflects specularly R times
    :func:`~mtzsim.physics.mtz.reflection.specular_share`; the diffuse rest is absorbed in the struck column
    below the surface row and leaves the skin from the surface row."""
    from mtzsim.physics.mtz.reflection import fresnel_reflectance, specular_share

    nr, nz = void.shape
    h = mat.h
    reflecting = complex(index) != 1.0
    # below the column's floor the ray enters a vertical wall at grazing incidence: refracted at √(n² − 1) outward
    refracted = math.sqrt(max(complex(index).real ** 2 - 1.0, 0.0)) if k0 > floor[j] and reflecting else 0.0
    if reflecting and not wall_optics:  # the surface-normal R leaves the skin; 1 − R goes into the tissue
        a = (1.0 - float(fresnel_reflectance(1.0, index))) * p_in
        return a, _absorb_slanted_numpy(Q, void, mat, j, k0, a, refracted), p_in - a, 0.0
    delivered = bottom = out = redirected = 0.0
    p, x, z, d, jj, kk, node, bounce = p_in, float(mat.r[j]), k0 * h, np.array([0.0, 1.0]), j, k0, j, 0
    ra_hit = float(mat.r[j])
    while p > 0.0:
        R, n, c, scattered = 0.0, np.array([0.0, -1.0]), 0.0, 0.0
        if reflecting:
            fp = _profile_slope_numpy(floor, abs(x), h, node)
            n = np.array([(1.0 if x >= 0.0 else -1.0) * fp, -1.0]) / np.sqrt(1.0 + fp * fp)
            c = -float(d @ n)
            if c > 0.0 and bounce < _k.MAX_BOUNCES:
                fresnel = float(fresnel_reflectance(min(c, 1.0), index))
                R = fresnel * float(specular_share(min(c, 1.0), roughness, wavelength))
                scattered = (fresnel - R) * p if kk == 0 else 0.0  # diffuse light leaves from the surface row
                R = 0.0 if R * p <= _k.TRACE_FLOOR * p_in else R
        out += scattered
        a = (1.0 - R) * p - scattered
        rho = _spread_radius_numpy(wavelength, abs(float(d[0])), nr * h, h) if bounce > 0 else 0.0
        if ra_hit < rho:
            bottom += _spread_numpy(Q, void, mat, floor, kk, rho, a)
        else:  # the first entry along its refracted path (straight down from the floor), later ones down the column
            bottom += _absorb_slanted_numpy(Q, void, mat, jj, kk, a, refracted if bounce == 0 else 0.0)
        delivered += a
        redirected += a if bounce > 0 else 0.0
        p -= a + scattered
        if p <= 0.0 or R == 0.0:
            break
        d = d + 2.0 * c * n
        bounce, node, ds = bounce + 1, -1, 0.5 * h
        while True:  # march across the crater in steps of h/2 until the ray meets the profile or leaves
            xp, zp = x, z
            x, z = x + d[0] * ds, z + d[1] * ds
            if z < 0.0 or abs(x) >= nr * h:
                out += p
                p = 0.0
                break
            if z >= nz * h:
                bottom += p
                delivered += p
                p = 0.0
                break
            if z >= _profile_depth_numpy(floor, abs(x), h):  # the wall cell: first solid one of the row, outward
                ra_hit = abs(x)
                kk = min(int(z / h), nz - 1)
                solid = np.flatnonzero(~void[min(int(abs(x) / h), nr - 1):, kk])
                if solid.size == 0:
                    out += p
                    p = 0.0
                    break
                jj, x, z = min(int(abs(x) / h), nr - 1) + int(solid[0]), xp, zp
                break
    return delivered, bottom, out, redirected


def floors(void) -> np.ndarray:
    """Index of each column's first solid cell (its number of cells nz when the column is all void)."""
    return np.where(void.all(axis=1), void.shape[1], np.argmin(void, axis=1))


def plume_transmission_numpy(void, h, plm) -> np.ndarray:
    """Readable twin of ``_kernels.axisym.plume_transmission``: the ejecta's transmission down to each row [-].

    The ejecta fill the confined channel [vent, d] (dense over the floor, fast above); a ray that meets
    the crater profile at row k crosses them only down to depth k·h, so light that meets the surface
    outside the crater's mouth is unshielded.
    """
    floor = floors(void)
    vent = plm.vent
    if plm.vent_mouth > 0.0:  # the crater's own mouth radius
        vent = plm.vent_mouth * (int(np.argmin(void[:, 0])) if not void[:, 0].all() else void.shape[0]) * h
    d = floor[0] * h
    top_dense = d - min(max(d - vent, 0.0), plm.length)
    z = np.minimum(np.arange(void.shape[1]) * h, d)
    dense = np.maximum(z - top_dense, 0.0)
    fast = np.maximum(np.minimum(z, top_dense) - vent, 0.0)
    return np.exp(-plm.mu * (plm.near * dense + plm.far * fast))


def _beam_share_between(a, b, w0, gaussian) -> float:
    """Share of the beam's power whose rays leave the surface between radii a ≤ b [-] (twin of
    ``_kernels.axisym.beam_share_between``)."""
    if gaussian:
        return math.exp(-2.0 * a * a / w0**2) * -math.expm1(-2.0 * (b - a) * (b + a) / w0**2)
    a, b = min(a, w0), min(b, w0)
    return (b - a) * (b + a) / w0**2


def _columns(void, mat, pulse, power, trans):
    """Beer–Lambert power per volume [W/m³] below the crater profile, the diverging beam's rays followed to where
    they meet it, with Fresnel reflection there (readable twin of ``_kernels.axisym.deposit_beam``).

    A ray that leaves the surface at radius u is at u·s(z) at depth z, s = √(1 + (z/z_R)²), until it reaches a
    solid cell; the rays still travelling are intervals of u, and the part of one that reaches a solid cell of row
    k carries the beam's share between its two surface radii there. ``trans`` is the ejecta's transmission down
    to each row (:func:`plume_transmission_numpy`; a scalar: the same for all). Returns Q, the power that entered the tissue, the power out of the bottom, the floors, the
    power reflected out of the skin, the power absorbed after a wall reflection and the power the ejecta absorbed [W].
    """
    nr, nz = void.shape
    h = mat.h
    floor = floors(void)
    trans = np.broadcast_to(np.asarray(trans, float), (nz,))
    Q = np.zeros(void.shape)
    tot = np.zeros(4)
    shielded = 0.0
    alive = [(0.0, 3.5 * pulse.w0 if pulse.gaussian else pulse.w0)]  # surface radii of the rays still travelling
    for k in range(nz):
        if not alive:
            break
        s = math.sqrt(1.0 + (k * h / pulse.z_rayleigh) ** 2)
        travelling = []
        for a, b in alive:
            cur, jj = a, int(a * s / h)
            while cur < b and jj < nr:  # the columns this interval's rays reach in this row
                edge = min(b, (jj + 1) * h / s)
                if edge > cur:
                    if floor[jj] <= k:  # a solid cell: these rays meet the profile here
                        p = power * _beam_share_between(cur, edge, pulse.w0, pulse.gaussian)
                        shielded += p * (1.0 - float(trans[k]))
                        if p * trans[k] > 0.0:
                            tot += _trace_column(Q, void, mat, floor, jj, k, p * float(trans[k]), pulse.index,
                                                 pulse.wall_optics, pulse.wavelength, pulse.roughness)
                    elif travelling and travelling[-1][1] == cur:
                        travelling[-1] = (travelling[-1][0], edge)
                    else:
                        travelling.append((cur, edge))
                    cur = edge
                jj += 1
        alive = travelling
    for a, b in alive:  # ablated through the bottom: what still travels leaves through it
        p = power * _beam_share_between(a, b, pulse.w0, pulse.gaussian)
        tot[:2] += p
    return Q, float(tot[0]), float(tot[1]), floor, float(tot[2]), float(tot[3]), shielded


def water_left(H, mat, dry=None) -> np.ndarray:
    """Fraction of its water each cell still holds [-]: 1 below boiling, linear while boiling, 0 dry."""
    span = np.where(mat.H2 > mat.H1, mat.H2 - mat.H1, 1.0)
    f = np.clip((mat.H2 - H) / span, 0.0, 1.0)
    f = np.where(H <= mat.H1, 1.0, f)
    return f if dry is None else np.where(dry, 0.0, f)


def _water_limited(H, void, dry, mat, q_static, power, scale=None):
    """Readable twin of ``_kernels.axisym.deposit_water_limited``: (Q [W/m³], power the map carries, power out [W]).

    Each cell absorbs the map's power in proportion to the water it still holds; what it lets
    through goes on down its column and is shared among the deeper cells as the map shares it.
    A recomputed map (``scale``): each cell absorbs water left × scale of it, nothing is handed down
    (then the power returned is the power absorbed, and none goes out).
    """
    e = q_static * mat.vol
    f = np.where(void, 0.0, water_left(H, mat, dry))
    if scale is not None and np.size(scale):
        take = power * e * f * scale
        return take / mat.vol, float(take.sum()), 0.0
    below = np.cumsum(e[:, ::-1], axis=1)[:, ::-1]
    share = np.divide(e, below, out=np.zeros_like(e), where=below > 0.0)
    p_map = power * e
    Q = np.zeros_like(H)
    carry = np.zeros(H.shape[0])
    for k in range(H.shape[1]):
        take = np.where(void[:, k], 0.0, f[:, k] * (p_map[:, k] + share[:, k] * carry))
        carry = carry + p_map[:, k] - take
        Q[:, k] = take / mat.vol[:, k]
    return Q, float(p_map.sum()), float(carry.sum())


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
    budget = 0.0  # what the ejecta of the pulse firing now can still absorb before they are gasified [J]
    t_mark = np.full(H.shape, np.inf)
    scattering = pulse.q_static.shape[0] == H.shape[0]
    # boiling that takes time (plm.boil_time > 0): wet cells below the boiling enthalpy start superheated
    kinetic = plm.boil_time > 0.0
    sh = np.zeros(H.shape, bool)
    t_hot = np.full(H.shape, np.inf)
    lm = mat  # the levels each cell is on now
    if kinetic:
        sh = ~void & ~dry & (H < mat.H1)
        lm = mat._replace(H1=np.where(sh, plm.levels[0], mat.H1), H2=np.where(sh, plm.levels[1], mat.H2),
                          Habl=np.where(sh, plm.levels[2], mat.Habl))
    t, nsteps = 0.0, 0
    while t < pulse.t_end - 1e-15:
        starts = pulse.starts
        on = (starts <= t) & (t < starts + pulse.duration)
        p_now = pulse.power if on.any() else 0.0
        firing = int(np.flatnonzero(on)[-1]) if on.any() else -1
        if firing != current:
            current, ablating, budget = firing, False, 0.0
        edges = np.concatenate([starts[on] + pulse.duration, starts[starts > t], [pulse.t_end]])
        t_edge = float(edges.min())
        T = temperature_of(H, void, lm, dry)
        if kinetic:  # a superheated cell on its vaporisation plateau sits at T_abl
            T = np.where(sh & ~void & (H >= lm.H1) & (H < lm.H2), plm.t_abl, T)
        cond, lost, cooled = heat.conduction_rate_numpy(T, void, mat.Gr, mat.Gz, mat.t_body, mat.t_surface)
        def light(trans):
            """Q, delivered, out of the bottom, reflected, redirected, plume, wall heat [W] for this transmission."""
            if scattering:  # one map: the axis's path through the ejecta shields all of it
                t_axis = float(trans[min(int(floors(void)[0]), void.shape[1] - 1)])
                Q, p_deliv, p_out = _water_limited(H, void, dry, mat, pulse.q_static, p_now * t_axis,
                                                   pulse.absorption_scale)
                p_refl = p_redir = 0.0
                p_plume = p_now * (1.0 - t_axis)
            else:
                m = mat
                if pulse.dry_absorption < 1.0 or pulse.mua_slope != 0.0:
                    # the desiccating matrix absorbs µa (κ + (1 − κ) w), water's µa follows its temperature
                    kap = pulse.dry_cells if pulse.dry_cells.size else pulse.dry_absorption
                    f = AbsorptionTemperature(pulse.mua_slope, pulse.mua_t_ref, pulse.mua_t_cap).factor(T)
                    m = mat._replace(mua=mat.mua * (kap + (1.0 - kap) * water_left(H, lm, dry)) * f)
                Q, p_deliv, p_out, _, p_refl, p_redir, p_plume = _columns(void, m, pulse, p_now, trans)
            p_wall = 0.0
            if plm.wall > 0.0 and p_plume > 0.0:
                d0 = int(floors(void)[0])
                Qw, p_wall = plume_wall_heat_numpy(void, d0, mat.vol, mat.h, plm.wall * p_plume)
                Q = Q + Qw
                p_plume -= p_wall
            return Q, p_deliv, p_out, p_refl, p_redir, p_plume, p_wall

        def step(Q):
            """The time step: stability, heating resolution, pulse edges [s]."""
            dt = stp.dt_max_dry if np.any(~void & (dry | (H > lm.H2))) else stp.dt_max
            qmax = float(np.max(np.where(Q > 0.0, Q / lm.Habl, 0.0)))
            if qmax > 0.0:
                dt = min(dt, stp.heat_step / qmax)
            dt = min(dt, t_edge - t)
            return dt if dt > 0.0 else 1e-12

        Q = np.zeros_like(H)
        p_deliv = p_out = p_refl = p_redir = p_plume = p_wall = 0.0
        if p_now > 0.0:
            trans = np.ones(void.shape[1])
            if ablating and (plm.near > 0.0 or plm.far > 0.0):
                trans = plume_transmission_numpy(void, mat.h, plm)
            Q, p_deliv, p_out, p_refl, p_redir, p_plume, p_wall = light(trans)
        dt = step(Q)
        if p_now > 0.0 and plm.capacity > 0.0 and p_plume + p_wall > 0.0 and (p_plume + p_wall) * dt > budget:
            # the ejecta would absorb more than they can before they are gasified: thin them
            scale = max(budget, 0.0) / ((p_plume + p_wall) * dt)
            Q, p_deliv, p_out, p_refl, p_redir, p_plume, p_wall = light(1.0 - scale * (1.0 - trans))
            dt = step(Q)
        solid = ~void
        with np.errstate(over="ignore"):
            k_rate = rts.A[:, None, None] * np.exp(-rts.Ea[:, None, None] / (R_GAS * T[None]))
        active = solid[None] & (T[None] >= rts.t_cut[:, None, None])
        Omega += np.where(active, dt * k_rate, 0.0)
        pl = mat.perf * mat.rc * (T - mat.t_body)
        H += np.where(solid, dt * (Q + cond / mat.vol - pl), 0.0)
        dry |= solid & (H > lm.H2)
        if kinetic:  # above the boiling point for boil_time: the superheated water flashes
            start = sh & solid & np.isinf(t_hot) & (H > mat.H1)
            flash = sh & solid & ~np.isinf(t_hot) & (t + dt - t_hot >= plm.boil_time) & (H < lm.Habl)
            t_hot = np.where(start, t + dt, t_hot)
            sh &= ~flash
            for name in ("H1", "H2", "Habl"):
                getattr(lm, name)[flash] = getattr(mat, name)[flash]
        np.maximum(Tmax, np.where(solid, T, Tmax), out=Tmax)
        tally[0] += dt * p_deliv
        if p_now > 0.0:
            tally[1] += dt * p_plume
            budget -= dt * (p_plume + p_wall)
            tally[7] += dt * p_wall
        tally[2] += dt * p_out
        tally[8] += dt * p_refl
        tally[9] += dt * p_redir
        tally[4] += dt * lost
        tally[5] += dt * float(np.sum(np.where(solid, pl * mat.vol, 0.0)))
        tally[10] += dt * cooled
        t = t + dt
        hot = solid & (H >= lm.Habl)
        t_mark = np.where(hot & np.isinf(t_mark), t, t_mark)
        go = hot & (t >= t_mark + plm.ejection_delay - 1e-15)
        if go.any():
            m = float(np.sum(mat.rho[go] * mat.vol[go]))
            tally[3] += float(np.sum(H[go] * mat.vol[go]))
            tally[6] += m
            ablating = ablating or current >= 0
            if current >= 0:
                budget += plm.capacity * m
            H[go] = 0.0
            void |= go
        nsteps += 1
    late = ~void & (H >= lm.Habl)
    tally[3] += float(np.sum(H[late] * mat.vol[late]))
    tally[6] += float(np.sum(mat.rho[late] * mat.vol[late]))
    H[late] = 0.0
    void |= late
    np.maximum(Tmax, np.where(void, Tmax, temperature_of(H, void, mat, dry)), out=Tmax)
    return PulseTally(*(float(x) for x in tally), steps=nsteps, probes=0)
