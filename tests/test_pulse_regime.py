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
