"""Virtual cohort: per-patient seeds (chunk independence), marginals and correlated covariates."""

import numpy as np
import pytest

from mtzsim.clinic.cohort import concat, draw_patients, population_for, trial_population
from mtzsim.clinic.scars import Scar

SCARS = (Scar("icepick", 1e-3, 1e-3, 6), Scar("rolling", 5e-3, 0.3e-3, 2))


def test_chunked_draws_are_bit_identical():
    pop = trial_population((0, 0, 0.5, 0.5, 0, 0), 28.0)
    whole = draw_patients(pop, 50, 9)
    parts = concat([draw_patients(pop, 17, 9), draw_patients(pop, 20, 9, start=17), draw_patients(pop, 13, 9, start=37)])
    for name in ("fitzpatrick", "age", "z_gain", "scar_weight", "depth", "hits_u", "draw"):
        assert np.array_equal(getattr(whole, name), getattr(parts, name)), name


def test_chunked_outcome_is_bit_identical(study_stimulus):
    from mtzsim.clinic.outcome import predict_outcome

    kw = dict(fitzpatrick=4, sessions=2, cohort_size=300, seed=5)
    a = predict_outcome(study_stimulus, SCARS, **kw)
    b = predict_outcome(study_stimulus, SCARS, chunk=64, **kw)
    assert np.array_equal(a.improvement_samples, b.improvement_samples)
    assert a.pih_probability == b.pih_probability


def test_fitzpatrick_marginal():
    probs = (0.1, 0.2, 0.3, 0.2, 0.15, 0.05)
    d = draw_patients(trial_population(probs, 30.0), 4000, 1)
    freq = np.bincount(d.fitzpatrick.astype(int), minlength=7)[1:] / 4000
    sd = np.sqrt(np.array(probs) * (1 - np.array(probs)) / 4000)
    assert np.all(np.abs(freq - probs) < 4 * sd)  # 4 binomial sd


def test_covariates_drawn_together():
    # cohort_distributions.csv: corr(age, icepick share) = 0.2 (assumption) → positive rank correlation
    d = draw_patients(trial_population((0, 0, 0.5, 0.5, 0, 0), 30.0), 4000, 2)
    ice = d.scar_weight[:, 0]
    r = np.corrcoef(np.argsort(np.argsort(d.age)), np.argsort(np.argsort(ice)))[0, 1]
    assert 0.08 < r < 0.3
    assert np.allclose(d.scar_weight.sum(1), 1.0)


def test_single_patient_population_fixes_covariates():
    d = draw_patients(population_for(5, 41, SCARS), 100, 3)
    assert np.all(d.fitzpatrick == 5) and np.all(d.age == 41)
    assert np.all(d.depth == np.array([1e-3, 0.3e-3]))


def test_bad_cohort_refused():
    with pytest.raises(ValueError, match="at least 1"):
        draw_patients(population_for(3, 30, SCARS), 0, 1)
    with pytest.raises(ValueError, match="Fitzpatrick"):
        population_for(7, 30, SCARS)


@pytest.fixture(scope="module")
def study_stimulus():
    from mtzsim.clinic.calibration import study_stimulus

    return study_stimulus()
