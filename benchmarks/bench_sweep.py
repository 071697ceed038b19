"""A 200-scenario sweep, serial in-process vs a 2-worker local Dask cluster.

Two sweeps of the tiny test scenario (1 mm × 1 mm, 10 µm MTZ cells, 20 µm field pixels; MTZ
and field stages), each on a fresh result cache:

- ``distinct``: 200 pattern seeds → 200 different fields (one MTZ): the physics dominates;
- ``repeated``: 4 densities × 50 ages → 4 fields, 196 cache hits: the per-task overhead
  (scenario validation, hashing, shipping, Parquet) dominates.

Figures: wall time of each sweep [s] (the cluster's start-up and its workers' first scenarios —
imports, one MTZ — given separately), scenarios per second,
the speed-up of 2 workers over serial, and whether both give the same table (bit for bit, run
columns excluded). The load average at start says how busy the shared machine was.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

BASE = """
title = "benchmark sweep"
[laser]
preset = "deep-fractional-co2-120um"
energy = "10mJ"
[pattern]
density = "8%"
area = "1mm x 1mm"
seed = 1
[numerics]
mtz_cell = "10um"
field_resolution = "20um"
[sweep]
method = "grid"
stages = ["mtz", "field"]
[sweep.parameters]
"""


def _sweeps(n: int) -> dict[str, str]:
    seeds = ", ".join(str(s) for s in range(1, n + 1))
    ages = ", ".join(str(a) for a in range(20, 20 + n // 4))
    return {
        "distinct": BASE + f'"pattern.seed" = [{seeds}]\n',
        "repeated": BASE + f'"pattern.density" = ["5%", "8%", "12%", "16%"]\n"patient.age" = [{ages}]\n',
    }


def run(args) -> dict:
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    from mtzsim.io import sweep_store
    from mtzsim.pipeline import sweep as sw

    n = 40 if getattr(args, "quick", False) else 200
    figures: dict = {"scenarios": n, "load_average_1min_at_start": round(os.getloadavg()[0], 2),
                     "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        specs = {label: sw.parse_sweep(text) for label, text in _sweeps(n).items()}
        # one MTZ computed (numba compiled, modules imported) before timing, in this process and on
        # each worker, so that both paths start warm; the workers' warm-up is given separately
        warm = sw.parse_sweep(BASE + '"patient.age" = [30, 31, 32, 33]\n')
        sw.run_sweep(warm, tmp / "warm-serial", cache_dir=str(tmp / "cache-serial"))
        serial = {}
        for label, spec in specs.items():
            t0 = time.perf_counter()
            outcome = sw.run_sweep(spec, tmp / f"{label}-serial", cache_dir=str(tmp / "cache-serial"))
            serial[label] = time.perf_counter() - t0
            assert outcome.n_computed == n
        t0 = time.perf_counter()
        with sw.open_executor(workers=2, cache_dir=str(tmp / "cache-cluster")) as executor:
            figures["cluster_start_s"] = round(time.perf_counter() - t0, 2)
            t0 = time.perf_counter()
            sw.run_sweep(warm, tmp / "warm-cluster", executor=executor)
            figures["cluster_warmup_s"] = round(time.perf_counter() - t0, 2)
            for label, spec in specs.items():
                t0 = time.perf_counter()
                outcome = sw.run_sweep(spec, tmp / f"{label}-two", executor=executor)
                t_two = time.perf_counter() - t0
                assert outcome.n_computed == n
                drop = list(sw.RUN_COLUMNS)
                same = sweep_store.read_result(tmp / f"{label}-serial").drop_columns(drop).equals(
                    sweep_store.read_result(tmp / f"{label}-two").drop_columns(drop))
                figures[f"{label}_serial_s"] = round(serial[label], 2)
                figures[f"{label}_2workers_s"] = round(t_two, 2)
                figures[f"{label}_serial_per_s"] = round(n / serial[label], 1)
                figures[f"{label}_2workers_per_s"] = round(n / t_two, 1)
                figures[f"{label}_speedup"] = round(serial[label] / t_two, 2)
                figures[f"{label}_identical"] = bool(same)
                for path in ("serial", "two"):  # time inside the scenarios (the rest is overhead and waiting)
                    busy = sum(sweep_store.read_result(tmp / f"{label}-{path}").column("run.seconds").to_pylist())
                    figures[f"{label}_{path}_task_s"] = round(busy, 2)
    return figures
