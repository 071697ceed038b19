"""Fuzz campaign over the stage-2 commands' options (`mtzsim mtz`, `mtzsim plan`): every bad value is refused
with exit code 2 and a message that names its option, before any physics runs; valid invocations reach the
model. The solver and the planner are replaced by sentinels (the campaign tests the edge, not the physics).
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import mtzsim.clinic.planner as planner_module
import mtzsim.physics.mtz as mtz_package
from test_fuzz_cli import fuzz_settings as fuzz
from test_fuzz_cli import invoke


class ReachedTheModel(Exception):
    """Raised by the sentinels: the edge let the invocation through to the model."""


@pytest.fixture(autouse=True)
def _sentinels(monkeypatch):
    def solver(*args, **kwargs):
        raise ReachedTheModel("simulate_mtz")

    def planner(*args, **kwargs):
        raise ReachedTheModel("plan")

    monkeypatch.setattr(mtz_package, "simulate_mtz", solver)
    monkeypatch.setattr(planner_module, "plan", planner)
    monkeypatch.setenv("MTZSIM_NO_PROGRESS", "1")


def run(argv):
    """(reached the model?, exit code, stderr)."""
    try:
        code, _, err = invoke(argv)
    except ReachedTheModel:
        return True, None, ""
    return False, code, err


# option -> (valid values, bad values); every bad value is outside the model's limits or malformed
MTZ = {
    "--laser": (["co2", "eryag", "erglass"], ["nd:yag", "", "CO2"]),
    "--energy": (["20mJ", "80mJ", "1mJ"], ["0mJ", "-5mJ", "6J", "5um", "nan mJ", "x"]),
    "--spot": (["120um", "300um", "1mm"], ["0um", "-1um", "12mm", "1um", "10mJ", "inf um"]),
    "--pulse": (["1ms", "300us"], ["0s", "-1ms", "5s", "3mm"]),
    "--stack": (["1", "3"], ["0", "21", "-1", "two"]),
    "--stack-delay": (["1ms", "0s"], ["-1ms", "1h", "5mJ"]),
    "--profile": (["gaussian", "tophat"], ["flat", ""]),
    "--cell": (["5um", "2um"], ["0um", "0.1um", "1mm", "x"]),
}
PLAN = {
    "--scar": (["icepick", "boxcar", "rolling"], ["pitted", "", "Boxcar"]),
    "--depth": (["0.4mm", "1mm", "100um"], ["0mm", "-1mm", "6mm", "nan mm", "2 s", "deep"]),
    "--width": (["3mm", "1mm"], ["0mm", "-2mm", "x"]),
    "--fitzpatrick": (["1", "4", "6"], ["0", "7", "-1", "IV"]),
    "--max-downtime": (["7d", "2d", "1week"], ["-1d", "5mm", "soon"]),
    "--sessions": (["1", "3"], ["0", "-2", "x"]),
    "--max-pih": (["20%", "5 %"], ["120%", "-5%", "x", "0.5"]),
    "--modality": (["all", "co2_fractional", "microneedling,microneedle_rf"], ["laser", "co2_fractional,foo"]),
    "--top": (["1", "5"], ["0", "-3"]),
}


@st.composite
def invocations(draw, command, table, required=()):
    """(argv, the options given a bad value): each option drawn absent, valid or bad."""
    argv, bad = [command], set()
    for option, (good, wrong) in table.items():
        choice = draw(st.sampled_from(["valid", "bad", "absent"]) if option not in required
                      else st.sampled_from(["valid", "bad"]))
        if choice == "absent":
            continue
        value = draw(st.sampled_from(good if choice == "valid" else wrong))
        argv += [option, value]
        if choice == "bad":
            bad.add(option)
    return argv, bad


def judge(argv, bad):
    reached, code, err = run(argv)
    if not bad:
        assert reached or code == 0, (argv, err)  # a valid invocation reaches the model
        return
    assert not reached, f"{argv}: a bad value in {sorted(bad)} reached the model"
    assert code == 2, (argv, code, err)
    assert "Traceback" not in err
    named = [option for option in bad if option in err]
    assert named, f"{argv}: the message does not name any of {sorted(bad)}: {err!r}"


@fuzz(120)
@given(case=invocations("mtz", MTZ))
def test_mtz_options(case):
    judge(*case)


@fuzz(120)
@given(case=invocations("plan", PLAN, required=("--scar", "--fitzpatrick")))
def test_plan_options(case):
    argv, bad = case
    given_ = dict(zip(argv[1::2], argv[2::2]))
    if given_.get("--max-downtime") == "0d" and given_.get("--max-pih") == "0%":
        bad.add("--max-downtime")  # contradictory limits: named by the first
    judge(argv, bad)
