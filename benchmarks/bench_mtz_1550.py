"""One 1.55 µm MTZ (preset beam: 140 µm, 15 mJ, 3 ms; default numerics) cold (< 10 s) and from the cache (< 1 s).

Each timing runs in a fresh process with its own result cache (``MTZSIM_CACHE_DIR``), the numba
kernel cache as installed:

* ``cold``: empty deposition cache — the Monte Carlo light (10⁶ packets) plus the heat solver;
* ``cache_disk``: a second fresh process, the deposition read from the disk cache;
* ``warm``: in that process, further calls (deposition from the memory cache), best of 3 —
  the cost of one MTZ once a process has the map: the heat solver's pulse and cooling phases;
  ``warm_call_5um_grid``: the same on a 5 µm heat grid (the default before 2026-11-30; same map);
  ``warm_call_contact_cooling``: the same with a contact window on the skin (pre-cooled start, Robin
  surface, the cooled baseline column).

Each reports the process wall time, the time from ``import`` to the result, the ``simulate_mtz``
call alone (wall and CPU: on a shared machine compare them), and the pulse phase (which includes
the deposition map: the Monte Carlo run or its cache read, and numba's kernel-cache load). ``series`` (``--quick`` skips it):
H&E depth and width, peak temperature and ejected mass at 5–70 mJ (the non-ablative trend);
``optics_intervals``: the H&E depth and width intervals over the uncertain optics
(:func:`mtzsim.physics.mtz.source.optics_intervals`: M², focal depth, dermal µs′ source) at
10, 20, 40, 70 mJ for spots of 100, 140 and 200 µm.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

SPOT = 140e-6


def child() -> dict:
    t0 = time.perf_counter()
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import simulate_mtz

    t_import = time.perf_counter()
    beam = make_beam("erglass", energy=15e-3, spot_diameter=SPOT)
    t1, c1 = time.perf_counter(), time.process_time()
    r = simulate_mtz(beam)
    t2, c2 = time.perf_counter(), time.process_time()
    warm, warm_cpu = [], []
    for _ in range(3):
        t, c = time.perf_counter(), time.process_time()
        simulate_mtz(beam)
        warm.append(time.perf_counter() - t)
        warm_cpu.append(time.process_time() - c)
    from mtzsim.physics.mtz import Numerics

    fine, fine_cpu = [], []  # the same MTZ on the 5 µm grid of the other lasers (the default until 2026-11-30)
    for _ in range(2):
        t, c = time.perf_counter(), time.process_time()
        simulate_mtz(beam, numerics=Numerics(cell=5e-6))
        fine.append(time.perf_counter() - t)
        fine_cpu.append(time.process_time() - c)
    from mtzsim.physics.mtz.surface_cooling import contact_cooling

    cooled, cooled_cpu = [], []  # a 9 °C sapphire window on the skin for 1 s before the pulse and after
    for _ in range(3):
        t, c = time.perf_counter(), time.process_time()
        simulate_mtz(beam, surface_cooling=contact_cooling())
        cooled.append(time.perf_counter() - t)
        cooled_cpu.append(time.process_time() - c)
    return {"warm_call_contact_cooling_s": min(cooled), "warm_call_contact_cooling_cpu_s": min(cooled_cpu),
            "warm_call_5um_grid_s": min(fine), "warm_call_5um_grid_cpu_s": min(fine_cpu), "in_process_s": t2 - t0, "import_s": t_import - t0, "call_s": t2 - t1, "call_cpu_s": c2 - c1,
            "warm_call_s": min(warm), "warm_call_cpu_s": min(warm_cpu),
            "pulse_phase_s": float(r.dataset.attrs["pulse_phase_s"]), "steps": int(r.dataset.attrs["steps"]),
            "grid_cells": int(r.dataset.sizes["r"] * r.dataset.sizes["z"])}


def _spawn(cache_dir) -> dict:
    env = dict(os.environ, MTZSIM_CACHE_DIR=str(cache_dir))
    t = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--child"], env=env, check=True, capture_output=True,
                         text=True).stdout
    data = json.loads(out.strip().splitlines()[-1])
    data["process_wall_s"] = time.perf_counter() - t
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in data.items()}


def series() -> dict:
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import simulate_mtz

    out = {}
    for e in (5, 10, 15, 20, 30, 40, 55, 70):
        r = simulate_mtz(make_beam("erglass", energy=e * 1e-3, spot_diameter=SPOT))
        out[f"{e}mJ"] = {"hist_depth_um": round(r.histology.coagulation_depth * 1e6, 1),
                         "hist_width_um": round(r.histology.lesion_width * 1e6, 1),
                         "peak_C": round(r.peak_temperature - 273.15, 1), "ejected_ug": r.ablated_mass * 1e9,
                         "plume_mJ": r.energy.plume_loss * 1e3, "energy_error": round(r.energy.error, 5)}
    return out


def optics_series(energies=(10, 20, 40, 70), spots=(100e-6, SPOT, 200e-6)) -> dict:
    """H&E depth / width intervals [µm] over the uncertain optics (source.optics_intervals) per energy and spot."""
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz.source import optics_intervals

    out = {}
    for spot in spots:
        for e in energies:
            span = optics_intervals(make_beam("erglass", energy=e * 1e-3, spot_diameter=spot))
            out[f"{spot * 1e6:.0f}um_{e}mJ"] = {
                "hist_depth_um": [round(v * 1e6, 1) for v in span["histology_coagulation_depth"]],
                "hist_width_um": [round(v * 1e6, 1) for v in span["histology_lesion_width"]]}
    return out


def run(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cold = _spawn(pathlib.Path(tmp))
        disk = _spawn(pathlib.Path(tmp))
    out = {"cold": cold, "cache_disk": disk, "targets_s": {"cold": 10.0, "cache": 1.0},
           "numba_threads": os.environ.get("NUMBA_NUM_THREADS", "default"),
           "load_average_1min_at_end": round(os.getloadavg()[0], 2)}
    if not args.quick:
        out["series"] = series()
        out["optics_intervals"] = optics_series()
    return out


if __name__ == "__main__" and sys.argv[1:] == ["--child"]:
    print(json.dumps(child()))
