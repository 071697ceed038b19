"""Near-field superposition and Arrhenius damage at map points (numba); twin: ``mtzsim.physics.field.superposition``.

For every map point the kernel finds the firings whose single-MTZ rise reaches it (within
the cut-off radius), groups them into clusters of overlapping windows [t_j, t_j + τ_c], and
adds to the background-only damage: for an isolated firing the tabulated integral
∫[rate(T_b + bg + K) − rate(T_b + bg)] dτ (bilinear in radius and background rise), for a
cluster the same integral on the union of the firings' time grids, interval by interval
with the rate taken log-linear in time (:func:`log_mean_integral`).
It also returns the peak temperature, whether the point lies inside a crater, and whether
the point is *dry*: some firing's own rise there exceeds boiling, which the single-MTZ
engine allows only in tissue whose water has boiled off. Wet points are capped at boiling
(water there cannot exceed it at 1 atm while it remains; the excess goes into
vaporisation), dry points are not.

The kernel is made by :func:`make_point_kernel`, which closes over the model constants
(ln A and Ea/R of the damage processes, body temperature, boiling cap, buffer size);
it takes a few small records (:class:`Firings`, :class:`Bins`, :class:`Table`,
:class:`Background`, :class:`Outputs`).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit, prange

#: Firings in firing (= time) order: x, y [m], t [s].
Firings = namedtuple("Firings", "x y t")
#: Spatial bins of the firings: CSR ``start`` (n_bins + 1) and ``items`` (firing indices);
#: origin x0, y0 [m], side ``size`` [m], counts nx, ny.
Bins = namedtuple("Bins", "start items x0 y0 size nx ny")
#: Kernel of one depth slot: ages ``tau`` [s] (last = τ_c), radial step ``dr`` and first radius
#: ``r0`` [m], rise ``K`` [K] (n_tau, n_r), cut-off and crater radii [m], highest rise over
#: age ``Kmax`` [K] (n_r), ln of the isolated-firing damage integrals ``lnD``
#: (2 [capped, free], n_proc, n_r, n_bg) on background rises bg0 + i dbg [K].
Table = namedtuple("Table", "tau dr r0 K r_cut r_void Kmax lnD bg0 dbg")
#: Background of one slot on its coarse grid: rise ``BG`` [K] (n_steps, nx, ny) at ``step_times``
#: [s], grid origin/step x0, dx, y0, dy [m], background-only Ω ``omega`` (n_proc, nx, ny)
#: and highest background rise ``bgmax`` [K] (nx, ny).
Background = namedtuple("Background", "BG step_times x0 dx y0 dy omega bgmax")
#: Outputs per point: Ω (n, n_proc), peak temperature [K], inside a crater, near-firing buffer
#: overflow, dry (a firing's own rise exceeded boiling there).
Outputs = namedtuple("Outputs", "omega tpeak ablated overflow dry")
#: Constants the factory closes over.
Constants = namedtuple("Constants", "lnA EaR T_body T_cap K_dry max_near")

#: Near firings one point can hold (a map point rarely sees more than a few dozen).
MAX_NEAR = 512


@njit(cache=True)
def interp_k(Ks, tau, dr, r0, age, r):
    """K(age, r), linear in age and r; before the first table time (the pulse end of the
    engine's table) a linear ramp from 0 at age 0, never a backward extrapolation."""
    n_tau = tau.size
    n_r = Ks.shape[1]
    if age < 0.0 or age > tau[n_tau - 1]:
        return 0.0
    ramp = 1.0
    if age < tau[0]:
        # the firing's rise grows during the pulse: extrapolating the table's cooling
        # between tau[0] and tau[1] back to age 0 overshot by up to 12 K below the
        # crater floor of the real MTZ (the first table time is the end of the pulse)
        ramp = age / tau[0]
        age = tau[0]
    i = np.searchsorted(tau, age) - 1
    if i < 0:
        i = 0
    if i > n_tau - 2:
        i = n_tau - 2
    ft = (age - tau[i]) / (tau[i + 1] - tau[i])
    q = (r - r0) / dr
    if q < 0.0:
        q = 0.0
    j = int(q)
    if j >= n_r - 1:
        return 0.0
    fr = q - j
    v0 = Ks[i, j] * (1 - fr) + Ks[i, j + 1] * fr
    v1 = Ks[i + 1, j] * (1 - fr) + Ks[i + 1, j + 1] * fr
    return (v0 * (1 - ft) + v1 * ft) * ramp


@njit(cache=True)
def log_mean_integral(aL, aR, h):
    """∫ exp(a(t)) dt over an interval of length h [s] on which a = ln(rate) goes from aL to aR linearly.

    h (e^aR − e^aL)/(aR − aL), the exact integral of a rate that changes by a constant factor
    per unit time. The trapezoid rule h (e^aL + e^aR)/2 overestimates that by the factor
    (d/2) coth(d/2) ≈ |d|/2 for d = aR − aL ≫ 1: at Ea = 1.3 MJ/mol ln(rate) changes by
    Ea/(R T²) ≈ 1.2 per kelvin near 360 K, so a 15 K step of the tabulated rise between two
    table ages next to the crater wall (second-generation single-MTZ engine) made the
    trapezoid ~9 times too large. Between table ages the rise is
    linear in time (the table's interpolation) and ln(rate) = ln A − Ea/(R T) is linear in T
    to within (ΔT/T)² of its range, so the rule is accurate where the trapezoid is not.
    """
    d = aR - aL
    if abs(d) < 1e-6:
        return h * math.exp(0.5 * (aL + aR))
    if d > 0.0:
        return h * math.exp(aR) * (1.0 - math.exp(-d)) / d
    return h * math.exp(aL) * (1.0 - math.exp(d)) / (-d)


@njit(cache=True)
def peak_of(K, jr, fr):
    """Highest rise over age [K] of K interpolated between radii ``jr`` and ``jr + 1`` (weight ``fr``).

    The maximum of the interpolant, not the interpolant of the maxima: next to a crater wall
    adjacent radii peak at different ages, and interpolating their maxima overestimated the
    peak by up to 6.6 K (tests/test_field.py, brute-force 3-D comparison).
    """
    m = -np.inf
    for k in range(K.shape[0]):
        v = K[k, jr] * (1 - fr) + K[k, jr + 1] * fr
        if v > m:
            m = v
    return m


@njit(cache=True)
def bilinear(F, x0, dx, y0, dy, x, y):
    """F at (x, y) on a cell-centred grid (origin x0, y0 at the cells' lower faces), clamped."""
    nx, ny = F.shape
    qx = (x - x0) / dx - 0.5
    qy = (y - y0) / dy - 0.5 if ny > 1 else 0.0
    qx = min(max(qx, 0.0), nx - 1.0)
    qy = min(max(qy, 0.0), ny - 1.0)
    i = min(int(qx), nx - 2) if nx > 1 else 0
    j = min(int(qy), ny - 2) if ny > 1 else 0
    fx = qx - i if nx > 1 else 0.0
    fy = qy - j if ny > 1 else 0.0
    i1 = i + 1 if nx > 1 else i
    j1 = j + 1 if ny > 1 else j
    return (F[i, j] * (1 - fx) * (1 - fy) + F[i1, j] * fx * (1 - fy)
            + F[i, j1] * (1 - fx) * fy + F[i1, j1] * fx * fy)


@njit(cache=True)
def bg_at(BG, st, x0, dx, y0, dy, x, y, t):
    """Background rise [K] at (x, y, t): bilinear in space, linear in time, 0 before the first step."""
    n = st.size
    k = np.searchsorted(st, t)
    if k <= 0:
        if st[0] > t:
            return 0.0
        return bilinear(BG[0], x0, dx, y0, dy, x, y)
    if k >= n:
        return bilinear(BG[n - 1], x0, dx, y0, dy, x, y)
    f = (t - st[k - 1]) / (st[k] - st[k - 1])
    return bilinear(BG[k - 1], x0, dx, y0, dy, x, y) * (1 - f) + bilinear(BG[k], x0, dx, y0, dy, x, y) * f


@njit(parallel=True, cache=True)
def _point_kernel(px, py, fire, bins, tab, bg, c, out):
    # records are unpacked one field per statement before the parallel loop: with a tuple
    # unpacking (a, b = rec.a, rec.b) numba's parfor lost the writes to some output arrays
    # (measured: tpeak and ablated stayed 0 while omega was written)
    omega = out.omega
    peak_out = out.tpeak
    ablated = out.ablated
    overflow = out.overflow
    dry_out = out.dry
    fx = fire.x
    fy = fire.y
    ft = fire.t
    b_start = bins.start
    b_items = bins.items
    b_x0 = bins.x0
    b_y0 = bins.y0
    b_size = bins.size
    b_nx = bins.nx
    b_ny = bins.ny
    tau = tab.tau
    dr = tab.dr
    r0 = tab.r0
    K = tab.K
    Kmax = tab.Kmax
    lnD = tab.lnD
    bg0 = tab.bg0
    dbg = tab.dbg
    g_om = bg.omega
    g_max = bg.bgmax
    g_x0 = bg.x0
    g_dx = bg.dx
    g_y0 = bg.y0
    g_dy = bg.dy
    g_BG = bg.BG
    g_st = bg.step_times
    lnA = c.lnA
    EaR = c.EaR
    T_body = c.T_body
    T_cap = c.T_cap
    K_dry = c.K_dry
    max_near = c.max_near
    n_proc = lnA.size
    n_tau = tau.size
    tau_c = tau[n_tau - 1]
    n_bg = lnD.shape[3]
    n_r = K.shape[1]
    rc2 = tab.r_cut * tab.r_cut
    rv2 = tab.r_void * tab.r_void
    for p in prange(px.size):
        x = px[p]
        y = py[p]
        buf = np.empty(max_near, np.int64)
        bufr = np.empty(max_near)
        cnt = 0
        ib = int((x - b_x0) / b_size)
        jb = int((y - b_y0) / b_size)
        abl = False
        for ii in range(max(ib - 1, 0), min(ib + 2, b_nx)):
            for jj in range(max(jb - 1, 0), min(jb + 2, b_ny)):
                b = ii * b_ny + jj
                for m in range(b_start[b], b_start[b + 1]):
                    e = b_items[m]
                    d2 = (fx[e] - x) ** 2 + (fy[e] - y) ** 2
                    if d2 < rc2:
                        if cnt < max_near:
                            buf[cnt] = e
                            bufr[cnt] = math.sqrt(d2)
                            cnt += 1
                        else:
                            overflow[p] = True
                    if d2 < rv2:
                        abl = True
        ablated[p] = abl
        # dry: a near firing's own rise exceeds boiling here (its water is gone)
        dry = False
        for m in range(cnt):
            qr = max((bufr[m] - r0) / dr, 0.0)
            jr = min(int(qr), n_r - 2)
            fr = min(qr - jr, 1.0)
            # Kmax interpolated bounds the peak from above; the exact peak decides
            if Kmax[jr] * (1 - fr) + Kmax[jr + 1] * fr > K_dry and peak_of(K, jr, fr) > K_dry:
                dry = True
        dry_out[p] = dry
        cap = np.inf if dry else T_cap
        which = 1 if dry else 0  # lnD[0]: capped at boiling, lnD[1]: free
        for q in range(n_proc):
            omega[p, q] = bilinear(g_om[q], g_x0, g_dx, g_y0, g_dy, x, y)
        tp = min(T_body + bilinear(g_max, g_x0, g_dx, g_y0, g_dy, x, y), cap)
        if cnt == 0:
            peak_out[p] = tp
            continue
        # firing index order == time order
        srt = np.argsort(buf[:cnt])
        ids = buf[:cnt][srt]
        rs = bufr[:cnt][srt]
        i = 0
        while i < cnt:
            j = i
            end = ft[ids[i]] + tau_c
            while j + 1 < cnt and ft[ids[j + 1]] < end:
                j += 1
                end = max(end, ft[ids[j]] + tau_c)
            t_mid = 0.5 * (ft[ids[i]] + end)
            b0 = max(bg_at(g_BG, g_st, g_x0, g_dx, g_y0, g_dy, x, y, t_mid), 0.0)
            qb = (b0 - bg0) / dbg
            if j == i and qb < n_bg - 1:
                # isolated firing: tabulated integral, bilinear in (r, bg)
                qr = max((rs[i] - r0) / dr, 0.0)
                jr = min(int(qr), n_r - 2)
                fr = min(qr - jr, 1.0)
                kb = min(int(qb), n_bg - 2)
                fb = qb - kb
                for q in range(n_proc):
                    L = lnD[which, q]
                    lv = ((L[jr, kb] * (1 - fr) + L[jr + 1, kb] * fr) * (1 - fb)
                          + (L[jr, kb + 1] * (1 - fr) + L[jr + 1, kb + 1] * fr) * fb)
                    if lv > -680.0:
                        omega[p, q] += math.exp(lv)
                tp = max(tp, min(T_body + b0 + peak_of(K, jr, fr), cap))
            else:
                # cluster: integrate on the union of the firings' time grids
                nm = j - i + 1
                times = np.empty(nm * (n_tau + 1))
                for m in range(nm):
                    t0 = ft[ids[i + m]]
                    times[m * (n_tau + 1)] = t0  # age 0: start of the ramp over the pulse
                    for k in range(n_tau):
                        times[m * (n_tau + 1) + k + 1] = t0 + tau[k]
                times = np.sort(times)
                Tb = T_body + b0
                nt = times.size
                TL = np.full(nt, Tb)
                TR = np.full(nt, Tb)
                for m in range(nm):
                    e = ids[i + m]
                    k0 = max(np.searchsorted(times, ft[e]) - 1, 0)
                    for k in range(k0, nt - 1):
                        ga = times[k] - ft[e]
                        if ga > tau_c:
                            break
                        gb = times[k + 1] - ft[e]
                        if ga >= 0.0:
                            TL[k] += interp_k(K, tau, dr, r0, ga, rs[i + m])
                        if gb > 0.0:
                            TR[k] += interp_k(K, tau, dr, r0, gb, rs[i + m])
                for k in range(nt - 1):
                    TL[k] = min(TL[k], cap)
                    TR[k] = min(TR[k], cap)
                    tp = max(tp, TL[k], TR[k])
                for q in range(n_proc):
                    acc = 0.0
                    base = math.exp(lnA[q] - EaR[q] / Tb)
                    for k in range(nt - 1):
                        h = times[k + 1] - times[k]
                        if h <= 0.0:
                            continue
                        acc += log_mean_integral(lnA[q] - EaR[q] / TL[k], lnA[q] - EaR[q] / TR[k], h) - base * h
                    if acc > 0.0:
                        omega[p, q] += acc
            i = j + 1
        peak_out[p] = tp


def make_point_kernel(lnA, EaR, *, T_body, T_cap, K_dry, max_near=MAX_NEAR):
    """The point kernel with its model constants closed over.

    Parameters
    ----------
    lnA : sequence of float
        ln of the Arrhenius frequency factors A [1/s] of the damage processes.
    EaR : sequence of float
        Activation energies over the gas constant, Ea/R [K].
    T_body : float
        Body temperature [K].
    T_cap : float
        Highest temperature of wet tissue [K] (the boiling point; ``inf`` for none).
    K_dry : float
        Single-firing rise [K] above which a point counts as dry (uncapped).
    max_near : int
        Near firings one point can hold (more set ``overflow``).

    Returns
    -------
    callable
        ``kernel(px, py, firings, bins, table, background, outputs)``: fills ``outputs``
        (:class:`Outputs`) in place for the points (px, py) [m].
    """
    c = Constants(np.asarray(lnA, float), np.asarray(EaR, float), float(T_body), float(T_cap), float(K_dry),
                  int(max_near))

    def kernel(px, py, firings, bins, table, background, outputs):
        _point_kernel(np.ascontiguousarray(px, float), np.ascontiguousarray(py, float), firings, bins, table,
                      background, c, outputs)
        return outputs

    kernel.constants = c
    return kernel
