"""Walsh et al. 1989's heat of ablation of a CW CO2 cut (4.8 kJ/cm³): a held-out bound on the energy partition."""

import dataclasses
import math

import pytest

from mtzsim.params import tables
from mtzsim.physics.laser import make_beam
from mtzsim.physics.mtz import Numerics, simulate_mtz
from mtzsim.physics.mtz.losses import default_loss_model
from mtzsim.verify import calibration


@pytest.fixture(scope="module")
def walsh_10w():
    """The first assumed exposure of Walsh's CW row (200 µm, 10 W for 10 ms), with the record's plume and with none
    (10 µm cells and a short cooling: what is ablated is decided while the laser fires)."""
    spot, power, dwell = calibration.CW_EXPOSURES["walsh_cw"][0]
    beam = make_beam("co2", energy=power * dwell, spot_diameter=spot, pulse_duration=dwell)
    record = default_loss_model()
    free = dataclasses.replace(record, near_fraction=0.0, ejecta_fraction=0.0)
    num = Numerics(cell=10e-6, cooling_time=0.05)
    return beam, simulate_mtz(beam, losses=record, numerics=num), simulate_mtz(beam, losses=free, numerics=num)


def test_the_measurement_is_the_shared_datum():
    row = next(r for r in tables.rows("mtz_cw_heat_of_ablation.csv") if r["key"] == "walsh_cw")
    assert float(row["value_kj_per_cm3"]) == 4.8 and row["source"] == "Walsh1989CW"
    assert calibration.CW_HEAT_OF_ABLATION["walsh_cw"] == pytest.approx(4.8e9)
    assert "walsh_cw" in calibration.CW_EXPOSURES


def test_ablated_volume_is_the_ejected_mass_over_the_densities_of_its_layers(walsh_10w):
    """Mass conservation: the rings the run marks ablated hold the mass it says it ejected (skin densities
    1116-1150 kg/m³, skin_layers.csv)."""
    _, res, _ = walsh_10w
    rho = [float(r["rho_kg_per_m3"]) for r in tables.rows("skin_layers.csv")]
    v = calibration.ablated_volume(res)
    assert v > 0
    assert res.ablated_mass / max(rho) * (1 - 1e-9) <= v <= res.ablated_mass / min(rho) * (1 + 1e-9)


def test_losses_only_raise_the_heat_of_ablation(walsh_10w):
    """Energy the plume takes never reaches the tissue: with it the beam removes less volume per joule."""
    beam, res, free = walsh_10w
    with_plume = beam.energy / calibration.ablated_volume(res)
    without = beam.energy / calibration.ablated_volume(free)
    assert free.energy.plume_loss == 0.0 and res.energy.plume_loss > 0.0
    assert default_loss_model().vaporised_fraction is None
    assert with_plume > without
    # the record boils the water at 100 °C (no confined superheating): no exposure then removes tissue for less
    # than what boiling its water costs: 0.65 x 1116 kg/m³ x 2.26 MJ/kg
    # (the reticular dermis's water, skin_layers.csv; IAPWS-95 latent heat, constants.csv)
    assert without > 0.65 * 1116 * 2.26e6


def test_the_cases_are_held_out_at_each_assumed_exposure():
    from mtzsim.verify import mtz_cases

    cases = []

    def case(**kw):
        def wrap(fn):
            cases.append((kw, fn))
            return fn
        return wrap

    mtz_cases._register_cw_heat(case)
    assert len(cases) == len(calibration.CW_EXPOSURES["walsh_cw"])
    for kw, _ in cases:
        assert kw["fitted"] is False and kw["measured"] == pytest.approx(4.8) and kw["unit"] == "kJ/cm3"
        assert kw["tolerance"] == calibration.CW_TOLERANCE and "Walsh1989CW" in kw["source"]


def test_heat_of_ablation_reads_the_runs_it_is_given(walsh_10w):
    beam, res, free = walsh_10w
    got = calibration.cw_heat_of_ablation("walsh_cw", runs=(res, free))
    assert got == (beam.energy / calibration.ablated_volume(res), beam.energy / calibration.ablated_volume(free))
    assert all(math.isfinite(v) and v > 0 for v in got)


def test_no_fit_reads_the_heat_of_ablation():
    """It is held out: the calibration's predictions (what the fits minimise) do not contain it."""
    import inspect

    assert "heat_of_ablation" not in inspect.getsource(calibration.predict)
    assert "heat_of_ablation" not in inspect.getsource(calibration.residuals)
