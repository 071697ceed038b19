"""Healing: one model, three regimes.

After fractional CO2 each micro-wound is closed by keratinocytes crawling in from the intact
skin around it (a Fisher–KPP front): a few days. Full-field resurfacing leaves no islands, so
the front must start from the hair follicles and sweat ducts inside the wound: about a week.
A non-ablative 1.55 µm laser kills the epidermis without removing it; it shields the wound,
migration starts within the hour and the basal layer is continuous again in about a day.
The same engine and parameters give all three; erythema, TEWL and crusts follow.
"""

import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from mtzsim.biology import healing as H
from mtzsim.biology import healing_calibration as hc
from mtzsim.report import figures_healing as fh

DAY = 86400.0
cases = {
    "fractional CO2, 15 %": H.simulate_healing(hc.fractional_reference(0.15, shape=(200, 200)), site="cheek"),
    "full-field CO2 (occluded)": H.simulate_healing(hc.full_field_reference(shape=(200, 200)), site="cheek",
                                                    aftercare=["occlusive"]),
    "non-ablative 1.55 um": H.simulate_healing(hc.nonablative_reference(shape=(200, 200)), site="forearm"),
}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
for name, r in cases.items():
    print(name, {k: v for k, v in r.to_dict().items() if k.endswith("days") or k.endswith("_95")})
    axes[0].plot(r.time / DAY, 100 * r.open_fraction, label=name)
    axes[1].plot(r.time / DAY, r.erythema_index, label=name)
axes[0].set(xlabel="days", ylabel="open wound [% of initial]", xlim=(0, 10))
axes[1].set(xlabel="days", ylabel="erythema index above baseline")
axes[0].legend(fontsize=8)
fig.tight_layout()
out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(".")
fig.savefig(out / "healing_regimes.png", dpi=100)
fh.plot_closing_field(cases["fractional CO2, 15 %"], window=2e-3).savefig(out / "healing_closing_field.png", dpi=100)
