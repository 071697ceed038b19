"""Comparator modalities through the same chain: physics → dose and wound map → healing → remodeling → outcome.

Every modality is simulated, never looked up: lasers through :func:`mtzsim.physics.mtz.simulate_mtz`
(fractional CO2, scanned full-field CO2, fractional Er:YAG, full-field Er:YAG, non-ablative 1.55 µm), microneedling
through :func:`mtzsim.physics.needles.simulate_microneedling` (mechanical channels, no heat) and
microneedle RF through :func:`mtzsim.physics.rf.simulate_mnrf` (channels plus Joule coagulation at
the tips). Each result becomes a :class:`~mtzsim.clinic.stimulus.TreatmentStimulus` (wounded and
heat-shocked volume per skin area, wound depth, coverage, energy) and a basal-layer wound map for
the healing stage; the calibrated remodeling and risk models (fitted on fractional CO2) then give
improvement, PIH and downtime.

Two comparator parameters are fitted, one per physical kind of wound made under an intact
epidermis, never one per modality: ``kappa.thermal``, the remodeling efficacy of thermally
coagulated or heat-shocked dermis (the 1.55 µm column, the coagulation zone at an RF pin tip),
and ``kappa.mechanical``, that of a mechanical needle channel (microneedling, the channel of an
RF pin), each relative to the ablative MTZ the CO2 calibration was made on. They multiply the
wound and heat-shock volume fractions of those wounds; a microneedle RF pin carries both (its
channel × κ_mechanical plus its coagulation × κ_thermal). The fit is a weighted least squares in
(log κ_thermal, log κ_mechanical) (scipy, continuous, bounded Nelder–Mead) with a Laplace
(curvature) covariance, on one single-arm study per kind of wound and one that mixes them
(NAFL1540_PMID23046026 at 6 months, Alam2014's participant-rated improvement, MNRFVietnam2019); a
study's unreported device settings are marginalised over their sourced range, never fixed at a
guess (Hu2009 and NAFL1540_PMID23046026 over Chan2007's 1.55 µm range); the other rows of the table
are kept out and reported as validation (:func:`calibrate_comparators`). Head-to-head trials are
not used.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from mtzsim.clinic import physics_table as pt
from mtzsim.clinic.field_check import FRACTIONAL_LASERS
from mtzsim.clinic.field_check import field_check as run_field_check
from mtzsim.clinic.scarring import hypertrophic_risk
from mtzsim.clinic.scars import default_mix
from mtzsim.clinic.stimulus import TreatmentStimulus, treatment_stimulus
from mtzsim.constants import DAY  # [s]
from mtzsim.params import tables
from mtzsim.pipeline.contract import quantity

from mtzsim.constants import MONTH  # noqa: E402  [s]

MODALITIES = pt.MODALITIES
CALIBRATION_FILE = "comparator_calibration.json"
#: Modalities whose wound leaves the epidermis closed (κ applies).
NONABLATIVE = ("erglass_nonablative", "microneedling", "microneedle_rf")


class Kappa(NamedTuple):
    """Remodeling efficacy of wounds under an intact epidermis relative to an ablative MTZ [-]."""

    thermal: float  # coagulated / heat-shocked dermis (1.55 µm columns, RF coagulation)
    mechanical: float  # needle channels


def _as_kappa(kappa) -> Kappa:
    if isinstance(kappa, Kappa):
        return kappa
    if isinstance(kappa, dict):
        return Kappa(float(kappa["thermal"]), float(kappa["mechanical"]))
    return Kappa(float(kappa), float(kappa))


# ---------------------------------------------------------------------------------------------
# Dose
# ---------------------------------------------------------------------------------------------


def dose(modality: str, wound: dict, *, density=None, passes: int = 1, kappa=1.0,
         spot: float | None = None) -> tuple[TreatmentStimulus, float]:
    """Per-session stimulus and basal-layer wound coverage of one setting.

    Parameters
    ----------
    modality : str
        One of :data:`MODALITIES`.
    wound : dict
        One wound's physics (:mod:`mtzsim.clinic.physics_table`).
    density : float, optional
        Spot-area fraction per pass (lasers; 1 for full field) [-]; needles use the device's pins.
    passes : int
        Passes (stamps) per session. A full-field wound holds its passes (they land on the same skin one after
        another: :func:`mtzsim.clinic.physics_table.node_stack`), so ``passes`` must be the wound's ``stack``
        and adds no wounds beside it.
    kappa : Kappa or float
        Efficacy of a wound under an intact epidermis relative to an ablative MTZ [-]: thermal
        (coagulated/heat-shocked dermis) and mechanical (needle channel); a float sets both.

    Returns
    -------
    (TreatmentStimulus, float)
        The stimulus and the basal-layer wound coverage of one session [-].
    """
    from mtzsim.clinic.parameters import table

    if passes < 1:
        raise ValueError(f"passes must be at least 1, got {passes!r}")
    k = _as_kappa(kappa)
    if "laser" in wound:
        if density is None or not (0 < density <= 1):
            raise ValueError(f"density must be in (0, 1], got {density!r}")
        s = wound["spot"] if spot is None else spot
        areal = density / (math.pi * s**2 / 4)
        if modality in pt.FULL_FIELD:
            if passes != wound.get("stack", 1):
                raise ValueError(f"passes: a full-field wound of {wound.get('stack', 1)} stacked pass(es) was given "
                                 f"for {passes}; take the node of that many passes (physics_table.node_stack)")
            passes = 1  # one layer of spots: the passes are in the wound's depth
        stim = treatment_stimulus(pt.mtz_like(wound), areal, passes=passes)
        d_w = pt.basal_wound_diameter(modality, wound)
        if modality in pt.FULL_FIELD:  # the whole spot is open, or (a superficial wound) nothing
            cov = 1.0 if d_w > 0.0 else 0.0
        else:
            cov = 1.0 - math.exp(-areal * passes * math.pi * d_w**2 / 4)
        if cov == 0.0:
            # a superficial wound (full field, or a shallow crater) leaves the basal layer, and its melanocytes,
            # thermally intact: no thermally injured basal-layer area, the PIH driver of clinic/risk.py
            stim = replace(stim, coverage=0.0)
        if modality in NONABLATIVE:
            stim = replace(stim, wound_volume_fraction=k.thermal * stim.wound_volume_fraction,
                           heat_shock_volume_fraction=k.thermal * stim.heat_shock_volume_fraction)
        return stim, cov
    z_ref = table("remodeling_parameters.csv")["stimulus_depth"].value
    n = wound["pins_per_area"] * passes
    d_b = wound["basal_diameter"]
    cov = 1.0 - math.exp(-n * math.pi * d_b**2 / 4)
    # the stimulus's coverage is the thermally injured epidermal area (the PIH and HSV driver,
    # clinic/risk.py): 0 for a mechanical channel, the coagulated basal layer of an RF pin
    d_t = wound.get("thermal_basal_diameter", 0.0)
    thermal = 1.0 - math.exp(-n * math.pi * d_t**2 / 4)
    stim = TreatmentStimulus(
        ablation_depth=0.0, ablation_diameter=float(wound["surface_diameter"]), wound_depth=float(wound["depth"]),
        heat_shock_depth=0.0, heat_shock_radius=0.0, areal_density=float(wound["pins_per_area"]), passes=int(passes),
        energy=float(wound["energy"]), coverage=thermal,
        wound_volume_fraction=n * (k.mechanical * wound["volume"] + k.thermal * wound["coag_volume"]) / z_ref,
        heat_shock_volume_fraction=0.0, ablated_volume_fraction=0.0, area_contraction=0.0, ablative=False)
    return stim, cov


def session_dose(modality: str, node: pt.PhysicsNode, *, density=None, passes: int = 1, kappa=1.0,
                 cache=None) -> tuple[TreatmentStimulus, float, float]:
    """:func:`dose` of one session with the islands its scan's heat kills (:meth:`PhysicsNode.open_basal`).

    Returns the stimulus, the open basal layer the session heals and the columns' own share of it [-]. The
    islands the heat kills are thermally injured epidermis too, so the stimulus's ``coverage`` (the PIH driver of
    :mod:`mtzsim.clinic.risk`) grows by the same share of the area its wounds leave: 1 − (1 − c)(1 − k). The
    PIH calibration arms (clinic/calibration.py) read the spot coverage alone: multi-pass protocols at ≤ 2,000
    MTZ/cm² a session, whose scan heat kills few islands (Chan 2007's arms fired in 8 passes on the table's scan:
    1.8 % at 16.3 mJ × 1,000/cm², 0.9 % at 8.2 mJ × 2,000/cm²; in 2 passes 8.7 and 10.4 %; 2026-12-01).
    """
    stim, alone = dose(modality, node.wound, density=density, passes=passes, kappa=kappa)
    cov = node.open_basal(alone, density, passes, cache=cache)
    if cov > alone and stim.coverage > 0.0:
        k = 1.0 - (1.0 - cov) / (1.0 - alone)
        stim = replace(stim, coverage=1.0 - (1.0 - stim.coverage) * (1.0 - k))
    return stim, cov, alone


# ---------------------------------------------------------------------------------------------
# Vectorised outcome over many settings (the planner's inner loop)
# ---------------------------------------------------------------------------------------------


_ARRAY_FIELDS = ("ablation_depth", "ablation_diameter", "wound_depth", "heat_shock_depth", "heat_shock_radius",
                 "energy", "coverage", "wound_volume_fraction", "heat_shock_volume_fraction",
                 "ablated_volume_fraction", "area_contraction")


@dataclass(frozen=True)
class BatchOutcome:
    """Outcome of K settings for one patient (arrays of length K, SI fractions)."""

    improvement_mean: np.ndarray = quantity("1", "mean overall improvement", kind="array", display="%")
    improvement_ci: np.ndarray = quantity("1", "95 % posterior interval of the mean improvement (K, 2)",
                                          kind="array", display="%")
    pih_probability: np.ndarray = quantity("1", "PIH probability over the course", kind="array", display="%")
    pih_interval: np.ndarray = quantity("1", "95 % posterior interval of the PIH probability (K, 2)", kind="array",
                                        display="%")
    per_scar_type: dict = quantity("1", "mean improvement per scar type (arrays of K)", kind="table")


def _grouped_mean(values, groups):
    g = np.asarray(groups)
    sums = np.bincount(g, weights=values)
    counts = np.bincount(g)
    keep = counts > 0
    return sums[keep] / counts[keep]


def evaluate_batch(stimuli, erythema, scars, *, fitzpatrick: int, sessions: int, interval: float,
                   age: float = 30.0, follow_up: float = 6 * MONTH, sun_protection: bool = False,
                   cohort_size: int = 200, seed: int = 1, posterior=None) -> BatchOutcome:
    """Improvement and PIH of K stimuli for one patient, vectorised over settings × virtual patients.

    The same virtual patients (common random numbers) see every setting; for K = 1 the numbers
    equal :func:`mtzsim.clinic.outcome.predict_outcome` with the same cohort and seed (a test holds
    the two together).

    Parameters
    ----------
    stimuli : sequence of TreatmentStimulus
    erythema : sequence of float
        Erythema duration of each setting from the healing stage [s] (PIH covariate).
    scars : sequence of Scar
    """
    from mtzsim.clinic import cohort as _cohort
    from mtzsim.clinic import risk
    from mtzsim.clinic.calibration import load_posterior
    from mtzsim.clinic.outcome import cohort_course, posterior_for

    K = len(stimuli)
    if K == 0:
        z = np.zeros(0)
        return BatchOutcome(z, np.zeros((0, 2)), z, np.zeros((0, 2)), {})
    N = int(cohort_size)
    posterior = load_posterior() if posterior is None else posterior
    pop = _cohort.population_for(fitzpatrick, age, scars)
    d = _cohort.draw_patients(pop, N, seed)
    tiled = _cohort.PatientDraws(**{f.name: np.concatenate([getattr(d, f.name)] * K) for f in fields(d)
                                    if f.name != "extra"})
    post = posterior_for(tiled, posterior)
    arr = {k: np.repeat(np.array([float(getattr(s, k)) for s in stimuli]), N) for k in _ARRAY_FIELDS}
    lam = np.repeat(np.array([s.areal_density * s.passes for s in stimuli]), N)
    stim = replace(stimuli[0], areal_density=lam[:, None], passes=1, **arr)
    t_eval = (sessions - 1) * interval + follow_up
    cc = cohort_course(stim, pop, tiled, post, sessions=sessions, interval=interval, record_times=[t_eval])
    y = cc.improvement[-1].reshape(K, N)
    eff = post["efficacy_draw"].reshape(K, N)
    ery = np.repeat(np.asarray(erythema, dtype=float), N)
    cov = risk.PIHCovariates(fitzpatrick=tiled.fitzpatrick, coverage=arr["coverage"], energy=arr["energy"],
                             ablative=np.repeat([float(s.ablative) for s in stimuli], N),
                             sun_protection=float(sun_protection), erythema=ery)
    p = risk.pih_probability(cov, post["pih_coefficients"], sessions, study_effect=post["pih_study_effect"])
    p = p.reshape(K, N)
    pd = post["pih_draw"].reshape(K, N)
    if N > 1:
        ci = np.array([np.percentile(_grouped_mean(y[k], eff[k]), [2.5, 97.5]) for k in range(K)])
        pci = np.array([np.percentile(_grouped_mean(p[k], pd[k]), [2.5, 97.5]) for k in range(K)])
    else:
        ci = np.stack([y[:, 0], y[:, 0]], axis=1)
        pci = np.stack([p[:, 0], p[:, 0]], axis=1)
    per = {}
    simp = cc.scar_improvement[-1].reshape(K, N, -1)
    for j, s in enumerate(pop.scars):
        per.setdefault(s.kind, []).append(simp[:, :, j])
    per = {k: np.concatenate(v, axis=1).mean(axis=1) for k, v in per.items()}
    return BatchOutcome(improvement_mean=y.mean(axis=1), improvement_ci=ci, pih_probability=p.mean(axis=1),
                        pih_interval=pci, per_scar_type=per)


# ---------------------------------------------------------------------------------------------
# Calibration of κ on the single-arm comparator studies
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def load_comparator_calibration() -> dict:
    """The stored comparator calibration (``params/data/comparator_calibration.json``)."""
    return tables.load_json(CALIBRATION_FILE)


def kappa() -> Kappa:
    """Calibrated κ (thermal, mechanical) [-] (posterior mode)."""
    lk = load_comparator_calibration()["log_kappa"]
    return Kappa(float(math.exp(lk["thermal"])), float(math.exp(lk["mechanical"])))


def calibration_targets() -> list[dict]:
    """The comparator rows used, each with how the model predicts it and whether it is fitted.

    Observations and their standard errors come from ``params/data/comparators_calibration.csv``;
    the scale mapping (GB quantitative score reduction ≈ scar-volume reduction, "good-to-excellent"
    ≈ ≥ 50 % improvement, "≥ 25 % improvement" ≈ the quartile edge) is an assumption stated per row.
    """
    from mtzsim.clinic.parameters import rows

    data = {(r["source"], r["outcome"], r["time_mo"]): r for r in rows("comparators_calibration.csv")}

    def row(src, outcome, mo=""):
        return data[(src, outcome, mo)]

    out = []
    r = row("MNRFVietnam2019", "GB quantitative score, mean reduction", "3")
    out.append(dict(key="MNRFVietnam2019", role="fit", modality="microneedle_rf", metric="improvement_mean",
                    observed=float(r["percent"]) / 100, se=5.0 / 16.0 / math.sqrt(52), n=52, fitzpatrick=4,
                    sessions=4, interval=28 * DAY,
                    mapping="GB quantitative score reduction read as scar-volume reduction (assumption); "
                    "se from the post-treatment sd 5.0/16 over √52 (≈ 0.04); FST of Vietnamese patients taken as IV; "
                    "interval 4 weeks (not given); 3 months after the last session (abstract); needle length and RF "
                    "energy not in the abstract: the MNRF preset (no sourced range to marginalise over)"))
    r = row("Chandrashekar2014", "GB qualitative improvement by 2 grades")
    out.append(dict(key="Chandrashekar2014", role="validation", modality="microneedle_rf", metric="gb_grade_change",
                    observed=(2 * 80.64 + 1 * 19.35) / 100, se=0.4 / math.sqrt(31), n=31, fitzpatrick=4, sessions=4,
                    interval=42 * DAY,
                    mapping="mean Goodman–Baron qualitative grade change = 2·80.64 % + 1·19.35 %; se from the "
                    "grade spread (sd 0.4) over √31; FST III–V taken as IV"))
    nafl_range = nafl_settings_range()
    r = row("Hu2009", "good-to-excellent improvement", "1")
    out.append(dict(key="Hu2009", role="validation", modality="erglass_nonablative", metric="share_50",
                    observed=float(r["percent"]) / 100, se=math.sqrt(0.6 * 0.4 / 45), n=45, fitzpatrick=4, sessions=1,
                    interval=28 * DAY, follow_up=1 * MONTH, settings_range=nafl_range, settings_source="Chan2007",
                    mapping="'good-to-excellent' read as ≥ 50 % improvement (assumption); binomial se; FST III–IV "
                    "taken as IV; 1 session, 1-month follow-up; pulse energy and MTZ density not in the abstract: "
                    "marginalised over the Asian-skin range of Chan2007 (6–20 mJ, 1,000–2,000 MTZ/cm² per session, "
                    "uniform; 140 µm spot of the preset). Held out: a 1-month rating lies before the time range the "
                    "outcome model is calibrated on (3–6 months after the last session: MajidImran2014, Cho2009, "
                    "Manuskiatti2010); there the model gives fractional CO2 4 % ≥ 50 % after one session and no κ "
                    "lifts the 1.55 µm column above about a third (the record's predicted_at_kappa_bound), so as a "
                    "fit row it set κ_thermal only through the prior (14.6 before)"))
    r = row("Alam2014", "participant-perceived mean improvement in overall scar appearance", "6")
    out.append(dict(key="Alam2014", role="fit", modality="microneedling", metric="improvement_mean",
                    observed=float(r["percent"]) / 100, se=0.1, n=15, fitzpatrick=3, sessions=3, interval=14 * DAY,
                    follow_up=6 * MONTH,
                    mapping="participant-perceived mean improvement read as scar-volume reduction (assumption); no "
                    "spread reported: se 0.1 (assumption: per-patient sd about 0.4 over √15); FST not reported (US "
                    "academic centre) taken as III; 3 sessions 2 weeks apart, 6 months after the last"))
    r = row("NAFL1540_PMID23046026", "marked improvement", "6")
    out.append(dict(key="NAFL1540_PMID23046026", role="fit", modality="erglass_nonablative", metric="share_50",
                    observed=float(r["percent"]) / 100, se=math.sqrt(0.92 * 0.08 / 87), n=87, fitzpatrick=3,
                    sessions=6, interval=21 * DAY, follow_up=6 * MONTH, settings_range=nafl_range,
                    settings_source="Chan2007",
                    mapping="'marked improvement' read as ≥ 50 % improvement (assumption); binomial se; FST not given "
                    "taken as III (assumption); 6 sessions 3 weeks apart, 6 months after the last; settings not "
                    "in the abstract: the Chan2007 range (a 1.54 µm device of the same class: assumption)"))
    second_gen = fp1550_second_gen_range()
    r = row("FP1550SecondGen_PMID19040687", ">= 50 % improvement (physician-rated quartile scale)")
    out.append(dict(key="FP1550SecondGen_PMID19040687", role="validation", modality="erglass_nonablative",
                    metric="share_50", observed=int(r["n_events"]) / int(r["n_total"]),
                    se=math.sqrt(int(r["n_events"]) * (int(r["n_total"]) - int(r["n_events"]))) / int(r["n_total"]) ** 1.5,
                    n=int(r["n_total"]), fitzpatrick=3, sessions=4, interval=28 * DAY,
                    follow_up=3 * MONTH, settings_range=second_gen, settings_source="FP1550SecondGen_PMID19040687",
                    passes=FRAXEL_PASSES,
                    mapping="held out (never fitted): 23 of 29 patients >= 50 % improvement (18 at 50-75 %, 5 above 75 %) "
                    "on a physician-rated quartile scale; binomial se; FST I-V taken as III; 2-6 sessions a month "
                    "apart taken as 4, follow-up (not in the abstract) as 3 months (assumptions); 35-40 mJ per MTZ and "
                    "a treatment coverage of 20-35 % per session (the study's), uniform, read as MTZs per area through "
                    "the MTZ width Bedi 2007 measured at 40 mJ (about 200 um: coverage / (pi 100 um^2), 640-1,110 "
                    "MTZ/cm2), delivered in 4 passes (RealSelfFraxelPasses: 'most users will do 4 passes'; a "
                    "clinician's account, weak)"))
    r = row("FP1550SecondGen_PMID19040687", "PIH incidence")
    out.append(dict(key="FP1550SecondGen_PMID19040687 PIH", role="validation", modality="erglass_nonablative",
                    metric="pih", observed=float(r["percent"]) / 100, se=1.0 / int(r["n_total"]),
                    n=int(r["n_total"]), fitzpatrick=3, sessions=4,
                    interval=28 * DAY, follow_up=3 * MONTH, settings_range=second_gen,
                    settings_source="FP1550SecondGen_PMID19040687",
                    passes=FRAXEL_PASSES,
                    mapping="held out: 'no posttreatment pigmentary changes' in 29 patients of FST I-V (taken as III), "
                    "2-6 sessions (taken as 4) at 35-40 mJ and 20-35 % coverage in 4 passes (as the row above); "
                    "se = 1/29"))
    out.append(dict(key="You2016", role="validation", modality="erglass_nonablative", metric="improvement_ratio",
                    versus="co2_fractional", observed=2.2 / 5.2, se=0.15, n=58, fitzpatrick=4, sessions=3,
                    interval=28 * DAY, follow_up=3 * MONTH,
                    mapping="HEAD-TO-HEAD (validation only, never fitted): mean blinded 0–10 improvement score of NAFL "
                    "2.2 over AFL 5.2 (CO2 resurfacing 6.0, Er:YAG 5.8), read as the ratio of mean improvements; AFL "
                    "taken as fractional CO2; sessions, settings and follow-up not in the abstract: 3 sessions 4 weeks "
                    "apart, presets, 3 months (assumptions); Korean patients taken as FST IV; se 0.15 (assumption)"))
    arms = {r["arm"]: r for r in rows("comparators_calibration.csv")
            if r["source"] == "NAFLvsAFL_LSM2011" and r["outcome"].startswith("> 50 %")}
    naf, afl = arms["NAF 1,550 nm"], arms["AF CO2"]
    p_naf, p_afl = float(naf["percent"]) / 100, float(afl["percent"]) / 100
    n_naf, n_afl = int(naf["n_total"]), int(afl["n_total"])
    out.append(dict(key="NAFLvsAFL_LSM2011", role="validation", modality="erglass_nonablative", metric="share_50_ratio",
                    versus="co2_fractional", observed=p_naf / p_afl,
                    se=p_naf / p_afl * math.sqrt((1 - p_naf) / (n_naf * p_naf) + (1 - p_afl) / (n_afl * p_afl)),
                    n=n_naf + n_afl, fitzpatrick=4, sessions=3, interval=28 * DAY, follow_up=3 * MONTH,
                    mapping="HEAD-TO-HEAD (two arms of one clinic, retrospective; validation only, never fitted): share "
                    "with > 50 % improvement, NAF 1,550 nm 35 % of 45 over AF CO2 37 % of 37 (ratio 0.95, delta-method "
                    "binomial se); skin mainly FST IV; 12 weeks after the last session; sessions, interval and "
                    "settings not in the abstract: 3 sessions 4 weeks apart at the presets (assumptions)"))
    pih_arms = {r["arm"]: r for r in rows("comparators_calibration.csv")
                if r["source"] == "NAFLvsAFL_LSM2011" and r["outcome"] == "PIH incidence"}
    for arm, modality, tag in (("NAF 1,550 nm", "erglass_nonablative", "NAF"), ("AF CO2", "co2_fractional", "AF")):
        r = pih_arms[arm]
        p_obs, n_obs = float(r["percent"]) / 100, int(r["n_total"])
        out.append(dict(key=f"NAFLvsAFL_LSM2011 {tag} PIH", role="validation", modality=modality, metric="pih",
                        observed=p_obs, se=math.sqrt(p_obs * (1 - p_obs) / n_obs), n=n_obs, fitzpatrick=4, sessions=3,
                        interval=28 * DAY, follow_up=3 * MONTH,
                        mapping=f"HEAD-TO-HEAD arm (validation only, never fitted): PIH in {r['percent']} % of {n_obs} "
                        "patients over the course; skin mainly FST IV (taken as IV); bleaching creams and oral "
                        "antibiotics after each session (not modelled; the model's sun protection is off); sessions, "
                        "interval and settings not in the abstract: 3 sessions 4 weeks apart at the presets "
                        "(assumptions, as this study's improvement ratio); binomial se"))
    r = row("MNRFTurkey2019", "> 25 % improvement (physician-rated)")
    out.append(dict(key="MNRFTurkey2019", role="validation", modality="microneedle_rf", metric="share_25",
                    observed=float(r["percent"]) / 100, se=math.sqrt(0.777 * 0.223 / 9), n=9, fitzpatrick=3,
                    sessions=3, interval=28 * DAY, follow_up=28 * DAY,
                    mapping="median 3 sessions at 4 weeks; assessed 4 weeks after the last session (abstract, "
                    "PubMed 30417509; was the 3-month default before); FST taken as III"))
    r = row("NIMNRF_PMID28009691", ">= 1 GB grade improvement", "3")
    out.append(dict(key="NIMNRF_PMID28009691", role="validation", modality="microneedle_rf", metric="gb_change_ge1",
                    observed=float(r["percent"]) / 100, se=math.sqrt(0.9 * 0.1 / 9), n=9, fitzpatrick=4, sessions=3,
                    interval=28 * DAY, follow_up=3 * MONTH,
                    mapping="share of patients with a Goodman–Baron grade ≥ 1 lower at 3 months (9/9); model: the "
                    "cohort's share whose grade falls by ≥ 1 (OutcomeResult.gb_improved_share)"))
    r = row("NIMNRF_PMID28009691", ">= 1 GB grade improvement", "1")
    out.append(dict(key="NIMNRF_PMID28009691 1 month", role="validation", modality="microneedle_rf",
                    metric="gb_change_ge1", observed=float(r["percent"]) / 100, se=math.sqrt(0.579 * 0.421 / 19), n=19,
                    fitzpatrick=4, sessions=3, interval=28 * DAY, follow_up=1 * MONTH,
                    mapping="share of patients with a Goodman–Baron grade ≥ 1 lower 1 month after the last session "
                    "(57.9 %, 11 of 19); binomial se; model as the 3-month row"))
    r = row("MNRFVietnam2019", "PIH incidence", "3")
    out.append(dict(key="MNRFVietnam2019 PIH", role="validation", modality="microneedle_rf", metric="pih",
                    observed=float(r["percent"]) / 100, se=math.sqrt(0.096 * 0.904 / 52), n=52, fitzpatrick=4,
                    sessions=4, interval=28 * DAY, mapping="PIH over the course"))
    r = row("PCI2014", "dyschromia")
    out.append(dict(key="PCI2014", role="validation", modality="microneedling", metric="pih", observed=0.0,
                    se=1.0 / 60, n=60, fitzpatrick=4, sessions=3, interval=28 * DAY,
                    mapping="0/60 dyschromia, FST I–VI (taken as IV); se = 1/60"))
    r = row("ErYAGcoag2011", "PIH incidence", "3")
    out.append(dict(key="ErYAGcoag2011", role="validation", modality="eryag_fractional", metric="pih",
                    observed=float(r["percent"]) / 100, se=math.sqrt(0.03 * 0.97 / 34), n=34, fitzpatrick=4,
                    sessions=1, interval=28 * DAY, mapping="single session, FST III–IV taken as IV"))
    out.append(dict(key="NIMNRF_PMID28009691 erythema", role="validation", modality="microneedle_rf",
                    metric="erythema_days", observed=10 / 24, se=10 / 24, n=19, fitzpatrick=4, sessions=1,
                    interval=28 * DAY, mapping="post-treatment erythema up to 10 h"))
    out.append(dict(key="ErYAGminimal2008", role="validation", modality="eryag_full_field", metric="downtime_days",
                    observed=10.5, se=3.5, n=9, fitzpatrick=5, sessions=2, interval=28 * DAY,
                    mapping="minimally ablative full-field Er:YAG, the preset's 400 mJ on 6 mm (the study's setting); "
                    "erythema, peeling and crusting resolved within 1–2 weeks (midpoint 10.5 d); FST IV–V taken as V. "
                    "Until 2026-12-01 predicted with fractional Er:YAG, which was the only Er:YAG comparator"))
    out.append(dict(key="ErYAGminimal2008 PIH", role="validation", modality="eryag_full_field", metric="pih",
                    observed=0.0, se=1.0 / 9, n=9, fitzpatrick=5, sessions=2, interval=28 * DAY,
                    mapping="no PIH in 9 patients of FST IV–V over 2 sessions a month apart; se = 1/9"))
    return out


#: Treatment coverage per session of the second-generation 1,550 nm study [-]: "Treatment levels varied from 7 to 10
#: and 'Advanced Level 1,' corresponding to treatment coverage of 20% to 35%" (its abstract, PMID 19040687).
SECOND_GEN_COVERAGE = (0.20, 0.35)
#: Passes a Fraxel-type 1.55 µm session is delivered in: "most users will do 4 passes (2 horizontal and 2 vertical)
#: ... The laser will calculate how densely to space the microthermal zones depending on the proposed number of
#: passes and the desired density" (RealSelfFraxelPasses: a clinician's answer on a patient forum, reliability C).
#: A laser vendor's page puts the practice higher, "8 to 10" passes of "100 and 200 MTZ/cm²" each (BelisMultiPass,
#: reliability C): 4 is the fewer of the two accounts, the one with more heat per pass.
#: Used where a study gives a session's coverage but not its passes; the scan heat depends on it (4 passes of the
#: second-generation study's 36–39 mJ at 20–35 % coverage: the heat kills 3–11 % of the islands the columns leave; in
#: one pass 91–99 %, a confluent burn that the study's "side effects were minimal" rules out; 2026-12-01).
FRAXEL_PASSES = 4


def fp1550_second_gen_range() -> dict:
    """Settings range of the second-generation 1,550 nm study (FP1550SecondGen_PMID19040687), SI: 35–40 mJ per MTZ and
    a treatment coverage of 20–35 % per session, read as MTZs per area through the MTZ width Bedi 2007 measured at
    40 mJ (``params/data/mtz_1550_histology.csv``, bedi2007_width_40mj: about 200 µm): N = coverage / (π (w/2)²).
    Assumption: the device's coverage counts each MTZ's full width (Bedi's H&E width, not the 140 µm spot)."""
    from mtzsim.params import tables

    r = next(row for row in tables.rows("comparators_calibration.csv")
             if row["source"] == "FP1550SecondGen_PMID19040687" and row["outcome"].startswith(">= 50"))
    width = next(float(row["measured_um"]) for row in tables.rows("mtz_1550_histology.csv")
                 if row["key"] == "bedi2007_width_40mj") * 1e-6
    area = math.pi * (width / 2) ** 2
    low, high = SECOND_GEN_COVERAGE
    return {"energy": (float(r["energy_mj_low"]) * 1e-3, float(r["energy_mj_high"]) * 1e-3),
            "mtz_per_area": (low / area, high / area)}


def nafl_settings_range() -> dict:
    """Range of the unreported settings of a 1.5 µm fractional non-ablative session in Asian skin (SI).

    Pulse energy from the Chan2007 row of ``comparators_calibration.csv`` (6–20 mJ) and MTZs per
    area per session 1,000–2,000 per cm² (the two density arms of Chan2007, in that row's
    conditions): the only sourced per-session settings of this device class in the project's data.
    """
    from mtzsim.clinic.parameters import rows

    r = next(r for r in rows("comparators_calibration.csv")
             if r["source"] == "Chan2007" and r["kind"] == "range")
    return {"energy": (float(r["energy_mj_low"]) * 1e-3, float(r["energy_mj_high"]) * 1e-3),
            "mtz_per_area": (1000e4, 2000e4)}


#: Preset settings of each modality for the comparison and the calibration predictions.
PRESETS = {
    "co2_fractional": dict(energy=20e-3, length=None, density=0.10, passes=1),
    "co2_full_field": dict(energy=0.6, length=None, density=1.0, passes=1),
    "eryag_fractional": dict(energy=10e-3, length=None, density=0.10, passes=1),
    "eryag_full_field": dict(energy=0.4, length=None, density=1.0, passes=1),
    "erglass_nonablative": dict(energy=15e-3, length=None, density=0.10, passes=2),
    "microneedling": dict(energy=None, length=1.5e-3, density=None, passes=4),
    "microneedle_rf": dict(energy=20e-3, length=1.5e-3, density=None, passes=1),
}
PRESET_NOTE = ("co2_fractional: the scenario's device (else 20 mJ, 120 µm, 10 %, Yuan 2014); co2_full_field: 0.6 J "
               "scanned 3 mm spots in 1 ms pulses, one pass, one session (CO2vsErYAG single pass); eryag: 10 mJ, 250 µm, 10 %; full-field "
               "Er:YAG: 400 mJ, 6 mm spots side by side, one pass (ErYAGminimal2008); "
               "1.55 µm: 15 mJ, 140 µm, 10 % × 2 passes; microneedling: 1.5 mm × 4 stamps; MNRF: 1.5 mm, "
               "20 mJ/pin, insulated 49-pin tip — typical settings, assumptions where the presets say so")


def node_for(modality: str, energy=None, length=None, *, spot=None, passes: int = 1, stack: int = 1,
             pulse_duration: float | None = None, cache=None) -> pt.PhysicsNode:
    """The physics node of one setting (cached in the result cache under the model version); ``passes`` (full
    field) or ``stack`` (fractional) set its stacked pulses (:func:`mtzsim.clinic.physics_table.node_stack`);
    ``pulse_duration`` a laser's own pulse (None: its default regime)."""
    from mtzsim.pipeline.cache import canonical_hash, default_cache, model_version

    grid = pt.modality_grids("small")[modality]
    if spot is not None:
        grid = replace(grid, spot=float(spot))
    c = default_cache() if cache is None else (cache or None)
    stack = pt.node_stack(modality, passes, stack)
    key = "physicsnode-" + canonical_hash(("node", model_version(), pt._healing_version(), modality, energy, length,
                                           grid.spot, pt.COVERAGE_NODES, pt.HEALING_MAP, pt.HEALING_SEEDS,
                                           pt.FULL_FIELD_MAP, pt.ERYTHEMA_FLOOR, stack, pt.stack_delay(modality),
                                           pulse_duration))[:40]
    if c is not None:
        hit, _ = c.get(key)
        if hit is not None:
            return hit
    node = pt.build_node(modality, grid, energy, length, stack=stack, pulse_duration=pulse_duration)
    if c is not None:
        c.put(key, node)
    return node


#: Gauss–Legendre nodes per unreported setting when a study's settings are marginalised over their
#: sourced range (2: exact for a response cubic in each setting; the fit evaluates every node, so
#: the cost grows as this number to the power of the unreported settings). Measured at the fitted κ
#: (600 virtual patients): Hu2009 0.211 / 0.210 / 0.214 and NAFL1540_PMID23046026 0.984 / 0.985 /
#: 0.985 with 2 / 3 / 4 nodes, well inside the rows' σ ≈ 0.1.
QUADRATURE_POINTS = 2


def settings_quadrature(modality: str, ranges: dict, n: int = QUADRATURE_POINTS, passes: int = 1
                        ) -> list[tuple[float, dict]]:
    """Weights and settings of a tensor Gauss–Legendre rule over uniform ranges of unreported settings.

    Parameters
    ----------
    modality : str
        The modality whose preset (:data:`PRESETS`) fills the settings not in ``ranges``.
    ranges : dict
        ``{"energy": (low, high)}`` [J] and/or ``{"mtz_per_area": (low, high)}`` [1/m²] (MTZs per
        skin area per session, each uniform), delivered in ``passes`` passes of the spot-area fraction
        ``N π s² / 4 / passes`` each.
    n : int
        Nodes per setting.
    passes : int
        Passes a session's MTZs are delivered in (1: one pass; the scan heat of a session depends on it, its
        remodeling stimulus and PIH spot coverage do not).

    Returns
    -------
    list of (float, dict)
        Weights (summing to 1) and the settings (``energy``, ``length``, ``density``, ``passes``).
    """
    import itertools

    if n < 1:
        raise ValueError(f"n must be at least 1, got {n!r}")
    if int(passes) != passes or passes < 1:
        raise ValueError(f"passes must be a whole number of at least 1, got {passes!r}")
    unknown = set(ranges) - {"energy", "mtz_per_area"}
    if unknown:
        raise ValueError(f"unknown unreported settings {sorted(unknown)}; expected energy and/or mtz_per_area")
    x, w = np.polynomial.legendre.leggauss(n)
    axes = []
    for key, (lo, hi) in ranges.items():
        if not 0 < lo <= hi:
            raise ValueError(f"range of {key} must satisfy 0 < low <= high, got {(lo, hi)!r}")
        axes.append([(key, 0.5 * (lo + hi) + 0.5 * (hi - lo) * xi, wi / 2.0) for xi, wi in zip(x, w)])
    spot = pt.modality_grids("small")[modality].spot
    out = []
    for combo in itertools.product(*axes):
        p = dict(PRESETS[modality])
        weight = 1.0
        for key, value, wi in combo:
            weight *= wi
            if key == "energy":
                p["energy"] = float(value)
            else:
                p["density"], p["passes"] = float(value * math.pi * spot**2 / 4 / passes), int(passes)
        out.append((weight, p))
    return out


def target_settings(t: dict) -> list[tuple[float, dict]]:
    """The settings a target is predicted at: its preset, or a quadrature over its unreported settings."""
    if t.get("settings_range"):
        return settings_quadrature(t["modality"], t["settings_range"], passes=t.get("passes", 1))
    return [(1.0, dict(PRESETS[t["modality"]]))]


def _node_key(modality: str, p: dict) -> tuple:
    return (modality, pt._k(p["energy"]), pt._k(p["length"]), pt.node_stack(modality, p["passes"], p.get("stack", 1)))


def _predict_target(t: dict, kappa: Kappa, nodes: dict, cohort_size: int, seed: int, p: dict | None = None,
                    interval: bool = False):
    """One target's model value at settings ``p`` (default: the modality's preset); with ``interval`` (PIH rows
    only) the pair (value, 95 % interval of a new study's course PIH) from the same cohort (the posterior draws with
    their drawn new-study effects: :attr:`mtzsim.clinic.outcome.OutcomeResult.pih_interval`)."""
    from mtzsim.clinic.outcome import predict_outcome

    m = t["modality"]
    p = dict(PRESETS[m]) if p is None else p

    def outcome(mod, q):
        node = nodes[_node_key(mod, q)]
        stim, cov, _ = session_dose(mod, node, density=q["density"], passes=q["passes"], kappa=kappa)
        down, ery = node.healing_at(cov)
        o = predict_outcome(stim, default_mix(), _Healing(downtime_days=down, erythema_days=ery),
                            fitzpatrick=t["fitzpatrick"], sessions=t["sessions"], interval=t["interval"],
                            follow_up=t.get("follow_up", 3 * MONTH), cohort_size=cohort_size, seed=seed)
        return o, down, ery

    def share_50(res):
        return float(np.mean(res.improvement_samples >= 0.5))

    o, down, ery = outcome(m, p)
    metric = t["metric"]
    if interval:
        if metric != "pih":
            raise ValueError(f"an interval is given for PIH rows only, not {metric!r}")
        return o.pih_probability, tuple(float(v) for v in o.pih_interval)
    if metric in ("improvement_ratio", "share_50_ratio"):  # a head-to-head row: the other arm at its preset
        ref, _, _ = outcome(t["versus"], dict(PRESETS[t["versus"]]))
        if metric == "improvement_ratio":
            return o.improvement_mean / ref.improvement_mean
        return share_50(o) / share_50(ref)
    if metric == "improvement_mean":
        return o.improvement_mean
    if metric == "gb_grade_change":
        return o.gb_grade_change
    if metric == "share_50":
        return share_50(o)
    if metric == "share_25":
        return float(np.mean(o.improvement_samples > 0.25))
    if metric == "gb_change_ge1":
        return o.gb_improved_share
    if metric == "pih":
        return o.pih_probability
    if metric == "erythema_days":
        return ery / DAY
    if metric == "downtime_days":
        return down / DAY
    raise ValueError(f"unknown metric {metric!r}")


@dataclass(frozen=True)
class _Healing:
    """Healing summary in SI seconds, the form :func:`predict_outcome` reads (as from a HealingResult)."""

    downtime_days: float
    erythema_days: float




#: Names of the fitted comparator parameters, in the order of the fit vector (log κ).
KAPPA_NAMES = ("thermal", "mechanical")
#: Bounds of each log κ in the fit [-] (κ from 3e-4 to 3000: far outside where the prior lets the fit go).
LOG_KAPPA_BOUNDS = (-8.0, 8.0)
#: Prior of each log κ: normal, mean 0, sd 2. Assumption: the null is that a wound under an intact
#: epidermis remodels as much per volume as the ablative MTZ (κ = 1); sd 2 allows a factor 7.4
#: either way at one sd. Needed because the remodeling response saturates: with thermal wounds
#: the likelihood keeps rising slowly towards large κ (Hu2009's one-session 1-month rating
#: exceeds what any κ gives at 1 month), so without a prior κ_thermal runs to any bound.
LOG_KAPPA_PRIOR_SD = 2.0


def calibrate_comparators(*, cohort_size: int = 600, seed: int = 3, cache=None, progress=None) -> dict:
    """Fit (log κ_thermal, log κ_mechanical) on the comparator rows marked "fit"; predict the "validation" rows.

    Posterior mode (MAP) of a Gaussian likelihood and a normal prior in log κ: the objective is
    ``Σ ((pred − obs)/σ)² + Σ (log κ / s)²`` with ``σ² = se² + δ²`` (δ = 0.1, the scale mapping's
    uncertainty: assumption) and ``s`` = :data:`LOG_KAPPA_PRIOR_SD`. Where a study does not report
    its device settings and a sourced range exists (``settings_range`` of the target: Hu2009 over
    Chan2007's Asian-skin 1.55 µm range), its term is the marginal ``−2 log Σ_q w_q exp(−r_q²/2)``
    over a Gauss–Legendre rule of the uniform range (:func:`settings_quadrature`) instead of a
    setting fixed at a guess. Minimised by bounded
    Nelder–Mead; the covariance of log κ is the Laplace one, ``2 H⁻¹`` from the curvature ``H`` of
    the objective (central finite differences). The cohort's draws are fixed (``seed``: common
    random numbers), so the objective is a smooth function of κ.

    Parameters
    ----------
    cohort_size, seed : int
        Virtual patients per prediction and their seed.
    cache : ResultCache or False, optional
        Where the physics nodes of the presets are kept (default cache).
    progress : callable, optional
        ``progress(stage, fraction, detail)``, stage ``"comparators"``.
    """
    import time

    from scipy.optimize import minimize
    from scipy.special import logsumexp

    t0 = time.perf_counter()
    targets = calibration_targets()
    quad = {t["key"]: target_settings(t) for t in targets}
    needed = {}
    for t in targets:
        for _, p in quad[t["key"]]:
            needed[_node_key(t["modality"], p)] = p
        if t.get("versus"):
            needed[_node_key(t["versus"], PRESETS[t["versus"]])] = PRESETS[t["versus"]]
    nodes = {}
    for i, (key, p) in enumerate(sorted(needed.items(), key=lambda kv: repr(kv[0]))):
        if progress is not None:
            progress("comparators", 0.3 * i / len(needed), f"physics node {key[0]}")
        nodes[key] = node_for(key[0], p["energy"], p["length"], passes=p["passes"], stack=p.get("stack", 1),
                              cache=cache)
    delta = 0.1
    fit = [t for t in targets if t["role"] == "fit"]
    calls = [0]

    def sigma2(t):
        return t["se"] ** 2 + delta**2 * max(1.0, abs(t["observed"])) ** 2

    def misfit(t, k):
        """−2 log of the target's likelihood, marginalised over its unreported settings (+ const)."""
        r2 = np.array([(_predict_target(t, k, nodes, cohort_size, seed, p) - t["observed"]) ** 2 / sigma2(t)
                       for _, p in quad[t["key"]]])
        w = np.array([w for w, _ in quad[t["key"]]])
        if len(w) == 1:
            return float(r2[0])
        return float(-2.0 * logsumexp(-0.5 * r2, b=w))

    def chi2(lk):
        calls[0] += 1
        k = Kappa(*np.exp(np.clip(lk, *LOG_KAPPA_BOUNDS)))
        if progress is not None:
            progress("comparators", min(0.3 + 0.6 * calls[0] / 120, 0.9), f"χ² evaluation {calls[0]}")
        prior = float(np.sum((np.asarray(lk) / LOG_KAPPA_PRIOR_SD) ** 2))
        return prior + sum(misfit(t, k) for t in fit)

    res = minimize(chi2, x0=np.array([1.0, 1.0]), method="Nelder-Mead", bounds=[LOG_KAPPA_BOUNDS] * 2,
                   options={"xatol": 1e-3, "fatol": 1e-6, "initial_simplex": np.array([[1.0, 1.0], [2.5, 1.0],
                                                                                      [1.0, 2.5]])})
    lk = np.asarray(res.x, dtype=float)
    h = 0.05
    H = np.zeros((2, 2))
    f0 = float(res.fun)
    for a in range(2):
        ea = np.eye(2)[a] * h
        H[a, a] = (chi2(lk + ea) - 2 * f0 + chi2(lk - ea)) / h**2
        for b in range(a + 1, 2):
            eb = np.eye(2)[b] * h
            H[a, b] = H[b, a] = (chi2(lk + ea + eb) - chi2(lk + ea - eb) - chi2(lk - ea + eb)
                                 + chi2(lk - ea - eb)) / (4 * h**2)
    # objective = −2 log posterior + const → covariance of log κ = (H/2)⁻¹
    if np.all(np.linalg.eigvalsh(H) > 0):
        cov = np.linalg.inv(H / 2.0)
    else:
        cov = np.full((2, 2), np.inf)
    sd = np.sqrt(np.diag(cov))
    k = Kappa(*np.exp(lk))
    report = []
    for t in targets:
        w = np.array([w for w, _ in quad[t["key"]]])
        if t["metric"] == "pih":  # the value and a new study's interval from one cohort per setting
            both = [_predict_target(t, k, nodes, cohort_size, seed, p, interval=True) for _, p in quad[t["key"]]]
            preds, ivs = np.array([v for v, _ in both]), np.array([iv for _, iv in both])
        else:
            preds = np.array([_predict_target(t, k, nodes, cohort_size, seed, p) for _, p in quad[t["key"]]])
        row = {kk: t[kk] for kk in ("key", "role", "modality", "metric", "observed", "se", "mapping")}
        row["predicted"] = float(w @ preds)
        if len(w) > 1:
            row["predicted_range"] = [float(preds.min()), float(preds.max())]
            row["settings_range"] = {kk: list(v) for kk, v in t["settings_range"].items()}
            row["settings_source"] = t["settings_source"]
        if t["metric"] == "pih":
            # a new study's course PIH varies with its study effect (sd ~1.7 on the log-odds, fitted across the PIH
            # calibration studies): the envelope of its 95 % interval over the row's settings
            row["predicted_interval"] = [float(ivs[:, 0].min()), float(ivs[:, 1].max())]
        if t.get("versus"):
            row["versus"] = t["versus"]
        if t.get("versus") and t["role"] == "validation":
            row["kappa_thermal_implied"] = _implied_kappa_thermal(t, k, nodes, cohort_size, seed, quad[t["key"]])
        if t["modality"] in NONABLATIVE:
            # the largest κ the fit allows: whether the observation is reachable at all
            kb = Kappa(*np.exp([LOG_KAPPA_BOUNDS[1]] * 2))
            row["predicted_at_kappa_bound"] = float(
                w @ np.array([_predict_target(t, kb, nodes, cohort_size, seed, p) for _, p in quad[t["key"]]]))
        report.append(row)
    if progress is not None:
        progress("comparators", 1.0, "done")
    named = dict(zip(KAPPA_NAMES, lk.tolist()))
    return {"log_kappa": named, "log_kappa_sd": dict(zip(KAPPA_NAMES, sd.tolist())),
            "log_kappa_covariance": cov.tolist(), "kappa": dict(zip(KAPPA_NAMES, k)),
            "kappa_95": {n: [math.exp(named[n] - 1.96 * sd[i]), math.exp(named[n] + 1.96 * sd[i])]
                         for i, n in enumerate(KAPPA_NAMES)},
            "objective": f0, "chi2": f0 - float(np.sum((lk / LOG_KAPPA_PRIOR_SD) ** 2)),
            "prior_sd_log_kappa": LOG_KAPPA_PRIOR_SD, "n_fit": len(fit), "n_parameters": 2,
            "delta": delta, "cohort_size": cohort_size,
            "seed": seed, "evaluations": calls[0], "rows": report,
            "method": "posterior mode (bounded Nelder-Mead) of a Gaussian likelihood with a N(0, 2^2) prior on "
                      "(log kappa_thermal, log kappa_mechanical); a study's unreported settings are marginalised "
                      "over their sourced range (uniform, %d-point Gauss-Legendre per setting); Laplace covariance "
                      "from the finite-difference curvature" % QUADRATURE_POINTS,
            "quadrature_points": QUADRATURE_POINTS,
            "parameters": {"thermal": "remodeling efficacy of coagulated/heat-shocked dermis under an intact "
                                      "epidermis (1.55 um columns, RF coagulation) relative to an ablative MTZ",
                           "mechanical": "remodeling efficacy of a mechanical needle channel (microneedling, the "
                                         "channel of an RF pin) relative to an ablative MTZ"},
            "source": "params/data/comparators_calibration.csv (single-arm rows only)",
            "seconds": time.perf_counter() - t0}


def _implied_kappa_thermal(t: dict, k: Kappa, nodes: dict, cohort_size: int, seed: int, quad) -> float | None:
    """κ_thermal at which a held-out head-to-head row would be met (κ_mechanical as fitted); None if none in bounds.

    A check, never a fit: it says how far the head-to-head evidence is from what the single-arm
    calibration gives (the issue keeps head-to-head trials out of the calibration).
    """
    from scipy.optimize import brentq

    def gap(lk):
        kk = Kappa(math.exp(lk), k.mechanical)
        return sum(w * _predict_target(t, kk, nodes, cohort_size, seed, p) for w, p in quad) - t["observed"]

    lo, hi = LOG_KAPPA_BOUNDS
    g_lo, g_hi = gap(lo), gap(hi)
    if g_lo * g_hi > 0:
        return None
    return float(math.exp(brentq(gap, lo, hi, xtol=1e-2)))


#: How ``mtzsim validate`` shows each comparator metric: (quantity, unit, scale from the model's value).
METRIC_DISPLAY = {
    "share_50": ("share of patients with >= 50 % improvement", "%", 100.0),
    "share_25": ("share of patients with > 25 % improvement", "%", 100.0),
    "gb_change_ge1": ("share of patients one Goodman-Baron grade down or more", "%", 100.0),
    "pih": ("PIH over the course", "%", 100.0),
    "improvement_mean": ("mean improvement", "%", 100.0),
    "gb_grade_change": ("mean Goodman-Baron grade change", "grades", 1.0),
    "erythema_days": ("erythema", "d", 1.0),
    "downtime_days": ("downtime", "d", 1.0),
    "improvement_ratio": ("ratio of mean improvements to fractional CO2", "-", 1.0),
    "share_50_ratio": ("ratio of shares >= 50 % improved to fractional CO2", "-", 1.0),
}
#: Width of a comparator row's pass band in ``mtzsim validate``, in σ of the calibration's own likelihood
#: (σ² = se² + δ², :func:`calibrate_comparators`): 2, about the 95 % band of a Gaussian.
VALIDATE_SIGMAS = 2.0


def register_validation_cases(registry=None):
    """Add every comparator row to ``mtzsim validate`` (model ``"comparators"``): the fitted rows as fitted, the
    validation rows (single-arm rows held out, every head-to-head row) as held out.

    Each prediction is the packaged record's (``params/data/comparator_calibration.json``, written by ``mtzsim
    calibrate --stage comparators``, which predicts every row at the fitted κ; ``tests/test_comparators.py`` checks
    that a fresh calibration reproduces the record's κ and predictions), as the MTZ calibration's leave-one-out rows
    are read from its record. A row passes when the prediction lies within :data:`VALIDATE_SIGMAS` σ of the
    observation, σ² = se² + δ² the calibration's own likelihood width (δ: the scale mapping's uncertainty)."""
    if registry is None:
        from mtzsim.verify import validation as registry
    rec = load_comparator_calibration()
    delta = float(rec["delta"])
    present = {c.name for c in registry.CASES}
    for row in rec["rows"]:
        quantity, unit, scale = METRIC_DISPLAY[row["metric"]]
        name = f"{row['key']} ({row['modality']}): {quantity}"
        if name in present:
            continue
        sigma = math.sqrt(row["se"] ** 2 + (delta * max(1.0, abs(row["observed"]))) ** 2)
        note = row["mapping"]
        if "predicted_interval" in row:
            lo, hi = (v * scale for v in row["predicted_interval"])
            note = f"{note}; a new study's 95 % interval {lo:.3g}-{hi:.3g} {unit} (its study effect drawn)"
        registry.CASES.append(registry.Case(
            name=name, model="comparators", quantity=row["metric"], unit=unit, measured=row["observed"] * scale,
            tolerance=VALIDATE_SIGMAS * sigma * scale, source=row["key"].split()[0], kind="absolute",
            predict=lambda v=row["predicted"] * scale: v, fitted=row["role"] == "fit", note=note))


def write_comparator_calibration(record: dict, path=None):
    """Write a calibration record as JSON (default: the packaged ``params/data/comparator_calibration.json``)."""
    from pathlib import Path

    from mtzsim.io.serialise import write_text_atomic

    if path is None:
        path = Path(__file__).resolve().parent.parent / "params" / "data" / CALIBRATION_FILE
    out = write_text_atomic(Path(path), json.dumps(record, indent=1) + "\n")
    load_comparator_calibration.cache_clear()
    return out


# ---------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModalityOutcome:
    """Outcome, healing and dose of one modality at its preset settings."""

    modality: str = quantity("", "modality", kind="category")
    settings: dict = quantity("", "settings in display units", kind="table")
    outcome: object = quantity("", "OutcomeResult of the course", kind="result")
    downtime: float = quantity("s", "downtime per session (healing stage)", display="d")
    erythema: float = quantity("s", "erythema duration per session (healing stage)", display="d")
    wound_depth: float = quantity("m", "deepest wound", display="um")
    coverage: float = quantity("1", "open basal layer per session: the wounds and the islands the scan's heat kills "
                               "(physics_table.PhysicsNode.open_basal)", display="%")
    wound_volume_fraction: float = quantity("1", "wounded volume per area / stimulus depth, per session")
    closure: float = quantity("s", "95 % re-epithelialisation per session (healing stage)", display="d")
    closure_scarring_risk: float = quantity("1", "hypertrophic scarring risk of one session's wound from its "
                                            "closure time (clinic/scarring.py; burn cohorts)", display="%")
    field: object = quantity("", "the field engine's check of one tile at the preset (clinic/field_check.py), or "
                             "None (not asked for, or not a fractional laser)", kind="result", default=None)
    coverage_columns: float = quantity("1", "open basal layer of the wounds alone, without the scan's heat",
                                       display="%", default=float("nan"))

    def to_dict(self) -> dict:
        d = self.outcome.to_dict()
        d["field_check"] = None if self.field is None else self.field.to_dict()
        d["downtime_days"] = self.downtime / DAY
        d["erythema_days"] = self.erythema / DAY
        d["closure_days"] = self.closure / DAY
        d["closure_scarring_risk"] = 100 * self.closure_scarring_risk
        d.update(settings=self.settings, wound_depth_um=self.wound_depth * 1e6, coverage_pct=100 * self.coverage,
                 coverage_columns_pct=100 * self.coverage_columns, wound_volume_fraction=self.wound_volume_fraction)
        d.pop("course", None)
        return d


@dataclass(frozen=True)
class ComparisonResult:
    """Every modality at its preset settings for one patient and scar set."""

    modalities: dict = quantity("", "ModalityOutcome per modality", kind="table")
    fitzpatrick: int = quantity("1", "Fitzpatrick skin type", kind="count")
    sessions: int = quantity("1", "sessions of the course (full field: one)", kind="count")
    kappa: Kappa = quantity("1", "calibrated efficacy (thermal, mechanical) of wounds under an intact epidermis "
                            "relative to an MTZ", kind="table",
                            source="comparators_calibration.csv")
    note: str = quantity("", "preset settings and assumptions", kind="category")

    def to_dict(self) -> dict:
        return {"modalities": {k: v.to_dict() for k, v in self.modalities.items()},
                "fitzpatrick": self.fitzpatrick, "sessions": self.sessions, "kappa": dict(self.kappa._asdict()),
                "note": self.note,
                "units": "percent for shares and probabilities, days for downtime"}


def compare(scars, *, fitzpatrick: int, age: float = 30.0, sessions: int = 3, interval: float = 28 * DAY,
            follow_up: float = 6 * MONTH, sun_protection: bool = False, co2_settings: dict | None = None,
            modalities=MODALITIES, cohort_size: int = 1000, seed: int = 1, cache=None, field_check: bool = False,
            field_tile: float | None = None) -> ComparisonResult:
    """Run one patient's scars through every modality at its preset settings.

    Parameters
    ----------
    scars : sequence of Scar
    fitzpatrick, age : int, float
    sessions, interval, follow_up : int, float [s], float [s]
        The course (full-field CO2: one session, see :data:`PRESET_NOTE`).
    co2_settings : dict, optional
        The scenario's fractional CO2 device: ``energy`` [J], ``spot`` [m], ``density`` [-], ``passes``, ``stack``
        (pulses stacked on one spot; default 1), ``pulse_duration`` [s] (default: the 30 W regime).
    field_check : bool
        Run the field engine on one tile of each fractional laser at its preset (:mod:`mtzsim.clinic.field_check`:
        the open basal layer with the scan's heat, against the table's coverage the comparison heals).
    field_tile : float, optional
        Side of the checked tile [m] (default the field engine's 1 cm).
    """
    from mtzsim.clinic.outcome import predict_outcome

    if not 1 <= int(fitzpatrick) <= 6:
        raise ValueError(f"fitzpatrick must be 1–6, got {fitzpatrick!r}")
    k = kappa()
    out = {}
    for m in modalities:
        if m not in MODALITIES:
            raise ValueError(f"unknown modality {m!r}; expected one of {MODALITIES}")
        p = dict(PRESETS[m])
        spot = None
        if m == "co2_fractional" and co2_settings:
            p.update({kk: v for kk, v in co2_settings.items() if kk in ("energy", "density", "passes", "stack",
                                                                         "pulse_duration")})
            spot = co2_settings.get("spot")
        node = node_for(m, p["energy"], p["length"], spot=spot, passes=p["passes"], stack=p.get("stack", 1),
                        pulse_duration=p.get("pulse_duration"), cache=cache)
        stim, cov, alone = session_dose(m, node, density=p["density"], passes=p["passes"], kappa=k, cache=cache)
        down, ery = node.healing_at(cov)
        n_sess = 1 if m == "co2_full_field" else sessions
        o = predict_outcome(stim, scars, _Healing(down, ery), fitzpatrick=fitzpatrick, age=age,
                            sessions=n_sess, interval=interval, follow_up=follow_up, sun_protection=sun_protection,
                            cohort_size=cohort_size, seed=seed)
        o = replace(o, downtime_days=down)  # SI seconds, as the field declares
        closure = node.closure_at(cov)
        checked = None
        if field_check and m in FRACTIONAL_LASERS:
            checked = run_field_check(node.wound, p["density"], p["passes"], tile=field_tile)
        out[m] = ModalityOutcome(modality=m, settings=settings_display(m, p, spot or node.wound.get("spot")),
                                 outcome=o, downtime=down, erythema=ery, wound_depth=stim.wound_depth, coverage=cov,
                                 wound_volume_fraction=stim.wound_volume_fraction, closure=closure,
                                 closure_scarring_risk=float(hypertrophic_risk(closure)), field=checked,
                                 coverage_columns=alone)
    return ComparisonResult(modalities=out, fitzpatrick=int(fitzpatrick), sessions=int(sessions), kappa=k,
                            note=PRESET_NOTE)


def settings_display(modality: str, p: dict, spot=None) -> dict:
    """Settings of one modality in display units (mJ, µm, mm, %)."""
    d = {}
    if p.get("energy") is not None:
        d["energy_mj" if modality != "microneedle_rf" else "energy_per_pin_mj"] = round(p["energy"] * 1e3, 6)
    if spot is not None and modality not in ("microneedling", "microneedle_rf"):
        d["spot_um"] = round(spot * 1e6, 3)
    if p.get("length") is not None:
        d["needle_length_mm"] = round(p["length"] * 1e3, 6)
    if p.get("density") is not None:
        d["density_pct"] = round(p["density"] * 100, 6)
    d["passes"] = int(p["passes"])
    if p.get("stack") is not None:
        d["stack"] = int(p["stack"])
    for key, f, unit in (("sessions", 1, ""), ("interval", 1 / (7 * DAY), "_weeks")):
        if p.get(key) is not None:
            d[key + unit] = round(p[key] * f, 6) if unit else int(p[key])
    return d
