"""Tests of mtzsim.field: analytic kernel, conservation, brute-force 3-D check, physics trends."""

import json
import math

import numpy as np
import pytest

from mtzsim.field import FieldResult, _prepare_kernel, simulate_field, synthetic_mtz, synthetic_response
from mtzsim.pattern import PatternSpec, build_pattern

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
    res = simulate_field(mtz, spec, depths=(100e-6,), resolution=10e-6, cross_section_depth=30e-6, cooling=0.1)
    kern = _prepare_kernel(mtz.response, [100e-6], 0.05, 0.0)
    row = res.dataset["peak_temperature"].isel(depth=0).sel(y=5e-6).values
    x = res.dataset.x.values
    r = np.hypot(x - res.pattern.x[0], 5e-6 - res.pattern.y[0])
    expect = 310.15 + np.interp(r, (np.arange(kern.n_r) + 0.5) * kern.dr, kern.K[0].max(axis=0))
    # within 100 µm the peak comes before hand-off (farther out it comes later, from the background)
    assert np.max(np.abs(row - expect)[r < 100e-6]) < 0.5


def test_bad_input(mtz):
    from mtzsim.errors import InputError

    with pytest.raises(InputError) as e:
        simulate_field(mtz, PatternSpec(width=1e-3, height=1e-3), resolution=-1.0)
    assert e.value.field == "field.resolution"


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
    from mtzsim.damage import ARRHENIUS
    from mtzsim.heat3d import make_stepper_3d, stable_dt

    numbers = brute_force_comparison(mtz)
    print(numbers)
    assert numbers["coag_volume_error"] < 0.05
    assert numbers["peak_error_k"] < 2.0


def brute_force_comparison(mtz, w=0.002):
    from mtzsim.damage import ARRHENIUS, ZONE_PROCESSES
    from mtzsim.heat3d import make_stepper_3d, stable_dt

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
    T_body = 310.15
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
                         cross_section_depth=30e-6)
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


@pytest.mark.slow
def test_cli_field(tmp_path):
    pytest.importorskip("mtzsim.scenario")
    from typer.testing import CliRunner

    from mtzsim.cli import app

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
    pytest.importorskip("mtzsim.scenario")
    import subprocess
    import sys

    toml = tmp_path / "s.toml"
    toml.write_text('[laser]\ntype = "co2"\nenergy = "15mJ"\nspot = "120um"\n[pattern]\ndensity = "120%"\n')
    r = subprocess.run([sys.executable, "-c", "from mtzsim.cli import main; main()", "field", str(toml)],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "density" in r.stderr and "Traceback" not in r.stderr
