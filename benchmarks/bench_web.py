"""Web planner under load: 50 concurrent POST /api/plan on loopback against `mtzsim serve` (p50/p95/max, errors).

Two mixes, after a warm-up that builds (or loads) the physics table and compiles the kernels:

1. ``memo``: 50 concurrent requests drawn from 5 distinct patients, each asked once before (the
   server memoises plan answers by the canonical JSON of the request: what a clinic sees when
   several people plan the same patient, or a page reloads);
2. ``distinct``: 50 concurrent requests of 50 patients never asked before (every one runs the
   planner on the warm table; bounded by ``--workers``: this is the throughput figure).

The client honours 429 + Retry-After (as the page does); a retry is counted, not an error.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np

N_REQUESTS = 50
SCAR_TYPES = ("boxcar", "rolling", "icepick")


def patient(i: int, modalities=None) -> dict:
    """A plausible patient number ``i`` (deterministic)."""
    rng = np.random.default_rng(i)
    scars = [{"type": str(SCAR_TYPES[k % 3]), "depth_mm": round(float(rng.uniform(0.2, 0.8)), 2),
              "count": int(rng.integers(2, 20))} for k in range(int(rng.integers(1, 3)))]
    req = {"fitzpatrick": int(rng.integers(1, 7)), "age": float(rng.integers(18, 60)), "scars": scars,
           "max_downtime_days": float(rng.choice([3, 5, 7, 10, 14])), "sessions": int(rng.integers(1, 4))}
    if rng.random() < 0.5:
        req["max_pih_pct"] = float(rng.choice([10, 20, 30, 50]))
    if modalities:
        req["modalities"] = list(modalities)
    return req


async def _fire(url: str, bodies: list[dict]) -> dict:
    import httpx

    async def one(client, body):
        t0 = time.perf_counter()
        retries = 0
        while True:
            r = await client.post(url + "/api/plan", json=body)
            if r.status_code == 429:
                retries += 1
                await asyncio.sleep(float(r.headers.get("retry-after", "1")))
                continue
            return time.perf_counter() - t0, r.status_code, retries, "" if r.status_code == 200 else r.text[:300]

    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=len(bodies))
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        t0 = time.perf_counter()
        res = await asyncio.gather(*(one(client, b) for b in bodies), return_exceptions=True)
        wall = time.perf_counter() - t0
    lat = np.array([r[0] for r in res if not isinstance(r, BaseException) and r[1] == 200])
    errors = sum(1 for r in res if isinstance(r, BaseException) or r[1] != 200)
    retries = sum(r[2] for r in res if not isinstance(r, BaseException))
    details = sorted({repr(r) if isinstance(r, BaseException) else f"{r[1]}: {r[3]}" for r in res
                      if isinstance(r, BaseException) or r[1] != 200})
    return {"requests": len(bodies), "errors": errors, "error_details": details, "retries_after_429": retries, "wall_s": round(wall, 2),
            "p50_s": round(float(np.percentile(lat, 50)), 3) if lat.size else None,
            "p95_s": round(float(np.percentile(lat, 95)), 3) if lat.size else None,
            "max_s": round(float(lat.max()), 3) if lat.size else None}


def run(args) -> dict:
    import httpx

    quick = getattr(args, "quick", False)
    mods = ("microneedling", "erglass_nonablative") if quick else None
    workers = int(os.environ.get("MTZSIM_WEB_WORKERS", "2"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    work = tempfile.mkdtemp(prefix="mtzsim-bench-web-")
    proc = subprocess.Popen([sys.executable, "-m", "mtzsim", "serve", "--port", str(port), "--workers", str(workers),
                             "--runs-dir", os.path.join(work, "runs")], cwd=work)
    out = {"workers": workers, "cores": os.cpu_count(), "modalities": "quick pair" if quick else "all",
           "numba_threads": os.environ.get("NUMBA_NUM_THREADS", "default"),
           "load_average_1min_start": round(os.getloadavg()[0], 2)}
    try:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("mtzsim serve did not start") from None
                time.sleep(0.2)
        t0 = time.perf_counter()
        first = httpx.post(url + "/api/plan", json=patient(1000, mods), timeout=3600)
        first.raise_for_status()
        out["warmup_first_plan_s"] = round(time.perf_counter() - t0, 2)  # table build or load, compilation
        t0 = time.perf_counter()
        httpx.post(url + "/api/plan", json=patient(1001, mods), timeout=3600).raise_for_status()
        out["warm_single_plan_s"] = round(time.perf_counter() - t0, 2)
        distinct5 = [patient(i, mods) for i in range(5)]
        for b in distinct5:  # ask each once: the memo holds them
            httpx.post(url + "/api/plan", json=b, timeout=3600).raise_for_status()
        rng = np.random.default_rng(7)
        out["memo"] = asyncio.run(_fire(url, [distinct5[int(k)] for k in rng.integers(0, 5, N_REQUESTS)]))
        out["distinct"] = asyncio.run(_fire(url, [patient(100 + i, mods) for i in range(N_REQUESTS)]))
        out["load_average_1min_end"] = round(os.getloadavg()[0], 2)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out
