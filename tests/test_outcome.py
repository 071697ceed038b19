"""Outcome: orderings the evidence supports, the mechanism through the chain, risks, calibration cases."""

import dataclasses
import math

import numpy as np
import pytest

from mtzsim.biology.remodeling import DAY
from mtzsim.clinic.outcome import MONTH, predict_outcome, quartile_shares
from mtzsim.clinic.scars import Scar
from mtzsim.pipeline.contract import describe

ALL = (Scar("icepick", 1e-3, 1e-3, 10), Scar("boxcar_shallow", 2.5e-3, 0.3e-3, 5),
       Scar("boxcar_deep", 2.5e-3, 0.7e-3, 3), Scar("rolling", 5e-3, 0.3e-3, 3))
KW = dict(fitzpatrick=3, cohort_size=1500, seed=3)


@pytest.fixture(scope="module")
def stim():
    from mtzsim.clinic.calibration import study_stimulus

    return study_stimulus()


@pytest.fixture(scope="module")
def three(stim):
    return predict_outcome(stim, ALL, sessions=3, interval=6 * 7 * DAY, **KW)


def test_result_declares_units(three):
    names = {f.name for f in describe(three)}
    assert {"improvement_mean", "pih_probability", "quartile_shares", "downtime_days"} <= names
    d = three.to_dict()
    for key in ("improvement_mean", "improvement_ci", "quartile_shares", "gb_grade_change", "pih_probability",
                "pih_interval", "downtime_days", "per_scar_type", "course"):
        assert key in d
    assert len(d["quartile_shares"]) == 4 and sum(d["quartile_shares"]) == pytest.approx(100)
    assert d["downtime_days"] is None  # no healing stage: not invented
    assert d["improvement_ci"][0] <= d["improvement_mean"] <= d["improvement_ci"][1]
    for k in ("pih", "prolonged_erythema", "hsv"):  # every risk comes with an interval around it
        lo, hi = d[f"{k}_interval"]
        assert lo <= d[f"{k}_probability"] <= hi, k


def test_scar_type_ordering(three):
    # Majid & Imran 2014: rolling and superficial boxcar respond best, icepick least
    m = {k: v["mean"] for k, v in three.per_scar_type.items()}
    assert m["icepick"] == min(m.values())
    assert {m["rolling"], m["boxcar_shallow"]} == set(sorted(m.values())[-2:])


def test_more_sessions_help_with_saturation(stim):
    y = [predict_outcome(stim, ALL, sessions=k, interval=6 * 7 * DAY, **KW).improvement_mean for k in (1, 2, 3, 5)]
    assert y[0] < y[1] < y[2] < y[3]
    assert (y[3] - y[2]) / 2 < (y[1] - y[0])  # per-session gain shrinks


def test_improvement_rises_from_1_to_6_months_after_last_session(three):
    # Manuskiatti 2010: improvement progressed from 1 to 6 months after the last session (p = .002)
    months = np.asarray(three.course_months) / MONTH
    imp = np.asarray(three.course_improvement)
    last = 2 * 6 * 7 * DAY / MONTH
    at = lambda m: imp[np.argmin(np.abs(months - (last + m)))]  # noqa: E731
    assert at(1) < at(3) < at(6)


def test_pih_rises_with_skin_type_and_density_and_falls_with_sun_protection(stim):
    p = [predict_outcome(stim, ALL[:1], fitzpatrick=f, cohort_size=400, seed=1).pih_probability for f in (2, 4, 6)]
    assert p[0] < p[1] < p[2]
    dense = dataclasses.replace(stim, coverage=2 * stim.coverage)
    base = predict_outcome(stim, ALL[:1], fitzpatrick=4, cohort_size=400, seed=1)
    assert predict_outcome(dense, ALL[:1], fitzpatrick=4, cohort_size=400, seed=1).pih_probability > base.pih_probability
    sun = predict_outcome(stim, ALL[:1], fitzpatrick=4, cohort_size=400, seed=1, sun_protection=True)
    assert sun.pih_probability < base.pih_probability
    anti = predict_outcome(stim, ALL[:1], fitzpatrick=4, cohort_size=400, seed=1, antiviral=True)
    assert anti.hsv_probability < base.hsv_probability


def test_mechanism_through_the_physics_chain():
    """Shallower MTZs (less energy, same coverage) help a deep boxcar less than a shallow one:
    the deep/shallow improvement ratio drops, because the MTZ no longer reaches the deep floor."""
    from mtzsim.clinic.stimulus import treatment_stimulus
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import Numerics, simulate_mtz

    out = {}
    for e in (5e-3, 40e-3):
        mtz = simulate_mtz(make_beam("co2", energy=e, spot_diameter=120e-6), numerics=Numerics(cell=10e-6))
        s = treatment_stimulus(mtz, 0.10 / (math.pi * 60e-6**2))
        r = predict_outcome(s, (Scar("boxcar_shallow", 2.5e-3, 0.3e-3, 1), Scar("boxcar_deep", 2.5e-3, 0.8e-3, 1)),
                            sessions=3, fitzpatrick=3, cohort_size=300, seed=2)
        out[e] = (mtz.lethal_depth, r.per_scar_type["boxcar_deep"]["mean"] / r.per_scar_type["boxcar_shallow"]["mean"])
    assert out[5e-3][0] < out[40e-3][0]  # the physics: deeper MTZ at higher energy
    assert out[5e-3][1] < out[40e-3][1]


def test_healing_result_supplies_downtime(stim):
    # a HealingResult holds SI seconds (its JSON shows days), like every stage result
    class Healing:
        downtime_days = 5.5 * DAY
        erythema_days = 4.0 * DAY  # = the PIH model's erythema reference (Majid 2014, 4 d)
        infection_window_days = 3.0 * DAY
        reepithelialization_days_95 = 2.0 * DAY

    r = predict_outcome(stim, ALL[:1], Healing(), fitzpatrick=3, cohort_size=100, seed=1)
    assert r.downtime_days == pytest.approx(5.5 * DAY)
    assert r.to_dict()["downtime_days"] == pytest.approx(5.5)
    # erythema at the reference duration adds nothing to the PIH log-odds: same PIH as without
    # the healing stage (a unit slip between seconds and days would add 0.5·ln(86400) ≈ 5.7)
    bare = predict_outcome(stim, ALL[:1], None, fitzpatrick=3, cohort_size=100, seed=1)
    assert r.pih_probability == pytest.approx(bare.pih_probability, rel=1e-12)


def test_quartile_shares_edges():
    assert list(quartile_shares([0.1, 0.25, 0.5, 0.74, 0.75, 1.0])) == pytest.approx([1 / 6, 1 / 6, 2 / 6, 2 / 6])


@pytest.mark.parametrize("kw, match", [(dict(cohort_size=0), "cohort size"), (dict(sessions=0), "sessions"),
                                       (dict(interval=-DAY), "interval")])
def test_bad_arguments(stim, kw, match):
    with pytest.raises(ValueError, match=match):
        predict_outcome(stim, ALL[:1], **({"fitzpatrick": 3} | kw))


# ---- calibration cases (trial emulation) ------------------------------------------------------


@pytest.fixture(scope="module")
def cases():
    from mtzsim.clinic.trials import outcome_validation_cases

    return {c["name"]: c for c in outcome_validation_cases(replicates=200)}


def test_quartile_shares_within_trial_sampling_spread(cases):
    # Majid 2014 (n = 60) and Cho 2009 (n = 20): each measured share lies inside the 95 % interval of
    # the emulated trial (patients, rater noise and posterior re-drawn 200 times)
    rows = [c for n, c in cases.items() if n.startswith(("Majid 2014 share", "Cho 2009 share"))]
    assert len(rows) == 7
    for c in rows:
        assert c["low"] <= c["measured"] <= c["high"], c["name"]


def test_quartile_shares_within_ten_points(cases):
    # issue 11 acceptance: Majid 2014 and Cho 2009 quartile shares within ±10 points each. It failed
    # (11.5-11.7 points) while the between-patient scar-mix spread had a narrow, unsourced prior:
    # patients whose scars are mostly rolling or shallow boxcar respond well and those with mostly
    # icepick poorly (Majid 2014), which gives the wide patient-level spread (sd about 20 points)
    # that Majid's 32/25/43 % split needs; the former prior allowed about 11.
    rows = [c for n, c in cases.items() if n.startswith(("Majid 2014 share", "Cho 2009 share"))]
    assert all(abs(c["predicted"] - c["measured"]) <= 10 for c in rows)


def test_held_out_and_contrast_cases(cases):
    for name in ("Manuskiatti 2010 share >= 25 % at 6 mo (FST IV, 3 sessions)", "Manuskiatti 2010 PIH per patient over 3 sessions",
                 "Neaman 2010 hyperpigmentation (US practice, FST II-III assumed)",
                 "Chan 2007 PIH ratio low-energy/high-density vs high-energy/low-density",
                 "Yuan 2014 PIH ratio 20 % / 10 % density ('more adverse effects')",
                 "Yuan 2014 improvement difference 20 % vs 10 % density (1 session, 3 mo)"):
        assert cases[name]["passed"], (name, cases[name])
    assert not cases["Manuskiatti 2010 share >= 25 % at 6 mo (FST IV, 3 sessions)"]["fitted"]
    assert cases["Chan 2007 PIH ratio low-energy/high-density vs high-energy/low-density"]["predicted"] > 1


@pytest.mark.xfail(strict=True, reason=(
    "measured 2026-12-01: 62.8 % of the patients one Goodman-Baron grade down (a 15-patient trial would show 40-87 %) "
    "against 15 of 15 (Saeed 2012, 3 fractional CO2 sessions, 1 month after the last; held out, and blind to the "
    "load rule of outcome.goodman_baron_grade, which the MNRF rows shaped). The MNRF rows are short in the same way "
    "(NIMNRF: 69 % vs 9 of 9 at 3 months). A patient falls from grade 4 when half of the scars are below 0.2 mm "
    "(assumption: no source gives the depth at which an atrophic scar stops being obvious at 50 cm); the 0.3 mm "
    "boxcar and rolling scars of the Jacob mix must lose a third of their depth by 1 month after the course"))
def test_fractional_co2_brings_every_patient_one_goodman_baron_grade_down(cases):
    """Saeed 2012: 'All patients who had moderate and severe scars before treatment changed to mild and moderate
    scars' after 3 sessions of fractional CO2: the measured 15 of 15 lies in the sampling interval of the model."""
    c = cases["Saeed 2012 share one Goodman-Baron grade down, 1 mo after 3 sessions (FST III-IV)"]
    assert not c["fitted"]
    assert c["passed"], c


def test_registry_cases_for_mtzsim_validate(cases):
    from mtzsim.clinic.trials import registry_cases
    from mtzsim.verify.validation import evaluate

    reg = registry_cases()
    assert len(reg) == len(cases) and all(c.model == "outcome" for c in reg)
    # a relative error needs a non-zero measurement; a difference that should vanish is judged in its unit
    assert all(c.measured != 0 or c.kind == "absolute" for c in reg)
    yuan = next(c for c in reg if c.name.startswith("Yuan 2014 improvement difference 20 %"))
    assert yuan.kind == "absolute" and yuan.measured == 0.0 and yuan.tolerance == 10.0  # ± 10 points
    by_name = {c.name: evaluate(c) for c in reg}
    for name in ("Yuan 2014 improvement difference 20 % vs 10 % density (1 session, 3 mo)",
                 "Yuan 2014 PIH ratio 20 % / 10 % density ('more adverse effects')",
                 "Manuskiatti 2010 share >= 25 % at 6 mo (FST IV, 3 sessions)"):
        assert by_name[name].passed, name


def test_yuan_fluence_contrast(cases):
    # Yuan 2014: 20 mJ and 10 mJ gave no significant difference in improvement (held out). With the
    # second-generation MTZ physics and the re-run posterior the model's difference is within the
    # tolerance (it was 12.5 points with the stage-1 physics).
    assert cases["Yuan 2014 improvement difference 20 vs 10 mJ (1 session, 3 mo)"]["passed"]


def test_outcome_stage_in_the_chain(tmp_path):
    from mtzsim.clinic.stage import OUTCOME_STAGE
    from mtzsim.io.scenario import parse_scenario
    from mtzsim.pipeline.chain import MTZ_STAGE, TreatmentChain

    sc = parse_scenario('[laser]\ntype = "co2"\nenergy = "15mJ"\nspot = "120um"\n[patient]\nfitzpatrick = 4\n'
                        '[[scars]]\ntype = "rolling"\ncount = 3\n[cohort]\nsize = 200\n')
    run = TreatmentChain(sc, stages=(MTZ_STAGE, OUTCOME_STAGE)).run()
    res = run.outcome
    assert res.cohort_size == 200 and "rolling" in res.per_scar_type
    assert 0 < res.improvement_mean < 1
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mtzsim.report import figures_outcome

    for fig in OUTCOME_STAGE.figures:
        fig_, ax = plt.subplots()
        getattr(figures_outcome, fig.function)(res, ax=ax)
        plt.close(fig_)


def test_stored_posterior_matches_packaged_data():
    # the posterior was computed from exactly the packaged tables (re-run calibrate_outcome otherwise)
    from mtzsim.clinic.calibration import _data_files, _hash_files, load_posterior, posterior_summary

    post = load_posterior()
    assert post["meta"]["data_sha256"] == _hash_files(_data_files())
    assert set(post["meta"]["held_out"]) and set(post["meta"]["fitted"])
    s = posterior_summary(post)
    assert 0.5 < s["efficacy.fill_cap"][0] < 1.0
    assert s["pih.fitzpatrick"][0] > 0


def test_stored_posterior_converged():
    # emcee guidance: chains of at least 50 integrated autocorrelation times; split-R-hat near 1
    from mtzsim.clinic.calibration import load_posterior

    diag = load_posterior()["meta"]["diagnostics"]
    assert set(diag) == {"efficacy", "pih", "erythema"}
    for block, d in diag.items():
        assert d["chain_over_tau"] >= 50, block
        assert max(d["split_rhat"]) < 1.05, block
        assert min(d["ess"]) > 1000, block  # the stored 400 draws are then nearly independent


def test_split_rhat_detects_unmixed_chains():
    from mtzsim.clinic.calibration import split_rhat

    rng = np.random.default_rng(0)
    iid = rng.standard_normal((4000, 8, 2))
    assert split_rhat(iid) == pytest.approx([1.0, 1.0], abs=0.01)  # stationary, mixed: R-hat -> 1
    stuck = iid + np.array([0.0, 3.0] * 4)[None, :, None]  # half the walkers sit 3 sd away
    assert np.all(split_rhat(stuck) > 1.5)
    drift = iid + np.linspace(0, 3, 4000)[:, None, None]  # a trend within each chain: the halves disagree
    assert np.all(split_rhat(drift) > 1.1)


@pytest.mark.slow
def test_calibration_reproduces(tmp_path):
    from mtzsim.clinic.calibration import calibrate_outcome, load_posterior, posterior_summary

    with pytest.warns(RuntimeWarning, match="autocorrelation"):  # a short chain says so
        short = posterior_summary(calibrate_outcome(tmp_path / "p.json", steps=600, n_keep=300))
    stored = posterior_summary(load_posterior())
    for key in ("efficacy.fill_cap", "pih.fitzpatrick", "pih.log_coverage", "erythema.sigma"):
        m, sd = stored[key]
        assert abs(short[key][0] - m) < 1.0 * sd + 1e-9, key  # a shorter chain: means within one posterior sd


def test_goodman_baron_grades_and_the_share_a_grade_down(three):
    """Grades from residual depths (module doc: obvious ≥ 0.2 mm, visible ≥ 0.05 mm; fibrotic types do not flatten;
    the patient's grade is the highest one at least half of the scars reach) and the per-patient share whose grade
    falls: no patient's grade rises (depths only fall), a patient falls at most three grades (4 → 1), so
    share ≤ mean change ≤ 3 × share."""
    from mtzsim.clinic.outcome import goodman_baron_grade

    kinds = ["boxcar_shallow", "rolling"]
    d = np.array([[0.4e-3, 0.0], [0.0, 0.4e-3], [0.1e-3, 0.1e-3], [0.01e-3, 0.01e-3], [0.4e-3, 0.4e-3],
                  [0.4e-3, 0.1e-3], [0.4e-3, 0.1e-3], [0.4e-3, 0.4e-3]])
    w = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 3.0], [3.0, 1.0], [0.0, 0.0]])
    # one obvious boxcar among three barely visible rolling scars: the load is grade 2; three among one: grade 4
    assert goodman_baron_grade(d, kinds, w).tolist() == [4, 3, 2, 1, 4, 2, 4, 1]
    assert 0.0 < three.gb_improved_share <= three.gb_grade_change <= 3 * three.gb_improved_share
    assert three.to_dict()["gb_improved_share"] == pytest.approx(100 * three.gb_improved_share)


def test_prolonged_erythema_probability_is_the_log_normal_tail_beyond_eight_weeks():
    """Neaman 2010's category: P(duration > 56 d) of a log-normal duration; half of it at a 56 d median, none
    without erythema (a median of 0 d, as a wound that leaves no redness gives: no divide-by-zero warning)."""
    import warnings

    from mtzsim.clinic.risk import prolonged_erythema_probability

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = prolonged_erythema_probability(np.array([0.0, 5.0, 56.0, 200.0]), 0.8)
    assert p[0] == 0.0 and p[2] == pytest.approx(0.5, abs=1e-12)
    assert np.all(np.diff(p) > 0)
