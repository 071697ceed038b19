"""Run a treatment scenario from Python
=========================================

A scenario file says what is done to whom: the device and beam, the scan, the patient
and the scars. :class:`mtzsim.TreatmentChain` runs it through every model stage that
exists — the single microbeam (ablation, bioheat, Arrhenius damage) and then the whole
treated field (thousands of MTZs fired in order, heat accumulating between them) — and
returns plain results in SI units. The same run from the shell is
``mtzsim run examples/deep_co2.toml``.

Usage: ``python examples/run_scenario.py [scenario.toml] [report.html]``
"""

import sys
from pathlib import Path

from mtzsim.pipeline.chain import TreatmentChain
from mtzsim.report import write_report
from mtzsim.io.scenario import load_scenario

path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("deep_co2.toml")
scenario = load_scenario(path)
beam = scenario.beam()
print(f"{scenario.name}: {beam.energy * 1e3:.0f} mJ, {beam.spot_diameter * 1e6:.0f} µm spot")
for warning in scenario.warnings():
    print("warning:", warning)

result = TreatmentChain(scenario).run()
if "mtz" in result:
    mtz = result["mtz"]
    print(f"crater {mtz.ablation_depth * 1e6:.0f} µm deep, coagulation to {mtz.coagulation_depth * 1e6:.0f} µm")
if "field" in result:
    field = result["field"]
    print(f"{field.n_mtz} MTZs; {field.coverage_treated:.1%} of the area treated; "
          f"bulk temperature up to {field.max_bulk_temperature - 273.15:.1f} °C")
for name, why in result.skipped.items():
    print(f"stage {name} not run: {why}")
if len(sys.argv) > 2:
    print("report:", write_report(result, sys.argv[2]))
