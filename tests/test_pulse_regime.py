"""Pulse regime of each device preset (params/data/pulse_regimes.csv) and its propagation into an MTZ interval."""

import math

import pytest

from mtzsim.params import presets
from mtzsim.params.references import REFERENCES
from mtzsim.physics.laser import make_beam
from mtzsim.physics.mtz import Numerics, simulate_mtz
from mtzsim.physics.mtz.simulate import INTERVAL_LENGTHS, pulse_regime_intervals
from mtzsim.units import parse_quantity


@pytest.mark.parametrize("name", list(presets.DEVICES))
def test_every_device_preset_carries_its_pulse_regime(name):
    reg = presets.pulse_regime(name)
    settings = presets.DEVICES[name].settings
    key, kind = ("peak_power", "power") if reg.quantity == "peak_power" else ("pulse", "time")
    assert parse_quantity(settings[key], kind, key) == pytest.approx(reg.value, rel=1e-12)
    # a value no source states carries a range and says why; a stated one names its source
    if reg.uncertain:
        assert reg.assumption
    else:
        assert reg.source
    for key in filter(None, (k.strip() for k in reg.source.split(";"))):
        assert key in REFERENCES, key


def test_regime_nodes_span_the_range_evenly_in_the_logarithm():
    reg = presets.PulseRegime("pulse_duration", 250e-6, 50e-6, 1e-3)
    x = reg.nodes(3)
    assert x[0] == pytest.approx(50e-6) and x[-1] == pytest.approx(1e-3)
    assert x[1] == pytest.approx(math.sqrt(50e-6 * 1e-3))
    assert presets.PulseRegime("peak_power", 30.0, 30.0, 30.0).nodes(5) == [30.0]
    with pytest.raises(ValueError):
        presets.PulseRegime("peak_power", 30.0, 40.0, 60.0)  # value outside its range


def test_pulse_regime_interval_holds_the_nominal_mtz():
    """CO2, 10 mJ, 120 µm over 15–60 W (the deep preset's range): the 30 W MTZ lies inside every interval."""
    beam = make_beam("co2", energy=10e-3, spot_diameter=120e-6, peak_power=30.0)
    num = Numerics(cell=10e-6, cooling_time=0.3)
    reg = presets.pulse_regime("deep-fractional-co2-120um")
    iv = pulse_regime_intervals(beam, reg, numerics=num)
    nominal = simulate_mtz(beam, numerics=num)
    assert iv["pulse_duration"] == pytest.approx((10e-3 / 60.0, 10e-3 / 15.0))
    for name in INTERVAL_LENGTHS:
        lo, hi = iv[name]
        value = getattr(nominal, name) if hasattr(nominal, name) else getattr(nominal.histology, name[10:])
        assert lo <= value + 1e-12 and value <= hi + 1e-12, name
    # a stated regime gives the one MTZ
    point = pulse_regime_intervals(beam, presets.PulseRegime("peak_power", 30.0, 30.0, 30.0), numerics=num)
    assert point["ablation_depth"] == (nominal.ablation_depth, nominal.ablation_depth)


def test_a_spot_takes_the_pulse_regime_of_the_preset_whose_spot_range_holds_it():
    """Neither pulse nor peak power: a wide CO2 spot fires the full-field preset's 1 ms (not the fractional 30 W,
    20 ms at 0.6 J), a 6 mm Er:YAG spot the full-field preset's 300 µs; a spot no preset holds keeps the laser's
    default (make_beam's)."""
    from mtzsim.io.scenario import parse_scenario

    assert presets.device_for_spot("co2", 120e-6).name == "deep-fractional-co2-120um"
    assert presets.device_for_spot("co2", 1e-3).name == "superficial-fractional-co2-1000um"
    assert presets.device_for_spot("co2", 3e-3).name == "fullfield-co2-10600nm"
    assert presets.device_for_spot("co2", 1.5e-3) is None  # between the 1000 µm tip and the full-field spots
    assert presets.default_pulse("co2", 3e-3) == {"pulse_duration": pytest.approx(1e-3)}
    assert presets.default_pulse("co2", 120e-6) == {"peak_power": pytest.approx(30.0)}
    assert presets.default_pulse("eryag", 6e-3) == {"pulse_duration": pytest.approx(300e-6)}
    assert presets.default_pulse("co2", 1.5e-3) == {}

    def beam(laser, spot, energy):
        return parse_scenario(f'[laser]\ntype = "{laser}"\nspot = "{spot}"\nenergy = "{energy}"\n').beam()

    assert beam("co2", "3mm", "600mJ").pulse_duration == pytest.approx(1e-3)
    assert beam("co2", "120um", "20mJ").pulse_duration == pytest.approx(20e-3 / 30.0)
    assert beam("co2", "1.5mm", "600mJ").pulse_duration == pytest.approx(0.6 / 30.0)
    assert beam("eryag", "6mm", "400mJ").pulse_duration == pytest.approx(300e-6)
    s = parse_scenario('[laser]\ntype = "co2"\nspot = "3mm"\nenergy = "600mJ"\n')
    row = next(r for r in s.parameters() if r["name"] == "laser.pulse")
    assert row["origin"] == "default" and "fullfield-co2-10600nm" in row["source"]
    # the comparator's full-field CO2 arm is that preset
    from mtzsim.clinic import physics_table as pt

    grid = pt.modality_grids("full")["co2_full_field"]
    ff = presets.DEVICES["fullfield-co2-10600nm"]
    assert grid.device == ff.name and grid.pulse_duration == presets.pulse_regime(ff.name).value
    assert min(grid.energies) == ff.ranges["energy"].low and max(grid.energies) == ff.ranges["energy"].high
    from mtzsim.clinic.comparators import PRESETS

    for modality, device in (("co2_full_field", ff), ("eryag_full_field", presets.DEVICES["fullfield-eryag-2940nm"])):
        assert PRESETS[modality]["energy"] == pytest.approx(parse_quantity(device.settings["energy"], "energy", "e"))
