"""Field benchmark: 1 cm² at 5 % coverage, 120 µm CO2 spot, 2 passes, maps at 10 µm at 3 depths.

The 1 cm² case runs in a process of its own, so that its peak resident memory is its
own (issue 3: < 30 s on 2 cores, < 2 GB). Then the cost from 100 to 10,000 MTZs (fixed
density, growing area, maps at 20 µm at one depth) and its fitted growth exponent.
Uses the real single-MTZ engine (15 mJ, 120 µm). Also: the memory estimate against the
measured peak RSS, and how long the refusal of a 100 mm × 100 mm field takes.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time

import numpy as np


def _mtz():
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import simulate_mtz

    return simulate_mtz(make_beam("co2", energy=15e-3, spot_diameter=120e-6)), "simulate_mtz (15 mJ, 120 µm)"


def _spec(side, passes=2):
    from mtzsim.physics.pattern import PatternSpec

    return PatternSpec(density=0.05, spot_diameter=120e-6, passes=passes, width=side, height=side, order="random",
                       rep_rate=250.0)


def field_case(side: float) -> dict:
    """The issue's case on a side × side field (run in its own process by :func:`run`)."""
    import resource

    from mtzsim.physics.field import simulate_field
    from mtzsim.physics.pattern import PatternSpec

    mtz, source = _mtz()
    simulate_field(mtz, PatternSpec(density=0.05, width=1e-3, height=1e-3), cooling=0.1)  # JIT warm-up
    t0 = time.perf_counter()
    res = simulate_field(mtz, _spec(side), depths=(20e-6, 100e-6, 300e-6), resolution=10e-6)
    elapsed = time.perf_counter() - t0
    return {
        "mtz_source": source,
        "field_mm": side * 1e3,
        "n_mtz_per_pass": res.pattern.n_spots,
        "n_firings": res.n_firings,
        "handoff_age_s": round(float(res.dataset.attrs["handoff_age_s"]), 3),
        "map_pixels": int(res.dataset.sizes["x"] * res.dataset.sizes["y"]),
        "time_s": round(elapsed, 2),
        "stages_s": {k: round(v, 2) for k, v in res.timings.items()},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "estimated_memory_mb": round(res.estimated_memory / 1e6, 1),
        "summary": res.to_dict(),
    }


def run(args) -> dict:
    from mtzsim.physics.field import simulate_field
    from mtzsim.physics.pattern import PatternSpec

    quick = getattr(args, "quick", False)
    side = 3e-3 if quick else 1e-2
    code = ("import json, sys; sys.path.insert(0, 'benchmarks'); import bench_field; "
            f"print(json.dumps(bench_field.field_case({side!r})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout.strip().splitlines()[-1])

    # scaling: fixed density, one pass, maps at 20 µm at one depth, area grows
    mtz, _ = _mtz()
    spec = _spec(side)
    simulate_field(mtz, PatternSpec(density=0.05, width=1e-3, height=1e-3), cooling=0.1)  # JIT warm-up
    sizes = [100, 300, 1000, 3000, 10000] if not quick else [100, 400, 1600]
    cost = []
    for n in sizes:
        a = math.sqrt(n / spec.areal_density)
        s = PatternSpec(density=0.05, width=a, height=a, order="random", rep_rate=250.0)
        t1 = time.perf_counter()
        r = simulate_field(mtz, s, depths=(100e-6,), resolution=20e-6, cooling=0.5)
        cost.append((r.pattern.n_spots, time.perf_counter() - t1, {k: round(v, 2) for k, v in r.timings.items()}))
    # the 100 mm × 100 mm field: refused before any compute (it ran 207 s into a MemoryError)
    t1 = time.perf_counter()
    try:
        simulate_field(mtz, PatternSpec(width=0.1, height=0.1))
        out["refusal_100mm"] = "not refused"
    except ValueError as exc:
        out["refusal_100mm"] = str(exc)
    out["refusal_100mm_s"] = round(time.perf_counter() - t1, 2)
    n_arr = np.array([c[0] for c in cost], float)
    t_arr = np.array([c[1] for c in cost])
    out["scaling"] = [{"n_mtz": int(n), "time_s": round(t, 2), "stages_s": st} for n, t, st in cost]
    out["growth_exponent"] = round(float(np.polyfit(np.log(n_arr), np.log(t_arr), 1)[0]), 2)
    out["growth_exponent_100_1000"] = round(float(np.log(t_arr[sizes.index(1000)] / t_arr[0]) / np.log(
        n_arr[sizes.index(1000)] / n_arr[0])), 2) if 1000 in sizes else None
    return out
