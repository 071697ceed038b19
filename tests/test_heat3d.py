"""Tests of the 3-D Pennes + Arrhenius kernel (mtzsim.physics.heat.reference3d) against its twin and analytic truth."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtzsim.physics.heat import reference3d as heat3d
from mtzsim.physics.heat.reference3d import R_GAS, make_stepper_3d, pennes_arrhenius_step_numpy, stable_dt

# Collagen coagulation (the benchmark's set): A = e^130 /s, Ea = 89 kcal/mol.
A_COL = math.exp(130.0)
EA_COL = 89.0 * 4184.0
T_BODY = 310.15
ALPHA = 1.1e-7  # [m²/s] dermis-like, an assumption for the tests
DX = 5e-6


def _params(**kw):
    p = dict(alpha=ALPHA, dx=DX, dt=0.9 * stable_dt(ALPHA, DX), perfusion_rate=2e-3,
             T_body=T_BODY, A=A_COL, Ea=EA_COL)
    p.update(kw)
    return p


def _run_numpy(T, om, n, p):
    for _ in range(n):
        T, om = pennes_arrhenius_step_numpy(T, om, **p)
    return T, om


def _gaussian(shape, centre, sigma, amp):
    """amp · exp(−r² / (2σ²)) on cell indices, sigma in cells."""
    idx = np.indices(shape, dtype=np.float64)
    r2 = sum((idx[a] - centre[a]) ** 2 for a in range(3))
    return amp * np.exp(-r2 / (2.0 * sigma**2))


@pytest.mark.parametrize("n_steps", [1, 6, 7])  # odd counts end in the scratch buffer: copied back
def test_numba_equals_numpy_twin(n_steps):
    shape = (11, 9, 13)
    p = _params()
    rng = np.random.default_rng(42)
    T0 = T_BODY + 5.0 * rng.standard_normal(shape)
    T0[3:6, 2:5, :4] += 80.0  # some cells near 120 °C: Ω is non-trivial there
    om0 = rng.random(shape) * 0.1
    Tr, omr = _run_numpy(T0, om0, n_steps, p)
    step = make_stepper_3d(shape, **p)
    T, om, S = T0.copy(), om0.copy(), np.empty(shape)
    step(T, om, S, n_steps)
    # rounding only: the kernel folds constants differently and uses its own exp (< 5e-16)
    np.testing.assert_allclose(T, Tr, rtol=1e-12, atol=0)
    np.testing.assert_allclose(om, omr, rtol=1e-12, atol=0)
    assert omr.max() - om0.max() > 1e-3  # the hot cells really did accumulate damage


def test_kernel_exp_matches_numpy():
    from mtzsim._kernels.heat3d import exp_array

    x = np.linspace(-700.0, 700.0, 200_001)
    out = np.empty_like(x)
    exp_array(x, out)
    np.testing.assert_allclose(out, np.exp(x), rtol=5e-16)  # ≈ 2 ulp (numpy's exp itself is within 1 ulp)


def test_gaussian_pulse_conduction_matches_analytic():
    """A Gaussian in the bulk stays Gaussian with σ² = σ0² + 2αt along each axis."""
    shape = (61, 61, 61)
    c = (30.0, 30.0, 30.0)
    sigma0 = 3.0  # cells
    p = _params(perfusion_rate=0.0, A=1e-30)  # pure conduction; damage irrelevant here
    n = 40  # σ² grows from 9 to 21 cells²: the walls stay ≥ 6.7 σ away
    t = n * p["dt"]
    theta0 = _gaussian(shape, c, sigma0, 50.0)
    T, om, S = T_BODY + theta0, np.zeros(shape), np.empty(shape)
    make_stepper_3d(shape, **p)(T, om, S, n)
    theta = T - T_BODY
    sigma2 = sigma0**2 + 2.0 * ALPHA * t / DX**2  # [cells²]
    # Second moment: exact for the discrete 7-point scheme on an unbounded lattice;
    # the walls perturb it by ~1e-9 here (1e-6 on a 51³ grid), rounding of θ = T − T_body
    # in the far tail by less.
    idx = np.indices(shape, dtype=np.float64)
    for a in range(3):
        var = np.sum(theta * (idx[a] - c[a]) ** 2) / np.sum(theta)
        assert var == pytest.approx(sigma2, rel=1e-8)
    # Pointwise: the scheme's truncation error O(dx²/σ0²) with σ0 = 3 cells is 0.51 % of the
    # peak here (measured); 1 % bounds it with margin.
    exact = 50.0 * (sigma0**2 / sigma2) ** 1.5 * _gaussian(shape, c, math.sqrt(sigma2), 1.0)
    assert np.max(np.abs(theta - exact)) < 1e-2 * exact.max()


def test_heat_conserved_with_adiabatic_top():
    """A pulse at the adiabatic surface loses no heat before it reaches the far Dirichlet walls."""
    shape = (48, 48, 24)
    p = _params(perfusion_rate=0.0)
    theta0 = _gaussian(shape, (23.5, 23.5, 0.0), 2.0, 40.0)
    T, om, S = T_BODY + theta0, np.zeros(shape), np.empty(shape)
    make_stepper_3d(shape, **p)(T, om, S, 30)  # σ grows from 2 to ≈ 3.6 cells; walls ≥ 24 cells away
    heat0 = np.sum(theta0)
    heat = np.sum(T - T_BODY)
    assert heat == pytest.approx(heat0, rel=1e-9)  # wall leakage ~ e^-21; the rest is rounding
    # and the mirror really is adiabatic: the surface layer kept the peak
    assert np.unravel_index(np.argmax(T), shape)[2] == 0


def test_perfusion_relaxes_uniform_excess():
    """Uniform excess θ with w > 0 and no gradients decays as (1 − w dt)^n (away from walls)."""
    shape = (3, 3, 3)
    w = 50.0  # [1/s] exaggerated to see the decay in a few steps
    p = _params(perfusion_rate=w)
    T0 = np.full(shape, T_BODY + 10.0)
    T, _ = pennes_arrhenius_step_numpy(T0, np.zeros(shape), **p)
    c = (1, 1, 1)  # centre cell: all neighbours equal, Laplacian 0
    assert T[c] - T_BODY == pytest.approx(10.0 * (1.0 - w * p["dt"]), rel=1e-12)


def test_omega_at_constant_temperature():
    """Ω = A exp(−Ea/RT) t at a temperature that stays constant (T = T_body everywhere)."""
    T60 = 333.15
    shape = (6, 5, 4)
    n = 400
    p = _params(T_body=T60)
    T, om, S = np.full(shape, T60), np.zeros(shape), np.empty(shape)
    make_stepper_3d(shape, **p)(T, om, S, n)
    expected = A_COL * math.exp(-EA_COL / (R_GAS * T60)) * n * p["dt"]
    np.testing.assert_allclose(T, T60, rtol=1e-14)
    np.testing.assert_allclose(om, expected, rtol=1e-12)  # n rounded additions


def test_cold_rows_skip_damage_within_tolerance():
    """Below the cutoff the kernel skips the exp; what it skips is below tol per step."""
    shape = (4, 4, 6)
    p = _params(T_body=250.0)  # everything far below the collagen cutoff (≈ 286 K at this dt)
    assert heat3d.damage_cutoff(A_COL, EA_COL, p["dt"]) > 250.0
    T, om, S = np.full(shape, 250.0), np.zeros(shape), np.empty(shape)
    make_stepper_3d(shape, **p)(T, om, S, 10)
    _, omr = _run_numpy(np.full(shape, 250.0), np.zeros(shape), 10, p)
    assert np.all(om == 0.0)
    assert np.all(omr < 10 * heat3d.DAMAGE_TOL)


def test_damage_cutoff_definition():
    dt = 1e-5
    t_cut = heat3d.damage_cutoff(A_COL, EA_COL, dt, tol=1e-16)
    assert dt * A_COL * math.exp(-EA_COL / (R_GAS * t_cut)) == pytest.approx(1e-16, rel=1e-9)


def test_stability_limit_raises():
    dt_max = stable_dt(ALPHA, DX)
    assert dt_max == pytest.approx(DX**2 / (6 * ALPHA), rel=1e-15)
    p = _params(dt=1.01 * dt_max, perfusion_rate=0.0)
    with pytest.raises(ValueError, match="stability"):
        make_stepper_3d((4, 4, 4), **p)
    with pytest.raises(ValueError, match="stability"):
        pennes_arrhenius_step_numpy(np.full((3, 3, 3), T_BODY), np.zeros((3, 3, 3)), **p)
    with pytest.raises(ValueError):
        make_stepper_3d((4, 4, 4), **_params(alpha=-1.0))


_STEP = None


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5))
def test_invariants_max_principle_and_monotone_damage(seed, n):
    """T stays within [min, max] of the initial field and T_body; Ω never decreases."""
    global _STEP
    shape = (7, 6, 5)
    if _STEP is None:
        _STEP = make_stepper_3d(shape, **_params())
    rng = np.random.default_rng(seed)
    T0 = T_BODY + 90.0 * rng.random(shape)
    om0 = rng.random(shape)
    T, om, S = T0.copy(), om0.copy(), np.empty(shape)
    _STEP(T, om, S, n)
    lo, hi = min(T0.min(), T_BODY), max(T0.max(), T_BODY)
    assert T.min() >= lo - 1e-9 and T.max() <= hi + 1e-9
    assert np.all(om >= om0)
