"""Remodeling ODEs: fixed points, bistability, time course against HSP47 data, mechanism checks."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtzsim.biology.remodeling import DAY, RemodelingParameters, fibroblast_course, steady_states

P = RemodelingParameters.default()


@pytest.fixture(scope="module")
def study_stimulus():
    """The physics stimulus of the assumed study setting (one MTZ simulation, cached per process)."""
    from mtzsim.clinic.calibration import study_stimulus

    return study_stimulus()
REC = np.arange(0, 361, 1.0) * DAY
TYPICAL = (0.034, 0.048)  # heat-shock and wound fractions of 15 mJ MTZs at 15 % coverage (treatment_stimulus)


def test_steady_states_analytic():
    # (1 + b) F² − b F + K² = 0 with b = 1, K = 0.3: F = (1 ± √0.28) / 4
    u, f = steady_states(1.0, 0.3)
    assert u == pytest.approx((1 - math.sqrt(0.28)) / 4, rel=1e-12)
    assert f == pytest.approx((1 + math.sqrt(0.28)) / 4, rel=1e-12)
    u, f = steady_states(0.6, 0.3)  # default: only the healing state (b² < 4 (1 + b) K²)
    assert np.isnan(u) and np.isnan(f)


def test_healing_and_scarring_steady_states():
    """Monostable feedback heals after any injury; bistable feedback heals after a small one and
    locks into the fibrotic state after a large one (Alon 2023)."""
    long = np.array([0.0, 1500 * DAY])  # slow passage near the ghost of the saddle-node (Alon 2023): years
    heal = fibroblast_course(0.3, 0.6, [0.0], long, P)  # heavy injury, default feedback
    assert heal.activation[-1] < 1e-2 and not heal.fibrotic.any()
    bist = P.with_(fibrosis_feedback=1.2)
    _, f_star = steady_states(1.2, P.fibrosis_half)
    small = fibroblast_course(0.002, 0.002, [0.0], long, bist)
    large = fibroblast_course(0.3, 0.6, [0.0], long, bist)
    assert small.activation[-1] < 1e-3 and not small.fibrotic.any()
    assert large.activation[-1] == pytest.approx(f_star, rel=1e-3) and large.fibrotic.all()


def test_activation_peaks_near_one_month():
    # HSP47 first increased at day 7 (Hantash 2007), peak near 1 month (Xu 2011), still present at
    # 3 months (both): peak between day 7 and day 60, at 3 months above 20 % of the peak.
    c = fibroblast_course(*TYPICAL, [0.0], REC, P)
    F = c.activation
    t_peak = REC[np.argmax(F)] / DAY
    assert 7 <= t_peak <= 60
    assert F[90] > 0.2 * F.max()
    assert F[1] < 0.2 * F.max()  # little activation on day 1 (recruitment delay)


def test_no_stimulus_no_response():
    c = fibroblast_course(0.0, 0.0, [0.0, 30 * DAY], REC, P)
    assert not c.activation.any() and not c.matrix.any()


@settings(max_examples=15, deadline=None)
@given(st.floats(0.0, 0.2), st.floats(0.0, 0.2), st.floats(1.0, 3.0))
def test_more_stimulus_more_matrix(hs, w, factor):
    rec = [180 * DAY]
    a = fibroblast_course(hs, w, [0.0], rec, P)
    b = fibroblast_course(hs * factor, w * factor, [0.0], rec, P)
    assert b.matrix[-1] >= a.matrix[-1]


def test_time_step_converged():
    # semi-implicit first-order step: halving it twice changes the 6-month matrix by < 2 %
    a = fibroblast_course(*TYPICAL, [0.0, 42 * DAY], [180 * DAY], P, dt=0.5 * DAY)
    b = fibroblast_course(*TYPICAL, [0.0, 42 * DAY], [180 * DAY], P, dt=0.125 * DAY)
    assert a.matrix[-1] == pytest.approx(b.matrix[-1], rel=0.02)


@pytest.mark.xfail(strict=True, reason=(
    "measured 2026-12-02: 55.6 % against 40-50 % (held out) since the full-field pass fires 1 ms pulses "
    "(physics_table.FULL_FIELD_CO2_PULSE: resurfacing lasers keep the dwell under the ~1 ms thermal relaxation time) "
    "instead of the fractional default 30 W (20 ms at 0.6 J: 49.6 %): the wound is 150 um over a 75 um heat-shocked "
    "layer (175 over 90 um before). Neither pulse ablates at 0.6 J on 3 mm (8.5 J/cm2 mean): the adopted record's "
    "single-pulse threshold is 10.5 J/cm2 (held out ~5 J/cm2, verify/mtz_cases.py), so the model's fully ablative "
    "arm is a coagulated layer, not Orringer's resurfaced one"))
def test_orringer_ratio_held_out():
    # Orringer 2012: fractional CO2 induces 40-50 % of the collagen of fully ablative CO2 (held out, not
    # fitted). The fully ablative arm is the engine's full-field pass at the project's preset (0.6 J,
    # 3 mm spots): 44.7 %. Not tuned: Orringer's settings are not in the data and the ratio moves with
    # the full-field energy (0.3 J: 53 %, 1.0 J: 37.5 %); with the fractional tip shell borrowed for
    # the full field (stage 2 until now) it was 50.5 %. Measured 2026-12-01 with the MTZ record refitted
    # after the beam's diverging rays were followed onto the crater walls (outcome posterior and comparator
    # record re-run): 49.0 % at the first refit. It was a strict xfail at 50.3 % (2026-11-30: each ray shielded by the ejecta on
    # its own path), 38.8 % while the axis's plume path shielded the whole beam, 52.3 % with the traced walls'
    # deeper axis needle, 43.4 % before the wall trace: it sits near the band's top and moves with the MTZ record
    # (49.6 % after the second refit of 2026-12-01, with the side-entry refraction and fat's own absorption).
    from mtzsim.clinic.trials import orringer_ratio

    assert 0.40 <= orringer_ratio() <= 0.50


def test_full_field_heat_shock_layer_thicker_than_fractional_tip_shell(study_stimulus):
    # planar (1-D) conduction under a full-field pass keeps a thicker surviving heat-shocked layer than
    # the tip of a narrow fractional column, which cools in three dimensions
    from mtzsim.clinic.trials import FULL_FIELD_SETTING, full_field_layers

    wound, shell = full_field_layers(**FULL_FIELD_SETTING)
    tip = study_stimulus.heat_shock_depth - study_stimulus.wound_depth
    assert 100e-6 <= wound <= 250e-6  # the 100-250 um the old emulation assumed (Walsh & Deutsch 1989: ~100 um residual damage per pass)
    assert shell > 2 * tip


def test_late_contraction_order_of_manstein():
    # Manstein 2004: 2.1 % linear shrinkage (about 4 % area) 3 months after 4 fractional treatments;
    # the model's late contraction for 4 sessions at 15 mJ / 15 % coverage is within a factor 2.5
    c = fibroblast_course(*TYPICAL, np.arange(4) * 28 * DAY, [(84 + 91) * DAY], P)
    area = P.late_contraction_rate * c.activation_dose[-1]
    assert 0.042 / 2.5 <= area <= 0.042 * 2.5


def test_no_heat_shock_less_collagen(study_stimulus):
    from mtzsim.clinic.stimulus import without_heat_shock

    s = study_stimulus
    assert s.heat_shock_volume_fraction > 0  # the physics gives a heat-shocked shell
    full = fibroblast_course(s.heat_shock_volume_fraction, s.wound_volume_fraction, [0.0], [180 * DAY], P)
    n = without_heat_shock(s)
    none = fibroblast_course(n.heat_shock_volume_fraction, n.wound_volume_fraction, [0.0], [180 * DAY], P)
    assert none.matrix[-1] < 0.9 * full.matrix[-1]
