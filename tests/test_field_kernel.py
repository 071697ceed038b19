"""The field's numba point kernel against its readable numpy twin (mtzsim.physics.field.superposition)."""

import math

import numpy as np
import pytest

from mtzsim._kernels.field import Background, Firings
from mtzsim.constants import T_BODY, T_BOIL
from mtzsim.physics.field import prepare_kernel, synthetic_response
from mtzsim.physics.field.simulate import _arrhenius
from mtzsim.physics.field.superposition import (
    DRY_TOL_K,
    damage_tables,
    firing_bins,
    new_outputs,
    point_kernel_for,
    point_kernel_numpy,
    slot_table,
)
from mtzsim.physics.pattern import PatternSpec, build_pattern


def _case(T_cap):
    """A coarse case: 0.6 mm patch, raster at 2 kHz (neighbours overlap in time: clusters), a smooth
    made-up background, two depth slots (20 µm: the column is hotter than boiling, dry; 350 µm: wet)."""
    resp = synthetic_response(t_max=0.06, r_max=0.5e-3, z_max=0.6e-3, dr=10e-6, n_t=30)
    kern = prepare_kernel(resp, [20e-6, 350e-6], 0.05, 0.0)
    pat = build_pattern(PatternSpec(width=0.6e-3, height=0.6e-3, density=0.2, layout="grid", order="raster",
                                    rep_rate=2000.0))
    lnA, EaR = _arrhenius()
    step_times = np.linspace(0.0, 0.2, 21)[1:]
    nx = ny = 12
    x0 = y0 = -1.2e-3
    dx = dy = 2.4e-3 / nx
    xc = x0 + (np.arange(nx) + 0.5) * dx
    bump = np.exp(-(xc[:, None] ** 2 + xc[None, :] ** 2) / (0.5e-3) ** 2)
    BG = (8.0 * np.sin(np.pi * step_times / 0.2)[:, None, None] * bump[None]).astype(np.float32)
    om = np.stack([np.full((nx, ny), 1e-3 * (q + 1)) for q in range(3)])
    bg = Background(BG, step_times, x0, dx, y0, dy, om, BG.max(axis=0).astype(float))
    lnD = damage_tables(kern, lnA, EaR, T_BODY, np.arange(0.0, 12.0, 1.0), T_cap)
    bins = firing_bins(pat, x0, y0, x0 + nx * dx, y0 + ny * dy, float(kern.r_cut.max()))
    fire = Firings(pat.x.astype(float), pat.y.astype(float), pat.t_fire.astype(float))
    rng = np.random.default_rng(3)
    px, py = rng.uniform(-0.35e-3, 0.35e-3, (2, 150))
    return kern, lnD, bins, fire, bg, px, py, lnA, EaR


@pytest.mark.parametrize("T_cap", [T_BOIL, math.inf])
def test_point_kernel_matches_numpy_twin(T_cap):
    kern, lnD, bins, fire, bg, px, py, lnA, EaR = _case(T_cap)
    kernel = point_kernel_for(lnA, EaR, T_BODY, T_cap)
    n_cluster_points = 0
    for s in range(2):
        tab = slot_table(kern, s, lnD, 1.0)
        fast = kernel(px, py, fire, bins, tab, bg, new_outputs(px.size, 3))
        slow = point_kernel_numpy(px, py, fire, tab, bg, lnA=lnA, EaR=EaR, T_body=T_BODY, T_cap=T_cap,
                                  K_dry=T_cap - T_BODY + DRY_TOL_K)
        # the two interpolate K in r and age in a different order (bilinear vs r-then-np.interp):
        # T differs by rounding (~1e-13 K); the rate exp(−Ea/RT) multiplies a relative error in T
        # by Ea/RT ≈ 450, and the cluster integral subtracts the background rate: rtol 1e-9
        # leaves five orders of magnitude of room and still fails on any change of algorithm.
        np.testing.assert_allclose(fast.omega, slow.omega, rtol=1e-9, atol=1e-300)
        np.testing.assert_allclose(fast.tpeak, slow.tpeak, rtol=1e-12)
        assert np.array_equal(fast.ablated, slow.ablated)
        assert np.array_equal(fast.dry, slow.dry)
        assert not fast.overflow.any()
        d = np.hypot(px[:, None] - fire.x[None], py[:, None] - fire.y[None])
        n_cluster_points += int(((d < kern.r_cut[s]).sum(axis=1) > 1).sum())
    assert n_cluster_points > 50  # the case exercises the cluster path, not only isolated firings


def test_dry_and_capped_points():
    # 20 µm under the synthetic column the single firing's own rise exceeds boiling (163 K rise):
    # dry, uncapped; at 350 µm (below the 300 µm column) the tissue stays wet and below the cap.
    kern, lnD, bins, fire, bg, px, py, lnA, EaR = _case(T_BOIL)
    kernel = point_kernel_for(lnA, EaR, T_BODY, T_BOIL)
    top = kernel(px, py, fire, bins, slot_table(kern, 0, lnD, 1.0), bg, new_outputs(px.size, 3))
    deep = kernel(px, py, fire, bins, slot_table(kern, 1, lnD, 1.0), bg, new_outputs(px.size, 3))
    assert top.dry.any() and top.tpeak[top.dry].max() > T_BOIL
    assert np.all(top.tpeak[~top.dry] <= T_BOIL)
    assert not deep.dry.any() and np.all(deep.tpeak <= T_BOIL)


def test_log_mean_integral_is_exact_for_an_exponential_rate():
    # ∫_0^h exp(a0 + b t) dt = (e^{a0 + b h} − e^{a0}) / b, exactly (analytic); numba and array twin alike
    from mtzsim._kernels.field import log_mean_integral as lmi_nb
    from mtzsim.physics.field.superposition import log_mean_integral as lmi_np

    for a0, b, h in [(-5.0, 2e4, 1e-3), (3.0, -3e3, 2e-3), (-1.0, 1e-5, 0.5), (-700.0, 0.0, 1.0)]:
        exact = h * math.exp(a0) if b == 0 else (math.exp(a0 + b * h) - math.exp(a0)) / b
        assert lmi_nb(a0, a0 + b * h, h) == pytest.approx(exact, rel=1e-9)
        assert float(lmi_np(a0, a0 + b * h, h)) == pytest.approx(exact, rel=1e-9)
    # and it is never above the trapezoid (convexity of exp), the rule it replaced
    a = np.linspace(-20, 20, 41)
    A, B = np.meshgrid(a, a)
    assert np.all(lmi_np(A, B, 1.0) <= 0.5 * (np.exp(A) + np.exp(B)) * (1 + 1e-12))


def test_peak_of_is_the_maximum_of_the_interpolated_rise():
    # two radii that peak at different ages (as next to a crater wall): the interpolant's
    # maximum is below the interpolated maxima (63 K at age 0 and 18 K later, weight 0.7)
    from mtzsim._kernels.field import peak_of

    K = np.array([[63.0, 8.5], [47.1, 15.4], [34.8, 18.0], [30.3, 17.8]])
    fr = 0.7
    assert peak_of(K, 0, fr) == pytest.approx(np.max(K[:, 0] * (1 - fr) + K[:, 1] * fr))
    assert peak_of(K, 0, fr) < K[:, 0].max() * (1 - fr) + K[:, 1].max() * fr - 6.0
