"""Comparator modalities through the physics: dose invariants, the vectorised outcome's twin, calibration, orderings."""

import math

import numpy as np
import pytest

from mtzsim.clinic import comparators as cmp
from mtzsim.clinic.outcome import predict_outcome
from mtzsim.clinic.scars import Scar
from mtzsim.clinic.stimulus import TreatmentStimulus
from mtzsim.params import tables

DAY = 86400.0


def _stim(**kw):
    base = dict(ablation_depth=300e-6, ablation_diameter=130e-6, wound_depth=350e-6, heat_shock_depth=400e-6,
                heat_shock_radius=150e-6, areal_density=8.8e6, passes=1, energy=20e-3, coverage=0.1,
                wound_volume_fraction=0.04, heat_shock_volume_fraction=0.03, ablated_volume_fraction=0.02,
                area_contraction=0.0, ablative=True)
    base.update(kw)
    return TreatmentStimulus(**base)


SCARS = (Scar("boxcar_deep", 3e-3, 0.6e-3, 5), Scar("rolling", 4e-3, 0.5e-3, 3))


def test_batch_equals_predict_outcome_for_one_setting():
    """The vectorised twin equals predict_outcome on the same cohort and seed (same draws, same model)."""
    s = _stim()
    b = cmp.evaluate_batch([s], [3.0 * DAY], SCARS, fitzpatrick=4, sessions=3, interval=42 * DAY, cohort_size=150, seed=2)
    o = predict_outcome(s, SCARS, cmp._Healing(5.0 * DAY, 3.0 * DAY), fitzpatrick=4, sessions=3, interval=42 * DAY,
                        cohort_size=150, seed=2)
    # predict_outcome records monthly points too; the remodeling steps are the same → equal to round-off
    assert b.improvement_mean[0] == pytest.approx(o.improvement_mean, rel=1e-9)
    assert b.pih_probability[0] == pytest.approx(o.pih_probability, rel=1e-12)
    assert tuple(b.improvement_ci[0]) == pytest.approx(o.improvement_ci, rel=1e-9)


def test_batch_is_independent_of_its_neighbours():
    """Each setting's outcome in a batch equals its outcome alone (no cross-talk between settings)."""
    a, b = _stim(), _stim(energy=80e-3, wound_depth=800e-6, wound_volume_fraction=0.1, coverage=0.2)
    both = cmp.evaluate_batch([a, b], [1.0 * DAY, 6.0 * DAY], SCARS, fitzpatrick=5, sessions=2, interval=28 * DAY, cohort_size=80)
    alone = cmp.evaluate_batch([b], [6.0 * DAY], SCARS, fitzpatrick=5, sessions=2, interval=28 * DAY, cohort_size=80)
    assert both.improvement_mean[1] == pytest.approx(alone.improvement_mean[0], rel=1e-12)
    assert both.pih_probability[1] == pytest.approx(alone.pih_probability[0], rel=1e-12)


NEEDLE = {"depth": 1.0e-3, "surface_diameter": 250e-6, "basal_diameter": 200e-6, "volume": 2e-11, "coag_volume": 0.0,
          "pins_per_area": 25e4, "energy": 1e-4}


def test_needle_dose_is_linear_in_passes_and_kappa_and_has_no_heat():
    s1, c1 = cmp.dose("microneedling", NEEDLE, passes=1, kappa=1.0)
    s4, c4 = cmp.dose("microneedling", NEEDLE, passes=4, kappa=2.5)
    assert s4.wound_volume_fraction == pytest.approx(4 * 2.5 * s1.wound_volume_fraction, rel=1e-12)
    assert s1.heat_shock_volume_fraction == 0.0 and not s1.ablative  # mechanical channel: no heat, epidermis closed
    # Poisson coverage of random channels: 1 − exp(−n a) (Boolean model)
    assert c4 == pytest.approx(1 - math.exp(-4 * 25e4 * math.pi * (100e-6) ** 2), rel=1e-12)


def test_packaged_comparator_rows_match_the_references():
    """Every study in the packaged calibration table has its full reference in the package."""
    rows = tables.rows("comparators_calibration.csv")
    refs = {r["key"] for r in tables.rows("comparators_references.csv")}
    assert {r["source"] for r in rows} <= refs


def test_stored_calibration_has_fit_and_held_out_rows():
    cal = cmp.load_comparator_calibration()
    roles = {r["role"] for r in cal["rows"]}
    assert roles == {"fit", "validation"}
    assert cal["n_parameters"] < cal["n_fit"] < len(cal["rows"])  # over-determined, and some rows are kept out
    for name in cmp.KAPPA_NAMES:
        assert math.isfinite(cal["log_kappa_sd"][name]) and cal["log_kappa_sd"][name] > 0
        assert cal["kappa_95"][name][0] < cal["kappa"][name] < cal["kappa_95"][name][1]
        # the mode is interior: no bound of the optimiser holds it
        assert cmp.LOG_KAPPA_BOUNDS[0] + 0.5 < cal["log_kappa"][name] < cmp.LOG_KAPPA_BOUNDS[1] - 0.5
    k = cmp.kappa()
    assert k.thermal == pytest.approx(math.exp(cal["log_kappa"]["thermal"]))
    assert k.mechanical == pytest.approx(math.exp(cal["log_kappa"]["mechanical"]))
    assert {r["key"] for r in cal["rows"] if r["role"] == "fit"} == {"MNRFVietnam2019", "NAFL1540_PMID23046026",
                                                                       "Alam2014"}
    # Hu2009 reports no settings: predicted over Chan2007's sourced range, never at the preset alone
    hu = next(r for r in cal["rows"] if r["key"] == "Hu2009")
    assert hu["settings_source"] == "Chan2007" and hu["predicted_range"][0] <= hu["predicted"] <= hu["predicted_range"][1]


def test_head_to_head_rows_are_never_fitted():
    """The issue keeps head-to-head trials out of the calibration: they may only validate."""
    rows = tables.rows("comparators_calibration.csv")
    h2h = {r["source"] for r in rows if r["kind"] == "head_to_head"}
    assert {"You2016", "Elsaie_JLMS", "NAFLvsAFL_LSM2011"} <= h2h
    fitted = {t["key"] for t in cmp.calibration_targets() if t["role"] == "fit"}
    assert not fitted & h2h
    assert all(t["role"] == "validation" for t in cmp.calibration_targets() if t["key"] in h2h)


def test_the_retrospective_two_arm_series_is_met_at_the_presets():
    """NAFLvsAFL_LSM2011 (held out, never fitted): > 50 % improvement in 35 % of 45 patients after 1.55 µm and 37 % of
    37 after fractional CO2 (mainly FST IV, 12 weeks after the last session). The presets' ratio, with the stored κ,
    lies within two of its binomial standard errors (0.28)."""
    pytest.importorskip("mtzsim.biology.healing")
    t = next(t for t in cmp.calibration_targets() if t["key"] == "NAFLvsAFL_LSM2011")
    assert t["role"] == "validation" and t["observed"] == pytest.approx(35 / 37)
    nodes = {}
    for m in (t["modality"], t["versus"]):
        p = cmp.PRESETS[m]
        nodes[cmp._node_key(m, p)] = cmp.node_for(m, p["energy"], p["length"], passes=p["passes"],
                                                  stack=p.get("stack", 1))
    stored = cmp.load_comparator_calibration()
    predicted = cmp._predict_target(t, cmp.kappa(), nodes, stored["cohort_size"], stored["seed"])
    assert abs(predicted - t["observed"]) < 2 * t["se"], predicted
    row = next(r for r in stored["rows"] if r["key"] == t["key"])
    assert row["predicted"] == pytest.approx(predicted, rel=1e-9)  # the record holds what the model gives


def test_settings_quadrature_integrates_the_uniform_range():
    """Gauss–Legendre over a uniform range: weights sum to 1, nodes inside, low moments exact."""
    lo, hi = 6e-3, 20e-3
    q = cmp.settings_quadrature("erglass_nonablative", {"energy": (lo, hi), "mtz_per_area": (1e7, 2e7)})
    w = np.array([a for a, _ in q])
    e = np.array([p["energy"] for _, p in q])
    assert len(q) == cmp.QUADRATURE_POINTS**2 and w.sum() == pytest.approx(1.0, rel=1e-12)
    assert np.all((lo < e) & (e < hi))
    assert w @ e == pytest.approx((lo + hi) / 2, rel=1e-12)
    assert w @ e**2 == pytest.approx((lo**2 + lo * hi + hi**2) / 3, rel=1e-12)  # E[x²] of U(lo, hi)
    # MTZs per area become one pass at the spot-area fraction N π s² / 4 (140 µm spot of the grid)
    (_, p), = cmp.settings_quadrature("erglass_nonablative", {"mtz_per_area": (1.3e7, 1.3e7)}, n=1)
    assert p["passes"] == 1 and p["density"] == pytest.approx(1.3e7 * math.pi * (140e-6) ** 2 / 4, rel=1e-9)
    assert p["energy"] == cmp.PRESETS["erglass_nonablative"]["energy"]
    with pytest.raises(ValueError):
        cmp.settings_quadrature("erglass_nonablative", {"spot": (1e-4, 2e-4)})
    with pytest.raises(ValueError):
        cmp.settings_quadrature("erglass_nonablative", {"energy": (2e-2, 1e-2)})
    # in 4 passes the same MTZs per area: a quarter of the density each pass
    (_, p4), = cmp.settings_quadrature("erglass_nonablative", {"mtz_per_area": (1.3e7, 1.3e7)}, n=1, passes=4)
    assert p4["passes"] == 4 and p4["density"] * 4 == pytest.approx(p["density"], rel=1e-12)
    for bad in (0, 2.5):
        with pytest.raises(ValueError, match="passes"):
            cmp.settings_quadrature("erglass_nonablative", {"energy": (1e-2, 2e-2)}, passes=bad)


def test_rf_pin_dose_splits_channel_and_coagulation_between_the_two_kappas():
    """κ is per physical kind of wound: the channel takes κ_mechanical, the coagulation κ_thermal."""
    pin = dict(NEEDLE, coag_volume=3e-11)
    z = 1e-3  # stimulus_depth (remodeling_parameters.csv)
    s, _ = cmp.dose("microneedle_rf", pin, passes=1, kappa=cmp.Kappa(thermal=7.0, mechanical=0.2))
    assert s.wound_volume_fraction == pytest.approx(25e4 * (0.2 * 2e-11 + 7.0 * 3e-11) / z, rel=1e-12)
    s_m, _ = cmp.dose("microneedling", NEEDLE, passes=1, kappa=cmp.Kappa(thermal=7.0, mechanical=0.2))
    assert s_m.wound_volume_fraction == pytest.approx(25e4 * 0.2 * 2e-11 / z, rel=1e-12)  # no heat: κ_thermal unused


# --- through the healing stage -------------------------------------------------------------


@pytest.fixture(scope="session")
def dark_skin_comparison():
    """Deep boxcar and rolling scars, Fitzpatrick V, every modality at its preset (session fixture)."""
    pytest.importorskip("mtzsim.biology.healing")
    return cmp.compare(SCARS, fitzpatrick=5, sessions=3, interval=42 * DAY, cohort_size=400, seed=1)


def test_comparison_holds_every_modality(dark_skin_comparison):
    d = dark_skin_comparison.to_dict()["modalities"]
    assert list(d) == list(cmp.MODALITIES)
    for v in d.values():
        assert 0 <= v["improvement_mean"] <= 100 and 0 <= v["pih_probability"] <= 100 and v["downtime_days"] >= 0


def test_nonablative_and_microneedling_less_downtime_than_fractional_co2(dark_skin_comparison):
    # NAFLsideeffects2005 (social downtime ~2 d), PCI2014 / Alam2014 vs Cho2009 (crusting 6.3 d after CO2)
    m = dark_skin_comparison.modalities
    assert m["erglass_nonablative"].downtime < m["co2_fractional"].downtime
    assert m["microneedling"].downtime < m["co2_fractional"].downtime


def test_microneedling_least_pih(dark_skin_comparison):
    # PCI2014: 0/60 dyschromia in FST I–VI; every thermal modality has PIH reports
    m = dark_skin_comparison.modalities
    mn = m["microneedling"].outcome.pih_probability
    assert all(mn <= v.outcome.pih_probability for k, v in m.items() if k != "microneedling")
    # the lasers heat the epidermis over every spot: their PIH is well above the needle's
    assert all(m[k].outcome.pih_probability > mn + 0.05 for k in
               ("co2_fractional", "co2_full_field", "eryag_fractional", "erglass_nonablative"))


def test_pih_needs_a_thermally_injured_epidermis():
    """PIH odds ∝ (thermally injured area)^β: zero area gives zero PIH for every posterior draw."""
    from mtzsim.clinic import risk
    from mtzsim.clinic.calibration import load_posterior

    coef = np.asarray(load_posterior()["pih"]["coefficients"])
    cov0 = risk.PIHCovariates(fitzpatrick=6, coverage=0.0, energy=0.0, ablative=0.0, erythema=10 * DAY)
    assert np.all(risk.pih_probability(cov0, coef, 5) == 0.0)  # even a negative-slope draw
    cov = risk.PIHCovariates(fitzpatrick=6, coverage=np.array([0.01, 0.1]), energy=15e-3, ablative=0.0)
    p = risk.pih_probability(cov, coef[:, None, :], 1).mean(axis=0)
    assert 0 < p[0] < p[1] < 1  # on average more injured area, more PIH (Chan 2007)
    with pytest.raises(ValueError):
        risk.pih_logit(risk.PIHCovariates(fitzpatrick=4, coverage=0.1, energy=0.0, ablative=0.0), coef[0])


def test_needle_pih_area_is_the_coagulated_basal_layer():
    """A mechanical channel injures no epidermis thermally; an RF pin that coagulates the basal layer does."""
    s, _ = cmp.dose("microneedling", NEEDLE, passes=2)
    assert s.coverage == 0.0
    hot = dict(NEEDLE, thermal_basal_diameter=50e-6)
    s, _ = cmp.dose("microneedle_rf", hot, passes=2)
    assert s.coverage == pytest.approx(1 - math.exp(-2 * 25e4 * math.pi * (25e-6) ** 2), rel=1e-12)


def test_full_field_co2_longest_downtime_and_highest_pih_in_dark_skin(dark_skin_comparison):
    # CO2vsErYAG: 46 % PIH, 5.5 d to re-epithelialise after full-field CO2; Tan2008: 37 % in dark skin
    m = dark_skin_comparison.modalities
    ff = m["co2_full_field"]
    assert all(ff.downtime >= v.downtime for v in m.values())
    assert all(ff.outcome.pih_probability >= v.outcome.pih_probability for v in m.values())


def test_full_field_eryag_is_a_superficial_wound_through_the_chain(dark_skin_comparison):
    """ErYAGminimal2008 (400 mJ on 6 mm, FST IV–V, two sessions): erythema, peeling and crusting resolved within
    1–2 weeks, no PIH in 9 patients. Over the preset's whole energy range (0.4–1.5 J on 6 mm) the full-field Er:YAG
    wound ablates but stops above the face's basal layer (75.8 µm), where every full-field CO2 node reaches it:
    nothing re-epithelialises, the crust peels after the eschar lag and the crusts' shedding time, and the basal
    layer's melanocytes are not thermally injured, so no PIH by the model's thermal path (clinic/risk.py)."""
    from mtzsim.biology import healing_parameters as hp
    from mtzsim.clinic import physics_table as pt

    m = dark_skin_comparison.modalities
    er = m["eryag_full_field"]
    assert er.coverage == 0.0 and er.outcome.pih_probability == 0.0
    assert er.downtime == pytest.approx(hp.value("lag_open") + hp.value("shed_time"), abs=0.05 * DAY)
    assert er.downtime < m["co2_full_field"].downtime and er.downtime < 14 * DAY
    assert 0 < er.outcome.improvement_mean < m["co2_full_field"].outcome.improvement_mean
    for e in pt.modality_grids("full")["eryag_full_field"].energies:
        w = cmp.node_for("eryag_full_field", e, None).wound
        assert w["ablation_depth"] > 0 and not pt.reaches_basal_layer(w), (e, w)
        assert pt.regime_of("eryag_full_field", w) == "superficial"
    for e in pt.modality_grids("full")["co2_full_field"].energies:
        assert pt.reaches_basal_layer(cmp.node_for("co2_full_field", e, None).wound), e
    rows = {r["key"]: r for r in cmp.load_comparator_calibration()["rows"]}
    assert rows["ErYAGminimal2008"]["modality"] == rows["ErYAGminimal2008 PIH"]["modality"] == "eryag_full_field"
    assert rows["ErYAGminimal2008 PIH"]["predicted"] == 0.0


@pytest.mark.slow  # 19.8 s of the default run (2026-12-02), which was 9:23 of its 10 min on 2 cores
def test_full_field_passes_deepen_one_wound_instead_of_adding_wounds():
    """A second full-field pass lands on the skin the first one ablated: the planner's two-pass node is one wound of
    two stacked 6 mm Er:YAG pulses (physics_table.PASS_DELAY apart), deeper than one pass, with the same spots per
    area. Until 2026-12-01 a second pass doubled the wounded volume at the first pass's depth, so two 1.5 J passes
    stayed superficial (55 µm, no PIH, 3.85 d) with twice the stimulus. Now the second pass ablates on (50 -> 95 µm)
    and the wound reaches the basal layer: an open full-field wound (re-epithelialisation, erythema, PIH path)."""
    from mtzsim.clinic import physics_table as pt

    one = cmp.node_for("eryag_full_field", 1.5, None, passes=1)
    two = cmp.node_for("eryag_full_field", 1.5, None, passes=2)
    assert (one.stack, two.stack) == (1, 2) and two.wound["stack"] == 2
    assert two.wound["ablation_depth"] > one.wound["ablation_depth"] + 25e-6
    assert pt.regime_of("eryag_full_field", one.wound) == "superficial"
    assert pt.regime_of("eryag_full_field", two.wound) == "full_field"
    s1, c1 = cmp.dose("eryag_full_field", one.wound, density=1.0, passes=1)
    s2, c2 = cmp.dose("eryag_full_field", two.wound, density=1.0, passes=2)
    assert s2.mtzs_per_area == s1.mtzs_per_area and s2.wound_depth > s1.wound_depth
    assert (c1, c2) == (0.0, 1.0) and two.reepithelialization[0] > 0.0 == one.reepithelialization[0]
    with pytest.raises(ValueError, match="passes"):
        cmp.dose("eryag_full_field", one.wound, density=1.0, passes=2)
    # fractional passes still add wounds beside each other: one physics node for every pass count
    assert pt.node_stack("co2_fractional", 3) == 1 and pt.node_stack("eryag_full_field", 2) == 2


@pytest.mark.slow  # 29.0 s of the default run on 2 cores (2026-12-02 13:26, which took 10:17 in all)
def test_a_microbeam_opens_the_basal_layer_only_where_its_cells_die_there():
    """The healing nodes read a microbeam's wound at the basal layer (75.8 µm on the face), as the chain reads a
    field's: the open disk is the dead cells' radius in that row, never wider than the widest dead radius, growing
    with the energy, and nothing when the wound stops above the basal layer (the 2.5 mJ Er:YAG crater on 250 µm:
    a superficial wound whose crust peels, no open wound, no thermally injured basal layer)."""
    from mtzsim.biology import healing_parameters as hp
    from mtzsim.clinic import physics_table as pt

    grids = pt.modality_grids("full")
    for m in ("co2_fractional", "eryag_fractional", "erglass_nonablative"):
        diameters = []
        for e in grids[m].energies:
            w = cmp.node_for(m, e, None).wound
            d = pt.basal_wound_diameter(m, w)
            assert d <= 2 * max(w["lethal_radius"], 0.5 * w["ablation_diameter"]) + 1e-12, (m, e)
            assert (d > 0) == (pt.wound_depth_of(w) >= pt.basal_depth()), (m, e, w)
            diameters.append(d)
        assert diameters == sorted(diameters), (m, diameters)
    w = cmp.node_for("eryag_fractional", 2.5e-3, None).wound
    assert w["ablation_depth"] > 0 and pt.regime_of("eryag_fractional", w) == "superficial"
    stim, cov = cmp.dose("eryag_fractional", w, density=0.1)
    assert cov == 0.0 and stim.coverage == 0.0
    down, _, t95 = pt.heal_node("eryag_fractional", w, cov)
    assert t95 == 0.0 and down == pytest.approx(hp.value("lag_open") + hp.value("shed_time"), abs=0.05 * DAY)
    # the 10 mJ crater's rim (420 µm wide at the surface) opens only 180 µm of basal layer
    w = cmp.node_for("eryag_fractional", 10e-3, None).wound
    assert pt.basal_wound_diameter("eryag_fractional", w) < 0.5 * 2 * w["lethal_radius"]


@pytest.mark.xfail(strict=True, reason=(
    "measured 2026-12-01 (FST V, deep boxcar + rolling, 3 sessions, presets, comparator record of this commit): "
    "1.55 µm 70.0 %, fractional CO2 62.6 %, MNRF 55.3 %, microneedling 39.0 %. κ_thermal is now 4.87 (95 % "
    "0.58-41.2, since the 1.55 µm preset fires at the Fraxel's rated 30 W (RahmanAlamDover) instead of a fixed 3 ms; "
    "1.55 µm 69.8 %, MNRF 55.0 %, microneedling 39.1 % and κ_thermal 4.67, 1.07-20.3, with the 3 ms pulse, "
    "since the CO2 beam's diverging rays are followed onto the crater walls; 4.46, 1.32-15.1, since the "
    "1.55 µm map follows the tissue through the pulse; 4.66, 1.07-20.2, before; after the adopted MTZ "
    "record: each ray shielded by the ejecta on its own path, desiccated-matrix absorption, crater-wall trace off; 4.05 "
    "when the axis's plume path shielded the whole beam, 4.3 with the traced walls), fitted with Hu2009's "
    "unreported settings marginalised and Hu2009 held out (its 1-month rating is unreachable: ≤ 35 % ≥ 50 % at any "
    "κ, CO2 gives 4 %); it was 14.6 (10-21). κ_thermal does not decide the ordering: the 1.55 µm preset (15 mJ, "
    "1,300 MTZ/cm², inside Chan2007's 6-20 mJ, 1,000-2,000/cm²) wounds 1.1x CO2's lethal volume per session and "
    "4.6x its heat-shocked volume (1.5x and 3.7x with one wet map for the pulse; 2x and 9x with the previous MTZ record's narrower CO2 mouth), so 1.55 µm stayed above CO2 down to κ_thermal ≈ 0.25 (previous MTZ record: κ 1: "
    "69 %, 0.5: 67 %, 0.3: 64 %, 0.2: 61 %, CO2 62 %). The single-arm data give no such deficit (Hu2009 60 % good-to-excellent after one "
    "1.55 µm session; NAFL1540_PMID23046026 92 % marked after six); only two head-to-head trials do (You2016 "
    "blinded 0-10 score NAFL 2.2 vs AFL 5.2, model ratio 1.06 vs 0.42 observed (params/data/comparator_calibration.json), which would need κ_thermal 0.005; "
    "Elsaie_JLMS CO2 higher, p = 0.1; but NAFLvsAFL_LSM2011, two retrospective arms in mainly FST IV skin, found > 50 % "
    "improvement in 35 % after 1.55 µm and 37 % after fractional CO2, ratio 0.95 ± 0.28, model 1.05), and the issue "
    "keeps them out of the fit. What each device's range allows does "
    "order them so: tests/test_planner.py::test_fractional_co2_has_the_most_potential_for_deep_boxcar_and_rolling "
    "(best courses 73.6 % CO2, 71.3 % 1.55 µm, each session within its sourced coverage). The heat the 1.55 µm preset's two passes add up is in its healing since "
    "2026-12-01 (33.8 % open basal layer against the columns' 23.0 %, passes 60 s apart on a 1 cm tile at 250 Hz: "
    "assumptions), not in its remodeling stimulus, so it does not move these improvements"))
def test_fractional_co2_most_improvement_for_deep_boxcar_and_rolling(dark_skin_comparison):
    # clinical_calibration.csv: fractional CO2 arms (Cho2009 50 % > 50 % improvement after one session)
    m = dark_skin_comparison.modalities
    co2 = m["co2_fractional"].outcome.improvement_mean
    assert all(co2 >= v.outcome.improvement_mean for v in m.values())


def test_full_field_co2_closes_slowest_and_carries_the_highest_closure_scarring_risk(dark_skin_comparison):
    """One confluent wound re-epithelialises from the adnexa only; fractional wounds close from the islands between
    them (measured 2026-12-01: full-field CO2 7.3 d, fractional CO2 3.6 d). The risk is the closure law's."""
    from mtzsim.clinic.scarring import hypertrophic_risk

    m = dark_skin_comparison.modalities
    for v in m.values():
        assert v.closure_scarring_risk == pytest.approx(float(hypertrophic_risk(v.closure)))
    ff = m["co2_full_field"]
    assert ff.closure == max(v.closure for v in m.values())
    assert ff.closure_scarring_risk > m["co2_fractional"].closure_scarring_risk


@pytest.mark.slow  # 10.8 s of the default run on 2 cores (2026-12-02 13:26, which took 10:17 in all)
def test_compare_field_check_agrees_with_the_heat_the_comparison_heals():
    """Asked for, each fractional laser's preset gets the field engine's check of one tile (needles none). The
    comparison now heals the open basal layer with the islands its scan's heat kills (physics_table.heat_killed, the
    same engine sampled at points), so the whole engine's maps agree with it: at Yuan's CO2 setting and at the
    1.55 um preset, whose two passes add up their heat (table alone 23.0 %, with the scan's heat 33.8 %; until
    2026-12-01 the comparison healed 23.0 % and the passes were fired back to back, 83.5 % on 1 cm). A 3 mm tile
    loses more heat at its edges than the 1 cm the table samples."""
    from mtzsim.clinic.scars import Scar

    res = cmp.compare([Scar("boxcar_deep", 3e-3, 0.5e-3, 2)], fitzpatrick=3, cohort_size=40,
                      modalities=("co2_fractional", "erglass_nonablative", "microneedling"), field_check=True,
                      field_tile=3e-3)
    m = res.modalities
    assert m["microneedling"].field is None and m["microneedling"].to_dict()["field_check"] is None
    co2, nafl = m["co2_fractional"], m["erglass_nonablative"]
    node = cmp.node_for("erglass_nonablative", 15e-3, None, passes=2)
    _, alone = cmp.dose("erglass_nonablative", node.wound, density=0.10, passes=2)
    assert nafl.coverage > alone + 0.05  # the scan's heat is in the comparison's healing
    for o in (co2, nafl):
        assert o.field.basal_coverage == pytest.approx(o.coverage, abs=0.10)
    assert co2.to_dict()["field_check"]["basal_coverage_pct"] == pytest.approx(100 * co2.field.basal_coverage)


def test_comparison_report_holds_the_figure_numbers_and_calibration(dark_skin_comparison):
    from mtzsim.report.html import render_comparison_report

    html = render_comparison_report(dark_skin_comparison)
    assert html.count("data:image/png;base64,") == 1 and len(html) > 20_000  # the embedded side-by-side figure
    for label in ("MN RF", "1.55 µm non-abl.", "CO2 full field", "Er:YAG fract.", "CO2 fract."):
        assert label in html
    cal = cmp.load_comparator_calibration()
    assert f"{cal['kappa']['thermal']:.3g}" in html and "PCI2014" in html


def test_cli_compare_writes_the_report(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("mtzsim.biology.healing")
    scenario = Path(__file__).resolve().parents[1] / "examples" / "deep_co2.toml"
    r = subprocess.run([sys.executable, "-m", "mtzsim", "compare", str(scenario), "--cohort", "40", "--json",
                        "--report", str(tmp_path / "cmp")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert set(json.loads(r.stdout)["modalities"]) == set(cmp.MODALITIES)
    assert (tmp_path / "cmp" / "comparison.html").stat().st_size > 20_000
    assert set(json.loads((tmp_path / "cmp" / "comparison.json").read_text())["modalities"]) == set(cmp.MODALITIES)


@pytest.mark.slow  # 12.2 s of the default run on 2 cores (2026-12-02 13:26); the default run still took 8:49 with it at 14:32
def test_compare_takes_the_scenarios_stack_and_pulse(tmp_path):
    """A scenario that stacks pulses, or sets its own pulse, compares its own CO2 wound (until 2026-12-01 the
    comparison dropped [laser] stack and pulse: a single pulse at 30 W); its settings show the stack."""
    from pathlib import Path

    from mtzsim.interfaces.cli.compare import comparison_inputs
    from mtzsim.io.scenario import load_scenario

    text = (Path(__file__).resolve().parents[1] / "examples" / "deep_co2.toml").read_text()
    text = text.replace('energy = "20mJ"', 'energy = "20mJ"\nstack = 2', 1)
    path = tmp_path / "stacked.toml"
    path.write_text(text)
    inp = comparison_inputs(load_scenario(path))
    assert inp["co2_settings"]["stack"] == 2
    kw = dict(fitzpatrick=3, modalities=("co2_fractional",), cohort_size=40)
    one = cmp.compare(SCARS, co2_settings=dict(inp["co2_settings"], stack=1), **kw).modalities["co2_fractional"]
    two = cmp.compare(SCARS, co2_settings=inp["co2_settings"], **kw).modalities["co2_fractional"]
    assert two.settings["stack"] == 2 and two.wound_depth > one.wound_depth + 100e-6
    assert "pulse_duration" not in inp["co2_settings"]  # the preset's 30 W: the nodes shared with the planner's
    path.write_text(text.replace('energy = "20mJ"', 'energy = "20mJ"\npulse = "5ms"', 1))
    inp = comparison_inputs(load_scenario(path))
    assert inp["co2_settings"]["pulse_duration"] == pytest.approx(5e-3)
    slow = cmp.compare(SCARS, co2_settings=inp["co2_settings"], **kw).modalities["co2_fractional"]
    assert slow.wound_depth != one.wound_depth  # a 5 ms pulse is not the 0.67 ms of 20 mJ at 30 W


def test_cli_calibrate_comparators_writes_the_record(tmp_path, monkeypatch):
    """The CLI branch: calibrate_comparators → the record file (the fit itself is the slow test below)."""
    import json

    from typer.testing import CliRunner

    from mtzsim.interfaces.cli import app

    stored = cmp.load_comparator_calibration()
    monkeypatch.setattr(cmp, "calibrate_comparators", lambda **kw: dict(stored, seconds=0.0))
    out = tmp_path / "cal.json"
    r = CliRunner().invoke(app, ["calibrate", "--stage", "comparators", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["log_kappa"] == stored["log_kappa"]
    assert "kappa_thermal" in r.output and "PCI2014" in r.output


@pytest.mark.slow
def test_calibration_reproduces_the_stored_kappa():
    pytest.importorskip("mtzsim.biology.healing")
    stored = cmp.load_comparator_calibration()
    cal = cmp.calibrate_comparators(cohort_size=stored["cohort_size"], seed=stored["seed"])
    # same code, data and seed: the optimiser's tolerance (xatol 1e-3 in log κ) bounds the difference
    for name in cmp.KAPPA_NAMES:
        assert cal["log_kappa"][name] == pytest.approx(stored["log_kappa"][name], abs=5e-3)
    # `mtzsim validate` reads every row's prediction from the record: a fresh calibration must give the same ones
    fresh = {r["key"]: r["predicted"] for r in cal["rows"]}
    assert list(fresh) == [r["key"] for r in stored["rows"]]
    for r in stored["rows"]:
        assert fresh[r["key"]] == pytest.approx(r["predicted"], rel=0.02, abs=0.005), r["key"]


def test_second_generation_1550_study_is_held_out_and_delivered_in_passes():
    """PMID 19040687 (35–40 mJ, 20–35 % coverage a session, 2–6 sessions): held out, its coverage read through Bedi's
    200 µm MTZ width and delivered in 4 passes, so the quadrature's sessions are the study's MTZs per area."""
    t = {x["key"]: x for x in cmp.calibration_targets()}
    for key in ("FP1550SecondGen_PMID19040687", "FP1550SecondGen_PMID19040687 PIH"):
        assert t[key]["role"] == "validation" and t[key]["passes"] == cmp.FRAXEL_PASSES
    assert t["FP1550SecondGen_PMID19040687"]["observed"] == pytest.approx(23 / 29)
    rng = cmp.fp1550_second_gen_range()
    assert rng["energy"] == pytest.approx((35e-3, 40e-3))
    # 20 % of the skin in MTZs 200 µm wide: 637 per cm²; 35 %: 1,114 per cm²
    assert rng["mtz_per_area"] == pytest.approx((0.20 / (np.pi * 1e-8), 0.35 / (np.pi * 1e-8)))
    spot = cmp.pt.modality_grids("small")["erglass_nonablative"].spot
    for _, p in cmp.target_settings(t["FP1550SecondGen_PMID19040687"]):
        assert p["passes"] == 4 and 35e-3 <= p["energy"] <= 40e-3
        assert rng["mtz_per_area"][0] <= p["density"] * p["passes"] / (np.pi * spot**2 / 4) <= rng["mtz_per_area"][1]


def test_validate_lists_every_comparator_row_with_its_role():
    """`mtzsim validate --model comparators`: one case per record row, fitted rows as fitted, the others held out,
    each passing within 2σ of its observation (σ² = se² + δ², the calibration's likelihood)."""
    from mtzsim.verify import validation

    rows = {o.case.name: o for o in validation.run_all({"comparators"})}
    rec = cmp.load_comparator_calibration()
    assert len(rows) == len(rec["rows"])
    by_key = {name.split(" (")[0]: o for name, o in rows.items()}
    for r in rec["rows"]:
        o = by_key[r["key"]]
        assert o.case.fitted == (r["role"] == "fit") and validation.role(o.case) in ("fitted", "held out")
        _, _, scale = cmp.METRIC_DISPLAY[r["metric"]]
        sigma = np.hypot(r["se"], rec["delta"] * max(1.0, abs(r["observed"])))
        assert o.passed == (abs(r["predicted"] - r["observed"]) <= 2 * sigma)
        assert o.predicted == pytest.approx(r["predicted"] * scale)
    # measured 2026-12-01: the second-generation 1.55 µm study's improvement passes, its PIH (0 of 29) does not
    assert by_key["FP1550SecondGen_PMID19040687"].passed
    assert not by_key["FP1550SecondGen_PMID19040687 PIH"].passed
    # every PIH row carries a new study's 95 % interval (its study effect drawn) around its mean; the second-
    # generation study's 0 of 29 lies inside it (1.6-100 %, measured 2026-12-01): the law's between-study spread,
    # not its mean, is what the observation tests
    for r in rec["rows"]:
        if r["metric"] == "pih":
            lo, hi = r["predicted_interval"]
            assert lo <= r["predicted"] <= hi and "95 % interval" in by_key[r["key"]].case.note
    lo, hi = next(r for r in rec["rows"] if r["key"] == "FP1550SecondGen_PMID19040687 PIH")["predicted_interval"]
    assert lo < 0.10 < hi  # 0 of 29: a study rate up to ~10 % is within its binomial 95 % band


def test_full_field_node_heals_on_a_map_that_holds_its_adnexa():
    """A full-field wound closes from the adnexa inside it: its healing node must not depend on which few a small
    map happens to draw. Over three seeds the 95 % closure agrees within 3 %, and a wound as deep as the healing
    calibration's full-field reference (180 µm) heals as that reference does, unoccluded (healing_calibration)."""
    from mtzsim.biology.healing import simulate_healing
    from mtzsim.biology.healing_calibration import full_field_reference
    from mtzsim.clinic import physics_table as pt

    wound = {"laser": "co2", "energy": 0.6, "spot": 3e-3, "ablation_depth": 0.0, "ablation_diameter": 0.0,
             "coagulation_depth": 130e-6, "lethal_depth": 180e-6, "lethal_radius": 1.9e-3,
             "heat_shock_depth": 265e-6, "heat_shock_radius": 2.0e-3}
    t95 = [pt.heal_node("co2_full_field", wound, 1.0, seed=s)[2] for s in (0, 1, 2)]
    assert max(t95) / min(t95) < 1.03, t95
    ref = simulate_healing(full_field_reference(), site="cheek", surrogate=True, n_draws=8)
    assert np.mean(t95) == pytest.approx(ref.reepithelialization_days_95, rel=0.03)
