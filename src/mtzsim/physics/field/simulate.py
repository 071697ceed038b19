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
from dataclasses import dataclass

import numpy as np

from mtzsim.constants import R_GAS, T_BODY, T_BOIL
from mtzsim.physics import damage
from mtzsim.pipeline.contract import quantity
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


#: The last few prepared kernels: one single-MTZ response fired in several scans (the planner's table samples
#: up to 15 densities and passes per wound) is sliced and continued in time once, not per scan.
_KERNELS: dict = {}
_KERNELS_KEPT = 4


def _prepared_kernel(resp, slot_depths, tau_c, w):
    key = (id(resp), tuple(np.round(slot_depths, 12)), float(tau_c), float(w))
    hit = _KERNELS.get(key)
    if hit is not None and hit[0] is resp:
        return hit[1]
    kern = prepare_kernel(resp, slot_depths, tau_c, w)
    if len(_KERNELS) >= _KERNELS_KEPT:
        _KERNELS.pop(next(iter(_KERNELS)))
    _KERNELS[key] = (resp, kern)
    return kern


def _as_pattern(pattern) -> Pattern:
    if isinstance(pattern, PatternSpec):
        pattern = build_pattern(pattern)
    if not isinstance(pattern, Pattern):
        raise ValueError("pattern: must be a Pattern or PatternSpec")
    return pattern


def _setup(mtz, pattern, depths, cs_depths, *, cooling, perfusion_rate, handoff_age, background_step,
           temperature_cap, resolution, progress=None, timings=None, t_start=None, check_cost=None,
           cs_y=None, box_diffusion_lengths: float = 4.0):
    """Everything a map point's temperature and damage need: kernel slices, background, damage tables and bins.

    Shared by :func:`simulate_field` (maps and a cross-section) and :func:`sample_field` (points at one depth).
    ``depths`` are the en-face map depths, ``cs_depths`` the cross-section rows (may be empty); ``check_cost``
    is called with the box and the read-out times before the background runs and its value kept as ``cost``;
    ``resolution`` [m] is the smallest side of the firings' bins.
    Returns a namespace whose ``run_points(slot, px, py)`` gives the point kernel's outputs.
    """
    import types

    timings = {} if timings is None else timings
    t_start = time.perf_counter() if t_start is None else t_start
    resp = mtz.response
    w = _default_perfusion_rate() if perfusion_rate is None else float(perfusion_rate)
    T_cap = T_BOIL if temperature_cap is None else float(temperature_cap)
    lnA, EaR = _arrhenius()
    rc = float(resp.volumetric_heat_capacity)
    tau_c = default_handoff_age(resp) if handoff_age is None else float(handoff_age)

    # ---- kernel slices at map and cross-section depths; time grid; box; cost --------
    slot_depths = np.concatenate([np.asarray(depths, float), np.asarray(cs_depths, float)])
    kern = _prepared_kernel(resp, slot_depths, tau_c, w)
    step_times = bgmod.step_times_for(float(pattern.t_fire[-1]), tau_c, cooling, background_step, pattern.t_fire)
    # the skin's temperature without the laser at each slot depth: body temperature, or the cooled skin,
    # whose coldest profile is the base and whose excess over it at each step joins the background
    cooled = getattr(resp, "baseline", None) is not None
    drift = None
    if cooled:
        step_times = np.concatenate([[0.0], step_times])  # the background read at the first firing too
        base = _cooled_skin(resp, slot_depths, step_times)  # (slot, step) [K]
        t_base = base.min(axis=1)
        drift = base - t_base[:, None]
    else:
        t_base = np.full(slot_depths.size, T_BODY)
    box = bgmod.make_box(pattern, kern, step_times, slot_depths, box_diffusion_lengths)
    cost = check_cost(box, step_times) if check_cost is not None else None
    timings["kernel_s"] = time.perf_counter() - t_start

    # ---- background ----------------------------------------------------------------------
    n_map = len(depths)
    if cs_y is None:
        c0 = int(np.argmin(pattern.x**2 + pattern.y**2))  # cross-section through the site nearest the centre
        cs_y = float(pattern.y[c0])
    bg_map, bg_cs, bulk_bg, heat_box = bgmod.run_background(
        pattern, kern, box, np.asarray(depths, float), np.asarray(cs_depths, float), cs_y, step_times, w, rc,
        progress)
    if cooled:
        bg_map += drift[:n_map, :, None, None].astype(bg_map.dtype)
        bg_cs += drift[n_map:, :, None, None].astype(bg_cs.dtype)
        bulk_bg += drift[:n_map]
    timings["background_s"] = time.perf_counter() - t_start - timings["kernel_s"]
    t_map, t_cs = t_base[:n_map], t_base[n_map:]

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

    def run_points(s, px, py):
        """Point-kernel outputs of slot ``s`` (a map depth, or a cross-section row on the plane y = cs_y)."""
        flat = s >= n_map
        if flat:
            BG, OM, BGMAX = bg_cs[s - n_map], om_cs[s - n_map], bgmax_cs[s - n_map]
        else:
            BG, OM, BGMAX = bg_map[s], om_map[s], bgmax_map[s]
        bg = Background(np.ascontiguousarray(BG), step_times, box.x0, box.dx, cs_y - 0.5 if flat else box.y0,
                        1.0 if flat else box.dy, np.ascontiguousarray(OM), np.ascontiguousarray(BGMAX))
        out = new_outputs(len(px), lnA.size)
        return kernel_of(s)(np.ascontiguousarray(px, float), np.ascontiguousarray(py, float), firings, bins,
                            slot_table(kern, s, lnD, DAMAGE_TABLE_STEP_K), bg, out)

    return types.SimpleNamespace(cost=cost, tau_c=tau_c, T_cap=T_cap, step_times=step_times, box=box, kern=kern,
                                 cooled=cooled, drift=drift, t_base=t_base, cs_y=cs_y, bg_map=bg_map,
                                 bulk_bg=bulk_bg, heat_box=heat_box, run_points=run_points)


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
    pattern = _as_pattern(pattern)
    depths = _check(mtz, resolution, cooling, depths)
    resp = mtz.response
    z_tab = float(np.max(resp.z))
    cs_max = min(z_tab, 600e-6) if cross_section_depth is None else float(cross_section_depth)
    cs_depths = (np.arange(max(1, int(round(cs_max / resolution)))) + 0.5) * resolution
    spec = pattern.spec
    nxp = max(1, int(round(spec.width / resolution)))
    nyp = max(1, int(round(spec.height / resolution)))

    def check_cost(box, step_times):
        cost = estimate_field_cost(nx_pixels=nxp, ny_pixels=nyp, n_depths=len(depths), n_cs_rows=cs_depths.size,
                                   n_firings=pattern.n_firings, box=box, n_steps=step_times.size)
        check_field_cost(cost, spec, resolution, max_memory)
        if cost.time > SLOW_FIELD_S:
            warnings.warn(f"this field will take {cost.describe()}", stacklevel=4)
        return cost

    st = _setup(mtz, pattern, np.asarray(depths), cs_depths, cooling=cooling, perfusion_rate=perfusion_rate,
                handoff_age=handoff_age, background_step=background_step, temperature_cap=temperature_cap,
                resolution=resolution, progress=progress, timings=timings, t_start=t_start, check_cost=check_cost)
    cost, tau_c, T_cap = st.cost, st.tau_c, st.T_cap
    step_times, box, kern, cooled, drift = st.step_times, st.box, st.kern, st.cooled, st.drift
    n_map, t_map, cs_y = len(depths), st.t_base[:len(depths)], st.cs_y
    bg_map, heat_box = st.bg_map, st.heat_box
    bulk_T = t_map[:, None] + bgmod.area_mean_rise(pattern, kern, step_times, st.bulk_bg)
    local_T, window = bgmod.local_bulk(pattern, kern, step_times, bg_map, box, t_map)
    run_points = st.run_points

    # ---- map points ----------------------------------------------------------------------
    xs = (np.arange(nxp) - (nxp - 1) / 2) * resolution
    ys = (np.arange(nyp) - (nyp - 1) / 2) * resolution

    omega_maps = np.zeros((n_map, nyp, nxp, 3), dtype=np.float32)
    tpeak_maps = np.zeros((n_map, nyp, nxp), dtype=np.float32)
    abl_maps = np.zeros((n_map, nyp, nxp), dtype=bool)
    n_overflow = n_capped = n_dry = 0
    peak_by_depth = t_map + (drift[:n_map].max(axis=1) if cooled else 0.0)  # hottest tissue per map depth [K]
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    for s in range(n_map):
        o = run_points(s, gx, gy)
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
        o = run_points(n_map + c, xs, np.full(nxp, cs_y))
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


@dataclass(frozen=True)
class FieldSample:
    """The field engine's damage at random points of one depth of a treated rectangle (SI).

    The same temperatures and Arrhenius integrals as :func:`simulate_field`'s maps, at ``n_points`` points drawn
    uniformly over the rectangle instead of every pixel: an unbiased estimate of the map's area fractions with
    the binomial standard error ``dead_fraction_se``.
    """

    depth: float = quantity("m", "depth of the sampled points", display="um")
    n_points: int = quantity("1", "points sampled", kind="count")
    dead_fraction: float = quantity("1", "area fraction ablated, coagulated (Ω_collagen ≥ 1) or lethal (Ω_cell ≥ 1)",
                                    display="%")
    dead_fraction_se: float = quantity("1", "binomial standard error of dead_fraction", display="%")
    ablated_fraction: float = quantity("1", "area fraction inside a crater", display="%")
    max_bulk_temperature: float = quantity("K", "highest area-mean temperature of the rectangle at the depth",
                                           display="degC")
    n_firings: int = quantity("1", "firings (sites × passes × stack)", kind="count")
    footprint_radius: float = quantity("m", "radius of one isolated column's dead footprint at the depth, given",
                                       display="um", default=0.0)
    footprint_fraction: float = quantity("1", "area fraction within footprint_radius of a site (what the columns "
                                         "kill with no heat from their neighbours)", display="%", default=0.0)
    heat_killed_fraction: float = quantity("1", "fraction of the points outside every footprint that die: the "
                                           "tissue the scan's added heat kills (nan when no point lies outside)",
                                           display="%", default=0.0)


def sample_field(mtz, pattern, depth: float, *, n_points: int = 4000, seed: int = 0, cooling: float = 2.0,
                 perfusion_rate=None, handoff_age=None, background_step=None, temperature_cap=None,
                 footprint_radius: float = 0.0, box_diffusion_lengths: float = 4.0) -> FieldSample:
    """Dead area fraction at one depth of a treated field, from random points instead of maps.

    :func:`simulate_field` evaluates every pixel of several en-face maps and a cross-section and then measures
    them (about 1 µs per pixel and firing neighbour, and a morphometry pass): seconds to a minute for a 1 cm
    tile. An area fraction needs far fewer points: ``n_points`` uniform draws over the rectangle estimate it
    with a standard error of at most 0.5/√n (0.8 % at 4000). The background, the kernel and the damage tables
    are the engine's own (:func:`_setup`), so the estimate converges to the map's fraction.

    Parameters
    ----------
    mtz : MTZResult
        The single-MTZ result with its tabulated response.
    pattern : Pattern or PatternSpec
        The scan.
    depth : float
        Depth of the points [m] (the basal layer, for the healing stage's wound).
    n_points : int
        Points drawn.
    seed : int
        Seed of the draws.
    cooling, perfusion_rate, handoff_age, background_step, temperature_cap
        As :func:`simulate_field`.
    footprint_radius : float
        Radius [m] of the dead disk one column leaves at ``depth`` when fired alone (e.g. the single-MTZ
        engine's): the points farther than this from every site that still die were killed by the heat the
        scan adds up (``heat_killed_fraction``).
    box_diffusion_lengths : float
        Margin of the background's box beyond the rectangle, in diffusion lengths of the whole run
        (:func:`mtzsim.physics.field.background.make_box`; :func:`simulate_field` keeps 4).
    """
    res = 10e-6  # the engine's default map pixel: the floor of the firings' bins and the sites' merging distance
    pattern = _as_pattern(pattern)
    depths = _check(mtz, res, cooling, (depth,))
    if not (isinstance(n_points, int) and n_points >= 1):
        raise ValueError(f"n_points: must be a positive whole number, got {n_points!r}")
    r_f = float(footprint_radius)
    if not (math.isfinite(r_f) and r_f >= 0):
        raise ValueError(f"footprint_radius: must be a non-negative length [m], got {footprint_radius!r}")
    st = _setup(mtz, pattern, np.asarray(depths), np.zeros(0), cooling=cooling, perfusion_rate=perfusion_rate,
                handoff_age=handoff_age, background_step=background_step, temperature_cap=temperature_cap,
                resolution=res, cs_y=0.0, box_diffusion_lengths=box_diffusion_lengths)
    spec = pattern.spec
    rng = np.random.default_rng(seed)
    px = (rng.random(n_points) - 0.5) * spec.width
    py = (rng.random(n_points) - 0.5) * spec.height
    o = st.run_points(0, px, py)
    zones = morph.classify(o.ablated, np.minimum(o.omega, 1e30))
    dead = zones >= damage.ZONES["lethal"]
    p = float(dead.mean())
    inside = np.zeros(n_points, bool)
    if r_f > 0:
        from scipy.spatial import cKDTree

        inside = cKDTree(morph.distinct_sites(pattern, res)).query(np.column_stack([px, py]))[0] < r_f
    outside = ~inside
    bulk = st.t_base[0] + bgmod.area_mean_rise(pattern, st.kern, st.step_times, st.bulk_bg)[0]
    return FieldSample(depth=float(depth), n_points=n_points, dead_fraction=p,
                       dead_fraction_se=math.sqrt(max(p * (1 - p), 0.25 / n_points) / n_points),
                       ablated_fraction=float(o.ablated.mean()), max_bulk_temperature=float(np.max(bulk)),
                       n_firings=pattern.n_firings, footprint_radius=r_f, footprint_fraction=float(inside.mean()),
                       heat_killed_fraction=float(dead[outside].mean()) if outside.any() else float("nan"))
