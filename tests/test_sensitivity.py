"""Sobol indices: an analytic check of the pipeline and the outcome's sensitivities."""

import numpy as np
import pytest

from mtzsim.biology.remodeling import DAY
from mtzsim.clinic.scars import Scar


def test_salib_ishigami_analytic():
    # Ishigami function (a = 7, b = 0.1): S1 = 0.314, 0.442, 0; ST3 = 0.244 (Saltelli et al. 2010)
    from SALib.analyze import sobol
    from SALib.sample import sobol as sample

    prob = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    X = sample.sample(prob, 4096, calc_second_order=False, seed=1)
    Y = np.sin(X[:, 0]) + 7 * np.sin(X[:, 1]) ** 2 + 0.1 * X[:, 2] ** 4 * np.sin(X[:, 0])
    r = sobol.analyze(prob, Y, calc_second_order=False, seed=1)
    assert r["S1"] == pytest.approx([0.314, 0.442, 0.0], abs=0.03)  # Monte Carlo error at N = 4096


def test_outcome_sobol_indices():
    from mtzsim.clinic.calibration import study_stimulus
    from mtzsim.clinic.sensitivity import sobol_indices

    scars = (Scar("boxcar_deep", 2.5e-3, 0.7e-3, 3), Scar("rolling", 5e-3, 0.3e-3, 2))
    res = sobol_indices(study_stimulus(), scars, interval=42 * DAY, follow_up=180 * DAY, n_base=128)
    names = list(res.names)
    assert res.n_runs == 128 * (len(names) + 2)
    imp, pih = res.indices["improvement"], res.indices["pih_probability"]
    # PIH does not depend on any remodeling rate: their total indices are zero up to sampling noise
    for n in ("tau_hsp70", "tau_fibroblast", "fill_cap"):
        assert abs(pih["ST"][names.index(n)]) < 0.02
    # skin type is the largest PIH factor among patient and device factors
    assert pih["ST"][names.index("fitzpatrick")] > pih["ST"][names.index("energy_factor")]
    # improvement depends on the sessions and the fill; the energy acts on PIH only
    assert imp["ST"][names.index("sessions")] > 0.05
    assert imp["ST"][names.index("fill_yield")] > 0.05
    assert abs(imp["ST"][names.index("energy_factor")]) < 0.02
