"""Planner speed: physics table build, a plan over ≥ 1,000 candidates cold (new process, table on disk) and warm, `mtzsim compare` warm; downtime interpolation error."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

DAY = 86400.0
PLAN_ARGS = ["plan", "--scar", "boxcar", "--depth", "0.4mm", "--fitzpatrick", "4", "--max-downtime", "7d",
             "--sessions", "3", "--json"]


def _timed(cmd, env):
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1200)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {r.stderr[-2000:]}")
    return time.perf_counter() - t, r.stdout


def run(args) -> dict:
    import json
    import pathlib

    import numpy as np

    from mtzsim.clinic import physics_table as pt

    quick = getattr(args, "quick", False)
    cache_dir = os.environ.get("MTZSIM_CACHE_DIR") or tempfile.mkdtemp(prefix="mtzsim-bench-planner-")
    env = dict(os.environ, MTZSIM_CACHE_DIR=cache_dir)
    py = [sys.executable, "-m", "mtzsim"]
    out = {"cache_dir": cache_dir, "numba_threads": os.environ.get("NUMBA_NUM_THREADS", "default"),
           "load_average_1min": round(os.getloadavg()[0], 2)}
    mods = "microneedling,erglass_nonablative" if quick else "all"
    # 1. build the table (first call) — includes numba compilation of the MTZ and RF engines
    t, _ = _timed(py + PLAN_ARGS + ["--modality", mods], env)
    out["first_plan_with_table_build_s"] = round(t, 2)
    # 2. cold: a new process, the table on disk
    t, text = _timed(py + PLAN_ARGS + ["--modality", mods], env)
    d = json.loads(text)
    out["plan_cold_s"] = round(t, 2)
    out["candidates"] = d["candidates"]
    out["feasible"] = d["feasible"]
    out["best_plan"] = None if not d["plans"] else {k: d["plans"][0][k] for k in
                                                     ("modality", "settings", "improvement_mean", "downtime_days",
                                                      "pih_probability")}
    # 3. warm: in this process, table in memory (second call)
    os.environ["MTZSIM_CACHE_DIR"] = cache_dir
    from mtzsim.clinic.planner import plan
    from mtzsim.clinic.scars import Scar

    modalities = pt.MODALITIES if mods == "all" else tuple(mods.split(","))
    scars = [Scar("boxcar_shallow", 3e-3, 0.4e-3, 1)]
    table = pt.build_physics_table(modalities)
    plan(scars, fitzpatrick=4, max_downtime=7 * DAY, max_sessions=3, modalities=modalities, table=table)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        plan(scars, fitzpatrick=4, max_downtime=7 * DAY, max_sessions=3, modalities=modalities, table=table)
        best = min(best, time.perf_counter() - t)
    out["plan_warm_s"] = round(best, 3)
    out["table_build_s_recorded"] = round(table.build_seconds, 1)
    out["physics_nodes"] = len(table.nodes)
    # 4. compare: first (builds the preset nodes) and warm (new process, nodes on disk)
    scen = pathlib.Path(__file__).resolve().parents[1] / "examples" / "deep_co2.toml"
    t, _ = _timed(py + ["compare", str(scen), "--json"], env)
    out["compare_first_s"] = round(t, 2)
    t, text = _timed(py + ["compare", str(scen), "--json"], env)
    out["compare_warm_s"] = round(t, 2)
    # 5. downtime interpolation error: direct healing at the mid-points of the coverage nodes
    errs, rels = [], []
    for (m, e, l, _stack, _spot), node in list(table.nodes.items())[: (2 if quick else None)]:
        if m in pt.FULL_FIELD:  # one coverage (1): nothing is interpolated
            continue
        for a, b in zip(pt.COVERAGE_NODES[:-1], pt.COVERAGE_NODES[1:]):
            c = 0.5 * (a + b)
            direct = pt.heal_node(m, node.wound, c)[0]
            interp = node.healing_at(c)[0]
            errs.append(abs(interp - direct) / DAY)
            rels.append(abs(interp - direct) / max(direct, DAY))
    out["downtime_interp_max_abs_err_d"] = round(float(np.max(errs)), 2)
    out["downtime_interp_median_abs_err_d"] = round(float(np.median(errs)), 2)
    out["downtime_interp_max_rel_err"] = round(float(np.max(rels)), 3)
    out["downtime_interp_points"] = len(errs)
    return out
