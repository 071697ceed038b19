"""Scarring risk: a wound that stays open scars.

In burn cohorts the time a wound takes to heal predicts a hypertrophic scar better than anything
else: none under 10 days, a fifth at 15-21 days, nine in ten beyond a month (Cubison 2006). mtzsim
fits a logistic in the closure time to those rates and keeps two other cohorts out of the fit
(Deitch 1983, Chipp 2017). A fractional wound closes from the intact islands between its columns in
a few days; a full-field pass closes from the adnexa in about a week. The planner refuses settings
whose wound closes so late that the risk passes its limit (5 % by default, about 12 days).
"""

import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import mtzsim
from mtzsim.clinic import scarring
from mtzsim.clinic.scars import Scar

DAY = 86400.0
law = scarring.law()
t = np.linspace(0.0, 40.0, 161)
fig, ax = plt.subplots(figsize=(6.4, 4.0))
ax.plot(t, 100 * law.risk(t * DAY), label="closure-time law (fit: Cubison 2006)")
band = np.array([law.interval(x * DAY) for x in t])
ax.fill_between(t, 100 * band[:, 0], 100 * band[:, 1], alpha=0.2)
for rows, marker, label in ((scarring.rows("fit"), "o", "Cubison 2006 (fitted)"),
                            (scarring.rows("validation"), "s", "Deitch 1983 (held out)")):
    bins = [r for r in rows if r["quantity"] == "hts_rate"]
    lo = np.array([float(r["closure_from_days"]) for r in bins])
    hi = np.array([float(r["closure_to_days"]) for r in bins])
    ax.errorbar((lo + hi) / 2, [100 * float(r["value"]) for r in bins], xerr=(hi - lo) / 2, fmt=marker, label=label)
patient = [Scar("boxcar_deep", 3e-3, 0.5e-3, 4)]
res = mtzsim.compare(patient, fitzpatrick=3, cohort_size=200)  # every modality at its preset settings
for name in ("co2_fractional", "co2_full_field", "erglass_nonablative"):
    m = res.modalities[name]
    print(f"{name:22s} closure {m.closure / DAY:5.1f} d  scarring risk {100 * m.closure_scarring_risk:4.1f} %")
    ax.axvline(m.closure / DAY, color="grey", lw=0.8, ls=":")
    ax.text(m.closure / DAY, 95, name.replace("_", " "), rotation=90, fontsize=7, va="top")
ax.axhline(100 * scarring.DEFAULT_MAX_SCARRING, color="red", lw=0.8, label="planner's default limit")
ax.set(xlabel="closure time (95 % re-epithelialised) [d]", ylabel="hypertrophic scars [%]", ylim=(0, 100))
ax.legend(fontsize=7, loc="center right")
fig.tight_layout()
out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path("scarring_risk.png")
fig.savefig(out, dpi=100)
