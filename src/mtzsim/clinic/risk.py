"""Risks after a course of fractional resurfacing: PIH, prolonged erythema, HSV reactivation.

PIH per session is logistic in the Fitzpatrick type, the thermally injured skin area, the pulse
energy and whether the epidermis is opened (inflammation), with a study-level random effect
fitted across Chan 2007, Manuskiatti 2010, Majid 2014, Tan 2008 and the full-field CO2 arm
(:mod:`mtzsim.clinic.calibration`); sun protection multiplies the odds
(``sun_protection_odds_ratio``), a longer erythema from the healing stage raises them, and a
patient's risk over a course compounds the sessions, ``1 − Π (1 − p_session)``.

The driver is thermal injury of the epidermis and its melanocytes: the area covariate is the
skin area fraction whose epidermis (basal layer) is thermally injured in one session. In every
calibration arm this is the spot coverage of the laser (each 1,540/1,550 nm or CO2 column
coagulates or ablates the epidermis above it; Chan 2007 relate PIH to this density). A wound
that leaves the basal layer thermally intact — a mechanical microneedle channel, or an insulated
RF pin whose coagulation stays below the basal layer — adds no area, and with no thermally
injured area the odds are zero (odds ∝ area^β: no thermal injury, no PIH by this path). This
follows the clinical reading that microneedling rarely causes PIH because the epidermis is only
punctured, not heated (Cohen & Elbuluk 2016; Alster & Graham 2018; PCI2014: 0/60 dyschromia in
FST I–VI, a held-out comparator row). PIH from dermal-only injury is outside the model (stated
in the comparison's limits: MNRFVietnam2019 reports 9.6 %).

References
----------
.. [1] Chan HH et al. Lasers Surg Med 2007;39:381 (density and energy vs PIH).
.. [2] Manuskiatti W et al. J Am Acad Dermatol 2010;63:274 (PIH in FST IV).
.. [3] Neaman KC et al. Aesthet Surg J 2010;30:845 (hyperemia duration distribution).
.. [4] Cohen BE, Elbuluk N. Microneedling in skin of color: a review of uses and efficacy.
   J Am Acad Dermatol 2016;74:348–355. doi:10.1016/j.jaad.2015.09.024
.. [5] Alster TS, Graham PM. Microneedling: a review and practical guide. Dermatol Surg
   2018;44:397–404. doi:10.1097/DSS.0000000000001248
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit
from scipy.stats import norm

from mtzsim.clinic.parameters import table

#: Reference covariates of the PIH logistic (the intercept is the log-odds there).
PIH_REFERENCE = {"fitzpatrick": 3.0, "coverage": 0.10, "energy": 15e-3}
#: Names of the PIH coefficients, in the order the calibration stores them.
PIH_COEFFICIENTS = ("intercept", "fitzpatrick", "log_coverage", "log_energy", "ablative")


@dataclass(frozen=True)
class PIHCovariates:
    """Covariates of one session's PIH risk; arrays broadcast over patients."""

    fitzpatrick: object  # 1–6
    coverage: object  # skin area fraction with a thermally injured epidermis per session [-] (lasers: spot coverage)
    energy: object  # pulse energy (RF: energy per pin) of the thermal wounds [J]; ignored where coverage is 0
    ablative: object  # 1 if the epidermis is opened, else 0
    sun_protection: object = 0.0  # 1 with sunscreen / sun avoidance
    erythema: object = None  # visible-redness duration [s] from the healing stage, or None


def pih_logit(cov: PIHCovariates, coef, *, study_effect=0.0):
    """Log-odds of PIH after one session (−inf where no epidermis is thermally injured).

    Parameters
    ----------
    cov : PIHCovariates
    coef : mapping or ndarray
        Coefficients in :data:`PIH_COEFFICIENTS` order (arrays over posterior draws allowed).
    study_effect : float or ndarray
        Study (or, for a new population, a drawn) random effect on the log-odds.
    """
    c = [np.asarray(coef[k] if isinstance(coef, dict) else coef[..., i]) for i, k in enumerate(PIH_COEFFICIENTS)]
    r = table("clinical_risk_parameters.csv")
    area = np.asarray(cov.coverage, dtype=float)
    energy = np.asarray(cov.energy, dtype=float)
    if np.any(area < 0) or np.any((area > 0) & ~(energy > 0)):
        raise ValueError("PIH covariates: the thermally injured area must be ≥ 0 and its energy > 0 where it is > 0")
    injured = area > 0
    with np.errstate(divide="ignore"):
        log_area = np.log(np.where(injured, area, 1.0) / PIH_REFERENCE["coverage"])
        log_energy = np.log(np.where(injured, energy, PIH_REFERENCE["energy"]) / PIH_REFERENCE["energy"])
    x = (c[0] + c[1] * (np.asarray(cov.fitzpatrick, dtype=float) - PIH_REFERENCE["fitzpatrick"])
         + c[2] * log_area + c[3] * log_energy
         + c[4] * np.asarray(cov.ablative, dtype=float) + study_effect)
    x = x + np.log(r["sun_protection_odds_ratio"].value) * np.asarray(cov.sun_protection, dtype=float)
    if cov.erythema is not None:
        ref = r["erythema_reference_days"].value
        with np.errstate(divide="ignore"):  # no erythema: log-odds −inf, odds 0 (no inflammation, no PIH)
            x = x + r["inflammation_log_coefficient"].value * np.log(np.asarray(cov.erythema, dtype=float) / ref)
    return np.where(injured, x, -np.inf)  # no thermally injured epidermis: odds 0 (module docstring)


def pih_probability(cov: PIHCovariates, coef, sessions, *, study_effect=0.0):
    """Probability of PIH over a course: sessions compound, 1 − (1 − p_session)^sessions [-]."""
    p = expit(pih_logit(cov, coef, study_effect=study_effect))
    return 1.0 - (1.0 - p) ** np.asarray(sessions, dtype=float)


def prolonged_erythema_probability(median_days, sigma):
    """Probability that erythema outlasts 8 weeks (Neaman 2010 category) [-].

    Erythema duration is log-normal with the given median [d] and log-sd (fitted to Neaman
    2010's three duration bins in the calibration).
    """
    limit = table("clinical_risk_parameters.csv")["prolonged_erythema_weeks"].value / 86400.0
    with np.errstate(divide="ignore"):  # no erythema (median 0 d): log(limit/0) = +inf, probability 0
        z = np.log(limit / np.asarray(median_days, dtype=float))
    return norm.sf(z / np.asarray(sigma, dtype=float))


def hsv_probability(coverage, sessions, *, prophylaxis: bool):
    """HSV reactivation over a course: full-field rate × coverage^γ per session, compounded [-]."""
    r = table("clinical_risk_parameters.csv")
    p = r["hsv_full_field"].value * np.clip(np.asarray(coverage, dtype=float), 0, 1) ** r["hsv_coverage_exponent"].value
    if prophylaxis:
        p = p * r["hsv_prophylaxis_ratio"].value
    return 1.0 - (1.0 - p) ** np.asarray(sessions, dtype=float)


def hsv_probability_range(coverage, sessions, *, prophylaxis: bool) -> tuple[float, float]:
    """HSV probability with every parameter at the low and at the high end of its tabulated range."""
    r = table("clinical_risk_parameters.csv")
    c = float(np.clip(coverage, 0, 1))
    out = []
    for end, exp_end in (("low", "high"), ("high", "low")):  # coverage < 1: a larger exponent lowers the risk
        p = getattr(r["hsv_full_field"], end) * c ** getattr(r["hsv_coverage_exponent"], exp_end)
        if prophylaxis:
            p *= getattr(r["hsv_prophylaxis_ratio"], end)
        out.append(1.0 - (1.0 - p) ** float(np.max(sessions)))
    return out[0], out[1]
