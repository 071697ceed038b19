"""Pennes bioheat conduction with Arrhenius thermal damage on a uniform 3-D Cartesian grid.

The temperature T(x, y, z) [K] obeys the Pennes equation without a source,

    ∂T/∂t = α ∇²T − w (T − T_body),    w = ω_b ρ_b c_b / (ρ c)  [1/s],

and the damage integral Ω [-] of one Arrhenius process grows as

    ∂Ω/∂t = A exp(−Ea / (R T)).

Arrays are indexed ``[x, y, z]`` with z the depth (index 0 at the skin surface,
the contiguous axis). The top face (z index 0) is adiabatic (mirror ghost cell);
the other five faces hold T = T_body in their ghost cells (Dirichlet). Time
stepping is explicit (forward Euler, 7-point Laplacian), stable for
dt ≤ dx² / (6 α + w dx²) (:func:`stable_dt`). Ω advances with the rate at the
old temperature.

:func:`pennes_arrhenius_step_numpy` is the readable reference;
:func:`make_stepper_3d` returns the fused numba kernel from
``mtzsim._kernels.heat3d`` that tests hold equal to it.

References
----------
.. [1] H. H. Pennes, J Appl Physiol 1 (1948) 93–122. doi:10.1152/jappl.1948.1.2.93
.. [2] F. C. Henriques, Arch Pathol 43 (1947) 489–502 (Arrhenius damage integral).
"""

from __future__ import annotations

import math

import numpy as np

from mtzsim.constants import R_GAS

#: Default tolerance on the skipped damage increment per cell and step [-] (see ``damage_cutoff``).
DAMAGE_TOL = 1e-16


def stable_dt(alpha, dx, perfusion_rate=0.0):
    """Largest stable time step of the explicit 3-D scheme [s].

    Parameters
    ----------
    alpha : float
        Thermal diffusivity [m²/s].
    dx : float
        Grid spacing [m] (same along x, y, z).
    perfusion_rate : float, optional
        Pennes perfusion rate w [1/s]; 0 gives the classic dx² / (6 α).

    Returns
    -------
    float
        ``1 / (6 α / dx² + w)`` [s]: the step at which the update stays a convex
        combination of the old values (no overshoot, no oscillation).
    """
    if alpha <= 0 or dx <= 0 or perfusion_rate < 0:
        raise ValueError("alpha and dx must be > 0 and perfusion_rate >= 0")
    return 1.0 / (6.0 * alpha / dx**2 + perfusion_rate)


def damage_cutoff(A, Ea, dt, *, tol=DAMAGE_TOL):
    """Temperature [K] below which one step adds less than ``tol`` to Ω.

    ``dt · A · exp(−Ea / (R T)) < tol``  ⇔  ``T < Ea / (R ln(A dt / tol))``.
    Skipping the damage update below this temperature is exact to ``tol`` per
    cell and step. Returns 0 when no temperature can be skipped (A dt ≤ tol
    never happens for tissue processes, but is handled).
    """
    ln_ratio = math.log(A) + math.log(dt) - math.log(tol)
    if ln_ratio <= 0:
        return math.inf  # the rate never exceeds tol/dt: nothing ever needs the exp
    return Ea / (R_GAS * ln_ratio)


def _check(alpha, dx, dt, perfusion_rate, T_body, A, Ea):
    for name, value in (("alpha", alpha), ("dx", dx), ("dt", dt), ("T_body", T_body), ("A", A), ("Ea", Ea)):
        if not (value > 0 and math.isfinite(value)):
            raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    if not (perfusion_rate >= 0 and math.isfinite(perfusion_rate)):
        raise ValueError(f"perfusion_rate must be a finite number >= 0, got {perfusion_rate!r}")
    limit = stable_dt(alpha, dx, perfusion_rate)
    if dt > limit:
        raise ValueError(
            f"dt = {dt:.6g} s exceeds the explicit stability limit {limit:.6g} s "
            f"(dx² / (6 α + w dx²) with dx = {dx:.6g} m, alpha = {alpha:.6g} m²/s)"
        )


def pennes_arrhenius_step_numpy(T, omega, *, alpha, dx, dt, perfusion_rate, T_body, A, Ea):
    """One explicit step of Pennes conduction and Arrhenius damage (readable twin).

    Parameters
    ----------
    T : ndarray, shape (nx, ny, nz)
        Temperature [K]; z (last axis) is depth, index 0 at the skin surface.
    omega : ndarray, shape (nx, ny, nz)
        Damage integral Ω [-].
    alpha : float
        Thermal diffusivity k / (ρ c) [m²/s].
    dx : float
        Grid spacing [m], equal along the three axes.
    dt : float
        Time step [s]; must not exceed :func:`stable_dt`.
    perfusion_rate : float
        w = ω_b ρ_b c_b / (ρ c) [1/s].
    T_body : float
        Arterial / body temperature [K], also the Dirichlet wall value.
    A : float
        Arrhenius frequency factor [1/s].
    Ea : float
        Activation energy [J/mol].

    Returns
    -------
    T_new, omega_new : ndarray
        New arrays; Ω_new = Ω + dt A exp(−Ea / (R T)) with the old T.
    """
    _check(alpha, dx, dt, perfusion_rate, T_body, A, Ea)
    T = np.asarray(T, dtype=np.float64)
    omega = np.asarray(omega, dtype=np.float64)
    # ghost cells: T_body on every face, then mirror on the top face (z = 0)
    g = np.pad(T, 1, mode="constant", constant_values=T_body)
    g[1:-1, 1:-1, 0] = T[:, :, 0]
    laplacian = (
        g[2:, 1:-1, 1:-1] + g[:-2, 1:-1, 1:-1]
        + g[1:-1, 2:, 1:-1] + g[1:-1, :-2, 1:-1]
        + g[1:-1, 1:-1, 2:] + g[1:-1, 1:-1, :-2]
        - 6.0 * T
    ) / dx**2
    T_new = T + dt * (alpha * laplacian - perfusion_rate * (T - T_body))
    omega_new = omega + dt * A * np.exp(-Ea / (R_GAS * T))
    return T_new, omega_new


def make_stepper_3d(shape, *, alpha, dx, dt, perfusion_rate, T_body, A, Ea, damage_tol=DAMAGE_TOL):
    """Compiled stepper for the same scheme as :func:`pennes_arrhenius_step_numpy`.

    Parameters
    ----------
    shape : tuple of 3 int
        Grid shape (nx, ny, nz), z = depth.
    alpha, dx, dt, perfusion_rate, T_body, A, Ea : float
        As in :func:`pennes_arrhenius_step_numpy` (SI, T in K).
    damage_tol : float, optional
        Rows of cells all colder than :func:`damage_cutoff` skip the damage update;
        the increment skipped is below ``damage_tol`` per cell and step [-].

    Returns
    -------
    step : callable
        ``step(T, omega, T_scratch, n_steps) -> None``: advances C-contiguous
        float64 arrays of ``shape`` in place by ``n_steps`` steps (``T_scratch`` is
        overwritten). Numba-jitted, parallel over x.

    Raises
    ------
    ValueError
        If ``dt`` exceeds :func:`stable_dt`, or a parameter is not positive.
    """
    from numba import njit

    from mtzsim._kernels.heat3d import run_steps

    _check(alpha, dx, dt, perfusion_rate, T_body, A, Ea)
    shape = tuple(int(n) for n in shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"shape must be 3 positive sizes, got {shape!r}")
    c_lap = alpha * dt / dx**2
    c_self = 1.0 - 6.0 * c_lap - perfusion_rate * dt
    c_const = perfusion_rate * dt * T_body
    ln_adt = math.log(A) + math.log(dt)
    ea_r = Ea / R_GAS
    t_cut = damage_cutoff(A, Ea, dt, tol=damage_tol)
    t_body = float(T_body)

    @njit
    def step(T, omega, T_scratch, n_steps):
        if T.shape != shape or omega.shape != shape or T_scratch.shape != shape:
            raise ValueError("array shape does not match the stepper's shape")
        run_steps(T, omega, T_scratch, n_steps, c_lap, c_self, c_const, t_body, ln_adt, ea_r, t_cut)

    return step
