"""Monte Carlo benchmark: one 1.55 µm MTZ deposition cold (< 10 s) and from the cache (< 1 s).

Case: Er:glass microbeam, 140 µm 1/e² waist (the preset's spot) focused 300 µm deep with a
1/e² half-angle of 0.2 rad in tissue, "face" skin layers, grid r 0–400 µm × z 0–1.6 mm in
10 µm × 20 µm cells, ``mtzsim.physics.montecarlo.DEFAULT_PHOTONS`` packets, seed 0.

* ``cold_s``: a fresh Python process with an empty deposition cache (numba's compiled kernel
  cache as installed), from ``import mtzsim`` to the map — what the MTZ engine pays once per beam;
* ``first_compile_s``: the same with an empty numba cache too (first run after install);
* ``cache_disk_s``: another fresh process reading the map from the disk cache;
* ``cache_memory_s``: a second call in the same process;
* ``cold_call_cpu_s``: CPU time of the cold call, all threads together (on a shared machine
  the wall time is longer: compare them to see the contention);
* noise: the standard error (spread between the 64 photon batches) relative to the value, in
  the cells of the 1/e core (density ≥ e⁻¹ × its maximum): median, 95th percentile, maximum;
* physics: stratum-corneum energy density against its vaporisation enthalpy, for 5–70 mJ and
  three beam geometries; depth of the absorption centroid and of the 1/e contour on the axis
  against the focus depth; a figure of the deposition (``benchmarks/figures/montecarlo_1550.png``).
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent

CASE = dict(spot=140e-6, focus=300e-6, half_angle=0.2, r_max=400e-6, dr=10e-6, z_max=1.6e-3, dz=20e-6)


def _grid(quick=False):
    import numpy as np

    dr, dz = CASE["dr"], CASE["dz"]
    return np.arange(0.0, CASE["r_max"] + dr / 2, dr), np.arange(0.0, CASE["z_max"] + dz / 2, dz)


def child(photons: int | None) -> dict:
    """One deposition in this (fresh) process; prints timing and noise as JSON."""
    t0 = time.perf_counter()
    import numpy as np

    from mtzsim.physics import montecarlo as mc
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.tissue import get_tissue

    photons = photons or mc.DEFAULT_PHOTONS
    beam = make_beam("erglass", energy=20e-3, spot_diameter=CASE["spot"])
    r, z = _grid()
    t_imported = time.perf_counter()
    cpu0 = time.process_time()
    res = mc.simulate_light(beam, get_tissue("face"), r, z, photons=photons, focus_depth=CASE["focus"],
                            half_angle=CASE["half_angle"])
    t1 = time.perf_counter()
    cpu1 = time.process_time()
    again = mc.absorbed_fraction_map(beam, get_tissue("face"), r, z, photons=photons, focus_depth=CASE["focus"],
                                     half_angle=CASE["half_angle"])
    t2 = time.perf_counter()
    assert np.array_equal(again, res.density)
    d, se = res.density, res.density_std_error
    core = d >= math.exp(-1) * d.max()
    rel = se[core] / d[core]
    return {
        "total_s": t1 - t0,
        "import_s": t_imported - t0,
        "call_s": t1 - t_imported,
        "call_cpu_s": cpu1 - cpu0,
        "memory_hit_s": t2 - t1,
        "photons": res.photons,
        "core_cells": int(core.sum()),
        "core_rel_error_median": float(np.median(rel)),
        "core_rel_error_p95": float(np.percentile(rel, 95)),
        "core_rel_error_max": float(rel.max()),
        "energy_balance": res.energy_balance,
        "energy_balance_error": res.energy_balance_error,
    }


def _spawn(cache_dir, numba_cache, photons, threads="2"):
    env = dict(os.environ, MTZSIM_CACHE_DIR=str(cache_dir), NUMBA_NUM_THREADS=threads)
    if numba_cache is not None:
        env["NUMBA_CACHE_DIR"] = str(numba_cache)
    t = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--child", str(photons or 0)], env=env, check=True,
                         capture_output=True, text=True).stdout
    wall = time.perf_counter() - t
    data = json.loads(out.strip().splitlines()[-1])
    data["process_wall_s"] = wall
    return data


def physics(quick=False) -> dict:
    """Stratum-corneum energy density vs vaporisation, centroid and 1/e depth vs focus, figure."""
    import numpy as np

    from mtzsim.physics import montecarlo as mc
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.tissue import get_tissue

    tissue = get_tissue("face")
    sc = tissue.layers[0]
    beam = make_beam("erglass", energy=20e-3, spot_diameter=CASE["spot"])
    photons = 200_000 if quick else 1_000_000
    # the first z cell is exactly the stratum corneum, then 10 µm cells
    r = np.arange(0.0, 400e-6 + 5e-6, 10e-6)
    z = np.concatenate([[0.0, sc.thickness], np.arange(30e-6, 1.6e-3 + 1e-9, 10e-6)])
    enthalpy = sc.ablation_enthalpy()
    geometries = {
        "waist at surface, ideal beam (0.0071 rad)": dict(focus_depth=None, half_angle=None),
        "focus 300 um, 0.2 rad": dict(focus_depth=300e-6, half_angle=0.2),
        "focus 600 um, 0.2 rad": dict(focus_depth=600e-6, half_angle=0.2),
    }
    sc_table = {}
    for name, geo in geometries.items():
        res = mc.simulate_light(beam, tissue, r, z, photons=photons, cache=False, **geo)
        per_joule = float(res.density[:, 0].max())
        sc_table[name] = {
            "sc_peak_density_per_J_m3": per_joule,
            "sc_density_over_vaporisation": {f"{e}mJ": round(e * 1e-3 * per_joule / enthalpy, 3) for e in (5, 10, 20, 40, 70)},
            "energy_at_vaporisation_mJ": round(1e3 * enthalpy / per_joule, 1),
            "peak_below_sc": bool(res.density.max() > per_joule),
        }
    focus_table = {}
    results = {}
    for zf in (0.0, 200e-6, 400e-6, 600e-6, 800e-6):
        res = mc.simulate_light(beam, tissue, r, z, photons=photons, focus_depth=zf, half_angle=0.2, cache=False)
        results[zf] = res
        zc = 0.5 * (z[1:] + z[:-1])
        core = res.density >= math.exp(-1) * res.density.max()
        energy = res.density * math.pi * np.diff(r**2)[:, None] * np.diff(z)[None, :]
        focus_table[f"{zf * 1e6:.0f}um"] = {
            "centroid_um": round(mc.absorption_centroid_depth(res) * 1e6, 1),
            "core_centroid_um": round(float((energy * core * zc).sum() / (energy * core).sum()) * 1e6, 1),
            "core_energy_fraction": round(float((energy * core).sum()), 4),
            "axial_1e_um": round(mc.axial_extent(res) * 1e6, 1),
            "peak_depth_um": round(float(0.5 * (z[1:] + z[:-1])[np.argmax(res.density[0])]) * 1e6, 1),
        }
    figure = _figure(results, beam)
    return {
        "sc_vaporisation_enthalpy_J_m3": enthalpy,
        "stratum_corneum": sc_table,
        "focus_depth_0.2rad": focus_table,
        "figure": figure,
    }


def _figure(results, beam) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    picks = [0.0, 400e-6, 800e-6]
    fig, axes = plt.subplots(1, len(picks), figsize=(13, 4.6), sharey=True)
    for ax, zf in zip(axes, picks):
        res = results[zf]
        d = res.density * 20e-3  # J/m³ at 20 mJ
        r, z = res.r_edges * 1e6, res.z_edges * 1e6
        full_r = np.concatenate([-r[::-1], r[1:]])
        full = np.concatenate([d[::-1], d], axis=0)
        mesh = ax.pcolormesh(full_r, z, np.log10(np.maximum(full.T, 1e3) / 1e6), cmap="inferno", vmin=0, vmax=3.5,
                             shading="flat")
        ax.contour(0.5 * (full_r[1:] + full_r[:-1]), 0.5 * (z[1:] + z[:-1]), full.T, levels=[math.exp(-1) * d.max()],
                   colors="cyan", linewidths=1)
        ax.axhline(zf * 1e6, color="w", ls=":", lw=0.8)
        ax.axhline(16.8, color="w", lw=0.5)
        ax.set_title(f"focus {zf * 1e6:.0f} µm (θ = 0.2 rad)")
        ax.set_xlabel("r [µm]")
    axes[0].set_ylabel("depth [µm]")
    axes[0].invert_yaxis()
    fig.colorbar(mesh, ax=axes, label="log10 J/cm³ (20 mJ)")
    fig.suptitle("1.55 µm microbeam (140 µm waist) in face skin, Monte Carlo; cyan: 1/e contour; line: stratum corneum")
    out = HERE / "figures" / "montecarlo_1550.png"
    out.parent.mkdir(exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return str(out.relative_to(HERE.parent))


def run(args) -> dict:
    quick = getattr(args, "quick", False)
    photons = 100_000 if quick else None
    figures = {"case": {k: v for k, v in CASE.items()}, "load_average_1min_at_start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        first = _spawn(tmp / "c0", tmp / "numba", photons)
        cold = _spawn(tmp / "c1", None, photons)
        disk = _spawn(tmp / "c1", None, photons)
    figures["first_compile_s"] = round(first["process_wall_s"], 2)
    figures["cold_s"] = round(cold["process_wall_s"], 2)
    figures["cold_in_process_s"] = round(cold["total_s"], 2)
    figures["cache_disk_s"] = round(disk["process_wall_s"], 2)
    figures["cold_import_s"] = round(cold["import_s"], 2)
    figures["cold_call_s"] = round(cold["call_s"], 2)
    figures["cold_call_cpu_s"] = round(cold["call_cpu_s"], 2)
    figures["cache_disk_in_process_s"] = round(disk["total_s"], 3)
    figures["cache_disk_call_s"] = round(disk["call_s"], 4)
    figures["cache_memory_s"] = disk["memory_hit_s"]
    for key in ("photons", "core_cells", "core_rel_error_median", "core_rel_error_p95", "core_rel_error_max",
                "energy_balance", "energy_balance_error"):
        figures[key] = cold[key]
    figures["physics"] = physics(quick)
    return figures


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]) or None)))
    else:
        import argparse

        parser = argparse.ArgumentParser()
        parser.add_argument("--quick", action="store_true")
        print(json.dumps(run(parser.parse_args()), indent=2))
