"""Planning a course: what a week of downtime buys a patient with boxcar scars and dark skin.

The planner runs every candidate setting of each device — energy, density, passes, needle
length, RF energy, sessions, interval — through the same chain: the wound physics (one MTZ, one
needle channel, one RF pin) is simulated once per setting and cached, the healing stage gives the
downtime of the resulting wound coverage, and the calibrated remodeling and risk models give the
improvement and the PIH probability for this patient over a virtual cohort. Settings that break
the patient's limits are dropped; the rest form a Pareto front of improvement, downtime and PIH.
This example uses two modalities and the small grid so that it runs in seconds; `mtzsim plan`
uses all six and the full grid.

Usage: ``python examples/plan_course.py [figure.png]``
"""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import mtzsim
from mtzsim.clinic.physics_table import build_physics_table
from mtzsim.clinic.scars import Scar

DAY = 86400.0
modalities = ("erglass_nonablative", "microneedling")
table = build_physics_table(modalities, size="small")
scars = [Scar("boxcar_shallow", 3e-3, 0.4e-3, 10)]
res = mtzsim.plan(scars, fitzpatrick=5, max_downtime=7 * DAY, max_pih=0.4, max_sessions=3, modalities=modalities,
                  table=table, top=3)
print(f"{res.candidates} candidates, {res.feasible} feasible")
for p in res.plans:
    print(f"{p.modality:20s} {p.settings}  improvement {100 * p.improvement_mean:.0f} %  "
          f"downtime {p.downtime / DAY:.1f} d  PIH {100 * p.pih_probability:.0f} %")
if res.plans:
    print("why:", res.plans[0].why)

fig, ax = plt.subplots(figsize=(5.5, 4))
front = res.pareto
ax.scatter([p.downtime / DAY for p in front], [100 * p.improvement_mean for p in front],
           c=[100 * p.pih_probability for p in front], cmap="viridis")
ax.set_xlabel("downtime per session [d]")
ax.set_ylabel("mean improvement [%]")
ax.set_title("Feasible Pareto front (colour: PIH %)", fontsize=10)
fig.tight_layout()
fig.savefig(sys.argv[1] if len(sys.argv) > 1 else "plan_course.png", dpi=100)
