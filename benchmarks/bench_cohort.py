"""Virtual cohort and Sobol speed: 10,000 patients for one scenario, Sobol with ≥ 10⁴ runs.

The physics (one MTZ) is computed once before the clock starts ("physics cached"); the timed
part is the biology, outcome and risks vectorised over patients, and the Sobol analysis.
"""

from __future__ import annotations

import os
import time


def run(args) -> dict:
    os.environ.setdefault("NUMBA_NUM_THREADS", "2")
    from mtzsim.biology.remodeling import DAY
    from mtzsim.clinic.calibration import load_posterior, study_stimulus
    from mtzsim.clinic.outcome import predict_outcome
    from mtzsim.clinic.scars import Scar
    from mtzsim.clinic.sensitivity import sobol_indices

    quick = getattr(args, "quick", False)
    stim = study_stimulus()  # physics cached
    load_posterior()
    scars = (Scar("icepick", 1e-3, 1e-3, 10), Scar("boxcar_shallow", 2.5e-3, 0.3e-3, 5),
             Scar("boxcar_deep", 2.5e-3, 0.7e-3, 3), Scar("rolling", 5e-3, 0.3e-3, 3))
    n = 1000 if quick else 10_000
    t0 = time.perf_counter()
    res = predict_outcome(stim, scars, fitzpatrick=4, sessions=3, interval=6 * 7 * DAY, follow_up=6 * 30.4375 * DAY,
                          cohort_size=n, seed=1)
    t_cohort = time.perf_counter() - t0
    n_base = 64 if quick else 512
    t0 = time.perf_counter()
    sob = sobol_indices(stim, scars, interval=6 * 7 * DAY, follow_up=6 * 30.4375 * DAY, n_base=n_base)
    t_sobol = time.perf_counter() - t0
    return {
        "cohort_patients": n,
        "cohort_time_s": round(t_cohort, 2),
        "cohort_target_s": 10.0,
        "cohort_improvement_mean_pct": round(100 * res.improvement_mean, 1),
        "sobol_runs": sob.n_runs,
        "sobol_time_s": round(t_sobol, 2),
        "sobol_target_s": 60.0,
    }
