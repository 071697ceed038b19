"""Hypertrophic scarring risk of a wound from the time it takes to close.

The longer a wound stays open, the more often it heals with a hypertrophic scar: in burn cohorts
the time to healing is the strongest predictor (Deitch 1983; Cubison 2006; Chipp 2017). A laser
or needle wound is a burn or a puncture of known depth and coverage, and the healing stage gives
its 95 % re-epithelialisation time (:mod:`mtzsim.biology.healing`), so the same law puts a risk on
a treatment that leaves the skin open too long — a fractional CO2 setting stacked and passed until
its columns merge into one deep wound, or a full-field pass that reaches below the adnexa.

The law is logistic in the closure time t [d], P(t) = σ(a + b t), fitted to Cubison 2006's rates
by time to healing (337 children with scalds: 0 % under 10 d, 8 % at 10–14 d, 20 % at 15–21 d,
40 % at 22–25 d, 68 % at 26–30 d, 92 % over 30 d). Each bin's rate is the mean of P over the bin
(closed form, ∫σ = ln(1 + e^x) / b), so the bins' widths count; the two open bins' far ends are
assumptions in ``params/data/scarring_healing_time.csv``. Least squares on the rates (the
abstract gives no count per bin) with the covariance from the residuals (scipy ``curve_fit``);
risk intervals by the delta method on the log-odds. Held out, as validation cases: Deitch 1983's
two bins (one third of sites at 14–21 d, 78 % after 21 d; children and adults) and Chipp 2017's
odds ratio of 1.138 per day of healing (383 paediatric burns).

Scope and limits: the cohorts are burns of the trunk and limbs, largely in children; facial skin
heals faster and the face is not listed apart, so the law transfers the *time* dependence, not a
site. Below 10 d the logistic extrapolates Cubison's 0 % bin: it gives 0.4 % at closure 0, an upper
bound rather than an estimate for wounds under an intact or quickly closed epidermis. Each session
is one wound; the risk is given per session (sessions are not compounded: the same wound in the
same patient is not an independent draw).

References
----------
.. [1] Cubison TC et al. Burns 32 (2006) 992–999. doi:10.1016/j.burns.2006.02.007
.. [2] Deitch EA et al. J Trauma 23 (1983) 895–898. PMID 6632013
.. [3] Chipp E et al. Burns Trauma 5 (2017) 3. doi:10.1186/s41038-016-0068-2
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import expit

from mtzsim.constants import DAY
from mtzsim.params import tables

#: Default limit of the planner on the hypertrophic scarring risk of one session [-]. Assumption:
#: an elective cosmetic treatment; 5 % admits wounds closing within about 12 days, where Cubison 2006
#: saw 8 % at 10–14 d and none under 10 d.
DEFAULT_MAX_SCARRING = 0.05


def rows(role: str | None = None) -> list[dict]:
    """Rows of ``scarring_healing_time.csv`` (of one ``role``, ``"fit"`` or ``"validation"``, when given)."""
    return [r for r in tables.rows("scarring_healing_time.csv") if role is None or r["role"] == role]


def _bin_mean(a, b, lo, hi):
    """Mean of σ(a + b t) over lo ≤ t < hi [d] (closed form)."""
    return (np.logaddexp(0.0, a + b * hi) - np.logaddexp(0.0, a + b * lo)) / (b * (hi - lo))


@dataclass(frozen=True)
class ClosureScarringLaw:
    """P(hypertrophic scar) = σ(intercept + slope · t), t the wound's closure time in days."""

    intercept: float
    slope: float  # [1/d]
    covariance: tuple  # 2 × 2 of (intercept, slope)
    residual_sd: float  # of the fitted rates [-]
    source: str = "Cubison2006"

    def risk(self, closure):
        """Risk [-] of a wound closing after ``closure`` [s] (float or array)."""
        t = np.asarray(closure, dtype=float) / DAY
        p = expit(self.intercept + self.slope * t)
        return float(p) if p.ndim == 0 else p

    def interval(self, closure, level: float = 0.95) -> tuple[float, float]:
        """Confidence interval [-] of the risk at ``closure`` [s] (delta method on the log-odds)."""
        from scipy.stats import norm

        t = float(closure) / DAY
        c = np.asarray(self.covariance)
        x = self.intercept + self.slope * t
        sd = math.sqrt(max(c[0, 0] + 2 * t * c[0, 1] + t * t * c[1, 1], 0.0))
        z = norm.ppf(0.5 + level / 2)
        return float(expit(x - z * sd)), float(expit(x + z * sd))

    def bin_rate(self, lo_days: float, hi_days: float) -> float:
        """Mean risk of wounds closing between ``lo_days`` and ``hi_days`` (uniformly)."""
        return float(_bin_mean(self.intercept, self.slope, lo_days, hi_days))

    def closure_at(self, risk: float) -> float:
        """Closure time [s] at which the risk reaches ``risk``."""
        return (math.log(risk / (1 - risk)) - self.intercept) / self.slope * DAY


@lru_cache(maxsize=1)
def law() -> ClosureScarringLaw:
    """The law fitted to the ``fit`` rows (least squares on the binned rates, a few ms)."""
    from scipy.optimize import curve_fit

    fit = rows("fit")
    lo = np.array([float(r["closure_from_days"]) for r in fit])
    hi = np.array([float(r["closure_to_days"]) for r in fit])
    y = np.array([float(r["value"]) for r in fit])
    p, cov = curve_fit(lambda _x, a, b: _bin_mean(a, b, lo, hi), None, y, p0=(-5.0, 0.2))
    resid = y - _bin_mean(p[0], p[1], lo, hi)
    return ClosureScarringLaw(intercept=float(p[0]), slope=float(p[1]),
                              covariance=tuple(tuple(float(v) for v in row) for row in cov),
                              residual_sd=float(np.sqrt(resid @ resid / (len(y) - 2))),
                              source=";".join(sorted({r["source"] for r in fit})))


def hypertrophic_risk(closure):
    """Risk [-] of a hypertrophic scar from a wound that closes (95 % re-epithelialised) after ``closure`` [s]."""
    return law().risk(closure)


#: Tolerance of the held-out cases: within a factor of 2 (assumption, set before the comparison: the risk
#: moves between burn cohorts of different ages, depths, races and scar assessments; Deitch 1983 saw Black
#: patients scar more once healing took over 10–14 days).
VALIDATION_FACTOR = 2.0


def validation_cases() -> list[tuple[dict, float]]:
    """Each held-out row with the law's prediction of it (a rate, or the log odds ratio per day)."""
    L = law()
    out = []
    for r in rows("validation"):
        if r["quantity"] == "hts_rate":
            out.append((r, L.bin_rate(float(r["closure_from_days"]), float(r["closure_to_days"]))))
        elif r["quantity"] == "odds_ratio_per_day":
            out.append((r, L.slope))  # compared as log odds per day: ln(measured)
        else:
            raise ValueError(f"scarring_healing_time.csv: unknown quantity {r['quantity']!r} in {r['key']!r}")
    return out


def register() -> None:
    """Add the held-out cases to :data:`mtzsim.verify.validation.CASES` (model ``outcome``; once)."""
    from mtzsim.verify.validation import CASES, case

    have = {c.name for c in CASES}
    for r, _pred in validation_cases():
        odds = r["quantity"] == "odds_ratio_per_day"
        if odds:
            name = f"{r['source']}: hypertrophic scarring log odds per day of healing"
            measured, unit, qty = math.log(float(r["value"])), "1/d", "log odds ratio per day to healing"
        else:
            name = f"{r['source']}: hypertrophic scarring of burns healed in {r['healing_time']}"
            measured, unit, qty = 100 * float(r["value"]), "%", "hypertrophic scar rate"
        if name in have:
            continue
        key = r["key"]

        def predict(key=key, odds=odds):
            p = dict((row["key"], v) for row, v in validation_cases())[key]
            return p if odds else 100 * p

        case(name=name, model="outcome", quantity=qty, unit=unit, measured=measured, tolerance=VALIDATION_FACTOR,
             source=r["source"], kind="factor", fitted=False,
             note=f"{r['population']}; {r['note']}; law fitted to Cubison 2006 only (clinic/scarring.py)")(predict)


__all__ = ["DEFAULT_MAX_SCARRING", "ClosureScarringLaw", "hypertrophic_risk", "law", "register", "rows",
           "validation_cases"]
