"""Result cache: the flagship scenario run twice, the second time from the cache.

Times ``TreatmentChain(flagship, cache=ResultCache(tmp)).run()`` three ways: the first run
(computes the MTZ and the field and stores them), a second run in the same process (results
from memory) and a run with a fresh cache object on the same folder (results from disk, as a
new process would get them). Reports the bytes stored and checks the results are equal.
"""

from __future__ import annotations

import tempfile
import time


def run(args) -> dict:
    from mtzsim.io.scenario import parse_scenario
    from mtzsim.params.presets import FLAGSHIP_SCENARIO
    from mtzsim.pipeline.cache import ResultCache
    from mtzsim.pipeline.chain import TreatmentChain

    text = FLAGSHIP_SCENARIO
    if getattr(args, "quick", False):
        import re

        text = re.sub(r'area = "[^"]*"', 'area = "2mm x 2mm"', text)
    scenario = parse_scenario(text, source="flagship.toml")
    with tempfile.TemporaryDirectory() as folder:
        # warm-up: numba compilation is not what this benchmark measures
        TreatmentChain(scenario, cache=None).run()
        timings = {}
        cache = ResultCache(folder)
        t0 = time.perf_counter()
        first = TreatmentChain(scenario, cache=cache).run()
        timings["first_run_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        second = TreatmentChain(scenario, cache=cache).run()
        timings["second_run_memory_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        third = TreatmentChain(scenario, cache=ResultCache(folder)).run()
        timings["second_run_disk_s"] = time.perf_counter() - t0
        info = cache.info()
        same = (third.field.to_dict() == first.field.to_dict() and third.mtz.to_dict() == first.mtz.to_dict())
        return {
            **{k: round(v, 3) for k, v in timings.items()},
            "speed_up_disk": round(timings["first_run_s"] / timings["second_run_disk_s"], 1),
            "sources_second_run": [r.source for r in third.records],
            "stored_mb": round(info["bytes"] / 1e6, 1),
            "results_equal": bool(same and second.field is first.field),
            "area": "2mm x 2mm (quick)" if getattr(args, "quick", False) else "flagship (4mm x 4mm)",
        }
