"""Held-out 1.54 µm visible-lesion thresholds of porcine skin (params/data/erglass_visible_lesion_thresholds.csv).

The source's ED50s (20 / 8.1 / 7.4 J/cm² for 600 µs pulses on 0.7 / 1 / 5 mm spots, 6.1 J/cm² for 31 ns on a
5 mm top-hat) are validation cases of ``mtzsim validate`` (never fitted); the model's side is the lowest
fluence whose Henriques transepidermal-necrosis integral reaches 1 at the basal layer.
"""

import math

import pytest

from mtzsim.params import tables
from mtzsim.verify import mtz_cases as mc

ROWS = mc.visible_lesion_rows()


def test_the_table_holds_the_abstract_numbers_as_held_out_rows():
    refs = {r["key"] for r in tables.rows("references.csv")}
    got = {(float(r["spot_um"]), float(r["pulse_duration_us"]), r["profile"]): float(r["ed50_j_per_cm2"]) for r in ROWS}
    assert got == {(700.0, 600.0, "gaussian"): 20.0, (1000.0, 600.0, "gaussian"): 8.1,
                   (5000.0, 600.0, "gaussian"): 7.4, (5000.0, 0.031, "tophat"): 6.1}
    for r in ROWS:
        assert r["role"] == "held_out" and r["source"] in refs
        assert r["kind"] in ("two-sided", "factor") and float(r["tolerance"]) > 0
        assert r["tolerance_reason"].startswith("assumption")


def test_the_cases_are_registered_for_mtzsim_validate_and_never_fitted():
    from mtzsim.verify import validation

    validation._register_stage_cases({"mtz"})
    mine = [c for c in validation.CASES if c.name.startswith("1.54 um visible-lesion ED50")]
    assert len(mine) == len(ROWS) == 4
    assert all(c.model == "mtz" and not c.fitted and validation.role(c) == "held out" for c in mine)
    assert sorted(c.measured for c in mine) == [6.1, 7.4, 8.1, 20.0]


def test_the_threshold_search_brackets_the_criterion(monkeypatch):
    """Bisection in log energy: the returned mean fluence injures, one rtol below it does not."""
    import mtzsim.physics.mtz as mtz

    true = 7.3e4  # J/m²

    class Fake:
        def __init__(self, fluence):
            self.fluence = fluence

    def fake_simulate(beam, **kw):
        return Fake(beam.energy / (math.pi * (0.5 * 5e-3) ** 2))

    monkeypatch.setattr(mtz, "simulate_mtz", fake_simulate)
    monkeypatch.setattr(mc, "basal_necrosis", lambda result, tissue="face": (result.fluence / true) ** 20)
    got = mc.necrosis_threshold_fluence("erglass", 5e-3, 600e-6, rtol=0.01)
    assert true <= got <= true * 1.01 * (1 + 1e-9)
    with pytest.raises(ValueError, match="no necrosis threshold"):
        mc.necrosis_threshold_fluence("erglass", 5e-3, 600e-6, bracket=(8e4, 1e6))  # injures at the bottom already


@pytest.mark.slow  # 22.4 s of the default run (2026-12-02), which was 9:23 of its 10 min on 2 cores
def test_a_wider_beam_injures_the_basal_layer_no_less():
    """At one mean fluence (8 J/cm², 600 µs) the basal layer's necrosis integral does not fall as the spot widens.

    Measured: the ED50 falls from 20 to 8.1 to 7.4 J/cm² from a 0.7 to a 1 to a 5 mm spot (MVL1540Porcine2006).
    Physics: a narrow beam loses its scattered light and its heat sideways, a wide one keeps them on its axis."""
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import simulate_mtz

    omega = []
    for spot in (0.7e-3, 1e-3, 5e-3):
        beam = make_beam("erglass", energy=8e4 * math.pi * (0.5 * spot) ** 2, spot_diameter=spot,
                         pulse_duration=600e-6)
        omega.append(mc.basal_necrosis(simulate_mtz(beam)))
    assert omega[0] <= omega[1] <= omega[2]
    assert omega[2] > 1.0 > omega[0]  # 8 J/cm² lies between the 5 mm and the 0.7 mm thresholds of the model
