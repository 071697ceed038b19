"""Skin barrier after the treatment: transepidermal water loss and hydration from open area and stratum-corneum maturation.

TEWL relative to baseline,

    TEWL(t)/TEWL₀ = 1 + f(t) [a_open A_open(t) + a_imm Σ_s ΔA_closed(s) e^{−(t−s)/τ_SC}],

where open wound area loses water at a_open times the intact rate and newly closed area starts
with an immature stratum corneum whose excess a_imm decays with the maturation time τ_SC; f is
the aftercare factor on the excess (barrier creams, hyaluronic acid). Hydration (capacitance)
relative to baseline falls by the same areas with deficits b_open and b_imm.

Identifiable: a_imm (TEWL ≈ 2× at day 3 after fractional resurfacing, ErYSGG2012) and τ_SC
(recovered within a week, Kim 2013); a_open, b_open and b_imm are labelled assumptions.

References
----------
.. [1] Er:YSGG fractional resurfacing in Japanese skin, J Drugs Dermatol 11 (2012) 637-642.
.. [2] J. M. Kim et al., J Skin Barrier Res 15 (2013) 108.
"""

from __future__ import annotations

import numpy as np

from mtzsim.biology import healing_parameters as hp


def immature_area(times, arrival, wound, tau_sc):
    """Σ ΔA_closed(s) e^{−(t−s)/τ} on ``times`` [-] (fraction of the map) from a closure map."""
    t = np.asarray(times, float)
    a = arrival[wound]
    a = a[np.isfinite(a)]
    if a.size == 0:
        return np.zeros_like(t)
    hist, _ = np.histogram(a, bins=np.concatenate([[-np.inf], t]))  # closed in (t[k-1], t[k]]
    dA = hist / wound.size
    out = np.zeros_like(t)
    acc = 0.0
    for k in range(t.size):
        if k > 0:
            acc *= np.exp(-(t[k] - t[k - 1]) / tau_sc)
        acc += dA[k]
        out[k] = acc
    return out


def tewl_course(times, open_area, immature, *, open_excess=None, immature_excess=None, excess_factor=None):
    """TEWL relative to baseline [-] on ``times``."""
    ao = hp.value("tewl_open_excess") if open_excess is None else open_excess
    ai = hp.value("tewl_immature_excess") if immature_excess is None else immature_excess
    f = 1.0 if excess_factor is None else np.asarray(excess_factor, float)
    return 1.0 + f * (ao * np.asarray(open_area) + ai * np.asarray(immature))


def hydration_course(times, open_area, immature):
    """Stratum-corneum hydration relative to baseline [-] on ``times``."""
    bo = hp.value("hydration_open_deficit")
    bi = hp.value("hydration_immature_deficit")
    return np.clip(1.0 - bo * np.asarray(open_area) - bi * np.asarray(immature), 0.0, None)


def recovery_time(times, ratio, *, within=0.1):
    """First time [s] after the peak at which TEWL is within ``within`` of baseline (inf if never)."""
    t = np.asarray(times, float)
    r = np.asarray(ratio, float)
    k0 = int(np.argmax(r))
    ok = np.nonzero(r[k0:] - 1.0 <= within)[0]
    return float(t[k0 + ok[0]]) if ok.size else float("inf")
