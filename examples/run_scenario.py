"""Run a treatment scenario from Python
=========================================

A scenario file says what is done to whom: the device and beam, the scan, the patient
and the scars. :class:`mtzsim.TreatmentChain` runs it through every model stage that
it knows — the single microbeam (ablation, bioheat, Arrhenius damage) and then the whole
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
from mtzsim.units import display

path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("deep_co2.toml")
scenario = load_scenario(path)
beam = scenario.beam()
print(f"{scenario.name}: {beam.energy * 1e3:.0f} mJ, {beam.spot_diameter * 1e6:.0f} µm spot")
for warning in scenario.warnings():
    print("warning:", warning)

result = TreatmentChain(scenario).run()
mtz, field = result.mtz, result.field
print(f"crater {display(mtz.ablation_depth, 'm', 'um', digits=3)} deep, "
      f"coagulation to {display(mtz.coagulation_depth, 'm', 'um', digits=3)}")
print(f"{field.n_mtz} MTZs; {display(field.coverage_treated, '1', '%', digits=3)} of the area treated; "
      f"bulk temperature up to {display(field.max_bulk_temperature, 'K', 'degC', digits=3)}")
if len(sys.argv) > 2:
    print("report:", write_report(result, sys.argv[2]))
