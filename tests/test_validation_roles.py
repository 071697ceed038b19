"""mtzsim validate lists the MTZ calibration's leave-one-out and held-out cases, each with its role."""

from mtzsim.verify import validation


def test_mtz_cases_registered_with_roles():
    validation._register_stage_cases({"mtz"})
    mtz = [c for c in validation.CASES if c.model == "mtz"]
    roles = {validation.role(c) for c in mtz}
    assert roles == {"fitted", "LOO", "held out"}
    assert any(c.name.startswith("leave-one-out") for c in mtz)
    assert any("Er:YAG" in c.name for c in mtz)
    # the mtzphys calibration holds the 1000 um rows out: the data table says so too
    thousand = [c for c in mtz if "1000 um tip" in c.name]
    assert len(thousand) == 2 and not any(c.fitted for c in thousand)
    # registering twice adds nothing
    n = len(validation.CASES)
    validation._register_stage_cases({"mtz"})
    assert len(validation.CASES) == n
