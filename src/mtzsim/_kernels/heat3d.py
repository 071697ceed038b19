"""Fused 3-D Pennes bioheat + Arrhenius damage sweep (numba); twin: ``mtzsim.physics.heat.reference3d``.

One sweep reads T and Ω once and writes T_new and Ω once: the explicit FTCS
7-point update of T and the Arrhenius increment of Ω (taken at the old T) are
computed in the same pass over memory, row by row along z (the contiguous,
depth axis), rows of the outer axis x in parallel.

The Arrhenius rate needs ``exp`` in every cell every step. A libm call does not
vectorise and would hold the sweep far below the memory-bandwidth limit, so the
exponential is written out here in plain arithmetic (Cody–Waite range reduction
by ln 2, degree-13 Taylor polynomial evaluated by Estrin's scheme, 2^k
assembled from the exponent bits),
which LLVM vectorises. Its relative error is below 5e-16 (≈ 2 ulp) for
arguments in [-700, 700]; arguments are clamped to that range (e^-700 ≈ 1e-304,
so the clamp changes Ω by less than 1e-300 per step).

In addition, a row of cells whose hottest cell is below ``t_cut`` skips the
damage update altogether: the caller chooses ``t_cut`` so that
``dt·A·exp(−Ea/(R·t_cut))`` is below a stated tolerance (1e-16 by default), so
the skip is exact to that tolerance per cell and step.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

# No 'reassoc': the rounding trick in _exp (x*log2e + SHIFTER − SHIFTER) must survive.
FASTMATH = {"nnan", "ninf", "nsz", "contract"}

_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # fdlibm split of ln 2: hi has 32 trailing zero bits
_LN2_LO = 1.90821492927058770002e-10
_SHIFTER = 6755399441055744.0  # 1.5 * 2**52: adding it rounds to an integer kept in the low bits
_X_CLAMP = 700.0
# 1/n! for the Taylor polynomial of e^r, |r| <= ln2/2 (truncation error < 5e-18).
_C2 = 1.0 / 2.0
_C3 = 1.0 / 6.0
_C4 = 1.0 / 24.0
_C5 = 1.0 / 120.0
_C6 = 1.0 / 720.0
_C7 = 1.0 / 5040.0
_C8 = 1.0 / 40320.0
_C9 = 1.0 / 362880.0
_C10 = 1.0 / 3628800.0
_C11 = 1.0 / 39916800.0
_C12 = 1.0 / 479001600.0
_C13 = 1.0 / 6227020800.0


@intrinsic
def _bits_of(typingctx, x):
    """Reinterpret a float64 as int64 (no conversion)."""
    if x != types.float64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def _float_of(typingctx, n):
    """Reinterpret an int64 as float64 (no conversion)."""
    if n != types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@njit(inline="always", fastmath=FASTMATH, error_model="numpy", cache=True)
def _exp(x):
    """e**x, vectorisable; relative error < 5e-16 for x in [-700, 700] (clamped there)."""
    x = min(max(x, -_X_CLAMP), _X_CLAMP)
    kf = x * _LOG2E + _SHIFTER
    kd = kf - _SHIFTER  # nearest integer to x / ln 2
    r = (x - kd * _LN2_HI) - kd * _LN2_LO
    # Estrin's scheme: same polynomial as Horner, but a dependency chain of ~5 FMAs, not 13
    r2 = r * r
    r4 = r2 * r2
    r8 = r4 * r4
    q0 = (1.0 + r) + (_C2 + _C3 * r) * r2
    q1 = (_C4 + _C5 * r) + (_C6 + _C7 * r) * r2
    q2 = (_C8 + _C9 * r) + (_C10 + _C11 * r) * r2
    q3 = _C12 + _C13 * r
    p = (q0 + q1 * r4) + (q2 + q3 * r4) * r8
    # low bits of kf hold k (plus 2**51); shifting by 52 keeps (k + 1023) mod 4096 as exponent
    scale = _float_of((_bits_of(kf) + 1023) << 52)
    return p * scale


@njit(parallel=True, fastmath=FASTMATH, error_model="numpy", cache=True)
def exp_array(x, out):
    """``out[:] = e**x`` with the kernel's exponential (for tests)."""
    for i in prange(x.size):
        out[i] = _exp(x[i])


@njit(fastmath=FASTMATH, error_model="numpy", cache=True)
def _row(s, xm, xp, ym, yp, d, om, c_lap, c_self, c_const, c_bot, ln_adt, ea_r, t_cut):
    """Update one z-row: d = new T, om += dt·A·exp(−Ea/RT) at the old T (s)."""
    nz = s.shape[0]
    # heat: interior of the row, vectorised
    for k in range(1, nz - 1):
        d[k] = c_lap * (xm[k] + xp[k] + ym[k] + yp[k] + s[k - 1] + s[k + 1]) + c_self * s[k] + c_const
    # top face (k = 0): adiabatic, mirror ghost s[-1] = s[0]
    if nz > 1:
        d[0] = c_lap * (xm[0] + xp[0] + ym[0] + yp[0] + s[0] + s[1]) + c_self * s[0] + c_const
        # bottom face: Dirichlet ghost T_body (folded into c_bot = c_lap * T_body)
        k = nz - 1
        d[k] = c_lap * (xm[k] + xp[k] + ym[k] + yp[k] + s[k - 1]) + c_bot + c_self * s[k] + c_const
    else:
        d[0] = c_lap * (xm[0] + xp[0] + ym[0] + yp[0] + s[0]) + c_bot + c_self * s[0] + c_const
    # damage: skip rows that are everywhere colder than the cutoff
    hot = False
    for k in range(nz):
        hot |= s[k] >= t_cut
    if hot:
        for k in range(nz):
            om[k] += _exp(ln_adt - ea_r / s[k])


@njit(parallel=True, fastmath=FASTMATH, error_model="numpy", cache=True)
def sweep(src, dst, om, c_lap, c_self, c_const, t_body, ln_adt, ea_r, t_cut):
    """One explicit step from ``src`` into ``dst``; ``om`` updated in place.

    ``c_lap`` = α dt/dx², ``c_self`` = 1 − 6 c_lap − w dt, ``c_const`` = w dt T_body,
    ``ln_adt`` = ln(A dt), ``ea_r`` = Ea/R [K], ``t_cut`` [K] (see module docstring).
    Faces x = 0, x = end, y = 0, y = end and z = end are Dirichlet T_body (ghost
    cells); z = 0 is adiabatic (mirror).
    """
    nx, ny, nz = src.shape
    c_bot = c_lap * t_body
    for i in prange(nx):
        wall = np.full(nz, t_body)
        for j in range(ny):
            xm = src[i - 1, j] if i > 0 else wall
            xp = src[i + 1, j] if i < nx - 1 else wall
            ym = src[i, j - 1] if j > 0 else wall
            yp = src[i, j + 1] if j < ny - 1 else wall
            _row(src[i, j], xm, xp, ym, yp, dst[i, j], om[i, j],
                 c_lap, c_self, c_const, c_bot, ln_adt, ea_r, t_cut)


@njit(parallel=True, error_model="numpy", cache=True)
def copy3(src, dst):
    """``dst[...] = src`` in parallel over the outer axis."""
    nx, ny, nz = src.shape
    for i in prange(nx):
        for j in range(ny):
            for k in range(nz):
                dst[i, j, k] = src[i, j, k]


@njit(error_model="numpy", cache=True)
def run_steps(T, omega, T_scratch, n_steps, c_lap, c_self, c_const, t_body, ln_adt, ea_r, t_cut):
    """``n_steps`` sweeps ping-ponging between ``T`` and ``T_scratch``; result left in ``T``."""
    src, dst = T, T_scratch
    for _ in range(n_steps):
        sweep(src, dst, omega, c_lap, c_self, c_const, t_body, ln_adt, ea_r, t_cut)
        src, dst = dst, src
    if n_steps % 2 == 1:
        copy3(T_scratch, T)
