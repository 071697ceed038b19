"""Erythema and edema courses, explicit midpoint steps (numba); twin: ``mtzsim.biology.inflammation.erythema_course_numpy``.

For every draw i and time step k the kernel takes ``SUBSTEPS`` equal sub-steps of

    dE/dt = g f_e A / (1 d) − f_c V E / (K + E)     (explicit midpoint, E clipped at 0)
    dO/dt = g f_e A / (1 d) − O / τ_O                (explicit Euler)

with the drive of step k from the open area at the start of the step, exactly as the numpy
twin orders its operations (held equal by a test).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import njit

from mtzsim.constants import DAY

#: Sub-steps per output step: keeps the step below τ/10 for output steps ≤ 1 d.
SUBSTEPS = 8


@lru_cache(maxsize=1)
def make_erythema_kernel(substeps: int = SUBSTEPS, day: float = DAY):
    """A jitted ``kernel(t, g, V, K, e0, fe, fc, A, edema_tau, E, O)`` filling E and O [n_draws, n_times] in place."""

    @njit(cache=True)
    def kernel(t, g, V, K, e0, fe, fc, A, edema_tau, E, O):
        n, nt = E.shape
        for i in range(n):
            e = e0[i]
            o = e0[i]
            E[i, 0] = e
            O[i, 0] = o
            for k in range(1, nt):
                hstep = (t[k] - t[k - 1]) / substeps
                drive = g[i] * fe[k] * A[i, k - 1] / day
                c = fc[k] * V[i]
                for _ in range(substeps):
                    mid = e + 0.5 * hstep * (drive - c * e / (K[i] + e))
                    e = max(e + hstep * (drive - c * mid / (K[i] + mid)), 0.0)
                    o = o + hstep * (drive - o / edema_tau)
                E[i, k] = e
                O[i, k] = o

    return kernel


def erythema_arrays(t, g, V, K, e0, fe, fc, A, edema_tau):
    """(E, O) [n_draws, n_times] from the kernel; arrays as :func:`mtzsim.biology.inflammation.erythema_course` prepares them."""
    n = e0.size
    E = np.empty((n, t.size))
    O = np.empty((n, t.size))
    flat = [np.ascontiguousarray(x, dtype=float) for x in (t, g, V, K, e0, fe, fc, A)]
    make_erythema_kernel()(*flat, float(edema_tau), E, O)
    return E, O
