"""Jacobi-preconditioned conjugate gradients on a CSR matrix (numba); twin: ``mtzsim.physics.rf.pcg_numpy``.

The potential solve of :mod:`mtzsim.physics.rf` spends its time in a few hundred CG iterations
on a few hundred thousand unknowns. Through scipy each iteration is a chain of small numpy/BLAS
calls (matvec, dots, axpys), which on a shared 2-core machine lose most of their time to
call overhead and BLAS thread hand-offs. Here one iteration is two fused loops: the matrix-vector
product with the dot p·Ap, then the updates of x, r, z with the dot r·z. Single-threaded, no BLAS;
the arithmetic is the textbook algorithm (Saad, Iterative Methods for Sparse Linear Systems,
2nd ed., Alg. 9.1), so its iterates equal the numpy twin's to rounding.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def make_pcg():
    """Return ``pcg(indptr, indices, data, inv_diag, b, x, rtol, maxiter) -> iterations``.

    Solves A x = b for the symmetric positive-definite CSR matrix (indptr, indices, data) with
    the Jacobi preconditioner ``inv_diag`` = 1 / diag(A), starting from ``x`` (updated in place),
    until ‖r‖₂ ≤ rtol ‖b‖₂. Returns the number of iterations, or −1 when ``maxiter`` is reached.
    """

    @njit(cache=True, fastmath=False)
    def pcg(indptr, indices, data, inv_diag, b, x, rtol, maxiter):
        n = b.shape[0]
        r = np.empty(n)
        z = np.empty(n)
        p = np.empty(n)
        ap = np.empty(n)
        bnorm2 = 0.0
        for i in range(n):
            bnorm2 += b[i] * b[i]
        if bnorm2 == 0.0:
            for i in range(n):
                x[i] = 0.0
            return 0
        tol2 = rtol * rtol * bnorm2
        rz = 0.0
        rr = 0.0
        for i in range(n):
            s = 0.0
            for k in range(indptr[i], indptr[i + 1]):
                s += data[k] * x[indices[k]]
            r[i] = b[i] - s
            z[i] = inv_diag[i] * r[i]
            p[i] = z[i]
            rz += r[i] * z[i]
            rr += r[i] * r[i]
        if rr <= tol2:
            return 0
        for it in range(1, maxiter + 1):
            pap = 0.0
            for i in range(n):
                s = 0.0
                for k in range(indptr[i], indptr[i + 1]):
                    s += data[k] * p[indices[k]]
                ap[i] = s
                pap += p[i] * s
            alpha = rz / pap
            rz_new = 0.0
            rr = 0.0
            for i in range(n):
                x[i] += alpha * p[i]
                r[i] -= alpha * ap[i]
                z[i] = inv_diag[i] * r[i]
                rz_new += r[i] * z[i]
                rr += r[i] * r[i]
            if rr <= tol2:
                return it
            beta = rz_new / rz
            rz = rz_new
            for i in range(n):
                p[i] = z[i] + beta * p[i]
        return -1

    return pcg
