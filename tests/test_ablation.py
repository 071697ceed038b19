"""Ablation: Beer–Lambert deposition and the blow-off and steady-state limits of the enthalpy method."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtzsim.physics import ablation
from mtzsim.physics.heat import axisym as heat
from mtzsim._kernels import axisym
from mtzsim.physics.laser import make_beam
from mtzsim.physics.mtz import LossModel, Numerics, simulate_mtz
from mtzsim.physics.tissue import get_tissue

DERMIS = get_tissue("dermis")
MUA = DERMIS.layers[0].absorption("co2")
H_ABL = DERMIS.layers[0].ablation_enthalpy()
F_TH = ablation.threshold_fluence(MUA, H_ABL)
NO_LOSS = LossModel()


def test_beer_lambert_deposition_is_exact():
    """Energy absorbed above depth z is 1 − exp(−µa z) of what enters, cell by cell."""
    h = 3e-6
    grid = heat.AxisymmetricGrid(nr=4, nz=100, h=h)
    vol = grid.volume
    mua = np.full((4, 100), MUA)
    Q = np.zeros((4, 100))
    void = np.zeros((4, 100), dtype=np.bool_)
    void[:, :10] = True  # crater floor at 30 µm
    floor = np.full(4, 10, dtype=np.int64)
    sink = np.zeros(1)
    w0 = 1e-3
    power = 1.0
    delivered = axisym.deposit_beam(Q, void, floor, grid.r, h, mua, power, w0, 1e9, False, np.ones(100), vol, sink)
    p_in0 = power / (math.pi * w0**2) * vol[0, 0] / h  # top-hat irradiance × column area
    absorbed = np.cumsum(Q[0, 10:] * vol[0, 10:]) / p_in0
    depth = np.arange(1, 91) * h
    np.testing.assert_allclose(absorbed, 1 - np.exp(-MUA * depth), rtol=1e-12)
    assert np.all(Q[:, :10] == 0.0)  # nothing deposited in the crater
    assert delivered == pytest.approx(Q.ravel() @ vol.ravel() + sink[0], rel=1e-12)


def _flat_beam(fluence, duration, spot=300e-6):
    return make_beam("co2", fluence=fluence, spot_diameter=spot, pulse_duration=duration, profile="tophat")


def _axis_depth(fluence, duration, *, ejection_delay, cell=1e-6):
    res = simulate_mtz(
        _flat_beam(fluence, duration),
        tissue="dermis",
        losses=LossModel(ejection_delay=ejection_delay),
        numerics=Numerics(cell=cell, radial_margin=20e-6, depth=500e-6, cooling_time=1e-3),
    )
    void = res.dataset["ablated"].values
    return float(np.argmin(void[0]) * cell) if void[0].any() else 0.0


@pytest.mark.parametrize("ratio", [3.0, 10.0])
def test_short_pulse_gives_blow_off_depth(ratio):
    """Thermally confined pulse, ejected after the pulse: d = ln(F/F_th)/µa (Walsh & Deutsch 1989)."""
    depth = _axis_depth(ratio * F_TH, 1e-7, ejection_delay=1.0)
    expected = float(ablation.blow_off_depth(ratio * F_TH, F_TH, MUA))
    assert depth == pytest.approx(expected, rel=0.10)


def test_long_pulse_gives_steady_state_depth():
    """Material leaves while the pulse fires: d = (F − F_th)/h_abl at high irradiance."""
    fluence = 20 * F_TH
    depth = _axis_depth(fluence, 2e-4, ejection_delay=0.0, cell=2e-6)
    expected = float(ablation.steady_state_depth(fluence, F_TH, H_ABL))
    assert depth == pytest.approx(expected, rel=0.10)


@settings(max_examples=6, deadline=None)
@given(st.floats(0.05, 0.9))
def test_no_ablation_below_threshold(fraction):
    """A Gaussian beam whose peak fluence is below F_th removes nothing, short or long pulse."""
    spot = 200e-6
    energy = fraction * F_TH * math.pi * (spot / 2) ** 2 / 2  # peak fluence = 2E/(π w0²)
    beam = make_beam("co2", energy=energy, spot_diameter=spot, pulse_duration=1e-4)
    res = simulate_mtz(beam, tissue="dermis", losses=NO_LOSS, numerics=Numerics(cell=4e-6, cooling_time=1e-3))
    assert res.ablation_depth == 0.0
