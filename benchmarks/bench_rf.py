"""Microneedle RF: one bipolar pin pair (potential + Joule heat + Pennes/Arrhenius), cold and warm.

`python benchmarks/run.py rf [--json] [--quick]`. The case is the ``mnrf_insulated_49`` preset
(1.5 mm needles, 200 µm, 0.3 mm conducting tip, 20 mJ per pin over 100 ms at 1 MHz) in the
"face" tissue with the default numerics of :class:`mtzsim.physics.rf.RFNumerics` (40 µm cells,
0.8 mm margins, 0.3 s of cooling after the pulse). "cold" is the first call in a fresh process
(imports, numba compilation of the reference3d stepper included); "warm" is the best of 3
further calls; "array_3x3_*" is one warm call on a 3 × 3 checkerboard array; "warm_cpu_s" is the CPU time of the best warm call (all threads summed): on the
shared 2-core machine the wall time depends on the other jobs, the CPU time much less. Run with
``NUMBA_NUM_THREADS=1`` for a single-core figure. Target (issue 12 slice): one pin pair < 5 s on
2 cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

_CASE = """
import json, time
t0 = time.perf_counter()
from mtzsim.physics.needles import load_devices
from mtzsim.physics.rf import RFNumerics, RFSettings, simulate_mnrf
dev = load_devices()["mnrf_insulated_49"]
s = RFSettings(dev.energy_per_pin, dev.conduction_time, dev.frequency)
num = RFNumerics(h={h!r})
t1 = time.perf_counter()
r = simulate_mnrf(dev.needle, s, "face", numerics=num)
t2 = time.perf_counter()
warm, cpu = [], []
for _ in range(3):
    a, c = time.perf_counter(), time.process_time()
    simulate_mnrf(dev.needle, s, "face", numerics=num)
    warm.append(time.perf_counter() - a)
    cpu.append(time.process_time() - c)
a, c = time.perf_counter(), time.process_time()
arr = simulate_mnrf(dev.needle, s, "face", numerics=num, layout=(3, 3))
array_s, array_cpu_s = time.perf_counter() - a, time.process_time() - c
print(json.dumps(dict(array_3x3_s=array_s, array_3x3_cpu_s=array_cpu_s, array_3x3_cells=int(arr.coag_map.size),
                      cold_s=t2 - t0, cold_call_s=t2 - t1, warm_s=min(warm), warm_cpu_s=min(cpu),
                      cells=int(r.coag_map.size),
                      coag_depth_um=[r.coag_depth_min * 1e6, r.coag_depth_max * 1e6], coag_width_um=r.coag_width * 1e6,
                      coag_volume_per_pin_mm3=r.coag_volume_per_pin * 1e9,
                      epidermis_peak_c=r.epidermis_peak_temperature - 273.15, impedance_ohm=r.impedance)))
"""


def run(args) -> dict:
    quick = getattr(args, "quick", False)
    h = 60e-6 if quick else 40e-6
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-c", _CASE.format(h=h)], capture_output=True, text=True, check=True, env=env)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["h_um"] = h * 1e6
    out["numba_threads"] = env.get("NUMBA_NUM_THREADS", "default")
    out["load_average_1min"] = os.getloadavg()[0]
    out["target_s"] = 5.0
    return out
