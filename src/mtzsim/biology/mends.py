"""MENDs and crusts: necrotic epidermis and coagulated upper dermis, carried up and shed after closure.

Microscopic epidermal necrotic debris (MENDs) forms from the necrotic epidermis and the
coagulated upper dermis of each MTZ and is carried up by the closing epidermis
(transepidermal elimination); on ablative wounds the coagulated wall and exudate dry into a
crust. Each wound pixel carries debris from the treatment until its closure time plus the
shedding time t_s (epidermal turnover), so the crust-covered fraction of the wound falls with
the closure map shifted by t_s. Laubach 2006: MENDs present from day 1 and shed within 7 d
(non-ablative); Majid & Imran 2014: crusting 4–6 d after fractional CO2 (fits t_s).
Occlusion at the start shortens the crust phase (no eschar forms: Hinman & Maibach 1963).

References
----------
.. [1] H.-J. Laubach et al., Lasers Surg Med 38 (2006) 142. doi:10.1002/lsm.20254
.. [2] I. Majid, S. Imran, J Cutan Aesthet Surg 7 (2014) 87-92.
"""

from __future__ import annotations

import numpy as np

from mtzsim.biology import healing_parameters as hp


def debris_fraction(times, arrival, wound, *, shed_time=None, factor=1.0):
    """Fraction of the wound area still carrying MENDs / crust on ``times`` [-]."""
    ts = (hp.value("shed_time") if shed_time is None else shed_time) * factor
    a = arrival[wound]
    a = np.where(np.isfinite(a), a, np.inf) + ts
    a = np.sort(a)
    t = np.asarray(times, float)
    if a.size == 0:
        return np.zeros_like(t)
    return 1.0 - np.searchsorted(a, t, side="right") / a.size


def shed_day(times, fraction, *, below=0.05):
    """First time [s] at which the debris covers less than ``below`` of the wound (0 if none)."""
    t = np.asarray(times, float)
    f = np.asarray(fraction, float)
    if f[0] < below:
        return 0.0
    ok = np.nonzero(f < below)[0]
    return float(t[ok[0]]) if ok.size else float("inf")


def debris_volume(damage_thickness, area):
    """Volume of necrotic debris to be eliminated [m³]: damaged thickness [m] × area [m²]."""
    return float(damage_thickness) * float(area)
