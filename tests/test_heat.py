"""Axisymmetric conduction: kernels against their numpy twins and against closed-form solutions."""

import math

import numpy as np
import pytest
from scipy.special import erfc

from mtzsim.physics.heat import axisym as heat
from mtzsim.physics.tissue import get_tissue

T_BODY = 310.15


def _grid_props(nr, nz, h, *, tissue="dermis"):
    grid = heat.AxisymmetricGrid(nr=nr, nz=nz, h=h)
    props = heat.tissue_properties(grid, get_tissue(tissue), "co2", dry_specific_heat=1500.0)
    Gr, Gz = heat.conductances(grid, props.k)
    return grid, props, Gr, Gz


def test_conduction_kernel_matches_numpy_twin():
    grid, props, Gr, Gz = _grid_props(30, 40, 5e-6, tissue="face")
    rng = np.random.default_rng(1)
    T = T_BODY + 60 * rng.random((30, 40))
    void = rng.random((30, 40)) < 0.2
    a, la, _ = heat.conduction_rate(T, void, Gr, Gz, T_BODY)
    b, lb, _ = heat.conduction_rate_numpy(T, void, Gr, Gz, T_BODY)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-18)
    assert la == pytest.approx(lb, rel=1e-12)
    # interior fluxes cancel: the net of all cells is what the boundaries take
    assert a.sum() == pytest.approx(-la, rel=1e-9)


def test_implicit_kernel_matches_numpy_twin():
    grid, props, Gr, Gz = _grid_props(25, 30, 5e-6, tissue="face")
    rng = np.random.default_rng(2)
    T = T_BODY + 50 * rng.random((25, 30))
    void = rng.random((25, 30)) < 0.15
    cap = props.rc * grid.volume
    fixed = (rng.random((25, 30)) < 0.1) & ~void
    T1 = T.copy()
    lb1, lp1, _ = heat.implicit_step(T1, void, Gr, Gz, cap, props.perf, T_BODY, 1e-3, fixed)
    T2, lb2, lp2, _ = heat.implicit_step_numpy(T, void, Gr, Gz, cap, props.perf, T_BODY, 1e-3, fixed)
    np.testing.assert_allclose(T1, T2, rtol=1e-12)
    np.testing.assert_array_equal(T1[fixed], T[fixed])  # Dirichlet cells keep their temperature
    assert lb1 == pytest.approx(lb2, rel=1e-10)
    assert lp1 == pytest.approx(lp2, rel=1e-10)


def test_constant_surface_flux_matches_ierfc_half_space():
    """Carslaw & Jaeger §2.9: T − T0 = (2q/k) √(αt) ierfc(z / 2√(αt)) for flux q into a half-space."""
    h = 2e-6
    grid, props, Gr, Gz = _grid_props(2, 300, h)
    Gr[-1, :] = 0.0  # no radial loss: a 1-D problem
    Gz[:, -1] = 0.0
    k = props.k[0, 0]
    alpha = k / props.rc[0, 0]
    q = 1e6  # W/m²
    vol = grid.volume
    area_top = vol[:, 0] / h
    dt = 0.2 * heat.stable_dt(grid, props.rc, Gr, Gz)
    T = np.full((2, 300), T_BODY)
    void = np.zeros_like(T, dtype=bool)
    t_end = 2e-3
    n = int(round(t_end / dt))
    dt = t_end / n
    for _ in range(n):
        cond, _, _ = heat.conduction_rate(T, void, Gr, Gz, T_BODY)
        cond[:, 0] += q * area_top
        T += dt * cond / (props.rc * vol)
    s = math.sqrt(alpha * t_end)
    x = grid.z / (2 * s)
    ierfc = np.exp(-x**2) / math.sqrt(math.pi) - x * erfc(x)
    exact = 2 * q / k * s * ierfc
    rise = T[0] - T_BODY
    # first-order explicit time stepping and h = 2 µm vs √(αt) ≈ 12 µm: 2 % of the surface rise
    np.testing.assert_allclose(rise[:60], exact[:60], atol=0.02 * exact[0])


def test_gaussian_source_spreads_as_3d_diffusion():
    """An initial 3-D Gaussian of width σ keeps its heat and its peak falls as (σ²/(σ²+2αt))^{3/2}."""
    h = 4e-6
    nr, nz = 80, 160
    grid, props, Gr, Gz = _grid_props(nr, nz, h)
    alpha = props.k[0, 0] / props.rc[0, 0]
    z0 = 320e-6
    sigma = 25e-6
    r = grid.r[:, None]
    z = grid.z[None, :]
    T = T_BODY + 40 * np.exp(-(r**2 + (z - z0) ** 2) / (2 * sigma**2))
    void = np.zeros_like(T, dtype=bool)
    cap = props.rc * grid.volume
    e0 = np.sum(cap * (T - T_BODY))
    t, dt = 0.0, 2e-5
    lost = 0.0
    while t < 5e-3 - 1e-12:
        lb, _, _ = heat.implicit_step(T, void, Gr, Gz, cap, props.perf, T_BODY, dt)
        lost += lb
        t += dt
    peak = 40 * (sigma**2 / (sigma**2 + 2 * alpha * t)) ** 1.5
    j0, k0 = 0, int(z0 / h)
    # cell-centre sampling (h/σ = 0.16) and first-order splitting: 3 %
    assert T[j0, k0] - T_BODY == pytest.approx(peak, rel=0.03)
    e1 = np.sum(cap * (T - T_BODY)) + lost
    assert e1 == pytest.approx(e0, rel=1e-10)


def test_arrhenius_cutoff_bounds_skipped_damage():
    A = np.array([math.exp(130.0)])
    Ea = np.array([89 * 4184.0])
    cut = heat.arrhenius_cutoff(A, Ea, duration=3.0, tolerance=1e-9)
    assert cut.shape == (1,)
    assert A[0] * math.exp(-Ea[0] / (heat.R_GAS * cut[0])) * 3.0 == pytest.approx(1e-9, rel=1e-6)


def test_surface_held_hot_matches_erfc_half_space():
    """Carslaw & Jaeger §2.4: surface held at T_s from t = 0: T − T0 = (T_s − T0) erfc(z / 2√(αt)).

    The skin surface row is held as a Dirichlet boundary (as the condensing plume holds a
    crater wall), the rest conducts with the implicit LOD step; 1-D, no radial loss.
    """
    h = 2e-6
    grid, props, Gr, Gz = _grid_props(2, 300, h)
    Gr[-1, :] = 0.0
    Gz[:, -1] = 0.0
    alpha = props.k[0, 0] / props.rc[0, 0]
    cap = props.rc * grid.volume
    T = np.full((2, 300), T_BODY)
    T[:, 0] = T_BODY + 60.0
    fixed = np.zeros_like(T, dtype=bool)
    fixed[:, 0] = True
    void = np.zeros_like(fixed)
    t, dt = 0.0, 2e-6
    while t < 5e-3 - 1e-12:
        heat.implicit_step(T, void, Gr, Gz, cap, props.perf, T_BODY, dt, fixed)
        t += dt
    # the held row's centre is the boundary: depths measured from it
    depth = grid.z[1:] - grid.z[0]
    exact = 60.0 * erfc(depth / (2 * math.sqrt(alpha * t)))
    # measured 0.009 K; a 10 % error in α would give 1.4 K
    np.testing.assert_allclose(T[0, 1:80] - T_BODY, exact[:79], atol=0.1)
