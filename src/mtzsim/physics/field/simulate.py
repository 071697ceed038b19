"""Treatment field: heat accumulation and Arrhenius damage of thousands of MTZs fired in a scan pattern (the wiring).

Method (linearity of conduction outside the crater, DESIGN.md "Field"):

    T(x, y, z, t) = T_body + Σ_j K(t − t_j, |(x, y) − (x_j, y_j)|, z)

with K the single-MTZ temperature rise (``MTZResult.response``, tabulated on (t, r, z)).
Each firing's rise is split in time at the hand-off age τ_c:

- *near and early* (age < τ_c): the tabulated kernel itself (:mod:`.kernel`), evaluated
  exactly at every map point within the cut-off radius (:mod:`.superposition`);
- *late* (age ≥ τ_c, by default 50 ms and no earlier than the hottest tissue is below boiling):
  the firing's heat goes to an exact spectral Pennes background on a box (:mod:`.background`).

The Arrhenius damage of each process is integrated on the total temperature at each map
point; :mod:`.morphometry` turns the maps into coverage, islands, merging and contraction;
:mod:`.result` holds the result and its dataset; :mod:`.cost` estimates memory and time first.

Assumptions (stated): the tissue outside the crater is homogeneous with the response's
diffusivity and ρc (layers enter only through the tabulated near field); a crater does not
block the heat of its neighbours; superposed temperatures of wet tissue are capped at the
boiling point of water, dry tissue (heated beyond boiling by a firing of its own) is not
(see :mod:`.superposition`); a stacked re-firing of a site adds the same kernel again
(crater deepening by stacking is not modelled here); the perfusion rate is the dermal one.
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

from mtzsim.constants import R_GAS, T_BODY, T_BOIL
from mtzsim.physics import damage
from mtzsim.physics.field import background as bgmod
from mtzsim.physics.field import morphometry as morph
from mtzsim.physics.field.cost import DEFAULT_MAX_MEMORY, check_field_cost, estimate_field_cost
from mtzsim.physics.field.kernel import default_handoff_age, prepare_kernel
from mtzsim.physics.field.result import FieldResult, field_dataset
from mtzsim.physics.field.superposition import (
    DAMAGE_TABLE_STEP_K,
    DAMAGE_TABLE_TOP_K,
    damage_tables,
    firing_bins,
    new_outputs,
    point_kernel_for,
    slot_table,
)
from mtzsim._kernels.field import Background, Firings
from mtzsim.physics.pattern import Pattern, PatternSpec, build_pattern

#: Default map depths [m]: epidermis (below the stratum corneum), papillary/upper
#: reticular dermis, mid reticular dermis. Assumption: representative levels for
#: face skin (epidermis ≈ 50–100 µm thick).
DEFAULT_DEPTHS = (20e-6, 100e-6, 300e-6)

#: Processes used for the zones, in the order of the Ω arrays.
ZONE_KEYS = ("collagen", "cell", "hsp")

#: Estimated run time [s] above which simulate_field warns before it starts (assumption:
#: beyond ten minutes a user wants to know).
SLOW_FIELD_S = 600.0

#: Wavelength names for titles.
_LASER_NAMES = {"co2": "CO2", "eryag": "Er:YAG", "erglass": "Er:glass"}


def _arrhenius():
    """ln A [ln(1/s)] and Ea/R [K] of the collagen, cell and heat-shock processes."""
    procs = [damage.ARRHENIUS[damage.ZONE_PROCESSES[k]] for k in ZONE_KEYS]
    return np.array([math.log(p.A) for p in procs]), np.array([p.Ea / R_GAS for p in procs])


def _default_perfusion_rate() -> float:
    """w = ω_b ρ_b c_b / (ρ c) of the face dermis [1/s] (tissue.py; ρ_b c_b ≈ ρ c assumed)."""
    from mtzsim.physics.tissue import get_tissue

    return float(get_tissue("face").dermis.perfusion)


def laser_label(beam) -> str:
    """"CO2 10.6 µm, 15 mJ" for titles (display only)."""
    name = _LASER_NAMES.get(getattr(beam, "laser", ""), str(getattr(beam, "laser", "")))
    wl = getattr(beam, "wavelength", float("nan"))
    e = getattr(beam, "energy", float("nan"))
    stack = int(getattr(beam, "stack", 1) or 1)
    return f"{name} {wl * 1e6:.3g} µm, {e * 1e3:.3g} mJ" + (f" × {stack}" if stack > 1 else "")


def _check(mtz, resolution, cooling, depths):
    if getattr(mtz, "response", None) is None:
        raise ValueError("mtz: the single-MTZ result has no tabulated thermal response")
    if not (isinstance(resolution, (int, float)) and math.isfinite(resolution) and resolution > 0):
        raise ValueError(f"field.resolution: must be a positive length [m], got {resolution!r}")
    if not (isinstance(cooling, (int, float)) and math.isfinite(cooling) and cooling >= 0):
        raise ValueError(f"field.cooling: must be a non-negative time [s], got {cooling!r}")
    depths = tuple(float(d) for d in np.atleast_1d(depths))
    if not depths or any(not (math.isfinite(d) and d >= 0) for d in depths):
        raise ValueError(f"field.depths: must be non-negative depths [m], got {depths!r}")
    return depths


def _cooled_skin(resp, depths, times) -> np.ndarray:
    """The cooled skin's temperature [K] at ``depths`` and ``times`` from the first firing, (depth, time).

    Linear in depth and in time in the response's baseline table; beyond its last time the last profile.
    """
    z = np.asarray(resp.z, float)
    table = np.asarray(resp.baseline, float)
    at_depths = np.stack([np.interp(depths, z, row) for row in table])  # (table time, depth)
    tt = np.asarray(resp.baseline_t, float)
    return np.stack([np.interp(times, tt, at_depths[:, s]) for s in range(len(depths))])


def simulate_field(
    mtz,
    pattern,
    *,
    depths=DEFAULT_DEPTHS,
    resolution=10e-6,
    cooling=2.0,
    cross_section_depth=None,
    perfusion_rate=None,
    handoff_age=None,
    background_step=None,
    temperature_cap=None,
    max_memory=DEFAULT_MAX_MEMORY,
    progress=None,
) -> FieldResult:
    """Temperature and Arrhenius damage of a treated field (see module docstring).

    Parameters
    ----------
    mtz : MTZResult
        The single-MTZ result; its ``response`` (tabulated rise) is superposed. When its skin
        surface was cooled (``response.baseline``), the rises are added to the cooled skin's
        temperature at each depth and time instead of to body temperature: the coolant is taken
        to be on the whole field from its pre-cooling before the first firing to the end (each
        firing's own rise was computed after that pre-cooling). The coldest profile is the base
        temperature and what the skin is warmer than it at each step is added to the background.
    pattern : Pattern or PatternSpec
        The scan (a spec is built with :func:`mtzsim.physics.pattern.build_pattern`).
    depths : sequence of float
        Depths of the en-face maps [m]; ``depths[0]`` is taken as the epidermis for
        coverage and islands.
    resolution : float
        Pixel size of the en-face maps and the cross-section [m].
    cooling : float
        Time simulated after the last firing [s].
    cross_section_depth : float, optional
        Deepest row of the cross-section [m]; default: the kernel's tabulated depth, at most 600 µm.
    perfusion_rate : float, optional
        w = ω_b ρ_b c_b/(ρc) [1/s]; default the dermal perfusion of ``tissue.py``.
    handoff_age : float, optional
        τ_c [s]: age at which a firing's heat passes to the background. Default
        :func:`default_handoff_age`.
    background_step : float, optional
        Time step of the background read-out [s]; default τ_c / 4 during the scan.
    temperature_cap : float, optional
        Highest temperature of wet tissue [K]; default the boiling point of water
        (:mod:`mtzsim.physics.field.superposition` states the rule: wet tissue is capped, tissue a
        firing dried beyond boiling is not); ``math.inf`` for none (analytic tests).
    max_memory : float or None
        Refuse (ValueError naming ``pattern.area``) a field whose estimated memory exceeds this [B];
        ``None`` for no limit.
    progress : callable, optional
        ``progress(fraction, stage)``.

    Returns
    -------
    FieldResult

    Raises
    ------
    ValueError
        Bad arguments (the message starts with the field's name) or a field too large for ``max_memory``.

    Warns
    -----
    UserWarning
        A long estimated run time; no intact epidermis left; mean temperatures limited by the peak.
    """
    timings = {}
    t_start = time.perf_counter()
    if isinstance(pattern, PatternSpec):
        pattern = build_pattern(pattern)
    if not isinstance(pattern, Pattern):
        raise ValueError("pattern: must be a Pattern or PatternSpec")
    depths = _check(mtz, resolution, cooling, depths)
    resp = mtz.response
    w = _default_perfusion_rate() if perfusion_rate is None else float(perfusion_rate)
    T_cap = T_BOIL if temperature_cap is None else float(temperature_cap)
    lnA, EaR = _arrhenius()
    spec = pattern.spec
    rc = float(resp.volumetric_heat_capacity)
    tau_c = default_handoff_age(resp) if handoff_age is None else float(handoff_age)

    # ---- kernel slices at map and cross-section depths; time grid; box; cost --------
    z_tab = float(np.max(resp.z))
    cs_max = min(z_tab, 600e-6) if cross_section_depth is None else float(cross_section_depth)
    cs_depths = (np.arange(max(1, int(round(cs_max / resolution)))) + 0.5) * resolution
    slot_depths = np.concatenate([np.asarray(depths), cs_depths])
    kern = prepare_kernel(resp, slot_depths, tau_c, w)
    step_times = bgmod.step_times_for(float(pattern.t_fire[-1]), tau_c, cooling, background_step)
    # the skin's temperature without the laser at each slot depth: body temperature, or the cooled skin,
    # whose coldest profile is the base and whose excess over it at each step joins the background
    cooled = getattr(resp, "baseline", None) is not None
    if cooled:
        step_times = np.concatenate([[0.0], step_times])  # the background read at the first firing too
        base = _cooled_skin(resp, slot_depths, step_times)  # (slot, step) [K]
        t_base = base.min(axis=1)
        drift = base - t_base[:, None]
    else:
        t_base = np.full(slot_depths.size, T_BODY)
    box = bgmod.make_box(pattern, kern, step_times, slot_depths)
    nxp = max(1, int(round(spec.width / resolution)))
    nyp = max(1, int(round(spec.height / resolution)))
    cost = estimate_field_cost(nx_pixels=nxp, ny_pixels=nyp, n_depths=len(depths), n_cs_rows=cs_depths.size,
                               n_firings=pattern.n_firings, box=box, n_steps=step_times.size)
    check_field_cost(cost, spec, resolution, max_memory)
    if cost.time > SLOW_FIELD_S:
        warnings.warn(f"this field will take {cost.describe()}", stacklevel=2)
    timings["kernel_s"] = time.perf_counter() - t_start

    # ---- background and bulk temperatures ------------------------------------------------
    n_map = len(depths)
    c0 = int(np.argmin(pattern.x**2 + pattern.y**2))  # cross-section through the site nearest the centre
    cs_y = float(pattern.y[c0])
    bg_map, bg_cs, bulk_bg, heat_box = bgmod.run_background(
        pattern, kern, box, np.asarray(depths), cs_depths, cs_y, step_times, w, rc, progress)
    if cooled:
        bg_map += drift[:n_map, :, None, None].astype(bg_map.dtype)
        bg_cs += drift[n_map:, :, None, None].astype(bg_cs.dtype)
        bulk_bg += drift[:n_map]
    timings["background_s"] = time.perf_counter() - t_start - timings["kernel_s"]
    t_map, t_cs = t_base[:n_map], t_base[n_map:]
    bulk_T = t_map[:, None] + bgmod.area_mean_rise(pattern, kern, step_times, bulk_bg)
    local_T, window = bgmod.local_bulk(pattern, kern, step_times, bg_map, box, t_map)

    # ---- background-only damage, isolated-firing tables, bins --------------------------
    om_map, bgmax_map = bgmod.background_damage(bg_map, step_times, lnA, EaR, t_map)
    om_cs, bgmax_cs = bgmod.background_damage(bg_cs, step_times, lnA, EaR, t_cs)
    bg_top = float(max(bg_map.max(), bg_cs.max() if bg_cs.size else 0.0))
    bg_grid = np.arange(0.0, min(bg_top, DAMAGE_TABLE_TOP_K) + 2 * DAMAGE_TABLE_STEP_K, DAMAGE_TABLE_STEP_K)
    lnD = damage_tables(kern, lnA, EaR, t_base, bg_grid, T_cap)
    bins = firing_bins(pattern, box.x0, box.y0, box.x0 + box.Lx, box.y0 + box.Ly,
                       max(float(kern.r_cut.max()), resolution))
    firings = Firings(np.ascontiguousarray(pattern.x, float), np.ascontiguousarray(pattern.y, float),
                      np.ascontiguousarray(pattern.t_fire, float))
    slot_kernels = {}

    def kernel_of(s):  # the point kernel's constants at the slot's base temperature (one, without cooling)
        tb = float(t_base[s])
        if tb not in slot_kernels:
            slot_kernels[tb] = point_kernel_for(lnA, EaR, tb, T_cap)
        return slot_kernels[tb]
    timings["tables_s"] = time.perf_counter() - t_start - sum(timings.values())

    # ---- map points ----------------------------------------------------------------------
    xs = (np.arange(nxp) - (nxp - 1) / 2) * resolution
    ys = (np.arange(nyp) - (nyp - 1) / 2) * resolution

    def run_points(s, px, py, BG, OM, BGMAX, flat):
        bg = Background(np.ascontiguousarray(BG), step_times, box.x0, box.dx, cs_y - 0.5 if flat else box.y0,
                        1.0 if flat else box.dy, np.ascontiguousarray(OM), np.ascontiguousarray(BGMAX))
        out = new_outputs(len(px), lnA.size)
        return kernel_of(s)(px, py, firings, bins, slot_table(kern, s, lnD, DAMAGE_TABLE_STEP_K), bg, out)

    omega_maps = np.zeros((n_map, nyp, nxp, 3), dtype=np.float32)
    tpeak_maps = np.zeros((n_map, nyp, nxp), dtype=np.float32)
    abl_maps = np.zeros((n_map, nyp, nxp), dtype=bool)
    n_overflow = n_capped = n_dry = 0
    peak_by_depth = t_map + (drift[:n_map].max(axis=1) if cooled else 0.0)  # hottest tissue per map depth [K]
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    for s in range(n_map):
        o = run_points(s, gx, gy, bg_map[s], om_map[s], bgmax_map[s], False)
        omega_maps[s] = np.minimum(o.omega, 1e30).reshape(nyp, nxp, 3)
        tpeak_maps[s] = o.tpeak.reshape(nyp, nxp)
        abl_maps[s] = o.ablated.reshape(nyp, nxp)
        n_overflow += int(o.overflow.sum())
        n_dry += int(o.dry.sum())
        n_capped += int(((o.tpeak >= T_cap) & ~o.dry & ~o.ablated).sum())
        if (~o.ablated).any():
            peak_by_depth[s] = float(o.tpeak[~o.ablated].max())
        if progress is not None:
            progress(0.5 + 0.4 * (s + 1) / n_map, "maps")
    del gx, gy
    ncs = cs_depths.size
    cs_omega = np.zeros((ncs, nxp, 3), dtype=np.float32)
    cs_tpeak = np.zeros((ncs, nxp), dtype=np.float32)
    cs_abl = np.zeros((ncs, nxp), dtype=bool)
    for c in range(ncs):
        o = run_points(n_map + c, xs, np.full(nxp, cs_y), bg_cs[c], om_cs[c], bgmax_cs[c], True)
        cs_omega[c], cs_tpeak[c], cs_abl[c] = np.minimum(o.omega, 1e30), o.tpeak, o.ablated
    timings["points_s"] = time.perf_counter() - t_start - sum(timings.values())

    # ---- morphometry -------------------------------------------------------------------
    zones = morph.classify(abl_maps, omega_maps)
    cs_zones = morph.classify(cs_abl, cs_omega)
    cov = morph.coverage(zones[0])
    d_treated, d_intact, n_islands = morph.island_distances(zones[0], omega_maps[0], abl_maps[0], xs, ys)
    any_treated = cov["treated"] > 0
    median_island = morph.median_or(d_treated, float("inf") if any_treated else 0.0)
    median_intact = morph.median_or(d_intact, 0.0 if any_treated else float("inf"))
    hist, bins_c = morph.histogram(d_treated, resolution)
    reach_hist, reach_c = morph.histogram(d_intact, resolution)
    sites = morph.distinct_sites(pattern, resolution)
    merged_fraction, mean_thick = morph.merging_and_rings(zones, sites, xs, ys, resolution)
    contraction = morph.area_contraction(omega_maps[..., 0], abl_maps)
    coag_vol = morph.coagulated_volume(omega_maps[..., 0], depths, resolution)

    # ---- temperatures: peak outside craters; means never above the peak beside them ---------
    peak = float(peak_by_depth.max())
    # an area or window mean cannot exceed the hottest tissue in it; the linear sum can, where
    # superposed heat beyond boiling went into tissue water (wet points are capped at boiling)
    bulk_limited = bool(np.any(bulk_T > peak_by_depth[:, None]) or np.any(local_T > peak_by_depth[:, None]))
    bulk_T = np.minimum(bulk_T, peak_by_depth[:, None])
    local_T = np.minimum(local_T, peak_by_depth[:, None])

    energy_delivered = float(mtz.beam.energy) * int(getattr(mtz.beam, "stack", 1) or 1) * pattern.n_firings
    heat_deposited = float(resp.heat_content) * pattern.n_firings
    n_pts = n_map * nxp * nyp
    no_islands = bool(zones[0].size and n_islands == 0)
    ds = field_dataset(
        xs=xs, ys=ys, depths=depths, cs_depths=cs_depths, step_times=step_times, zones=zones, omega_maps=omega_maps,
        tpeak_maps=tpeak_maps, cs_zones=cs_zones, cs_omega=cs_omega, cs_tpeak=cs_tpeak, bulk_T=bulk_T,
        local_T=local_T, local_window=window, heat_box=heat_box, island_hist=hist, island_bins=bins_c,
        reach_hist=reach_hist, reach_bins=reach_c,
        pattern=pattern,
        attrs={"cross_section_y_m": cs_y, "resolution_m": resolution, "n_overflow_points": int(n_overflow),
               "handoff_age_s": tau_c, "laser": laser_label(mtz.beam), "temperature_cap_K": T_cap,
               "bulk_limited_by_peak": int(bulk_limited)})
    timings["summary_s"] = time.perf_counter() - t_start - sum(timings.values())
    timings["total_s"] = time.perf_counter() - t_start
    result = FieldResult(
        depths=depths, resolution=resolution, n_mtz=int(sites.shape[0]), n_firings=pattern.n_firings,
        coverage_ablated=cov["ablated"], coverage_coagulated=cov["coagulated"], coverage_lethal=cov["lethal"],
        coverage_heat_shock=cov["heat_shock"], coverage_treated=cov["treated"],
        max_bulk_temperature=float(bulk_T.max()), mean_coagulation_thickness=mean_thick,
        merged_fraction=merged_fraction, median_island_distance=median_island, area_contraction=contraction,
        energy_delivered=energy_delivered, heat_deposited=heat_deposited, coagulated_volume=coag_vol,
        peak_temperature=peak, duration=float(step_times[-1]), dataset=ds,
        max_local_bulk_temperature=float(local_T.max()), pattern=pattern, timings=timings,
        median_intact_distance=median_intact, island_distance_resolution=resolution, n_islands=n_islands,
        no_intact_islands=no_islands, capped_fraction=n_capped / n_pts, dry_fraction=n_dry / n_pts,
        bulk_limited=bulk_limited, handoff_age=tau_c, laser=laser_label(mtz.beam), estimated_memory=cost.memory,
    )
    for message in result.warnings:
        warnings.warn(message, stacklevel=2)
    if progress is not None:
        progress(1.0, "done")
    return result
