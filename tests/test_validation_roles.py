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


def test_absolute_case_judges_a_vanishing_difference_in_its_unit():
    """A difference that should vanish (measured 0) has no relative error: it is judged within ± tolerance points."""
    from mtzsim.verify.validation import Case, evaluate

    def make(p):
        return Case(name="d", model="outcome", quantity="d", unit="points", measured=0.0, tolerance=10.0,
                    source="s", predict=lambda: p, kind="absolute")

    inside, outside, below = evaluate(make(9.6)), evaluate(make(10.1)), evaluate(make(-10.1))
    assert inside.passed and inside.error == 9.6
    assert not outside.passed and not below.passed and below.error == -10.1
