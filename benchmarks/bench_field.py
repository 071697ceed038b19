"""Field benchmark: 1 cm² at 5 % coverage, 120 µm CO2 spot, 2 passes, maps at 10 µm at 3 depths.

Also the cost from 100 to 10,000 MTZs (fixed density, growing area) and its fitted
growth exponent. Uses the real single-MTZ engine when it runs, else the synthetic MTZ
of ``mtzsim.field.synthetic_mtz`` (reported in ``mtz_source``).
"""

from __future__ import annotations

import math
import resource
import sys
import time

import numpy as np


def _mtz():
    try:
        from mtzsim.laser import make_beam
        from mtzsim.mtz import simulate_mtz

        m = simulate_mtz(make_beam("co2", energy=15e-3, spot_diameter=120e-6))
        if m.response is not None:
            return m, "simulate_mtz (15 mJ, 120 µm)"
    except Exception as exc:  # engine not available: say so
        print(f"bench_field: single-MTZ engine unavailable ({type(exc).__name__}); synthetic MTZ", file=sys.stderr)
    from mtzsim.field import synthetic_mtz

    return synthetic_mtz(), "synthetic (2 mJ residual heat column)"


def run(args) -> dict:
    from mtzsim.field import simulate_field
    from mtzsim.pattern import PatternSpec

    mtz, source = _mtz()
    quick = getattr(args, "quick", False)
    side = 3e-3 if quick else 1e-2
    spec = PatternSpec(density=0.05, spot_diameter=120e-6, passes=2, width=side, height=side, order="random",
                       rep_rate=250.0)
    simulate_field(mtz, PatternSpec(density=0.05, width=1e-3, height=1e-3), cooling=0.1)  # JIT warm-up
    t0 = time.perf_counter()
    res = simulate_field(mtz, spec, depths=(20e-6, 100e-6, 300e-6), resolution=10e-6)
    elapsed = time.perf_counter() - t0
    out = {
        "mtz_source": source,
        "field_mm": side * 1e3,
        "n_mtz_per_pass": res.pattern.n_spots,
        "n_firings": res.n_firings,
        "map_pixels": int(res.dataset.sizes["x"] * res.dataset.sizes["y"]),
        "time_s": round(elapsed, 2),
        "stages_s": {k: round(v, 2) for k, v in res.timings.items()},
    }
    # scaling: fixed density and maps at 20 µm at one depth, area grows
    sizes = [100, 1000, 10000] if not quick else [100, 400, 1600]
    cost = []
    for n in sizes:
        a = math.sqrt(n / spec.areal_density)
        s = PatternSpec(density=0.05, width=a, height=a, order="random", rep_rate=250.0)
        t1 = time.perf_counter()
        r = simulate_field(mtz, s, depths=(100e-6,), resolution=20e-6, cooling=0.5)
        cost.append((r.pattern.n_spots, time.perf_counter() - t1))
    n_arr = np.array([c[0] for c in cost], float)
    t_arr = np.array([c[1] for c in cost])
    slope = float(np.polyfit(np.log(n_arr[1:]), np.log(t_arr[1:]), 1)[0])
    out["scaling"] = [{"n_mtz": int(n), "time_s": round(t, 2)} for n, t in cost]
    out["growth_exponent"] = round(slope, 2)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["summary"] = res.to_dict()
    return out
