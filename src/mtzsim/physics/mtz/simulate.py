"""One microbeam in skin, end to end: grid, pulse phase, cooling, zones, energy, dataset and response."""

from __future__ import annotations

import time as _time

import numpy as np

from mtzsim._kernels import axisym as _k
from mtzsim.physics.heat import axisym as heat
from mtzsim.physics.histology import HISTOLOGY_EDGE_PROCESS, section
from mtzsim.physics.laser import Beam
from mtzsim.physics.mtz import cooling, domain, pulse, source
from mtzsim.physics.mtz.dataset import build_dataset, probe_points
from mtzsim.physics.mtz.domain import Numerics
from mtzsim.physics.mtz.energy import partition
from mtzsim.physics.mtz.losses import LossModel, default_loss_model, ejecta_gasification_bound
from mtzsim.physics.mtz.response import ThermalResponse
from mtzsim.physics.mtz.result import PROCESSES, MTZResult, geometry, wall_cells, zones
from mtzsim.physics.mtz.surface_cooling import BASELINE_TIMES, Baseline, SurfaceCooling
from mtzsim.physics.tissue import Tissue, constants, get_tissue, water_absorption_temperature

#: Largest number of probe samples kept from the pulse phase.
N_PROBE_MAX = 4000


def simulate_mtz(
    beam: Beam,
    *,
    tissue: str | Tissue = "face",
    losses: LossModel | None = None,
    numerics: Numerics | None = None,
    coagulation_process: str = "collagen_birefringence",
    surface_cooling: SurfaceCooling | None = None,
) -> MTZResult:
    """Simulate one microbeam in skin: crater, damage zones, temperatures, energy partition.

    Parameters
    ----------
    beam : Beam
        The microbeam (SI); see :func:`mtzsim.physics.laser.make_beam`.
    tissue : str or Tissue
        Named tissue (``"face"``) or a :class:`~mtzsim.physics.tissue.Tissue`.
    losses : LossModel, optional
        Ablation temperature and plume shielding; default the calibrated model.
    numerics : Numerics, optional
        Grid spacing and time stepping; default :func:`.source.default_numerics` (10 µm cells for
        the 1.55 µm map, 5 µm otherwise). The grid is refined for spots narrower than 6 cells,
        and the domain grows (and the run repeats) when damage reaches its boundary.
    coagulation_process : str
        Arrhenius set whose Ω ≥ 1 defines "coagulated" in the living-tissue geometry (default
        collagen birefringence loss, Maitland & Walsh 1997).
    surface_cooling : SurfaceCooling, optional
        A coolant on the skin surface (:mod:`.surface_cooling`: contact window or air stream),
        on for its ``precool`` before the first pulse and through the whole run. None (default):
        an adiabatic surface.

    Returns
    -------
    MTZResult

    Raises
    ------
    ValueError
        For a spot the grid cannot resolve, or damage that outgrows the largest domain.
    """
    tissue = get_tissue(tissue)
    if surface_cooling is not None:
        surface_cooling.check_laser(beam.laser)
    losses = default_loss_model() if losses is None else losses
    numerics = domain.check_inputs(beam, source.default_numerics(beam) if numerics is None else numerics)
    while True:
        result, grid, hot = _run(beam, tissue, losses, numerics, coagulation_process, surface_cooling)
        radial, deep = domain.reaches_boundary(hot)
        if not (radial or deep) or not numerics.grow_domain:
            return result
        numerics = domain.grown(numerics, grid, radial, deep)


def _run(beam, tissue, losses, numerics, coagulation_process, surface_cooling=None):
    from mtzsim.physics import damage

    t_body = tissue.body_temperature
    grid = domain.build_grid(beam, tissue, numerics)
    props = heat.tissue_properties(grid, tissue, beam.laser, dry_specific_heat=constants()["dry_matrix_specific_heat"])
    q_static = source.deposition_map(grid, beam, tissue, props, numerics, surface_cooling)
    # confined superheating only for a beam absorbed in columns (CO2, Er:YAG: heating rates
    # ~10⁸ K/s); the scattering 1.55 µm beam heats ~10³ times slower and boils normally
    # (Vogel & Venugopalan 2003 sec. V.C, V.E)
    mat = pulse.material(grid, props, losses.ablation_temperature, t_body,
                         pulse.base_vaporised_fraction(losses, q_static), surface_cooling)
    levels = pulse.superheat_levels(grid, props, losses, t_body, surface_cooling, q_static)
    keys = tuple(dict.fromkeys((coagulation_process, HISTOLOGY_EDGE_PROCESS) + PROCESSES))
    procs = [damage.ARRHENIUS[k] for k in keys]
    A = np.array([p.A for p in procs])
    Ea = np.array([p.Ea for p in procs])
    rts = pulse.rates(A, Ea, heat.arrhenius_cutoff(A, Ea, beam.total_duration + numerics.cooling_time, tolerance=1e-6))
    stp = pulse.steps(grid, props, mat, numerics.heat_step)
    state = _k.State(np.zeros((grid.nr, grid.nz)), np.zeros((grid.nr, grid.nz), np.bool_),
                     np.zeros((len(keys), grid.nr, grid.nz)), np.full((grid.nr, grid.nz), t_body),
                     np.zeros((grid.nr, grid.nz), np.bool_))
    baseline = None
    initial = 0.0
    base_table = None
    if surface_cooling is not None:
        # the skin under the coolant for its pre-cooling time: every column starts from that profile
        baseline = Baseline(mat)
        baseline.run(surface_cooling.precool)
        base_table = baseline.copy().tabulate(BASELINE_TIMES)  # for a field: the coolant stays on
        state.H[:] = mat.rc * (baseline.profile[None, :] - t_body)
        state.Tmax[:] = baseline.profile[None, :]
        initial = float(np.sum(state.H * mat.vol))
    probes = probe_points(grid, beam)
    pj = np.array([p[2] for p in probes], np.int64)
    pk = np.array([p[3] for p in probes], np.int64)
    prb = _k.Probes(pj, pk, 1, np.zeros(N_PROBE_MAX), np.zeros((N_PROBE_MAX, len(probes))))
    clock = _time.perf_counter()
    # the desiccated matrix's absorption ratio κ: for a beam absorbed in columns at κ's wavelength only
    kappa = losses.dry_absorption_for(beam.laser) if q_static is None else 1.0
    train = pulse.pulse_train(beam, q_static, tissue, kappa, losses.wall_optics, losses.water_temperature,
                              losses.wall_roughness, grid=grid)
    if q_static is not None and numerics.light_updates > 1 and beam.stack == 1:
        # the scattering beam's map recomputed during the pulse from the cells' own absorption
        law = water_absorption_temperature().get(beam.laser) if losses.water_temperature else None
        tally = pulse.run_recomputed_map(
            state, mat, train, pulse.plume(beam, tissue, losses, levels), rts, stp, prb,
            lambda f, i: source.recomputed_map(grid, beam, tissue, props, numerics, surface_cooling, f, i),
            int(numerics.light_updates), law)
    else:
        tally = pulse.run_pulse(state, mat, train, pulse.plume(beam, tissue, losses, levels), rts, stp, prb)
    pulse_seconds = _time.perf_counter() - clock
    void, Omega, Tmax = state.void, state.Omega, state.Tmax

    des = cooling.desiccate(state.H, void, mat, state.dry)
    residual = des.residual_heat
    if baseline is not None:
        baseline.run(beam.total_duration)  # the cooled skin without the laser, at the end of the pulse
        # the heat the microbeam added to the cooled skin (what a field superposes)
        residual = np.where(void, 0.0, residual - mat.rc * (baseline.profile[None, :] - t_body))
    walls = wall_cells(void)
    peak_wall = float(np.max(np.where(walls, Tmax, -np.inf))) if walls.any() else float("nan")
    cool = cooling.cool(des, void, Omega, Tmax, mat, rts, t_start=beam.total_duration,
                        t_stop=beam.total_duration + numerics.cooling_time, dt0=stp.dt_max, numerics=numerics,
                        probe_j=pj, probe_k=pk, baseline=baseline)
    stored = cooling.stored_heat(cool.T, void, des.cap, t_body)
    energy = partition(beam.energy * beam.stack, tally, des.vaporised, stored, tally.boundary + cool.boundary,
                       tally.perfusion + cool.perfusion, tally.surface + cool.surface, initial)

    geo = geometry(grid.h, void, Omega, keys)
    hist = section(void, Omega[keys.index(HISTOLOGY_EDGE_PROCESS)], grid.h, geo["ablation_depth"],
                   geo["ablation_diameter"], dermis_top=tissue.dermis_top)
    zone = zones(void, Omega, keys)
    probe_t = list(prb.t[:tally.probes]) + cool.probe_t
    probe_T = list(prb.T[:tally.probes]) + cool.probe_T
    ds = build_dataset(grid, beam, void, Omega, keys, Tmax, des.residual_heat, zone, probes, probe_t, probe_T,
                       {"steps": tally.steps + cool.steps, "pulse_phase_s": pulse_seconds,
                        "coagulation_process": coagulation_process}, losses)
    stride = numerics.response_stride
    dermis = tissue.dermis
    response = ThermalResponse(
        t=np.array(cool.resp_times), r=grid.r[::stride], z=grid.z[::stride], rise=np.stack(cool.resp_fields),
        void=void[::stride, ::stride].copy(), residual_heat=residual, t_end_pulse=beam.total_duration,
        heat_content=float(np.sum(residual * mat.vol)), diffusivity=dermis.diffusivity,
        volumetric_heat_capacity=dermis.heat_capacity,
        baseline=None if base_table is None else base_table[:, ::stride].copy(),
        baseline_t=None if base_table is None else BASELINE_TIMES.copy(),
    )
    result = MTZResult(
        beam=beam, pulse_duration=beam.pulse_duration, peak_temperature=float(np.max(np.where(void, 0.0, Tmax))),
        energy=energy, dataset=ds, response=response, peak_wall_temperature=peak_wall,
        ablated_mass=tally.ejected_mass, histology=hist, surface_cooling=surface_cooling,
        ejecta_gasification_bound=ejecta_gasification_bound(tissue.dermis, losses.ablation_temperature), **geo,
    )
    hot = void | (Omega[keys.index("hsp70_induction")] >= 1.0)
    return result, grid, hot


#: MTZ lengths a pulse-regime interval reports (the names of
#: :func:`mtzsim.verify.calibration.prediction_intervals`).
INTERVAL_LENGTHS = ("ablation_depth", "coagulation_depth", "ablation_diameter", "histology_coagulation_depth",
                    "histology_lesion_width")


def interval_lengths(result: MTZResult) -> dict:
    """The :data:`INTERVAL_LENGTHS` of one MTZ [m] (the ``histology_`` ones from its H&E view)."""
    return {name: float(getattr(result.histology, name[len("histology_"):]) if name.startswith("histology_")
                        else getattr(result, name)) for name in INTERVAL_LENGTHS}


def pulse_regime_intervals(beam: Beam, regime, *, tissue: str | Tissue = "face", losses: LossModel | None = None,
                           numerics: Numerics | None = None, nodes: int = 3,
                           surface_cooling: SurfaceCooling | None = None) -> dict:
    """Range [SI] of an MTZ's lengths over a device's uncertain pulse regime, at the beam's energy.

    The beam is simulated at ``nodes`` values spanning the regime's range evenly in the
    logarithm (:meth:`mtzsim.params.presets.PulseRegime.nodes`: low, geometric middle, high for
    3), each as a pulse duration or as a peak power (τ = E / P) at the same pulse energy, spot
    and stack; the interval of each length is its minimum and maximum over the nodes (the
    lengths are monotone in the pulse duration in the ms regime, so the ends carry the
    extremes; the middle node guards against a turn). A regime a source states (low = high)
    gives the one MTZ.

    Parameters
    ----------
    beam : Beam
        The microbeam at the preset's energy and spot.
    regime : PulseRegime
        :func:`mtzsim.params.presets.pulse_regime` of the device preset.
    tissue, losses, numerics, surface_cooling
        As :func:`simulate_mtz`.
    nodes : int
        Number of regime values simulated (≥ 1).

    Returns
    -------
    dict
        name → (low, high) [m] for :data:`INTERVAL_LENGTHS`, plus ``"pulse_duration"`` → the
        (shortest, longest) pulse simulated [s].
    """
    from dataclasses import replace

    if nodes < 1:
        raise ValueError(f"nodes must be at least 1, got {nodes!r}")
    values: dict[str, list] = {}
    for x in regime.nodes(nodes):
        tau = x if regime.quantity == "pulse_duration" else beam.energy / x
        r = simulate_mtz(replace(beam, pulse_duration=tau), tissue=tissue, losses=losses, numerics=numerics,
                         surface_cooling=surface_cooling)
        for name, val in {**interval_lengths(r), "pulse_duration": tau}.items():
            values.setdefault(name, []).append(float(val))
    return {k: (min(v), max(v)) for k, v in values.items()}
