"""Clinical outcome of a course: improvement per scar and overall, grades, risks, downtime.

Improvement of a scar is the reduction of its volume, ``1 − (depth × area after)/(depth ×
area before)``; a patient's overall improvement is the volume-weighted reduction over all
scars. Quartile grade: < 25, 25–50, 50–75, ≥ 75 %. Goodman–Baron grade (assumption for the
thresholds): a scar counts as "obvious at 50 cm" when its residual depth is ≥ 0.2 mm and as
visible at all when ≥ 0.05 mm; a scar is grade 4 if obvious and fibrotic (icepick or boxcar: does
not flatten with stretching), 3 if obvious and rolling (flattens), 2 if visible, else 1; the
patient's grade is that of the disease load, the highest grade at least half of the scars reach
(Goodman & Baron grade the load as a whole). Every patient-level output is a distribution over a virtual cohort
with posterior draws of the calibrated parameters (posterior predictive).

References
----------
.. [1] Goodman GJ, Baron JA. Postacne scarring: a qualitative global scarring grading system.
   Dermatol Surg 2006;32(12):1458–1466. PMID 17199653 (qualitative global grading).
.. [2] Jacob CI et al. J Am Acad Dermatol 2001 via Fabbrocini 2010, Table 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mtzsim.biology.remodeling import DAY, RemodelingParameters, simulate_remodeling
from mtzsim.clinic import cohort as _cohort
from mtzsim.clinic import risk
from mtzsim.clinic.parameters import table
from mtzsim.pipeline.contract import quantity

from mtzsim.constants import MONTH  # noqa: E402  [s]

#: Residual depth thresholds of the Goodman–Baron mapping [m] (assumptions, see module doc).
GB_OBVIOUS_DEPTH = 0.2e-3
GB_VISIBLE_DEPTH = 0.05e-3
QUARTILE_EDGES = (0.25, 0.5, 0.75)


def posterior_for(draws, posterior) -> dict:
    """Each patient's posterior draw (arrays over patients) from the stored posterior."""
    eff = posterior["efficacy"]
    n_e = len(eff["fill_yield_per_day"])
    pih = posterior["pih"]
    n_p = len(pih["coefficients"])
    i_e = draws.draw % n_e
    i_p = (draws.draw // n_e) % n_p
    ery = posterior["erythema"]
    i_r = (draws.draw // (n_e * n_p)) % len(ery["median_days"])
    return {
        "fill_yield": np.asarray(eff["fill_yield_per_day"])[i_e] / DAY,
        "fill_cap": np.asarray(eff["fill_cap"])[i_e],
        "gain_spread": np.asarray(eff["new_study_gain_spread"])[i_e],
        "study_effect": np.asarray(eff["new_study_effect"])[i_e],
        "efficacy_draw": i_e,
        "pih_coefficients": np.asarray(pih["coefficients"])[i_p],
        "pih_study_effect": np.asarray(pih["new_study_effect"])[i_p],
        "pih_draw": i_p,
        "erythema_median_days": np.asarray(ery["median_days"])[i_r],
        "erythema_sigma": np.asarray(ery["sigma"])[i_r],
        "erythema_draw": i_r,
    }


@dataclass(frozen=True)
class CohortCourse:
    """Improvement of every virtual patient at the record times."""

    times: np.ndarray  # [s] from the first session
    improvement: np.ndarray  # (T, P) overall volume reduction [-]
    scar_improvement: np.ndarray  # (T, P, S) [-]
    residual_depth: np.ndarray  # (T, P, S) [m]
    fibrotic: np.ndarray  # (P,) bool
    kinds: tuple


def cohort_course(stimulus, population, draws, post, *, sessions: int, interval: float, record_times,
                  params: RemodelingParameters | None = None) -> CohortCourse:
    """Run the remodeling for every patient of ``draws`` (vectorised) and score the scars."""
    c = table("cohort_distributions.csv")
    base = RemodelingParameters.default() if params is None else params
    gain = np.exp(post["gain_spread"] * draws.z_gain + post["study_effect"]
                  + c["age_gain_slope"].value * (draws.age - 30.0))
    feedback = np.asarray(base.fibrosis_feedback) * np.exp(c["feedback_spread"].value * draws.z_feedback)
    prm = base.with_(fill_yield=post["fill_yield"], fill_cap=post.get("fill_cap", base.fill_cap), fibrosis_feedback=feedback)
    kinds = tuple(s.kind for s in population.scars)
    widths = np.array([s.width for s in population.scars])
    tethered = np.array([s.tethered for s in population.scars])
    hits = _cohort.hits_ratio(draws, stimulus.mtzs_per_area, widths, sessions)
    rem = simulate_remodeling(stimulus, draws.depth, widths, tethered, sessions=sessions, interval=interval,
                              record_times=record_times, params=prm, gain=gain, hits_ratio=hits)
    after = rem.depth_factor * rem.area_factor
    v0 = draws.scar_weight * draws.depth * (math.pi * widths**2 / 4)
    overall = 1.0 - (after * v0).sum(axis=-1) / v0.sum(axis=-1)
    return CohortCourse(times=np.asarray(record_times, dtype=float), improvement=overall, scar_improvement=1.0 - after,
                        residual_depth=rem.depth_factor * draws.depth, fibrotic=rem.fibrotic, kinds=kinds)


def goodman_baron_grade(residual_depth, kinds, weight) -> np.ndarray:
    """Goodman–Baron qualitative grade (1–4) per patient from residual scar depths (P, S).

    Each scar type gets the grade its own residual depth gives (module doc); the patient's grade is the
    grade of the disease load, the weighted median over the scars (counts as weights): the highest grade
    that at least half of the scars reach. Goodman & Baron assign the grade "by lesion morphologies and
    disease load as indicated by patient perception of severity (i.e., whether or not an individual can
    easily disguise his or her disease at social distances)" (abstract, PMID 17199653), so a few deep scars
    among many flattened ones do not hold a patient at grade 4 (assumption for the half: the scars that
    make up most of the load set the grade).
    """
    d = np.asarray(residual_depth, dtype=float)
    w = np.broadcast_to(np.asarray(weight, dtype=float), d.shape)
    fibrotic = np.array([k != "rolling" for k in kinds])
    per_scar = np.where(d >= GB_OBVIOUS_DEPTH, np.where(fibrotic, 4, 3), np.where(d >= GB_VISIBLE_DEPTH, 2, 1))
    total = w.sum(-1)
    grade = np.ones(d.shape[:-1], dtype=int)
    for g in (2, 3, 4):
        grade = np.where(2.0 * (w * (per_scar >= g)).sum(-1) >= total, g, grade)
    return np.where(total > 0, grade, 1)


def quartile_shares(improvement) -> np.ndarray:
    """Shares of patients with < 25, 25–50, 50–75, ≥ 75 % improvement (sum to 1)."""
    y = np.asarray(improvement)
    idx = np.searchsorted(np.asarray(QUARTILE_EDGES), y, side="right")
    return np.bincount(idx, minlength=4)[:4] / y.size


@dataclass(frozen=True)
class OutcomeResult:
    """Patient-level outcome distribution of one scenario over a virtual cohort (fractions in SI)."""

    improvement_mean: float = quantity("1", "mean overall improvement (scar volume reduction) at follow-up",
                                       display="%", source="posterior predictive")
    improvement_ci: tuple = quantity("1", "95 % posterior interval of the mean improvement", display="%", kind="array")
    improvement_interval: tuple = quantity("1", "2.5–97.5 % of the patients' improvement (prediction interval)",
                                           display="%", kind="array")
    quartile_shares: tuple = quantity("1", "shares with < 25, 25–50, 50–75, ≥ 75 % improvement", kind="array")
    gb_grade_change: float = quantity("1", "mean Goodman–Baron grade change (before − after)", source="GoodmanBaron2006")
    gb_improved_share: float = quantity("1", "share of patients whose Goodman–Baron grade falls by at least one",
                                        display="%", source="GoodmanBaron2006")
    pih_probability: float = quantity("1", "probability of PIH over the course", display="%",
                                      source="Chan2007; Manuskiatti2010; MajidImran2014; Tan2008; CO2vsErYAG")
    pih_interval: tuple = quantity("1", "95 % posterior interval of the PIH probability", display="%", kind="array")
    prolonged_erythema_probability: float = quantity("1", "probability of erythema beyond 8 weeks", display="%",
                                                     source="Neaman2010")
    prolonged_erythema_interval: tuple = quantity("1", "95 % posterior interval of the prolonged-erythema probability",
                                                  display="%", kind="array")
    hsv_probability: float = quantity("1", "probability of HSV reactivation over the course", display="%",
                                      source="Famciclovir1999; Valacyclovir2002")
    hsv_interval: tuple = quantity("1", "HSV probability at the low and high ends of its parameter ranges", display="%",
                                   kind="array")
    scarring_probability: float = quantity("1", "share of patients locked in the fibrotic (hypertrophic) state",
                                           display="%", source="Alon2023")
    downtime_days: float | None = quantity("s", "downtime from the healing stage (None without it)", display="d")
    per_scar_type: dict = quantity("", "per scar type: improvement mean and interval", kind="table")
    course_months: tuple = quantity("s", "months after the first session of the course points", kind="array",
                                    display="month")
    course_improvement: tuple = quantity("1", "mean improvement along the course", kind="array", display="%")
    cohort_size: int = quantity("1", "virtual patients", kind="count")
    seed: int = quantity("1", "cohort seed", kind="count")
    improvement_samples: np.ndarray = quantity("1", "every patient's improvement at follow-up", kind="array")

    def to_dict(self) -> dict:
        """JSON summary in display units (%, days, months)."""
        pct = lambda x: None if x is None else float(100 * x)  # noqa: E731
        return {
            "improvement_mean": pct(self.improvement_mean),
            "improvement_ci": [pct(v) for v in self.improvement_ci],
            "improvement_interval": [pct(v) for v in self.improvement_interval],
            "quartile_shares": [pct(v) for v in self.quartile_shares],
            "gb_grade_change": float(self.gb_grade_change),
            "gb_improved_share": pct(self.gb_improved_share),
            "pih_probability": pct(self.pih_probability),
            "pih_interval": [pct(v) for v in self.pih_interval],
            "prolonged_erythema_probability": pct(self.prolonged_erythema_probability),
            "prolonged_erythema_interval": [pct(v) for v in self.prolonged_erythema_interval],
            "hsv_probability": pct(self.hsv_probability),
            "hsv_interval": [pct(v) for v in self.hsv_interval],
            "scarring_probability": pct(self.scarring_probability),
            "downtime_days": None if self.downtime_days is None else float(self.downtime_days / DAY),
            "per_scar_type": {k: {"improvement_mean": pct(v["mean"]), "improvement_interval": [pct(x) for x in v["interval"]]}
                              for k, v in self.per_scar_type.items()},
            "course": {"month": [float(m / MONTH) for m in self.course_months],
                       "improvement_mean": [pct(v) for v in self.course_improvement]},
            "cohort_size": int(self.cohort_size),
            "seed": int(self.seed),
            "units": "percent for shares and probabilities, days for downtime, months for the course",
        }


def _grouped_mean(values, groups):
    g = np.asarray(groups)
    sums = np.bincount(g, weights=values)
    counts = np.bincount(g)
    keep = counts > 0
    return sums[keep] / counts[keep]


def predict_outcome(stimulus, scars, healing=None, *, fitzpatrick: int, age: float = 30.0, sessions: int = 1,
                    interval: float = 28 * DAY, follow_up: float = 6 * MONTH, sun_protection: bool = False,
                    antiviral: bool = False, cohort_size: int = 2000, seed: int = 1, posterior=None,
                    params: RemodelingParameters | None = None, chunk: int = 20000) -> OutcomeResult:
    """Outcome distribution of one patient's course over a virtual cohort.

    Parameters
    ----------
    stimulus : TreatmentStimulus
        Per-session dose from the physics (:func:`mtzsim.clinic.stimulus.treatment_stimulus`).
    scars : sequence of Scar
        The patient's scars (:class:`mtzsim.clinic.scars.Scar`).
    healing : object, optional
        Healing-stage result with ``downtime_days`` and ``erythema_days`` (SI: seconds, like every
        stage result, despite the names that the JSON keys keep); without it
        the downtime is not reported and the erythema median is the calibrated one.
    fitzpatrick, age : int, float
        Skin type (1–6) and age [years].
    sessions, interval, follow_up : int, float, float
        Course: sessions, time between them [s], assessment after the last session [s].
    sun_protection, antiviral : bool
        Aftercare: sunscreen / sun avoidance; antiviral prophylaxis.
    cohort_size, seed : int
        Virtual patients and the cohort seed (results are identical for any ``chunk``).
    posterior : dict, optional
        Calibrated posterior (default: the stored one, :func:`mtzsim.clinic.calibration.load_posterior`).
    """
    from mtzsim.clinic.calibration import load_posterior

    if cohort_size < 1:
        raise ValueError(f"cohort size must be at least 1, got {cohort_size}")
    if sessions < 1:
        raise ValueError(f"sessions must be at least 1, got {sessions}")
    if interval <= 0:
        raise ValueError(f"interval must be positive, got {interval}")
    if follow_up < 0:
        raise ValueError(f"follow-up must be zero or more, got {follow_up}")
    posterior = load_posterior() if posterior is None else posterior
    pop = _cohort.population_for(fitzpatrick, age, scars)
    t_last = (sessions - 1) * interval
    t_eval = t_last + follow_up
    months = np.arange(0.0, t_eval / MONTH + 1e-9, 1.0) * MONTH
    record = np.unique(np.concatenate([months, [t_eval]]))
    parts = []
    for start in range(0, cohort_size, chunk):
        n = min(chunk, cohort_size - start)
        d = _cohort.draw_patients(pop, n, seed, start=start)
        post = posterior_for(d, posterior)
        cc = cohort_course(stimulus, pop, d, post, sessions=sessions, interval=interval, record_times=record, params=params)
        parts.append((d, post, cc))
    draws = _cohort.concat([p[0] for p in parts])
    post = {k: np.concatenate([p[1][k] for p in parts]) for k in parts[0][1]}
    improvement = np.concatenate([p[2].improvement for p in parts], axis=1)
    scar_imp = np.concatenate([p[2].scar_improvement for p in parts], axis=1)
    resid = np.concatenate([p[2].residual_depth for p in parts], axis=1)
    fibrotic = np.concatenate([p[2].fibrotic for p in parts])
    y = improvement[-1]
    ci = np.percentile(_grouped_mean(y, post["efficacy_draw"]), [2.5, 97.5]) if cohort_size > 1 else (y[0], y[0])
    grade0 = goodman_baron_grade(draws.depth, [s.kind for s in pop.scars], draws.scar_weight)
    grade1 = goodman_baron_grade(resid[-1], [s.kind for s in pop.scars], draws.scar_weight)
    cov = risk.PIHCovariates(fitzpatrick=draws.fitzpatrick, coverage=stimulus.coverage, energy=stimulus.energy,
                             ablative=float(stimulus.ablative), sun_protection=float(sun_protection),
                             erythema=None if healing is None else float(healing.erythema_days))
    p_pih = risk.pih_probability(cov, post["pih_coefficients"], sessions, study_effect=post["pih_study_effect"])
    pih_ci = np.percentile(_grouped_mean(p_pih, post["pih_draw"]), [2.5, 97.5])
    ery_median = post["erythema_median_days"]
    if healing is not None and getattr(healing, "erythema_days", None) is not None:
        ery_median = np.full_like(ery_median, float(healing.erythema_days) / DAY)  # healing is SI [s]
    p_ery = risk.prolonged_erythema_probability(ery_median, post["erythema_sigma"])
    p_hsv = risk.hsv_probability(stimulus.coverage, sessions, prophylaxis=antiviral)
    hsv_range = risk.hsv_probability_range(stimulus.coverage, sessions, prophylaxis=antiviral)
    ery_ci = np.percentile(_grouped_mean(p_ery, post["erythema_draw"]), [2.5, 97.5])
    per_type = {}
    for j, s in enumerate(pop.scars):
        v = scar_imp[-1, :, j]
        per_type.setdefault(s.kind, []).append(v)
    per_scar = {k: {"mean": float(np.mean(np.concatenate(v))),
                    "interval": tuple(float(x) for x in np.percentile(np.concatenate(v), [2.5, 97.5]))}
                for k, v in per_type.items()}
    downtime = None
    if healing is not None and getattr(healing, "downtime_days", None) is not None:
        downtime = float(healing.downtime_days)  # healing results are SI [s], like this field
    course_idx = np.searchsorted(record, months)
    return OutcomeResult(
        improvement_mean=float(y.mean()), improvement_ci=tuple(float(v) for v in ci),
        improvement_interval=tuple(float(v) for v in np.percentile(y, [2.5, 97.5])),
        quartile_shares=tuple(float(v) for v in quartile_shares(y)),
        gb_grade_change=float(np.mean(grade0 - grade1)), gb_improved_share=float(np.mean(grade0 - grade1 >= 1)),
        pih_probability=float(p_pih.mean()), pih_interval=tuple(float(v) for v in pih_ci),
        prolonged_erythema_probability=float(p_ery.mean()),
        prolonged_erythema_interval=tuple(float(v) for v in ery_ci), hsv_probability=float(np.mean(p_hsv)),
        hsv_interval=tuple(float(v) for v in hsv_range),
        scarring_probability=float(fibrotic.mean()), downtime_days=downtime, per_scar_type=per_scar,
        course_months=tuple(float(m) for m in months),
        course_improvement=tuple(float(v) for v in improvement[course_idx].mean(axis=1)),
        cohort_size=int(cohort_size), seed=int(seed), improvement_samples=y,
    )
