"""One CO2 MTZ (80 mJ, 120 µm, 30 W, default 5 µm grid, calibrated model) after warm-up; target < 2 s (issue 8)."""

from __future__ import annotations

import os
import time


def run(args) -> dict:
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import simulate_mtz

    beam = make_beam("co2", energy=80e-3, spot_diameter=120e-6)
    t0 = time.perf_counter()
    simulate_mtz(beam)  # compiles or loads the numba cache
    warm = time.perf_counter() - t0
    times = []
    for _ in range(1 if args.quick else 3):
        t0 = time.perf_counter()
        r = simulate_mtz(beam)
        times.append(time.perf_counter() - t0)
    return {
        "first_call_s": round(warm, 3),
        "single_co2_mtz_s_best": round(min(times), 3),
        "pulse_phase_s": round(float(r.dataset.attrs["pulse_phase_s"]), 3),
        "grid_cells": int(r.dataset.sizes["r"] * r.dataset.sizes["z"]),
        "steps": int(r.dataset.attrs["steps"]),
        "numba_threads": os.environ.get("NUMBA_NUM_THREADS", "default"),
        "target_s": 2.0,
    }
