"""Tests of mtzsim.physics.pattern: lattice counts, timing, orders, passes and bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtzsim.errors import InputError
from mtzsim.physics.pattern import ORDERS, PatternSpec, build_pattern


def test_default_field_has_about_440_spots_per_pass():
    # 5 % of 1 cm² with 120 µm spots: 0.05 / (π (60 µm)²) = 442 spots (issue 3)
    spec = PatternSpec(layout="grid")
    assert spec.expected_spots == pytest.approx(442.1, abs=0.1)
    assert build_pattern(spec).n_spots == 441  # 21 × 21 lattice


def test_rest_time_stacking_and_passes():
    spec = PatternSpec(width=1e-3, height=1e-3, density=0.1, rep_rate=200.0, stack=2, passes=2, pass_delay=0.5,
                       order="raster", layout="grid")
    p = build_pattern(spec)
    n = p.n_spots
    assert p.n_firings == n * 2 * 2
    first = p.t_fire[p.pass_index == 0]
    np.testing.assert_allclose(np.diff(first), 1 / 200.0)  # one rest between firings
    # stacking fires the same site twice in a row
    assert np.all(p.x[0:2 * n:2] == p.x[1:2 * n:2])
    # the second pass starts one rest + pass delay after the last firing of the first
    second = p.t_fire[p.pass_index == 1]
    assert second[0] - first[-1] == pytest.approx(1 / 200.0 + 0.5)
    # the second pass is shifted by half a pitch
    assert not np.allclose(np.sort(p.x[p.pass_index == 0]), np.sort(p.x[p.pass_index == 1]))


def test_raster_neighbours_are_one_pitch_apart_interlaced_further():
    kw = dict(width=3e-3, height=3e-3, density=0.1, layout="grid")
    for order, lo in (("raster", 0.99), ("interlaced", 2.99)):
        p = build_pattern(PatternSpec(order=order, **kw))
        step = np.hypot(np.diff(p.x), np.diff(p.y)) / p.pitch
        assert np.median(step) == pytest.approx(1.0 if order == "raster" else 3.0, rel=1e-9)
        assert np.median(step) >= lo


@settings(max_examples=40, deadline=None)
@given(
    density=st.floats(0.005, 0.7),
    layout=st.sampled_from(["grid", "hexagonal", "jittered"]),
    order=st.sampled_from(ORDERS),
    side=st.floats(0.5e-3, 5e-3),
    passes=st.integers(1, 3),
)
def test_invariants(density, layout, order, side, passes):
    spec = PatternSpec(density=density, layout=layout, order=order, width=side, height=side, passes=passes,
                       jitter=0.1, allow_overlap=True)
    p = build_pattern(spec)
    # coverage of the realised lattice between 0 and 1
    assert 0 < p.coverage <= 1.0 or p.n_spots == 1
    # firing times increase within a pass (and overall)
    for k in range(passes):
        assert np.all(np.diff(p.t_fire[p.pass_index == k]) > 0)
    assert np.all(np.diff(p.t_fire) > 0)
    # n_spots = density · area / spot area within the rounding of rows and columns
    nx, ny = side / spec.pitch, side / spec.row_spacing
    tol = (nx + 0.5) * (ny + 0.5) - nx * ny + 1
    assert abs(p.n_spots - spec.expected_spots) <= max(tol, 1)
    # each pass fires every site once
    assert p.n_firings == p.n_spots * passes


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(density=1.2), "pattern.density"),  # over 100 %
        (dict(density=0.0), "pattern.density"),
        (dict(density=0.9, layout="grid"), "pattern.density"),  # pitch < spot, overlap not allowed
        (dict(density=None, spots_per_area=1e9), "pattern.spots_per_area"),
        (dict(width=0.0), "pattern.width"),
        (dict(height=-1e-3), "pattern.height"),
        (dict(rep_rate=-250.0), "pattern.rep_rate"),
        (dict(pass_delay=-1.0), "pattern.pass_delay"),
        (dict(order="spiral"), "pattern.order"),
        (dict(layout="ring"), "pattern.layout"),
        (dict(passes=0), "pattern.passes"),
        (dict(rep_rate=math.nan), "pattern.rep_rate"),
        (dict(density=0.1, spots_per_area=1e6), "pattern.density"),
    ],
)
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(InputError) as err:
        PatternSpec(**kwargs)
    assert err.value.field == field


def test_overlap_allowed_when_asked():
    p = build_pattern(PatternSpec(density=0.9, layout="grid", allow_overlap=True, width=1e-3, height=1e-3))
    assert p.pitch < 120e-6


def test_spots_per_area_alone_and_the_default_density():
    # issue 7 item 7: PatternSpec(spots_per_area=...) failed because density defaulted to 5 %
    spec = PatternSpec(spots_per_area=400e4, layout="grid")  # 400 /cm²
    assert spec.density is None and spec.areal_density == 400e4
    assert spec.pitch == pytest.approx(1 / math.sqrt(400e4))  # square lattice: p = 1/√N
    # neither given: the default coverage, resolved on construction
    assert PatternSpec().density == 0.05 and PatternSpec().spots_per_area is None
    # both given: refused, naming the field
    with pytest.raises(InputError) as err:
        PatternSpec(density=0.05, spots_per_area=400e4)
    assert err.value.field == "pattern.density"


def test_scanner_rate_beyond_devices_warns():
    with pytest.warns(UserWarning, match=r"pattern\.rep_rate: 25000 Hz .* 3000 Hz"):
        PatternSpec(rep_rate=25000.0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PatternSpec(rep_rate=250.0)  # a usual rate: silent
