"""Tests of mtzsim.physics.field: analytic kernel, conservation, brute-force 3-D check, physics trends."""

import json
import math
import time

import numpy as np
import pytest

from mtzsim.constants import R_GAS, T_BODY, T_BOIL
from mtzsim.physics.field import FieldResult, _prepare_kernel, simulate_field, synthetic_mtz, synthetic_response
from mtzsim.physics.pattern import PatternSpec, build_pattern

FAST = dict(depths=(100e-6,), resolution=20e-6, cross_section_depth=60e-6, cooling=0.3)


@pytest.fixture(scope="module")
def mtz():
    return synthetic_mtz()


def test_synthetic_response_conserves_heat():
    # no perfusion: the heat of the column stays in the adiabatic half-space, ∫ρc ΔT dV = Q
    resp = synthetic_response(t_max=0.05, r_max=1.5e-3, z_max=1.5e-3, dr=10e-6, n_t=10)
    dr = resp.r[1] - resp.r[0]
    for i in (0, 4, 9):
        q = resp.volumetric_heat_capacity * 2 * np.pi * (resp.rise[i] * resp.r[:, None]).sum() * dr * dr
        assert q == pytest.approx(resp.heat_content, rel=2e-2)  # sampled Gaussian and sharp column end


def test_kernel_extension_matches_analytic():
    # the FD continuation of a short table must reproduce the analytic rise at τ_c
    short = synthetic_response(t_max=5e-3, r_max=0.6e-3, z_max=0.6e-3)
    long = synthetic_response(t_max=0.05, r_max=0.6e-3, z_max=0.6e-3)
    k_s = _prepare_kernel(short, [100e-6], 0.05, 0.0)
    k_l = _prepare_kernel(long, [100e-6], 0.05, 0.0)
    peak = k_l.K[0, -1].max()
    assert np.max(np.abs(k_s.K[0, -1] - k_l.K[0, -1])) < 0.03 * peak


def test_energy_conservation_and_json(mtz):
    spec = PatternSpec(width=1.5e-3, height=1.5e-3, density=0.1, passes=2, stack=2)
    res = simulate_field(mtz, spec, perfusion_rate=0.0, **FAST)
    p = res.pattern
    # total deposited energy = sum over firings (sites × passes × stack)
    assert res.energy_delivered == pytest.approx(mtz.beam.energy * p.n_spots * 2 * 2)
    assert res.heat_deposited == pytest.approx(mtz.response.heat_content * p.n_firings)
    # without perfusion the background holds every handed-off firing's heat (adiabatic box)
    kern = _prepare_kernel(mtz.response, [100e-6], 0.05, 0.0)
    heat_end = float(res.dataset["heat_in_background"][-1])
    assert heat_end == pytest.approx(kern.heat_handoff * p.n_firings, rel=1e-3)
    assert kern.heat_handoff == pytest.approx(mtz.response.heat_content, rel=2e-2)
    d = res.to_dict()
    json.dumps(d)
    for key in ("coverage_ablated", "coverage_coagulated", "coverage_heat_shock", "max_bulk_temperature_c",
                "mean_coagulation_thickness_um", "merged_fraction", "median_island_distance_um",
                "area_contraction"):
        assert key in d and math.isfinite(d[key])
    cov = [d[k] for k in ("coverage_ablated", "coverage_coagulated", "coverage_lethal", "coverage_heat_shock")]
    assert all(0 <= c <= 1 for c in cov) and sum(cov) <= 1 + 1e-12
    assert 0 <= d["merged_fraction"] <= 1 and 0 <= d["area_contraction"] < 1
    ds = res.dataset
    assert set(ds["zone"].dims) == {"depth", "y", "x"} and "bulk_temperature" in ds and "zone_xz" in ds


def test_isolated_spot_matches_its_own_kernel(mtz):
    # one spot alone: the map's peak temperature at r is T_body + max_τ K(τ, r)
    spec = PatternSpec(width=0.4e-3, height=0.4e-3, spots_per_area=1 / (0.4e-3) ** 2, density=None)
    res = simulate_field(mtz, spec, depths=(100e-6,), resolution=10e-6, cross_section_depth=30e-6, cooling=0.1,
                         temperature_cap=math.inf)  # the analytic column is not limited by boiling
    kern = _prepare_kernel(mtz.response, [100e-6], 0.05, 0.0)
    row = res.dataset["peak_temperature"].isel(depth=0).sel(y=5e-6).values
    x = res.dataset.x.values
    r = np.hypot(x - res.pattern.x[0], 5e-6 - res.pattern.y[0])
    expect = T_BODY + np.interp(r, kern.r_first + np.arange(kern.n_r) * kern.dr, kern.K[0].max(axis=0))
    # within 100 µm the peak comes before hand-off (farther out it comes later, from the background)
    assert np.max(np.abs(row - expect)[r < 100e-6]) < 0.5


def test_bad_input(mtz):
    # the core raises ValueError naming the field; the edge (CLI, scenario) turns it into InputError
    with pytest.raises(ValueError, match=r"^field\.resolution: "):
        simulate_field(mtz, PatternSpec(width=1e-3, height=1e-3), resolution=-1.0)


def _run(mtz, **kw):
    base = dict(width=2e-3, height=2e-3, layout="grid", rep_rate=500.0)
    base.update(kw)
    return simulate_field(mtz, PatternSpec(**base), **FAST)


@pytest.mark.slow
def test_physics_trends(mtz):
    """Raster vs random at high/low density; 2 passes at half density vs 1 at full (numbers in the note)."""
    hi_r = _run(mtz, density=0.3, order="raster")
    hi_x = _run(mtz, density=0.3, order="random")
    lo_r = _run(mtz, density=0.02, order="raster")
    lo_x = _run(mtz, density=0.02, order="random")
    # measured (synthetic MTZ, 2 mm patch, 500 Hz): 30 %: raster 0.682 vs random 0.662 mm³ (+3 %),
    # bulk 78.08 vs 77.92 °C; 2 %: identical to 4 digits
    assert hi_r.coagulated_volume > 1.01 * hi_x.coagulated_volume
    assert hi_r.max_bulk_temperature > hi_x.max_bulk_temperature
    assert abs(lo_r.coagulated_volume - lo_x.coagulated_volume) < 0.01 * lo_x.coagulated_volume
    assert abs(lo_r.max_bulk_temperature - lo_x.max_bulk_temperature) <= abs(
        hi_r.max_bulk_temperature - hi_x.max_bulk_temperature)
    one = _run(mtz, density=0.3, order="random")
    two = _run(mtz, density=0.15, order="random", passes=2, pass_delay=1.0)
    # the same energy, delivered in two halves with a second of cooling between them
    assert two.max_bulk_temperature < one.max_bulk_temperature
    assert two.coagulated_volume < one.coagulated_volume


@pytest.mark.slow
def test_against_brute_force_3d(mtz):
    """3 × 3 MTZs, 200 µm pitch, raster at 500 Hz, against a 10 µm explicit 3-D Pennes + Arrhenius run."""
    from mtzsim.physics.damage import ARRHENIUS
    from mtzsim.physics.heat.reference3d import make_stepper_3d, stable_dt

    numbers = brute_force_comparison(mtz)
    print(numbers)
    assert numbers["coag_volume_error"] < 0.05
    assert numbers["peak_error_k"] < 2.0


def brute_force_comparison(mtz, w=0.002):
    from mtzsim.physics.damage import ARRHENIUS, ZONE_PROCESSES
    from mtzsim.physics.heat.reference3d import make_stepper_3d, stable_dt

    resp = mtz.response
    pitch, rep = 200e-6, 500.0
    spec = PatternSpec(density=None, spots_per_area=1 / pitch**2, layout="grid", order="raster", rep_rate=rep,
                       width=3 * pitch, height=3 * pitch)
    pat = build_pattern(spec)
    dx, half, depth = 10e-6, 700e-6, 600e-6
    n, nz = int(2 * half / dx), int(depth / dx)
    xc = (np.arange(n) + 0.5) * dx - half
    zc = (np.arange(nz) + 0.5) * dx
    alpha, rc = resp.diffusivity, resp.volumetric_heat_capacity
    coll = ARRHENIUS[ZONE_PROCESSES["collagen"]]
    sub = int(np.ceil((1 / rep) / (0.95 * stable_dt(alpha, dx, w))))
    dt = (1 / rep) / sub
    T_body = T_BODY
    step = make_stepper_3d((n, n, nz), alpha=alpha, dx=dx, dt=dt, perfusion_rate=w, T_body=T_body, A=coll.A,
                           Ea=coll.Ea)
    T = np.full((n, n, nz), T_body)
    om = np.zeros_like(T)
    scratch = np.empty_like(T)
    probe = [2, 10, 29]  # z = 25, 105, 295 µm
    peak = np.full((n, n, len(probe)), T_body)
    a2, L = 60e-6**2, 300e-6
    q0 = resp.heat_content / (np.pi * a2 * L)
    X, Y = np.meshgrid(xc, xc, indexing="ij")
    t_end = pat.t_fire[-1] + 0.1
    n_steps = int(round(t_end / dt))
    fire_step = np.round(pat.t_fire / dt).astype(int)
    k = 0
    for s in range(n_steps):
        while k < fire_step.size and fire_step[k] == s:
            r2 = (X - pat.x[k]) ** 2 + (Y - pat.y[k]) ** 2
            T += (q0 / rc) * np.exp(-r2 / a2)[:, :, None] * (zc <= L)[None, None, :]
            k += 1
        np.maximum(peak, T[:, :, probe], out=peak)
        step(T, om, scratch, 1)
    np.maximum(peak, T[:, :, probe], out=peak)
    vol_fd = float((om >= 1).sum()) * dx**3
    depths = tuple(zc[: int(450e-6 / dx)])
    res = simulate_field(mtz, pat, depths=depths, resolution=dx, cooling=0.1, perfusion_rate=w,
                         cross_section_depth=30e-6, temperature_cap=math.inf)  # the FD does not boil
    # map pixels coincide with FD cells (both at odd multiples of dx/2)
    sel = (np.abs(xc) < 3 * pitch / 2)
    vol_f = float((res.dataset["omega_collagen"].values >= 1).sum()) * dx**3
    err = abs(vol_f - vol_fd) / vol_fd
    tp = res.dataset["peak_temperature"].values  # [depth, y, x]
    dpk = 0.0
    for i, kz in enumerate(probe):
        fd = peak[np.ix_(sel, sel)][:, :, i].T
        dpk = max(dpk, float(np.max(np.abs(tp[kz] - fd))))
    return {"coag_volume_fd_mm3": vol_fd * 1e9, "coag_volume_field_mm3": vol_f * 1e9,
            "coag_volume_error": err, "peak_error_k": dpk,
            "peak_fd_max_k": float(peak.max()), "fd_cells_outside_map": float((om[~sel] >= 1).sum())}


def test_figures(mtz, tmp_path):
    from mtzsim.report.figures_field import save_field_figures

    res = simulate_field(mtz, PatternSpec(width=1e-3, height=1e-3, density=0.1), **FAST)
    paths = save_field_figures(res, tmp_path)
    assert len(paths) == 4 and all(p.stat().st_size > 1000 for p in paths)
    # issue 9: the crater is white in every figure (one palette with the MTZ figure), titles name the laser
    from mtzsim.report import figures_field, figures_mtz

    assert figures_field.ZONE_COLOURS[4].lower() == "#ffffff" == figures_mtz.ZONE_COLOURS[4].lower()
    assert res.laser == "CO2 10.6 µm, 15 mJ"


@pytest.mark.slow
def test_cli_field(tmp_path):
    pytest.importorskip("mtzsim.io.scenario")
    from typer.testing import CliRunner

    from mtzsim.interfaces.cli import app

    toml = tmp_path / "s.toml"
    toml.write_text('[laser]\ntype = "co2"\nenergy = "15mJ"\nspot = "120um"\n'
                    '[pattern]\ndensity = "5%"\norder = "random"\nrep_rate = "250Hz"\npasses = 1\n'
                    'area = "1mm x 1mm"\n')
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["field", str(toml), "--json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output.strip().splitlines()[-1])
    assert "coverage_coagulated" in d and (out / "field.nc").exists()


def test_cli_bad_density(tmp_path):
    pytest.importorskip("mtzsim.io.scenario")
    import subprocess
    import sys

    toml = tmp_path / "s.toml"
    toml.write_text('[laser]\ntype = "co2"\nenergy = "15mJ"\nspot = "120um"\n[pattern]\ndensity = "120%"\n')
    r = subprocess.run([sys.executable, "-c", "from mtzsim.interfaces.cli import main; main()", "field", str(toml)],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "density" in r.stderr and "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def real_mtz():
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import simulate_mtz

    return simulate_mtz(make_beam("co2", energy=15e-3, spot_diameter=120e-6))


@pytest.fixture(scope="module")
def real_brute_force(real_mtz):
    """Real 15 mJ MTZ, 3 × 3 at 30 % (194 µm pitch), raster at 500 Hz: heat of all nine overlaps."""
    n = brute_force_real(real_mtz, density=0.3, rep_rate=500.0, dz=20e-6, z_max=400e-6, cooling=0.1)
    print(n)
    return n


@pytest.mark.slow
def test_real_mtz_against_brute_force_3d(real_brute_force):
    # second-generation MTZ engine (hot desiccated wall layer, 228 °C peak, no wall hold),
    # 2026-11-30. Before this test's fixes: Ω ≥ 1 volume error 6.9 %, max |ΔT| 15.8 K (99th
    # pct 4.3 K), from (a) the reference handing off to the 20 µm FD at 2.7 ms (see
    # brute_force_real), (b) both capping dry wall tissue at 100 °C, and two faults of the
    # field next to the wall, where the rise jumps by ~15 K between table ages and adjacent
    # radii peak at different ages: (c) the trapezoid on the Arrhenius rate between table
    # ages (13.5 % too much coagulated volume; now log-linear, _kernels.field.log_mean_integral),
    # (d) the peak taken as the interpolant of the radial maxima (6.6 K too hot; now the
    # maximum of the interpolated rise, peak_of). After: volume error 0.36 %, max |ΔT|
    # 0.69 K, 99th pct 0.29 K; issue 3: 5 %, 2 K
    n = real_brute_force
    assert n["coag_volume_error"] < 0.05
    assert n["peak_error_p99_k"] < 2.0
    assert n["void_mismatch_px"] == 0


@pytest.mark.slow
def test_real_mtz_peak_temperature_everywhere_within_2k(real_brute_force):
    # issue 3: 2 K at every tissue point, dry (uncapped, up to 228 °C) tissue included.
    # Stage-1 history: 10.4 K from the near kernel extrapolating the table back over the
    # pulse and resampling it off its own grid (both fixed). Second-generation engine: see
    # test_real_mtz_against_brute_force_3d; measured max |ΔT| 0.69 K (70 µm deep, between
    # spots, wet tissue).
    assert real_brute_force["peak_error_k"] < 2.0


def brute_force_real(mtz, *, density=0.3, rep_rate=500.0, w=0.002, dz=10e-6, z_max=400e-6, res=10e-6,
                     cooling=0.3, dx_fd=20e-6, refine=4, field_handoff=None):
    from scipy.interpolate import RegularGridInterpolator
    from scipy.ndimage import map_coordinates
    from mtzsim.physics.damage import ARRHENIUS, ZONE_PROCESSES
    from mtzsim.physics.field import simulate_field, wall_heating_end
    from mtzsim.physics.heat.reference3d import make_stepper_3d, stable_dt
    from mtzsim.physics.pattern import PatternSpec, build_pattern

    """3 × 3 real MTZs against the superposed near field + an explicit 3-D FD after hand-off.

    Reference: at every map point, the tabulated rise of each firing younger than the
    end of its wall heating t_h (crater filled with wall values, as the field's kernel),
    summed on a time grid refined ×``refine`` between the firings' table times; from
    t_h on, each firing's tabulated rise at t_h (unfilled) is injected into a 20 µm
    explicit Pennes grid (mtzsim.physics.heat.reference3d) and conducted. Ω_collagen on the
    total temperature, exactly for a rate log-linear in time between the refined times
    (the trapezoid on exp overestimates by ~Δln(rate)/2 per step, 10⁰–10¹ next to the wall),
    then by the trapezoid on the FD steps (dt ≈ 0.1 ms, where T changes by < 0.1 K).
    Boiling: capped at 100 °C where the tissue is wet, not where one firing's own rise
    exceeds boiling (the single-MTZ engine lets only desiccated tissue go beyond boiling),
    the field's physical rule. Against simulate_field with its defaults.

    t_h: the FD must resolve the profile it is handed. Linear interpolation of a profile
    of lateral variance σ² onto cells dx errs by up to dx²/(8σ²) of its peak; the sharpest
    part (the wall layer) has spread σ² ≥ 2 α t_h since it formed, so an error ≤ ε needs
    t_h ≥ dx²/(16 ε α); ε = 1 % gives 6.25 dx²/α (31 ms at 20 µm). The 7-point Laplacian's
    own error on such a profile (dx²/(12σ²) of the diffusion rate) is smaller. t_h is the
    first table time at or after that and after the end of the wall heating. Handing off at
    the wall heating's end (2.7 ms, profile ~15 µm wide) gave the 20 µm FD errors of up to
    16 K (the brute-force test failed on the reference, not the field).
    """
    resp = mtz.response
    T_body, T_boil = T_BODY, T_BOIL
    tt = np.asarray(resp.t, float)
    t_need = max(wall_heating_end(resp), dx_fd**2 / (16 * 0.01 * resp.diffusivity))
    t_h = float(tt[np.searchsorted(tt, t_need * (1 - 1e-12))])  # a table time: no extrapolation
    spec0 = PatternSpec(density=density, layout="grid", order="raster", rep_rate=rep_rate)
    pitch = spec0.pitch
    spec = PatternSpec(density=density, layout="grid", order="raster", rep_rate=rep_rate, width=3 * pitch,
                       height=3 * pitch)
    pat = build_pattern(spec)
    assert pat.n_firings == 9
    depths = tuple((np.arange(int(round(z_max / dz))) + 0.5) * dz)
    t0 = time.perf_counter()
    fres = simulate_field(mtz, pat, depths=depths, resolution=res, cooling=cooling, perfusion_rate=w,
                          cross_section_depth=2 * res, handoff_age=field_handoff)
    t_field = time.perf_counter() - t0
    ds = fres.dataset
    xs, ys = ds.x.values, ds.y.values
    PX, PY = np.meshgrid(xs, ys)  # [y, x] like the maps
    PX, PY = PX.ravel(), PY.ravel()
    coll = ARRHENIUS[ZONE_PROCESSES["collagen"]]
    lnA, EaR = math.log(coll.A), coll.Ea / R_GAS

    # ---- time grid of the near part: every firing's table ages, refined --------------
    keep = tt <= t_h * (1 + 1e-12)
    from mtzsim.physics.field import fill_void
    tab_t, tab_raw = tt[keep], np.asarray(resp.rise, float)[keep]
    tab = fill_void(tab_raw, resp.void)  # wall values in the crater, as the field's kernel
    ages = np.concatenate([[0.0], tab_t])
    knots = np.unique(np.concatenate([pat.t_fire[:, None] + ages[None, :]]).ravel())
    knots = knots[knots <= pat.t_fire[-1] + t_h + 1e-12]
    fine = [knots[:-1, None] + np.diff(knots)[:, None] * (np.arange(refine) / refine)[None, :]]
    times = np.unique(np.concatenate([np.ravel(fine), [knots[-1]]]))
    r_tab, z_tab = np.asarray(resp.r, float), np.asarray(resp.z, float)
    void_tab = np.asarray(resp.void, bool)

    def kernel_at(depth):
        """rise(t_k, r) at this depth on the table's t, r (linear in z); void flag per r."""
        k = np.clip(np.searchsorted(z_tab, depth) - 1, 0, z_tab.size - 2)
        f = np.clip((depth - z_tab[k]) / (z_tab[k + 1] - z_tab[k]), 0, 1)
        kz = int(np.argmin(np.abs(z_tab - depth)))
        return tab[:, :, k] * (1 - f) + tab[:, :, k + 1] * f, void_tab[:, kz]

    n_p = PX.size
    nd = len(depths)
    omega = np.zeros((nd, n_p))
    tpeak = np.full((nd, n_p), T_body)
    void_pt = np.zeros((nd, n_p), bool)
    dry = np.zeros((nd, n_p), bool)  # some firing's own rise exceeds boiling: desiccated, not capped
    for d, zd in enumerate(depths):
        Kd, vd = kernel_at(zd)
        T = np.full((times.size, n_p), T_body)
        for j in range(pat.n_firings):
            r = np.hypot(PX - pat.x[j], PY - pat.y[j])
            G = np.stack([np.interp(r, r_tab, Kd[i], right=0.0) for i in range(tab_t.size)])  # [n_tab, P]
            G = np.concatenate([np.zeros((1, n_p)), G])  # age 0: nothing yet (linear ramp over the pulse)
            a = times - pat.t_fire[j]
            on = (a >= 0) & (a < t_h * (1 - 1e-12))
            i = np.clip(np.searchsorted(ages, a[on]) - 1, 0, ages.size - 2)
            f = ((a[on] - ages[i]) / (ages[i + 1] - ages[i]))[:, None]
            T[on] += G[i] * (1 - f) + G[i + 1] * f
            rv = r_tab[vd].max() + 0.5 * (r_tab[1] - r_tab[0]) if vd.any() else 0.0
            void_pt[d] |= r < rv
        for j in range(pat.n_firings):
            r = np.hypot(PX - pat.x[j], PY - pat.y[j])
            own = np.max([np.interp(r, r_tab, Kd[i], right=0.0) for i in range(tab_t.size)], axis=0)
            dry[d] |= own > T_boil - T_body + 0.05  # 0.05 K: the field's DRY_TOL_K
        T = np.where(dry[d], T, np.minimum(T, T_boil))  # wet tissue: water boils at T_boil
        a = lnA - EaR / T
        da = np.diff(a, axis=0)
        hi = np.maximum(a[1:], a[:-1])
        small = np.abs(da) < 1e-6
        frac = np.where(small, 1.0, -np.expm1(-np.abs(da)) / np.where(small, 1.0, np.abs(da)))
        omega[d] = (np.where(small, np.exp(0.5 * (a[1:] + a[:-1])), np.exp(hi) * frac)
                    * np.diff(times)[:, None]).sum(0)
        tpeak[d] = T.max(0)
    t_near = time.perf_counter() - t0 - t_field

    # ---- FD conduction after hand-off ---------------------------------------------------
    half = max(np.abs(pat.x).max(), np.abs(pat.y).max()) + r_tab[-1] + 4 * math.sqrt(resp.diffusivity * cooling)
    n = int(np.ceil(2 * half / dx_fd))
    nz = int(np.ceil(z_tab[-1] / dx_fd))
    xc = (np.arange(n) - (n - 1) / 2) * dx_fd
    zc = (np.arange(nz) + 0.5) * dx_fd
    alpha = resp.diffusivity
    dt = 0.95 * stable_dt(alpha, dx_fd, w)
    step = make_stepper_3d((n, n, nz), alpha=alpha, dx=dx_fd, dt=dt, perfusion_rate=w, T_body=T_body,
                           A=coll.A, Ea=coll.Ea)
    Tf = np.full((n, n, nz), T_body)
    om_fd = np.zeros_like(Tf)
    scratch = np.empty_like(Tf)
    hand_field = RegularGridInterpolator((r_tab, z_tab), tab_raw[-1], bounds_error=False, fill_value=0.0)
    X, Y = np.meshgrid(xc, xc, indexing="ij")
    hand_t = pat.t_fire + t_h
    t_end = pat.t_fire[-1] + t_h + cooling
    # point coordinates in FD index space
    cx = (PX - xc[0]) / dx_fd
    cy = (PY - xc[0]) / dx_fd
    k = 0
    t = hand_t[0]
    prev = None
    n_steps = int(np.ceil((t_end - t) / dt))
    samp_every = 1
    for s in range(n_steps + 1):
        while k < hand_t.size and hand_t[k] <= t + 0.5 * dt:
            r = np.hypot(X - pat.x[k], Y - pat.y[k])
            pts = np.stack(np.broadcast_arrays(r[:, :, None], zc[None, None, :]), -1).reshape(-1, 2)
            Tf += hand_field(pts).reshape(n, n, nz)
            k += 1
        # total temperature at the points: FD + firings younger than t_h (near part)
        cur = np.empty((nd, n_p))
        for d, zd in enumerate(depths):
            cz = np.full(n_p, (zd - zc[0]) / dx_fd)
            cur[d] = map_coordinates(Tf, [cx, cy, cz], order=1, mode="nearest")
        young = (pat.t_fire <= t) & (hand_t > t + 0.5 * dt)
        if young.any():
            for d, zd in enumerate(depths):
                Kd, _ = kernel_at(zd)
                for j in np.nonzero(young)[0]:
                    a = t - pat.t_fire[j]
                    i = min(max(np.searchsorted(tab_t, a) - 1, 0), tab_t.size - 2)
                    f = (a - tab_t[i]) / (tab_t[i + 1] - tab_t[i])
                    r = np.hypot(PX - pat.x[j], PY - pat.y[j])
                    cur[d] += np.interp(r, r_tab, Kd[i] * (1 - f) + Kd[i + 1] * f, right=0.0)
        cur = np.where(dry, cur, np.minimum(cur, T_boil))
        np.maximum(tpeak, cur, out=tpeak)
        if prev is not None:
            omega += 0.5 * (np.exp(lnA - EaR / prev) + np.exp(lnA - EaR / cur)) * dt
        prev = cur
        if s < n_steps:
            step(Tf, om_fd, scratch, 1)
            t += dt
    t_fd = time.perf_counter() - t0 - t_field - t_near

    # ---- compare ---------------------------------------------------------------------------
    om_f = ds["omega_collagen"].values.reshape(nd, -1)
    tp_f = ds["peak_temperature"].values.reshape(nd, -1)
    abl_f = (ds["zone"].values == 4).reshape(nd, -1)
    tissue = ~(void_pt | abl_f)
    cell = res * res * dz
    v_ref = float(((omega >= 1) & tissue).sum()) * cell
    v_fld = float(((om_f >= 1) & tissue).sum()) * cell
    dT = np.abs(tp_f - tpeak)[tissue]
    return {
        "pitch_um": pitch * 1e6, "rep_rate_hz": rep_rate, "handoff_age_s": t_h,
        "coag_volume_ref_mm3": v_ref * 1e9, "coag_volume_field_mm3": v_fld * 1e9,
        "coag_volume_error": abs(v_fld - v_ref) / v_ref,
        "peak_error_k": float(dT.max()), "peak_error_p99_k": float(np.percentile(dT, 99)),
        "peak_ref_c": float(tpeak[tissue].max() - 273.15), "peak_field_c": float(tp_f[tissue].max() - 273.15),
        "void_mismatch_px": int((void_pt != abl_f).sum()),
        "time_field_s": t_field, "time_near_s": t_near, "time_fd_s": t_fd, "fd_cells": n * n * nz,
    }


def test_merged_fraction_hand_made(mtz):
    """Two spots 80 µm apart (their 80 µm craters touch) and one 600 µm away: 2 of 3 merged."""
    from mtzsim.physics.pattern import Pattern

    spec = PatternSpec(width=1.2e-3, height=1.2e-3, density=0.01)
    x = np.array([-300e-6, -220e-6, 300e-6])
    y = np.array([5e-6, 5e-6, 5e-6])
    pat = Pattern(spec=spec, x=x, y=y, t_fire=np.array([0.0, 0.5, 1.0]), pass_index=np.zeros(3, np.int32),
                  site_index=np.arange(3), pitch=80e-6, n_spots=3)
    res = simulate_field(mtz, pat, depths=(100e-6,), resolution=10e-6, cross_section_depth=30e-6, cooling=0.3)
    assert res.n_mtz == 3
    assert res.merged_fraction == pytest.approx(2 / 3)
    # the same three spots all 600 µm apart: none merged
    pat2 = Pattern(spec=spec, x=np.array([-400e-6, 200e-6, 200e-6]), y=np.array([-300e-6, -300e-6, 300e-6]),
                   t_fire=np.array([0.0, 0.5, 1.0]), pass_index=np.zeros(3, np.int32), site_index=np.arange(3),
                   pitch=600e-6, n_spots=3)
    res2 = simulate_field(mtz, pat2, depths=(100e-6,), resolution=10e-6, cross_section_depth=30e-6, cooling=0.3)
    assert res2.merged_fraction == 0.0


def test_real_mtz_handoff_keeps_the_wall_heat(real_mtz):
    """Hand-off after the hot wall layer has cooled below boiling: the background gets (nearly) all the heat."""
    from mtzsim.physics.field import default_handoff_age, wall_heating_end

    resp = real_mtz.response
    t_w = wall_heating_end(resp)
    # second-generation MTZ physics (issue 8): no plume holds the walls at 100 °C after the
    # pulse (no tau_c); the hot desiccated layer (242 °C peak at 15 mJ) drops below boiling
    # within a few ms of conduction (measured t_w = 2.1 ms after a 0.5 ms pulse)
    assert resp.t_end_pulse <= t_w < 0.01
    assert real_mtz.energy.wall_heating == 0.0
    tau = default_handoff_age(resp)
    kern = _prepare_kernel(resp, [100e-6], tau, 0.0)
    # the heat handed on is the heat the engine still stores at the end of its run; the table
    # is subsampled ×2 in r and z and interpolated onto cell centres: measured 3 % with the
    # tau_c = 1 s engine, 5.0 % with tau_c = 0.1 s, 5.9 % with the hot wall layer (heat close
    # to the crater)
    assert kern.heat_handoff == pytest.approx(real_mtz.energy.stored, rel=0.06)
    # all the heat is in the tissue when the pulse ends (none arrives later from a plume), so
    # a hand-off at a quarter of t_w hands on the same heat (measured 0.383 vs 0.377 mJ)
    early = _prepare_kernel(resp, [100e-6], 0.25 * t_w, 0.0)
    assert early.heat_handoff == pytest.approx(real_mtz.energy.stored, rel=0.06)


def _real_run(mtz, side=3e-3, **kw):
    base = dict(width=side, height=side, layout="grid", rep_rate=1000.0)
    base.update(kw)
    return simulate_field(mtz, PatternSpec(**base), depths=(100e-6,), resolution=20e-6, cross_section_depth=40e-6,
                          cooling=0.5)


@pytest.mark.slow
def test_real_mtz_physics_trends(real_mtz):
    """Real 15 mJ MTZ, 3 mm patch: order (1000 and 100 Hz), density, passes (numbers in the notes)."""
    hi_r = _real_run(real_mtz, density=0.3, order="raster")
    hi_x = _real_run(real_mtz, density=0.3, order="random")
    slow_r = _real_run(real_mtz, density=0.3, order="raster", rep_rate=100.0)
    slow_x = _real_run(real_mtz, density=0.3, order="random", rep_rate=100.0)
    lo_r = _real_run(real_mtz, density=0.02, order="raster")
    lo_x = _real_run(real_mtz, density=0.02, order="random")
    two = _real_run(real_mtz, density=0.15, order="random", passes=2)
    two_d = _real_run(real_mtz, density=0.15, order="random", passes=2, pass_delay=1.0)
    print({k: (v.coagulated_volume * 1e9, v.max_bulk_temperature - 273.15, v.max_local_bulk_temperature - 273.15)
           for k, v in dict(hi_r=hi_r, hi_x=hi_x, slow_r=slow_r, slow_x=slow_x, lo_r=lo_r, lo_x=lo_x, two=two,
                            two_d=two_d).items()})
    # Second-generation MTZ engine, adopted record of 2026-11-30 (desiccated matrix absorbing
    # κ = 0.069 of wet tissue, crater walls untraced, each ray shielded by the ejecta on its own
    # path, so the beam's wings cut and coagulate a wider mouth): the beam reaches through the dry layer over
    # the floor and coagulates ~80 µm under it by light, not by heat arriving from neighbours, so
    # most of each MTZ's Ω ≥ 1 volume forms during its own pulse. Heat needs ~pitch²/(4α) ≈ 117 ms
    # to cross one 194 µm pitch (α = 8.06e-8 m²/s). Order matters through the tissue temperature at
    # the moment a site fires:
    # - 1000 Hz (row period 15 ms ≪ 117 ms): raster fires every site into tissue its neighbours'
    #   heat has not reached yet, random order into an area earlier firings everywhere have warmed.
    #   Measured: raster 0.7611 vs random 0.7878 mm³ (random +3.5 %; +4.6 % while the axis's plume
    #   path shielded the whole beam, 0.3925 vs 0.4106 mm³; +7.4 % with the record before, whose
    #   coagulation was all conductive), hottest 3-pitch windows 60.8 vs 61.5 °C.
    # - 100 Hz (row period 150 ms ≳ 117 ms): the previous row's heat has just arrived when raster
    #   fires a site and is concentrated there: hottest windows 59.5 vs 54.8 °C (raster +4.8 K;
    #   3.9 and 4.2 K with the two records before), coagulated volume 0.7850 vs 0.7735 mm³ (raster
    #   +1.5 %; +0.12 % and +2.9 % with the two records before).
    assert hi_x.coagulated_volume > 1.02 * hi_r.coagulated_volume  # 3.5 % measured (4.6 % before)
    assert slow_r.coagulated_volume > slow_x.coagulated_volume  # +1.5 % measured: pre-heated sites coagulate more
    assert slow_r.max_local_bulk_temperature > slow_x.max_local_bulk_temperature + 2.0  # 4.8 K measured
    assert hi_r.max_local_bulk_temperature <= T_BOIL + 1e-9  # window means never above the peak (boiling at most)
    # 2 %: sites 1 mm apart, no heat reaches a neighbour in time: order is irrelevant
    # (measured 0.0531 mm³ both, windows 46.2 vs 46.5 °C)
    assert lo_r.coagulated_volume == pytest.approx(lo_x.coagulated_volume, rel=1e-3)
    assert abs(lo_r.max_local_bulk_temperature - lo_x.max_local_bulk_temperature) < 1.0
    # same dose in two half-density passes: the first pass's heat spreads before the second
    # adds its own, so less coagulation per firing and a cooler hottest window; a 1 s delay
    # between passes lets the skin cool further (measured: one pass 0.7878 mm³, 61.5 °C; two passes
    # 0.8284 mm³, 59.8 °C; with 1 s delay 0.8158 mm³, 55.7 °C). The delay's 4.1 K is asserted as
    # > 1 K: three times the order-to-order spread of the hottest window at 2 % (0.3 K).
    one = hi_x
    assert two.coagulated_volume / two.n_firings < one.coagulated_volume / one.n_firings
    assert two.max_local_bulk_temperature < one.max_local_bulk_temperature
    assert two_d.max_local_bulk_temperature < two.max_local_bulk_temperature - 1.0
    assert two_d.coagulated_volume < two.coagulated_volume
