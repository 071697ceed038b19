"""Explicit Fisher–KPP sweep on the en-face basal-layer map (numba); twin: ``mtzsim.biology.reepithelialization.fisher_kpp_step_numpy``.

One sweep updates the keratinocyte coverage u on a 2-D grid,

    u_new = u + dt (D ∇²u + r u (1 − u)),

with the 5-point Laplacian, zero-flux (mirror) edges and cells held at 1 where ``fixed`` is
set (adnexal reservoirs). The same pass records, for every cell, the first time u reaches the
closure level (the front's arrival), and counts the cells still below it. Rows run in
parallel; a row whose cells and neighbours are all at the carrying capacity (u ≥ 1 − ε) is
skipped, which is exact to ε per step because the update of such a cell is below
dt·(4D/dx²·ε + r ε).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import njit, prange


@lru_cache(maxsize=16)  # one compilation per distinct set of constants in a process
def make_fisher_kpp_stepper(diffusivity, rate, dx, dt, level=0.5, eps=1e-9):
    """A jitted Fisher–KPP step with its constants closed over.

    Parameters
    ----------
    diffusivity : float
        D [m²/s] (or per the caller's time unit).
    rate : float
        r [1/s] (same time unit as ``dt``).
    dx : float
        Pixel size [m].
    dt : float
        Time step [s]; must satisfy dt ≤ dx²/(4D) and r dt ≤ 0.5 (checked).
    level : float
        Coverage at which a cell counts as closed [-].
    eps : float
        Tolerance of the skip of saturated rows [-].

    Returns
    -------
    step : callable
        ``step(u, u_new, fixed, arrival, row_active, t_new) -> n_open``; ``arrival`` holds the
        first time [s] at which u ≥ ``level`` (NaN before), ``row_active`` (uint8, one per row)
        is updated in place.
    """
    if not (diffusivity > 0 and rate > 0 and dx > 0 and dt > 0):
        raise ValueError("diffusivity, rate, dx and dt must be positive")
    if dt * diffusivity / dx**2 > 0.25 or rate * dt > 0.5:
        raise ValueError(f"unstable step: D dt/dx² = {dt * diffusivity / dx**2:.3g} (≤ 0.25), "
                         f"r dt = {rate * dt:.3g} (≤ 0.5)")
    a = float(diffusivity * dt / dx**2)
    rdt = float(rate * dt)
    lev = float(level)
    top = float(1.0 - eps)

    @njit(parallel=True, cache=False, fastmath=False)
    def step(u, u_new, fixed, arrival, row_active, t_new):
        ny, nx = u.shape
        n_open = np.zeros(ny, np.int64)
        act = np.zeros(ny, np.uint8)
        for i in prange(ny):
            im = i - 1 if i > 0 else 1 if ny > 1 else 0
            ip = i + 1 if i < ny - 1 else ny - 2 if ny > 1 else 0
            if row_active[i] == 0 and row_active[im] == 0 and row_active[ip] == 0:
                for j in range(nx):
                    u_new[i, j] = u[i, j]
                continue
            busy = 0
            cnt = 0
            for j in range(1, nx - 1):  # interior: branch-free, vectorisable
                c = u[i, j]
                v = c + a * (u[im, j] + u[ip, j] + u[i, j - 1] + u[i, j + 1] - 4.0 * c) + rdt * c * (1.0 - c)
                u_new[i, j] = 1.0 if fixed[i, j] else v
            for j in (0, nx - 1):  # mirror edges
                if j == nx - 1 and nx == 1:
                    break
                jm = j - 1 if j > 0 else 1 if nx > 1 else 0
                jp = j + 1 if j < nx - 1 else nx - 2 if nx > 1 else 0
                c = u[i, j]
                v = c + a * (u[im, j] + u[ip, j] + u[i, jm] + u[i, jp] - 4.0 * c) + rdt * c * (1.0 - c)
                u_new[i, j] = 1.0 if fixed[i, j] else v
            for j in range(nx):  # bookkeeping: saturation, open count, first arrival
                v = u_new[i, j]
                busy |= v < top
                if v >= lev:
                    if arrival[i, j] != arrival[i, j]:  # NaN: first arrival
                        arrival[i, j] = t_new
                else:
                    cnt += 1
            act[i] = busy
            n_open[i] = cnt
        for i in range(ny):
            row_active[i] = act[i]
        return n_open.sum()

    return step
