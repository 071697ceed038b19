"""Numba kernels of the axisymmetric (r, z) single-MTZ solver. Private: use mtzsim.physics.heat.axisym.

Arrays are indexed [j, k] = [radius, depth]; SI units; no objects. Each kernel has a
readable numpy twin in mtzsim.physics.heat.axisym that the tests hold it to.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

R_GAS = 8.314462618  # J/(mol K), CODATA 2018


@nb.njit(cache=True, inline="always")
def _temperature(H, H1, H2, rc, rc_dry, t_body, t_boil):
    """Temperature [K] from enthalpy per volume H [J/m³] above body temperature."""
    if H < H1:
        return t_body + H / rc
    if H < H2:
        return t_boil
    return t_boil + (H - H2) / rc_dry


@nb.njit(cache=True)
def temperatures(H, void, H1, H2, rc, rc_dry, t_body, t_boil, T):
    nr, nz = H.shape
    temperatures_box(H, void, H1, H2, rc, rc_dry, t_body, t_boil, T, nr, nz)


@nb.njit(cache=True)
def temperatures_box(H, void, H1, H2, rc, rc_dry, t_body, t_boil, T, jb, kb):
    """Temperatures of the cells [0, jb) × [0, kb) (the active box; the rest stays at t_body)."""
    for j in range(jb):
        for k in range(kb):
            if void[j, k]:
                T[j, k] = t_body
            else:
                T[j, k] = _temperature(H[j, k], H1[j, k], H2[j, k], rc[j, k], rc_dry[j, k], t_body, t_boil)


@nb.njit(cache=True)
def conduction_rate(T, void, Gr, Gz, t_body, out):
    """Net conductive power into each cell [W]; returns power lost through the far boundaries [W].

    Gr[j, k] is the conductance [W/K] of the radial face between cells j-1 and j
    (Gr[0] = 0 on the axis, Gr[nr] to the far boundary at t_body); Gz likewise in depth
    (Gz[:, 0] = 0: adiabatic skin surface, Gz[:, nz] to the deep boundary). Void cells
    (ablated) exchange no heat.
    """
    nr, nz = T.shape
    return conduction_rate_box(T, void, Gr, Gz, t_body, out, nr, nz)


@nb.njit(cache=True)
def conduction_rate_box(T, void, Gr, Gz, t_body, out, jb, kb):
    """:func:`conduction_rate` on the cells [0, jb) × [0, kb); cells beyond are at t_body."""
    nr, nz = T.shape
    lost = 0.0
    for j in range(jb):
        for k in range(kb):
            if void[j, k]:
                out[j, k] = 0.0
                continue
            Tc = T[j, k]
            q = 0.0
            if j > 0:
                if not void[j - 1, k]:
                    q += Gr[j, k] * (T[j - 1, k] - Tc)
            if j < nr - 1:
                if not void[j + 1, k]:
                    q += Gr[j + 1, k] * (T[j + 1, k] - Tc)
            else:
                f = Gr[nr, k] * (t_body - Tc)
                q += f
                lost -= f
            if k > 0:
                if not void[j, k - 1]:
                    q += Gz[j, k] * (T[j, k - 1] - Tc)
            if k < nz - 1:
                if not void[j, k + 1]:
                    q += Gz[j, k + 1] * (T[j, k + 1] - Tc)
            else:
                f = Gz[j, nz] * (t_body - Tc)
                q += f
                lost -= f
            out[j, k] = q
    return lost


@nb.njit(cache=True)
def arrhenius_update_box(T, void, omega, A, Ea, dt, t_cut, jb, kb):
    """Ω_p += dt·A_p·exp(−Ea_p/(R T)) on the cells [0, jb) × [0, kb) (explicit, rate at T).

    t_cut[p] is process p's own cutoff [K], chosen by the caller so that the skipped
    increments stay below a stated tolerance over the whole run (mtzsim.physics.heat.axisym.arrhenius_cutoff).
    """
    npr = A.shape[0]
    t_min = t_cut[0]
    for p in range(npr):
        t_min = min(t_min, t_cut[p])
    for j in range(jb):
        for k in range(kb):
            Tc = T[j, k]
            if Tc < t_min or void[j, k]:
                continue
            inv = 1.0 / (R_GAS * Tc)
            for p in range(npr):
                if Tc >= t_cut[p]:
                    omega[p, j, k] += dt * A[p] * math.exp(-Ea[p] * inv)


@nb.njit(cache=True)
def deposit_beam(
    H, void, floor, r, h, mua, power, w_floor_sq, gaussian, transmission, vol, sink
):
    """Beer–Lambert deposition of the beam into each column below the current crater floor.

    Column j receives the irradiance I(r_j) of the beam at its floor depth (width
    w_floor_sq[j] = w(z_floor)², beam divergence), times the plume transmission, and
    deposits the exact fraction exp(−Σµa·dz) absorbed in each cell below the floor.
    Returns the power delivered into the columns [W]; what leaves the bottom goes to sink[0].
    """
    nr, nz = H.shape
    delivered = 0.0
    for j in range(nr):
        kf = floor[j]
        if kf >= nz:
            continue
        w2 = w_floor_sq[j]
        if gaussian and r[j] * r[j] > 12.25 * w2:
            continue  # beyond 3.5 w: below 3e-11 of the peak irradiance (counted as not intercepted)
        if gaussian:
            irr = power * 2.0 / (math.pi * w2) * math.exp(-2.0 * r[j] * r[j] / w2)
        else:
            irr = power / (math.pi * w2) if r[j] * r[j] <= w2 else 0.0
        irr *= transmission
        if irr <= 0.0:
            continue
        area = vol[j, 0] / h
        p_in = irr * area
        delivered += p_in
        remaining = 1.0
        for k in range(kf, nz):
            if void[j, k]:
                continue
            frac = remaining * (1.0 - math.exp(-mua[j, k] * h))
            H[j, k] += p_in * frac / vol[j, k]  # power per volume; caller multiplies by dt
            remaining -= frac
            if remaining < 1e-14:
                break
        sink[0] += p_in * remaining
    return delivered


@nb.njit(cache=True)
def find_floor(void, floor):
    nr, nz = void.shape
    for j in range(nr):
        k = 0
        while k < nz and void[j, k]:
            k += 1
        floor[j] = k


@nb.njit(cache=True)
def condense_on_walls_box(state, level, cap, void, reservoir, jb, kb):
    """Give heat from the plume reservoir [J] to crater-wall cells of the box [0, jb) × [0, kb), never above ``level``.

    Wall cells are solid cells with a void face neighbour. During the pulse each can take
    V·(H_100°C − H) (J), so hot plume and condensing vapour heat the walls up to boiling
    but cannot ablate them (after the pulse, mtz.py holds the walls at 100 °C as a
    Dirichlet boundary instead). When the reservoir cannot fill them all, each gets the
    same fraction. Returns the energy given [J].
    """
    nr, nz = state.shape
    need = 0.0
    for j in range(jb):
        for k in range(kb):
            if void[j, k]:
                continue
            wall = (k > 0 and void[j, k - 1]) or (j > 0 and void[j - 1, k]) or (j < nr - 1 and void[j + 1, k])
            if wall and state[j, k] < level[j, k]:
                need += cap[j, k] * (level[j, k] - state[j, k])
    if need <= 0.0 or reservoir <= 0.0:
        return 0.0
    frac = min(1.0, reservoir / need)
    for j in range(jb):
        for k in range(kb):
            if void[j, k]:
                continue
            wall = (k > 0 and void[j, k - 1]) or (j > 0 and void[j - 1, k]) or (j < nr - 1 and void[j + 1, k])
            if wall and state[j, k] < level[j, k]:
                state[j, k] += frac * (level[j, k] - state[j, k])
    return frac * need


@nb.njit(cache=True)
def wall_cells(void, out):
    """Mark solid cells that have a void face neighbour (the crater wall)."""
    nr, nz = void.shape
    for j in range(nr):
        for k in range(nz):
            out[j, k] = (not void[j, k]) and (
                (k > 0 and void[j, k - 1]) or (j > 0 and void[j - 1, k]) or (j < nr - 1 and void[j + 1, k])
            )


@nb.njit(cache=True)
def _tridiag(a, b, c, d, x, n, cp, dp):
    """Thomas algorithm: a[i] x[i-1] + b[i] x[i] + c[i] x[i+1] = d[i]."""
    cp[0] = c[0] / b[0]
    dp[0] = d[0] / b[0]
    for i in range(1, n):
        m = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / m
        dp[i] = (d[i] - a[i] * dp[i - 1]) / m
    x[n - 1] = dp[n - 1]
    for i in range(n - 2, -1, -1):
        x[i] = dp[i] - cp[i] * x[i + 1]


@nb.njit(cache=True, parallel=True)
def implicit_lod_step(T, void, Gr, Gz, cap, perf, t_body, dt, fixed):
    """One locally-one-dimensional backward-Euler step (radial lines, then depth lines).

    cap = ρc·V [J/K] per cell; perf = ω_b [1/s] (Pennes, ρ_b c_b taken equal to ρc);
    cells where ``fixed`` is set keep their temperature (Dirichlet) and conduct to their
    neighbours. Lines are independent and solved in parallel.
    Unconditionally stable; first order in time. Returns (boundary loss, perfusion loss) [J].
    """
    nr, nz = T.shape
    lost_rb = np.zeros(nz)
    lost_zb = np.zeros(nr)
    lost_pj = np.zeros(nr)
    # radial sweep
    for k in nb.prange(nz):
        a = np.empty(nr)
        b = np.empty(nr)
        c = np.empty(nr)
        d = np.empty(nr)
        x = np.empty(nr)
        cp = np.empty(nr)
        dp = np.empty(nr)
        for j in range(nr):
            if void[j, k] or fixed[j, k]:
                a[j] = 0.0
                b[j] = 1.0
                c[j] = 0.0
                d[j] = T[j, k]
                continue
            s = dt / cap[j, k]
            gl = Gr[j, k] if (j > 0 and not void[j - 1, k]) else 0.0
            if j < nr - 1:
                gr = Gr[j + 1, k] if not void[j + 1, k] else 0.0
                gb = 0.0
            else:
                gr = 0.0
                gb = Gr[nr, k]
            a[j] = -s * gl
            c[j] = -s * gr
            b[j] = 1.0 + s * (gl + gr + gb)
            d[j] = T[j, k] + s * gb * t_body
        _tridiag(a, b, c, d, x, nr, cp, dp)
        for j in range(nr):
            T[j, k] = x[j]
        if not (void[nr - 1, k] or fixed[nr - 1, k]):
            lost_rb[k] = dt * Gr[nr, k] * (T[nr - 1, k] - t_body)
    # depth sweep with perfusion
    for j in nb.prange(nr):
        a = np.empty(nz)
        b = np.empty(nz)
        c = np.empty(nz)
        d = np.empty(nz)
        x = np.empty(nz)
        cp = np.empty(nz)
        dp = np.empty(nz)
        for k in range(nz):
            if void[j, k] or fixed[j, k]:
                a[k] = 0.0
                b[k] = 1.0
                c[k] = 0.0
                d[k] = T[j, k]
                continue
            s = dt / cap[j, k]
            gu = Gz[j, k] if (k > 0 and not void[j, k - 1]) else 0.0
            if k < nz - 1:
                gd = Gz[j, k + 1] if not void[j, k + 1] else 0.0
                gb = 0.0
            else:
                gd = 0.0
                gb = Gz[j, nz]
            a[k] = -s * gu
            c[k] = -s * gd
            b[k] = 1.0 + s * (gu + gd + gb) + dt * perf[j, k]
            d[k] = T[j, k] + s * gb * t_body + dt * perf[j, k] * t_body
        _tridiag(a, b, c, d, x, nz, cp, dp)
        lp = 0.0
        for k in range(nz):
            T[j, k] = x[k]
            if not (void[j, k] or fixed[j, k]):
                lp += dt * perf[j, k] * cap[j, k] * (x[k] - t_body)
        lost_pj[j] = lp
        if not (void[j, nz - 1] or fixed[j, nz - 1]):
            lost_zb[j] = dt * Gz[j, nz] * (T[j, nz - 1] - t_body)
    return lost_rb.sum() + lost_zb.sum(), lost_pj.sum()


@nb.njit(cache=True, parallel=True)
def arrhenius_rates(T, void, A, Ea, t_cut, out):
    """Rates k_p(T) = A_p exp(−Ea_p/RT) [1/s] of every process in every cell (0 below t_cut[p] or in void)."""
    nr, nz = T.shape
    npr = A.shape[0]
    for j in nb.prange(nr):
        for k in range(nz):
            Tc = T[j, k]
            for p in range(npr):
                if void[j, k] or Tc < t_cut[p]:
                    out[p, j, k] = 0.0
                else:
                    out[p, j, k] = A[p] * math.exp(-Ea[p] / (R_GAS * Tc))


@nb.njit(cache=True)
def lambert_w(x):
    """Principal branch W(x) for x ≥ 0 (Newton–Halley iteration)."""
    if x <= 0.0:
        return 0.0
    w = math.log1p(x) if x < 3.0 else math.log(x) - math.log(math.log(x))
    for _ in range(50):
        ew = math.exp(w)
        f = w * ew - x
        wn = w - f / (ew * (w + 1.0) - (w + 2.0) * f / (2.0 * w + 2.0))
        if abs(wn - w) < 1e-13 * (1.0 + abs(wn)):
            return wn
        w = wn
    return w


@nb.njit(cache=True)
def pulse_phase(
    H, void, Omega, Tmax,
    H1, H2, Habl, rc, rc_dry, mua, perf, vol, Gr, Gz, r, h,
    t_body, t_boil, pulse_starts, pulse_duration, t_end, power, w0, z_rayleigh, gaussian,
    plume_irradiance, wall_fraction, ejection_delay, A, Ea, t_cut, dt_max, heat_step,
    probe_j, probe_k, probe_every, probe_t, probe_T, q_static, dt_max_dry,
):
    """Explicit enthalpy-method time stepping while the laser fires (and between stacked pulses).

    Returns tallies [J]: delivered, plume_escaped, wall, transmitted, ablated,
    boundary, perfusion, and the number of steps and probe samples.
    """
    nr, nz = H.shape
    T = np.full_like(H, t_body)
    cond = np.zeros_like(H)
    Q = np.zeros_like(H)
    floor = np.zeros(nr, dtype=np.int64)
    wf2 = np.zeros(nr)
    t_mark = np.full((nr, nz), np.inf)
    sink = np.zeros(1)
    tally = np.zeros(8)  # ..., [7] plume heat still held for the walls
    reservoir = 0.0
    started = False
    t = 0.0
    nsteps = 0
    nprobe = 0
    npulse = pulse_starts.shape[0]
    area0 = math.pi * w0 * w0
    # active box [0, jb) × [0, kb): every cell outside holds H = 0 (body temperature), is
    # solid and receives no beam, so it needs no update; the box grows by one cell a step
    jb = 1
    kb = 1
    while t < t_end - 1e-15:
        # laser power now, and time to the next pulse edge
        p_now = 0.0
        t_edge = t_end
        for i in range(npulse):
            a = pulse_starts[i]
            b = a + pulse_duration
            if a <= t < b:
                p_now = power
                t_edge = min(t_edge, b)
            elif t < a:
                t_edge = min(t_edge, a)
        temperatures_box(H, void, H1, H2, rc, rc_dry, t_body, t_boil, T, jb, kb)
        lost = conduction_rate_box(T, void, Gr, Gz, t_body, cond, jb, kb)
        for j in range(jb):
            for k in range(kb):
                Q[j, k] = 0.0
        p_deliv = 0.0
        p_plume = 0.0
        p_wall = 0.0
        sink[0] = 0.0
        if p_now > 0.0:
            find_floor(void, floor)
            for j in range(nr):
                zf = floor[j] * h
                wf2[j] = w0 * w0 * (1.0 + (zf / z_rayleigh) ** 2)
            trans = 1.0
            if started and plume_irradiance > 0.0:
                i_peak = p_now * (2.0 if gaussian else 1.0) / area0
                x = i_peak / plume_irradiance
                trans = lambert_w(x) / x
            if q_static.shape[0] == nr:
                # scattering beam (non-ablative): fixed deposition pattern [W/m³ per W]
                p_deliv = 0.0
                for j in range(nr):
                    for k in range(nz):
                        if not void[j, k]:
                            Q[j, k] += p_now * trans * q_static[j, k]
                            p_deliv += p_now * trans * q_static[j, k] * vol[j, k]
            else:
                p_deliv = deposit_beam(Q, void, floor, r, h, mua, p_now, wf2, gaussian, trans, vol, sink)
            # the beam may reach beyond the box: grow it to cover every cell that received energy
            for j in range(nr):
                for k in range(nz - 1, -1, -1):
                    if Q[j, k] != 0.0:
                        if j + 1 > jb:
                            jb = j + 1
                        if k + 1 > kb:
                            kb = k + 1
                        break
            p_shield = p_now * (1.0 - trans)
            p_wall = wall_fraction * p_shield  # joins the wall reservoir
            p_plume = p_shield - p_wall
        # time step: stability, heating resolution, pulse edges
        qmax = 0.0
        for j in range(jb):
            for k in range(kb):
                if Q[j, k] > 0.0:
                    v = Q[j, k] / Habl[j, k]
                    if v > qmax:
                        qmax = v
        # dry (superheated) cells have a smaller heat capacity: a shorter stable step
        dt = dt_max
        for j in range(jb):
            for k in range(kb):
                if not void[j, k] and H[j, k] > H2[j, k]:
                    dt = dt_max_dry
                    break
        if qmax > 0.0:
            dt = min(dt, heat_step / qmax)
        dt = min(dt, t_edge - t)
        if dt <= 0.0:
            dt = 1e-12
        # Arrhenius on the temperature at the start of the step
        arrhenius_update_box(T, void, Omega, A, Ea, dt, t_cut, jb, kb)
        # enthalpy update
        perf_loss = 0.0
        for j in range(jb):
            for k in range(kb):
                if void[j, k]:
                    continue
                dT = T[j, k] - t_body
                pl = perf[j, k] * rc[j, k] * dT
                perf_loss += pl * vol[j, k]
                H[j, k] += dt * (Q[j, k] + cond[j, k] / vol[j, k] - pl)
                if T[j, k] > Tmax[j, k]:
                    Tmax[j, k] = T[j, k]
        tally[0] += dt * p_deliv
        tally[1] += dt * p_plume
        reservoir += dt * p_wall
        tally[3] += dt * sink[0]
        tally[5] += dt * lost
        tally[6] += dt * perf_loss
        t += dt
        if reservoir > 0.0:
            given = condense_on_walls_box(H, H1, vol, void, reservoir, jb, kb)
            reservoir -= given
            tally[2] += given
        # ablation: cells past the ablation enthalpy leave after the ejection delay
        for j in range(jb):
            for k in range(kb):
                if void[j, k]:
                    continue
                if H[j, k] >= Habl[j, k]:
                    if t_mark[j, k] == np.inf:
                        t_mark[j, k] = t
                    if t >= t_mark[j, k] + ejection_delay - 1e-15:
                        tally[4] += H[j, k] * vol[j, k]
                        H[j, k] = 0.0
                        void[j, k] = True
                        started = True
        # heat spreads at most one cell a step: grow the box by one where its edge is warm
        grow_j = False
        grow_k = False
        for k in range(kb):
            if H[jb - 1, k] != 0.0 or void[jb - 1, k]:
                grow_j = True
                break
        for j in range(jb):
            if H[j, kb - 1] != 0.0 or void[j, kb - 1]:
                grow_k = True
                break
        if grow_j and jb < nr:
            jb += 1
        if grow_k and kb < nz:
            kb += 1
        nsteps += 1
        if probe_j.shape[0] > 0 and nsteps % probe_every == 0 and nprobe < probe_t.shape[0]:
            temperatures_box(H, void, H1, H2, rc, rc_dry, t_body, t_boil, T, jb, kb)
            probe_t[nprobe] = t
            for p in range(probe_j.shape[0]):
                probe_T[nprobe, p] = T[probe_j[p], probe_k[p]]
            nprobe += 1
    # cells past the ablation enthalpy that were still waiting for ejection leave now
    for j in range(nr):
        for k in range(nz):
            if not void[j, k] and H[j, k] >= Habl[j, k]:
                tally[4] += H[j, k] * vol[j, k]
                H[j, k] = 0.0
                void[j, k] = True
    temperatures(H, void, H1, H2, rc, rc_dry, t_body, t_boil, T)
    for j in range(nr):
        for k in range(nz):
            if not void[j, k] and T[j, k] > Tmax[j, k]:
                Tmax[j, k] = T[j, k]
    tally[7] = reservoir
    return tally, nsteps, nprobe
