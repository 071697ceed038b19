"""Near-field superposition: the single-MTZ kernel summed over the fired pulses at every map point, with its Arrhenius damage.

T(x, y, z, t) = T_body + bg(x, y, z, t) + Σ_j K(t − t_j, |(x, y) − (x_j, y_j)|, z) over the
firings younger than the hand-off age τ_c within the cut-off radius; the damage integral
Ω = ∫ A exp(−Ea/RT) dt of each process is the background-only Ω plus, per cluster of
firings whose windows [t_j, t_j + τ_c] overlap, ∫ [rate(T) − rate(T_b + bg)] dt with the
background taken constant over the cluster's window (it changes on the scale of τ_c or
slower). An isolated firing uses a table of that integral over (r, background rise)
(:func:`damage_tables`).

Boiling (the cap rule): tissue that still holds water cannot exceed the boiling point of
water at 1 atm (T_boil): the heat beyond it goes into vaporisation, and drying tissue of
70 % water takes ~ 0.7 · 2.26 MJ/kg / (3.6 MJ/(m³ K) / 1100 kg/m³) ≈ 480 K worth of
superposed excess, far more than neighbours add. So superposed temperatures are capped at
T_boil at *wet* points. A point is *dry* when one firing's own tabulated rise exceeds
boiling there: the single-MTZ engine lets only desiccated tissue (crater wall, eschar) go
beyond boiling, so such a point is left uncapped for the whole scan (a simplification: it
may have been wet before that firing). ``FieldResult.n_capped_points`` and ``dry_fraction``
report both.

The numba kernel is :func:`mtzsim._kernels.field.make_point_kernel`;
:func:`point_kernel_numpy` is its readable twin (same algorithm, one point at a time).
"""

from __future__ import annotations

import math

import numpy as np

from mtzsim._kernels.field import Background, Bins, Firings, Outputs, Table, make_point_kernel

#: Step of the background-rise axis of the isolated-firing damage table [K] and its top [K].
#: Assumption: Ω is interpolated in ln between 1 K steps (rate changes by < 10 % per K at
#: Ea ≤ 1.3 MJ/mol and T ≥ 330 K); backgrounds above 80 K fall back to the cluster path.
DAMAGE_TABLE_STEP_K = 1.0
DAMAGE_TABLE_TOP_K = 80.0

#: Tolerance [K] above boiling from which a single firing's rise marks a point dry.
DRY_TOL_K = 0.05


def damage_tables(kern, lnA, EaR, T_body, bg_grid, T_cap=np.inf):
    """ln of ∫_0^τc [rate(T_b + bg + K) − rate(T_b + bg)] dτ on (slot, [capped, free], proc, r, bg).

    ``T_body`` (T_b) [K]: one value, or one per slot (the cooled skin's profile).

    The rate is integrated log-linearly between table ages (:func:`log_mean_integral`).

    From age 0: before the first table time K ramps up from 0 (as the point kernel).
    Index 0 of the second axis caps the temperature at ``T_cap`` (wet tissue), index 1 does not (dry).
    """
    tau, Kall = kern.tau, kern.K
    if tau[0] > 0.0:
        tau = np.concatenate([[0.0], tau])
        Kall = np.concatenate([np.zeros_like(Kall[:, :1]), Kall], axis=1)
    dtau = np.diff(tau)
    n_slot, _, n_r = Kall.shape
    out = np.empty((n_slot, 2, len(lnA), n_r, bg_grid.size))
    T_slot = np.broadcast_to(np.asarray(T_body, float), (n_slot,))
    for s in range(n_slot):
        tb = float(T_slot[s])
        for c, cap in enumerate((T_cap, np.inf)):
            for p in range(len(lnA)):
                for ib, bg in enumerate(bg_grid):
                    T = np.minimum(tb + bg + Kall[s], cap)
                    a = lnA[p] - EaR[p] / T
                    integral = log_mean_integral(a[:-1], a[1:], dtau[:, None]).sum(0)
                    base = math.exp(lnA[p] - EaR[p] / (tb + bg)) * (tau[-1] - tau[0])
                    out[s, c, p, :, ib] = np.log(np.maximum(integral - base, 1e-300))
    return out


def log_mean_integral(aL, aR, h):
    """Array twin of :func:`mtzsim._kernels.field.log_mean_integral`: ∫ e^a dt with a linear from aL to aR over h."""
    aL, aR = np.broadcast_arrays(np.asarray(aL, float), np.asarray(aR, float))
    d = aR - aL
    hi = np.maximum(aL, aR)
    ad = np.abs(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(ad < 1e-6, 1.0, -np.expm1(-ad) / ad)
    return h * np.where(ad < 1e-6, np.exp(0.5 * (aL + aR)), np.exp(hi) * frac)


def firing_bins(pattern, x0, y0, x1, y1, size) -> Bins:
    """Firings sorted into square bins of side ``size`` [m] over [x0, x1] × [y0, y1] (CSR)."""
    nbx = int(np.ceil((x1 - x0) / size)) + 1
    nby = int(np.ceil((y1 - y0) / size)) + 1
    bi = ((pattern.x - x0) / size).astype(np.int64) * nby + ((pattern.y - y0) / size).astype(np.int64)
    items = np.argsort(bi, kind="stable").astype(np.int64)
    start = np.searchsorted(bi[items], np.arange(nbx * nby + 1)).astype(np.int64)
    return Bins(start, items, float(x0), float(y0), float(size), int(nbx), int(nby))


def slot_table(kern, s, lnD, dbg) -> Table:
    """The kernel record of depth slot ``s``."""
    K = np.ascontiguousarray(kern.K[s])
    return Table(kern.tau, float(kern.dr), float(kern.r_first), K, float(kern.r_cut[s]), float(kern.r_void[s]),
                 np.ascontiguousarray(K.max(axis=0)), np.ascontiguousarray(lnD[s]), 0.0, float(dbg))


def new_outputs(n, n_proc) -> Outputs:
    """Zeroed output arrays for ``n`` points."""
    return Outputs(np.zeros((n, n_proc)), np.zeros(n), np.zeros(n, np.bool_), np.zeros(n, np.bool_),
                   np.zeros(n, np.bool_))


def point_kernel_for(lnA, EaR, T_body, T_cap):
    """The numba point kernel for these constants (see :func:`make_point_kernel`)."""
    return make_point_kernel(lnA, EaR, T_body=T_body, T_cap=T_cap, K_dry=T_cap - T_body + DRY_TOL_K)


# ---------------------------------------------------------------------------------------
# numpy twin (readable; one point at a time, brute-force neighbour search)
# ---------------------------------------------------------------------------------------


def _bilinear(F, x0, dx, y0, dy, x, y):
    nx, ny = F.shape
    qx = np.clip((x - x0) / dx - 0.5, 0.0, nx - 1.0)
    qy = np.clip((y - y0) / dy - 0.5, 0.0, ny - 1.0) if ny > 1 else 0.0
    i = min(int(qx), nx - 2) if nx > 1 else 0
    j = min(int(qy), ny - 2) if ny > 1 else 0
    fx = qx - i if nx > 1 else 0.0
    fy = qy - j if ny > 1 else 0.0
    i1, j1 = (i + 1 if nx > 1 else i), (j + 1 if ny > 1 else j)
    return (F[i, j] * (1 - fx) * (1 - fy) + F[i1, j] * fx * (1 - fy) + F[i, j1] * (1 - fx) * fy
            + F[i1, j1] * fx * fy)


def _background_at(bg, x, y, t):
    st = bg.step_times
    if t < st[0]:
        return 0.0
    k = int(np.searchsorted(st, t))
    if k <= 0 or k >= st.size:
        return _bilinear(bg.BG[min(k, st.size - 1)], bg.x0, bg.dx, bg.y0, bg.dy, x, y)
    f = (t - st[k - 1]) / (st[k] - st[k - 1])
    return (_bilinear(bg.BG[k - 1], bg.x0, bg.dx, bg.y0, bg.dy, x, y) * (1 - f)
            + _bilinear(bg.BG[k], bg.x0, bg.dx, bg.y0, bg.dy, x, y) * f)


def _rise(tab, ages, r):
    """K(age, r) for an array of ages: linear in age and r, ramp from 0 over the pulse, 0 outside."""
    tau = tab.tau
    ages = np.asarray(ages, float)
    ramp = np.where(ages < tau[0], ages / tau[0], 1.0) if tau[0] > 0 else np.ones_like(ages)
    a = np.clip(ages, tau[0], tau[-1])
    q = max((r - tab.r0) / tab.dr, 0.0)
    j = int(q)
    if j >= tab.K.shape[1] - 1:
        return np.zeros_like(ages)
    row = tab.K[:, j] * (1 - (q - j)) + tab.K[:, j + 1] * (q - j)
    v = np.interp(a, tau, row) * ramp
    return np.where((ages < 0) | (ages > tau[-1]), 0.0, v)


def _table_weights(tab, r):
    q = max((r - tab.r0) / tab.dr, 0.0)
    jr = min(int(q), tab.K.shape[1] - 2)
    return jr, min(q - jr, 1.0)


def point_kernel_numpy(px, py, firings: Firings, table: Table, background: Background, *, lnA, EaR, T_body,
                       T_cap, K_dry=None) -> Outputs:
    """Readable twin of the numba point kernel (same inputs, same algorithm, no bins).

    For each point: the near firings (closer than ``table.r_cut``) in time order, grouped
    into clusters of overlapping windows [t_j, t_j + τ_c]; an isolated firing adds its
    tabulated Ω increment, a cluster adds the integral of rate(T) − rate(T_b + bg)
    on the union of its firings' time grids (rate log-linear in time within each interval:
    :func:`log_mean_integral`); T is capped at ``T_cap`` unless a single
    firing's own rise exceeds ``K_dry`` there (dry tissue).
    """
    lnA, EaR = np.asarray(lnA, float), np.asarray(EaR, float)
    K_dry = T_cap - T_body if K_dry is None else K_dry
    n = len(px)
    out = new_outputs(n, lnA.size)
    tau_c = table.tau[-1]
    n_bg = table.lnD.shape[3]
    for p in range(n):
        x, y = float(px[p]), float(py[p])
        d = np.hypot(firings.x - x, firings.y - y)
        out.ablated[p] = bool(np.any(d < table.r_void))
        near = np.nonzero(d < table.r_cut)[0]  # firing order = time order
        rs = d[near]
        # the highest rise over age of the interpolated kernel (not the interpolated maxima)
        kmax = np.array([float(np.max(table.K[:, jr] * (1 - fr) + table.K[:, jr + 1] * fr))
                         for jr, fr in (_table_weights(table, r) for r in rs)])
        dry = bool(np.any(kmax > K_dry))
        out.dry[p] = dry
        cap = np.inf if dry else T_cap
        for q in range(lnA.size):
            out.omega[p, q] = _bilinear(background.omega[q], background.x0, background.dx, background.y0,
                                        background.dy, x, y)
        tp = min(T_body + _bilinear(background.bgmax, background.x0, background.dx, background.y0, background.dy,
                                    x, y), cap)
        # clusters of firings whose windows overlap
        clusters, i = [], 0
        while i < near.size:
            j, end = i, firings.t[near[i]] + tau_c
            while j + 1 < near.size and firings.t[near[j + 1]] < end:
                j += 1
                end = max(end, firings.t[near[j]] + tau_c)
            clusters.append((i, j, end))
            i = j + 1
        for i, j, end in clusters:
            b0 = max(_background_at(background, x, y, 0.5 * (firings.t[near[i]] + end)), 0.0)
            qb = (b0 - table.bg0) / table.dbg
            if i == j and qb < n_bg - 1:
                jr, fr = _table_weights(table, rs[i])
                kb = min(int(qb), n_bg - 2)
                fb = qb - kb
                L = table.lnD[1 if dry else 0]
                lv = ((L[:, jr, kb] * (1 - fr) + L[:, jr + 1, kb] * fr) * (1 - fb)
                      + (L[:, jr, kb + 1] * (1 - fr) + L[:, jr + 1, kb + 1] * fr) * fb)
                out.omega[p] += np.where(lv > -680.0, np.exp(lv), 0.0)
                tp = max(tp, min(T_body + b0 + kmax[i], cap))
                continue
            members = near[i:j + 1]
            ages = np.concatenate([[0.0], table.tau])
            times = np.sort((firings.t[members][:, None] + ages[None, :]).ravel())
            Tb = T_body + b0
            # left and right values of each trapezoid interval (a firing's rise is 0 before it)
            TL = np.full(times.size - 1, Tb)
            TR = np.full(times.size - 1, Tb)
            for m, e in enumerate(members):
                ga, gb = times[:-1] - firings.t[e], times[1:] - firings.t[e]
                live = ga <= tau_c
                TL += np.where(live & (ga >= 0), _rise(table, ga, rs[i + m]), 0.0)
                TR += np.where(live & (gb > 0), _rise(table, gb, rs[i + m]), 0.0)
            TL, TR = np.minimum(TL, cap), np.minimum(TR, cap)
            tp = max(tp, TL.max(), TR.max())
            h = np.diff(times)
            for q in range(lnA.size):
                base = math.exp(lnA[q] - EaR[q] / Tb)
                acc = float((log_mean_integral(lnA[q] - EaR[q] / TL, lnA[q] - EaR[q] / TR, h) - base * h)[h > 0].sum())
                if acc > 0.0:
                    out.omega[p, q] += acc
        out.tpeak[p] = tp
    return out
