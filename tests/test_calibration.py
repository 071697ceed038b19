"""Calibration record and the energy argument about the 1000 µm tip's penetration rows."""

import pytest

from mtzsim.verify import calibration
from mtzsim.physics.mtz import HISTOLOGY_EDGE_PROCESS, calibration_record, default_loss_model


def test_record_is_the_loss_model_in_use():
    rec = calibration_record()
    model = default_loss_model()
    assert model.plume_irradiance == rec["parameters"]["plume_irradiance_w_per_m2"]["value"]
    assert model.condensation_time == rec["parameters"]["condensation_time_s"]["value"]
    assert model.wall_fraction == rec["fixed"]["wall_fraction"]
    assert HISTOLOGY_EDGE_PROCESS == rec["histology_edge_process"]
    assert 0.0 <= model.wall_fraction <= 1.0  # a bounded, physical fraction
    assert 0.0 < model.condensation_time <= 3.0  # bounded by the grid of the fit


def test_recorded_predictions_meet_the_tolerances():
    """eCO2 120 µm ±20 %, 1000 µm ±35 %, Hantash depth ratio > 3 and width ratio ±35 %."""
    pred = {k: (v["model"], v["data"]) for k, v in calibration_record()["predictions_vs_data"].items()}
    assert len(pred) == 8
    assert calibration.within_tolerance(pred)


def test_within_tolerance_rejects_a_shallow_ratio():
    pred = {"hantash_depth_ratio": (2.9, 3.0), "ablation_depth_120um_80mJ": (1.0, 1.0)}
    assert not calibration.within_tolerance(pred)
    pred = {"ablation_depth_120um_80mJ": (1.25, 1.0)}
    assert not calibration.within_tolerance(pred)


def test_penetration_rows_need_less_energy_than_vaporisation():
    """60 mJ over a 1000 µm spot, 125–150 µm deep: 0.5–0.6 kJ/cm³ < ablation enthalpy."""
    for row in calibration.penetration_energy_argument().values():
        assert row["energy_per_volume_j_per_cm3"] < 0.5 * row["ablation_enthalpy_j_per_cm3"]
        assert row["energy_per_volume_j_per_cm3"] == pytest.approx(550, rel=0.15)
