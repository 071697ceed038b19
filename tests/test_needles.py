"""Microneedling channels: sourced depth, channel volume, wound maps against coverage formulas, no heat."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtzsim.constants import T_BODY
from mtzsim.physics import damage, needles, rf
from mtzsim.physics.heat import reference3d
from mtzsim.physics.needles import Needle, NeedlePattern, simulate_microneedling
from mtzsim.physics.tissue import get_tissue
from mtzsim.pipeline.contract import describe, to_jsonable


def test_dermaroller_channel_depth_is_the_histology_depth():
    # Kalluri 2011 (abstract): 770 µm DermaRoller needles -> channels 152.5 ± 9.6 µm deep.
    dev = needles.load_devices()["dermaroller_770um"]
    assert needles.channel_depth(dev.needle) == pytest.approx(152.5e-6, abs=0.5e-6)  # ratio stored to 3 digits


def test_presets_are_consistent():
    for key, dev in needles.load_devices().items():
        lo, hi = dev.length_range
        assert lo <= dev.needle.length <= hi, key
        assert dev.modality in ("microneedling", "mnrf"), key
        assert dev.source and dev.reliability, key
        if dev.modality == "mnrf":
            assert dev.energy_per_pin > 0 and dev.conduction_time > 0 and 0.3e6 <= dev.frequency <= 2e6, key


def test_channel_volume_of_a_cylinder_with_a_cone_tip():
    # V = π r² (d − ℓ) + π r² ℓ / 3 for a channel deeper than the tip (analytic).
    n = Needle(length=1e-3, diameter=200e-6, tip_length=300e-6, penetration_ratio=0.8)
    d, r = 0.8e-3, 100e-6
    assert needles.channel_volume(n) == pytest.approx(math.pi * r**2 * (d - 300e-6) + math.pi * r**2 * 300e-6 / 3,
                                                      rel=1e-12)
    p = Needle(length=1e-3, diameter=200e-6, tip_length=1e-3, tip_shape="pyramid", penetration_ratio=0.5)
    # a pyramid inserted 0.5 mm of its 1 mm taper: base (2 r d/ℓ)² × d / 3
    assert needles.channel_volume(p) == pytest.approx((200e-6 * 0.5) ** 2 * 0.5e-3 / 3, rel=1e-12)


@given(l1=st.floats(0.2e-3, 3.5e-3), dl=st.floats(1e-6, 1e-3), ratio=st.floats(0.1, 1.0))
@settings(max_examples=50, deadline=None)
def test_a_longer_needle_never_makes_a_smaller_channel(l1, dl, ratio):
    a = Needle(length=l1, diameter=200e-6, tip_length=min(300e-6, l1), penetration_ratio=ratio)
    b = Needle(length=l1 + dl, diameter=200e-6, tip_length=min(300e-6, l1), penetration_ratio=ratio)
    assert needles.channel_depth(b) > needles.channel_depth(a)
    assert needles.channel_volume(b) >= needles.channel_volume(a)


def test_one_stamp_wounds_n_times_a():
    # One registered grid stamp, channels that do not overlap: wounded fraction = n a exactly;
    # the map differs by pixelation only (5 µm pixels on a 100 µm radius: < 3 %).
    n = Needle(length=1.5e-3, diameter=200e-6, tip_length=300e-6, pins_per_area=49e4)
    r = simulate_microneedling(n, NeedlePattern(passes=1, layout="grid"), field_size=1e-2 / 7 * 3)
    assert r.wounded_fraction_expected == pytest.approx(49e4 * math.pi * 100e-6**2, rel=1e-12)
    assert r.wounded_fraction == pytest.approx(r.wounded_fraction_expected, rel=0.03)


def test_random_passes_follow_poisson_coverage():
    # Unregistered passes: 1 − exp(−n a). Tolerance: Poisson scatter of the channel count on a
    # 4 mm field (≈ 800 channels, 3.5 % standard error) plus pixelation (< 3 %); 10 %.
    n = Needle(length=1.0e-3, diameter=150e-6, tip_length=150e-6, pins_per_area=10e6)
    r = simulate_microneedling(n, NeedlePattern(passes=5, layout="random"), field_size=4e-3, pixel_size=5e-6, seed=3)
    density = 5 * 10e6
    assert r.density == density
    assert r.wounded_fraction_expected == pytest.approx(1 - math.exp(-density * math.pi * 75e-6**2), rel=1e-12)
    assert r.wounded_fraction == pytest.approx(r.wounded_fraction_expected, rel=0.10)


def test_a_channel_that_stops_in_the_epidermis_leaves_no_basal_wound():
    # Cheek stratum corneum + viable epidermis = 75.8 µm (skin_layers.csv): a 60 µm channel does not reach it.
    n = Needle(length=300e-6, diameter=100e-6, tip_length=300e-6, penetration_ratio=0.2)
    r = simulate_microneedling(n, NeedlePattern(passes=3), field_size=1e-3)
    assert needles.basal_depth(get_tissue("face")) == pytest.approx(75.8e-6, rel=1e-9)
    assert r.basal_diameter == 0 and not r.wound_map.any() and r.channel_volume > 0


def test_result_is_a_described_stage_result():
    dev = needles.load_devices()["stamp_microneedle_human"]
    r = simulate_microneedling(dev.needle, NeedlePattern(2), field_size=1e-3)
    names = {f.name: f for f in describe(r)}
    assert names["channel_depth"].unit == "m" and names["wound_map"].kind == "array"
    assert r.wound_map.dtype == bool and r.pixel_size == 5e-6
    assert to_jsonable(r)["coagulated_volume_per_area"] == 0.0


def test_microneedle_channels_without_rf_coagulate_nothing():
    # Issue 12 must-show: MN channels with no heat give no coagulation. The channels of a
    # microneedling pass go through the same Pennes + Arrhenius engine as MNRF with no source:
    # the tissue stays at body temperature, and collagen Ω is only the body-temperature
    # baseline A exp(−Ea/(R T_body)) t (5.6e-7 /s, Maitland & Walsh kinetics), never near 1.
    needle = Needle(length=1.5e-3, diameter=200e-6, tip_length=300e-6, pins_per_area=49e4)
    grid = rf.CartesianGrid((30, 20, 45), 50e-6)
    q = np.zeros(grid.shape)  # mechanical channels: no heat source
    num = rf.RFNumerics(h=50e-6, cooling_time=0.2)
    T, omega, t_max, epi = rf._heat(q, grid, get_tissue("face"), 0.1, num, "collagen_birefringence")
    proc = damage.ARRHENIUS["collagen_birefringence"]
    dt = 0.1 / max(1, math.ceil(0.1 / (0.9 * reference3d.stable_dt(get_tissue("face").dermis.diffusivity, 50e-6,
                                                                      get_tissue("face").dermis.perfusion))))
    n_steps = round(0.1 / dt) + math.ceil(0.2 / dt)
    # tolerance: rounding of the explicit update (c_self T + 6 c_lap T + w dt T_body ≠ T in the last bit)
    np.testing.assert_allclose(T, T_BODY, rtol=0, atol=1e-9)
    assert epi == pytest.approx(T_BODY, abs=1e-9)
    np.testing.assert_allclose(omega, proc.rate(T_BODY) * dt * n_steps, rtol=1e-9)
    assert omega.max() < 1e-6
    r = simulate_microneedling(needle, NeedlePattern(1, "grid"), field_size=2e-3)
    assert r.coagulated_volume_per_area == 0.0


@pytest.mark.parametrize("bad", [dict(length=-1e-3), dict(penetration_ratio=1.5), dict(tip_shape="star"),
                                 dict(tip_length=2e-3), dict(insulated_length=1e-3)])
def test_bad_needles_are_refused(bad):
    kw = dict(length=1e-3, diameter=200e-6, tip_length=300e-6)
    kw.update(bad)
    with pytest.raises(ValueError):
        Needle(**kw)


def test_with_length_keeps_the_conducting_tip():
    n = needles.load_devices()["mnrf_insulated_49"].needle
    longer = n.with_length(3.0e-3)
    assert longer.length - longer.insulated_length == pytest.approx(n.length - n.insulated_length, rel=1e-12)


def test_penetration_ratio_range_spans_the_two_sources():
    # Kalluri 2011: 152.5/770 = 0.198; Donnelly 2011: 460/600 = 0.77 (stored to 3 and 2 digits).
    lo, hi = needles.penetration_ratio_range()
    assert lo == pytest.approx(152.5 / 770, abs=5e-4) and hi == pytest.approx(460 / 600, abs=5e-3)


def test_an_integer_pattern_means_random_passes():
    n = Needle(length=1e-3, diameter=150e-6, tip_length=150e-6, pins_per_area=1e6)
    assert simulate_microneedling(n, 3, field_size=1e-3).density == 3e6
