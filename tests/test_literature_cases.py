"""The literature MTZ table (params/data/mtz_literature_validation.csv): sourced, sane, held out of every fit."""

from __future__ import annotations

import math
from importlib import resources

import pytest

from mtzsim.params import tables
from mtzsim.params.references import REFERENCES
from mtzsim.verify import literature_cases as lc

ROWS = lc.rows()
HELD_OUT = [r for r in ROWS if r["role"] == "held_out"]


def test_table_parses_with_its_columns():
    assert ROWS and HELD_OUT
    assert len({r["key"] for r in ROWS}) == len(ROWS)
    for r in ROWS:
        assert set(r) >= {"key", "source", "laser", "wavelength_nm", "spot_um", "energy_mj", "quantity", "measured_um",
                          "kind", "tolerance", "tolerance_reason", "role", "location", "note"}
        assert r["role"] in lc.ROLES
        assert r["laser"] in lc.PRESET_FOR_LASER
        assert r["quantity"] in lc.QUANTITIES
        assert r["location"] and r["note"]


def test_every_row_cites_a_reference():
    for r in ROWS:
        assert r["source"] in REFERENCES, r["key"]


def test_held_out_rows_have_sane_units():
    """Depth/width in µm, energy per microbeam in mJ, spot in µm: positive and of MTZ size; ±20–35 % tolerances."""
    wavelength = {"co2": 10600, "eryag": 2940, "erglass": 1550}
    for r in HELD_OUT:
        e, m, tol = float(r["energy_mj"]), float(r["measured_um"]), float(r["tolerance"])
        assert 0 < e <= 500 and 0 < m <= 3000 and 0 < tol <= 0.35
        assert r["tolerance_reason"]
        assert r["kind"] in lc.KINDS
        assert float(r["wavelength_nm"]) == wavelength[r["laser"]]
        if r["spot_um"]:
            assert 5 <= float(r["spot_um"]) <= 3000
    # a sweep's coagulation edge lies at or below its crater: total coagulation >= ablation depth
    by = {(r["source"], r["spot_um"], r["energy_mj"], r["quantity"]): float(r["measured_um"]) for r in HELD_OUT}
    for (src, spot, e, q), v in by.items():
        if q == "ablation_depth" and (src, spot, e, "coagulation_depth") in by:
            assert by[(src, spot, e, "coagulation_depth")] >= v


def test_no_held_out_row_is_calibration_data():
    """The held-out rows are neither rows nor settings of the MTZ calibration (mtz_calibration.json, ECO2_ROWS)
    nor fitted rows of validation_cases.csv."""
    from mtzsim.physics.mtz import calibration_record
    from mtzsim.verify.calibration import ECO2_ROWS, HANTASH_ENERGIES

    rec = calibration_record()
    fitted_keys = set(rec["predictions_vs_data"]) | set(rec.get("leave_one_out", {}))
    calibrated = {(round(e * 1e3, 6), round(s * 1e6, 6)) for e, s, *_ in ECO2_ROWS}
    calibrated |= {(round(e * 1e3, 6), 120.0) for e in HANTASH_ENERGIES}
    table = [row for row in tables.rows("validation_cases.csv") if row["model"] == "mtz"]
    fitted_settings = {(float(t["energy_mj"]), float(t["spot_um"])) for t in table
                       if t["fitted"] == "yes" and t["energy_mj"] and t["spot_um"]}
    # no calibration reads the table
    for module in ("calibration", "mtz_cases"):
        text = resources.files("mtzsim.verify").joinpath(f"{module}.py").read_text(encoding="utf-8")
        assert "mtz_literature_validation" not in text and "literature_cases" not in text
    for r in HELD_OUT:
        assert r["key"] not in fitted_keys
        spot = float(r["spot_um"]) if r["spot_um"] else lc.preset_spot(r["laser"]) * 1e6
        setting = (float(r["energy_mj"]), spot)
        assert setting not in calibrated and setting not in fitted_settings, r["key"]


def test_registered_cases_are_held_out_and_idempotent():
    from mtzsim.verify import validation

    lc.register()
    lc.register()  # idempotent
    names = {lc.case_name(r) for r in HELD_OUT}
    mine = [c for c in validation.CASES if c.name in names]
    assert len(mine) == len(HELD_OUT)
    assert all(not c.fitted and validation.role(c) == "held out" and c.model == "mtz" for c in mine)
    by_name = {lc.case_name(r): r for r in HELD_OUT}
    for c in mine:  # a CO2 row without a stated pulse says it assumed the 30 W default
        r = by_name[c.name]
        if r["laser"] == "co2" and not (r["peak_power_w"] or r["pulse_duration_us"]):
            assert "peak power 30 W (laser default)" in c.note


def test_validate_wires_the_literature_cases():
    """`mtzsim validate` (validation.run_all's stage registration) registers the table's cases."""
    from mtzsim.verify import validation

    validation._register_stage_cases({"mtz"})
    names = {c.name for c in validation.CASES}
    assert {lc.case_name(r) for r in HELD_OUT} <= names


def test_unstated_spot_and_pulse_take_the_preset():
    """A row without spot or pulse gets the device preset's spot and the laser's default pulse, and says so."""
    row = dict(HELD_OUT[0], laser="erglass", spot_um="", peak_power_w="", pulse_duration_us="", energy_mj="20")
    kw, assumed = lc.beam_inputs(row)
    assert math.isclose(kw["spot_diameter"], 140e-6)  # nonablative-fractional-1550nm preset
    assert "peak_power" not in kw and "pulse_duration" not in kw
    assert any("spot not stated" in a for a in assumed) and any("pulse not stated" in a for a in assumed)
    kw, assumed = lc.beam_inputs(dict(row, spot_um="300", peak_power_w="60"))
    assert kw["spot_diameter"] == 300e-6 and kw["peak_power"] == 60.0 and not assumed


def test_bad_rows_are_refused(monkeypatch):
    bad = dict(HELD_OUT[0], key="bad", source="eCO2SpotSize", kind="less", energy_mj="77")
    monkeypatch.setattr(lc, "rows", lambda: [bad])
    with pytest.raises(ValueError, match="kind"):
        lc.register()
    with pytest.raises(ValueError, match="energy"):
        lc.beam_inputs(dict(bad, energy_mj=""))
    with pytest.raises(ValueError, match="laser"):
        lc.beam_inputs(dict(bad, laser="ruby"))


def test_sanity_rows_are_ranges_or_quoted_qualitative_statements():
    """A sanity row's measured_um is a number, a low-high range (low <= high, µm) or empty; an empty one is a
    qualitative statement its note quotes. None is registered as a case."""
    from mtzsim.verify import validation

    sanity = [r for r in ROWS if r["role"] == "sanity"]
    assert sanity
    for r in sanity:
        assert r["kind"] == "none" and not r["tolerance"], r["key"]
        m = r["measured_um"]
        if not m:
            assert "qualitative" in r["note"] and "'" in r["note"], r["key"]
            continue
        lo, _, hi = m.partition("-")
        lo, hi = float(lo), float(hi or lo)
        assert 0 < lo <= hi <= 3000, r["key"]
    lc.register()
    names = {c.name for c in validation.CASES}
    assert not {lc.case_name(r) for r in sanity} & names


def test_residual_damage_rows_say_what_they_state():
    """The residual-damage rows found 2026-12-01 (a pig-skin pulse-duration study, Reinisch 1997, Green 1992, Wheeland 1990, a 5 us vs
    CW incision study, two reviews): CO2, held as sanity rows (no µm value at a buildable beam), each citing its
    source; the CW review ranges lie above the ~100 um high-irradiance margin of Walsh 1989
    (params/data/mtz_cw_residual_damage.csv)."""
    rd = {r["key"]: r for r in ROWS if r["quantity"] == "residual_damage"}
    found = {"pigskin_co2_residual_damage_vs_pulse_duration", "reinisch1997_pulsed_vs_cw_thermal_damage",
             "skindiseasecare_cw_thermal_destruction", "campolmi2012_cw_thermal_damage",
             "green1992_pulsed_co2_middermal_residual_damage", "wheeland1990_superpulse_vs_cw_necrosis",
             "templates_pulsed_5us_vs_cw_lateral_damage"}
    assert found <= set(rd)
    assert all(rd[k]["role"] == "sanity" for k in found)
    assert float(rd["green1992_pulsed_co2_middermal_residual_damage"]["measured_um"]) == 85  # "85 +-15 um (mean +-SD)"
    for k in found:
        assert rd[k]["laser"] == "co2" and float(rd[k]["wavelength_nm"]) == 10600
        assert rd[k]["source"] in REFERENCES
    assert float(rd["skindiseasecare_cw_thermal_destruction"]["measured_um"].split("-")[0]) >= 200  # "up to 200 um-2 mm"
    assert float(rd["campolmi2012_cw_thermal_damage"]["measured_um"].split("-")[0]) == 500  # "approximately 0.5-1 mm"


def test_residual_damage_is_coagulation_below_the_crater():
    hist = {"ablation_depth": 200e-6, "coagulation_depth": 290e-6, "ablation_diameter": 1e-4, "lesion_width": 3e-4}
    assert math.isclose(lc.quantity_value(hist, "residual_damage"), 90e-6)
    assert lc.quantity_value(dict(hist, ablation_depth=0.0), "residual_damage") == 290e-6  # no crater: all of it
    for q in ("ablation_depth", "coagulation_depth", "ablation_diameter", "lesion_width"):
        assert lc.quantity_value(hist, q) == hist[q]
    with pytest.raises(ValueError, match="quantity"):
        lc.quantity_value(hist, "char_depth")


def test_a_held_out_residual_damage_row_compares_coagulation_minus_crater(monkeypatch):
    """A held-out residual_damage row (none in the table yet) registers a case whose prediction is
    coagulation − ablation depth in µm, from the MTZ of its stated pulse."""
    from mtzsim.verify import validation

    row = dict(HELD_OUT[0], key="rd", quantity="residual_damage", energy_mj="50", spot_um="200",
               peak_power_w="", pulse_duration_us="1000", measured_um="100", tolerance="0.2", kind="two-sided")
    seen = []

    def fake(laser, energy, spot, peak_power, pulse):
        seen.append((laser, energy, spot, peak_power, pulse))
        return {"ablation_depth": 150e-6, "coagulation_depth": 230e-6, "ablation_diameter": 0.0, "lesion_width": 0.0}

    monkeypatch.setattr(lc, "rows", lambda: [row])
    monkeypatch.setattr(lc, "_histology", fake)
    monkeypatch.setattr(validation, "CASES", [])
    lc.register()
    (c,) = validation.CASES
    assert c.quantity.startswith("residual damage") and not c.fitted
    assert math.isclose(c.predict(), 80.0)
    ((laser, energy, spot, peak_power, pulse),) = seen
    assert laser == "co2" and peak_power is None
    assert math.isclose(energy, 0.05) and math.isclose(spot, 200e-6) and math.isclose(pulse, 1e-3)


def test_held_out_sweeps_deepen_with_energy_and_record_the_model():
    """Within one source's sweep (same spot, pulse and quantity) the measured depth never falls as the energy
    rises (eCO2SpotSize: 200 -> 550 um; AFXL swine channels 37/190/380 mJ: ~300/1400/2100 um, doi:10.1002/lsm.22102);
    every held-out row's note records the model's value with the date it was run."""
    import re

    sweeps = {}
    for r in HELD_OUT:
        sweeps.setdefault((r["source"], r["spot_um"], r["peak_power_w"], r["pulse_duration_us"], r["quantity"]),
                          []).append((float(r["energy_mj"]), float(r["measured_um"])))
    assert any(len(v) >= 3 for v in sweeps.values())
    for v in sweeps.values():
        depths = [m for _, m in sorted(v)]
        assert depths == sorted(depths)
    for r in HELD_OUT:
        assert re.search(r"[Mm]odel 2026-1[12]-\d\d", r["note"]), r["key"]
