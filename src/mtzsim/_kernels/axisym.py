"""Numba kernels of the axisymmetric (r, z) single-MTZ solver. Private: use mtzsim.physics.heat.axisym and mtzsim.physics.mtz.

Arrays are indexed [j, k] = [radius, depth]; SI units. The pulse-phase kernel takes small
records (the namedtuples below) and is made by :func:`make_pulse_phase`. Each kernel has a
readable numpy twin (mtzsim.physics.heat.axisym, mtzsim.physics.mtz.pulse) that the tests
hold it to.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numba as nb
import numpy as np

#: Per-cell material of the grid [J/m³, J/(m³ K), 1/m, 1/s, m³, kg/m³, W/K, m]: the enthalpy
#: levels of boiling onset (H1), complete desiccation (H2) and ejection (Habl); wet and dry
#: heat capacities; absorption; perfusion; cell volumes; density; face conductances; cell
#: radii; spacing h; body and boiling temperatures [K].
Material = namedtuple("Material", "H1 H2 Habl rc rc_dry mua perf vol rho Gr Gz r h t_body t_boil")
#: The pulse train [s, W, m]: start of each pulse, duration, end of the last, peak power,
#: 1/e² radius w0, Rayleigh range, Gaussian (True) or top-hat; q_static [1/m³] a fixed
#: deposition per unit power (scattering beam) or an empty (0, 0) array (Beer–Lambert columns).
PulseTrain = namedtuple("PulseTrain", "starts duration t_end power w0 z_rayleigh gaussian q_static")
#: Plume shielding: mu [1/m] absorption coefficient of the condensed ejecta at the wavelength;
#: near, far [-] the volume fractions of the confined channel they fill in the acceleration zone
#: (the first ``length`` [m] above the floor) and beyond it (both 0 = off); vent [m] the top of
#: the crater where the walls do not confine the ejecta; ejection_delay [s] from reaching the
#: ablation enthalpy to removal. Optical depth once the current pulse has ejected mass (0
#: before): τ = mu (near · min(c, length) + far · max(c − length, 0)), c = max(d − vent, 0) the
#: confined depth of a crater d deep. wall [-]: fraction of the power the ejecta absorb that
#: they give to the crater's lateral wall as they stream out along it (hot ejecta flowing
#: along the wall, :mod:`mtzsim.physics.mtz.losses`), per unit wall area (default 0).
Plume = namedtuple("Plume", "mu near far length vent ejection_delay wall", defaults=(0.0,))
#: Arrhenius processes [1/s, J/mol, K, K]: A, Ea, cutoff temperature, Ea / R (the kernels use EaR).
Rates = namedtuple("Rates", "A Ea t_cut EaR")
#: Time-step limits [s, s, -]: stable explicit step, the same for desiccated cells, and the
#: largest fraction of the ablation enthalpy one step may deposit.
Steps = namedtuple("Steps", "dt_max dt_max_dry heat_step")
#: The state the pulse phase advances in place: enthalpy above body temperature H [J/m³],
#: void (ablated) mask, damage integrals Omega[p] [-], peak temperature Tmax [K], and the
#: desiccated mask (cells whose water has boiled off: they stay dry when they cool, between
#: stacked pulses, instead of condensing water they no longer hold).
State = namedtuple("State", "H void Omega Tmax dry")
#: Probe cells (j, k indices) sampled every ``every`` steps into t [s] and T [K].
Probes = namedtuple("Probes", "j k every t T")
#: Tally slots of the pulse phase [J]: index names.
TALLY = ("delivered", "plume", "transmitted", "ablated", "boundary", "perfusion", "ejected_mass", "wall_heating")


@nb.njit(cache=True, inline="always")
def _temperature(H, H1, H2, rc, rc_dry, t_body, t_boil, dry):
    """Temperature [K] from enthalpy per volume H [J/m³] above body temperature (dry: no water left)."""
    if dry:
        return t_boil + (H - H2) / rc_dry
    if H < H1:
        return t_body + H / rc
    if H < H2:
        return t_boil
    return t_boil + (H - H2) / rc_dry


@nb.njit(cache=True)
def temperatures(H, void, dry, H1, H2, rc, rc_dry, t_body, t_boil, T):
    nr, nz = H.shape
    temperatures_box(H, void, dry, H1, H2, rc, rc_dry, t_body, t_boil, T, nr, nz)


@nb.njit(cache=True)
def temperatures_box(H, void, dry, H1, H2, rc, rc_dry, t_body, t_boil, T, jb, kb):
    """Temperatures of the cells [0, jb) × [0, kb) (the active box; the rest stays at t_body)."""
    for j in range(jb):
        for k in range(kb):
            if void[j, k]:
                T[j, k] = t_body
            else:
                T[j, k] = _temperature(H[j, k], H1[j, k], H2[j, k], rc[j, k], rc_dry[j, k], t_body, t_boil, dry[j, k])


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
def arrhenius_update_box(T, void, omega, A, EaR, dt, t_cut, jb, kb):
    """Ω_p += dt·A_p·exp(−Ea_p/(R T)) on the cells [0, jb) × [0, kb) (explicit, rate at T).

    ``EaR[p]`` = Ea_p / R [K]: the gas constant comes in with the data (from mtzsim.constants,
    through :data:`Rates`), never typed in a kernel.

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
            inv = 1.0 / Tc
            for p in range(npr):
                if Tc >= t_cut[p]:
                    omega[p, j, k] += dt * A[p] * math.exp(-EaR[p] * inv)


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
def plume_wall_heat(Q, void, floor0, vol, h, power):
    """Spread ``power`` [W] per unit area over the crater's lateral wall [W/m³ into Q].

    The ejecta heated by the beam in the channel stream out along the wall to the mouth
    (recoil-driven expulsion), so the wall of every row from the surface down to the floor
    on the axis takes the same heat flux; its wall cell is the first solid cell outwards.
    Returns the power placed [W] (0 if the crater has no lateral wall).
    """
    nr, nz = void.shape
    area = 0.0
    for k in range(min(floor0, nz)):
        jw = 0
        while jw < nr and void[jw, k]:
            jw += 1
        if jw < nr:
            area += 2.0 * math.pi * jw * h * h
    if area <= 0.0:
        return 0.0
    flux = power / area
    placed = 0.0
    for k in range(min(floor0, nz)):
        jw = 0
        while jw < nr and void[jw, k]:
            jw += 1
        if jw < nr:
            face = 2.0 * math.pi * jw * h * h
            Q[jw, k] += flux * face / vol[jw, k]
            placed += flux * face
    return placed


@nb.njit(cache=True)
def find_floor(void, floor):
    nr, nz = void.shape
    for j in range(nr):
        k = 0
        while k < nz and void[j, k]:
            k += 1
        floor[j] = k


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
def arrhenius_rates(T, void, A, EaR, t_cut, out):
    """Rates k_p(T) = A_p exp(−Ea_p/RT) [1/s] of every process in every cell (0 below t_cut[p] or in void);
    ``EaR[p]`` = Ea_p / R [K]."""
    nr, nz = T.shape
    npr = A.shape[0]
    for j in nb.prange(nr):
        for k in range(nz):
            Tc = T[j, k]
            for p in range(npr):
                if void[j, k] or Tc < t_cut[p]:
                    out[p, j, k] = 0.0
                else:
                    out[p, j, k] = A[p] * math.exp(-EaR[p] / Tc)




@nb.njit(cache=True)
def _pulse_phase(state, mat, pulse, plume, rates, steps, probes):
    """Explicit enthalpy-method time stepping while the laser fires (and between pulses).

    Returns (tally [len(TALLY)] in J and kg, number of steps, number of probe samples).
    """
    H = state.H
    void = state.void
    Omega = state.Omega
    Tmax = state.Tmax
    dry = state.dry
    H1 = mat.H1
    H2 = mat.H2
    Habl = mat.Habl
    rc = mat.rc
    rc_dry = mat.rc_dry
    vol = mat.vol
    h = mat.h
    t_body = mat.t_body
    t_boil = mat.t_boil
    nr, nz = H.shape
    T = np.full_like(H, t_body)
    cond = np.zeros_like(H)
    Q = np.zeros_like(H)
    floor = np.zeros(nr, dtype=np.int64)
    wf2 = np.zeros(nr)
    t_mark = np.full((nr, nz), np.inf)
    sink = np.zeros(1)
    tally = np.zeros(8)
    current = -1  # index of the pulse firing now (-1 between pulses)
    ablating = False  # whether the pulse firing now has ejected mass
    t = 0.0
    nsteps = 0
    nprobe = 0
    npulse = pulse.starts.shape[0]
    scattering = pulse.q_static.shape[0] == nr
    # active box [0, jb) × [0, kb): every cell outside holds H = 0 (body temperature), is
    # solid and receives no beam, so it needs no update; the box grows by one cell a step
    jb = 1
    kb = 1
    while t < pulse.t_end - 1e-15:
        p_now = 0.0
        t_edge = pulse.t_end
        firing = -1
        for i in range(npulse):
            a = pulse.starts[i]
            b = a + pulse.duration
            if a <= t < b:
                p_now = pulse.power
                t_edge = min(t_edge, b)
                firing = i
            elif t < a:
                t_edge = min(t_edge, a)
        if firing != current:  # a new pulse (or a pause): its channel holds no ejecta yet
            current = firing
            ablating = False
        temperatures_box(H, void, dry, H1, H2, rc, rc_dry, t_body, t_boil, T, jb, kb)
        lost = conduction_rate_box(T, void, mat.Gr, mat.Gz, t_body, cond, jb, kb)
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
                wf2[j] = pulse.w0 * pulse.w0 * (1.0 + (zf / pulse.z_rayleigh) ** 2)
            trans = 1.0
            if ablating and (plume.near > 0.0 or plume.far > 0.0):
                # condensed ejecta in the channel: accelerating (dense) near the floor, then fast
                c = max(floor[0] * h - plume.vent, 0.0)
                tau = plume.near * min(c, plume.length) + plume.far * max(c - plume.length, 0.0)
                trans = math.exp(-plume.mu * tau)
            if scattering:
                for j in range(nr):
                    for k in range(nz):
                        if not void[j, k]:
                            q = p_now * trans * pulse.q_static[j, k]
                            Q[j, k] += q
                            p_deliv += q * vol[j, k]
            else:
                p_deliv = deposit_beam(Q, void, floor, mat.r, h, mat.mua, p_now, wf2, pulse.gaussian, trans, vol, sink)
            for j in range(nr):
                for k in range(nz - 1, -1, -1):
                    if Q[j, k] != 0.0:
                        if j + 1 > jb:
                            jb = j + 1
                        if k + 1 > kb:
                            kb = k + 1
                        break
            p_plume = p_now * (1.0 - trans)
            if plume.wall > 0.0 and p_plume > 0.0:
                p_wall = plume_wall_heat(Q, void, floor[0], vol, h, plume.wall * p_plume)
                p_plume -= p_wall
                for j in range(nr):  # the wall heat (rows down to the floor) may lie outside the box
                    for k in range(min(nz, floor[0] + 2)):
                        if Q[j, k] != 0.0:
                            if j + 1 > jb:
                                jb = j + 1
                            if k + 1 > kb:
                                kb = k + 1
        # time step: stability, heating resolution, pulse edges
        qmax = 0.0
        for j in range(jb):
            for k in range(kb):
                if Q[j, k] > 0.0:
                    v = Q[j, k] / Habl[j, k]
                    if v > qmax:
                        qmax = v
        dt = steps.dt_max
        for j in range(jb):
            for k in range(kb):
                if not void[j, k] and (dry[j, k] or H[j, k] > H2[j, k]):
                    dt = steps.dt_max_dry  # desiccated cells hold less heat: shorter stable step
                    break
        if qmax > 0.0:
            dt = min(dt, steps.heat_step / qmax)
        dt = min(dt, t_edge - t)
        if dt <= 0.0:
            dt = 1e-12
        arrhenius_update_box(T, void, Omega, rates.A, rates.EaR, dt, rates.t_cut, jb, kb)
        perf_loss = 0.0
        for j in range(jb):
            for k in range(kb):
                if void[j, k]:
                    continue
                pl = mat.perf[j, k] * rc[j, k] * (T[j, k] - t_body)
                perf_loss += pl * vol[j, k]
                H[j, k] += dt * (Q[j, k] + cond[j, k] / vol[j, k] - pl)
                if H[j, k] > H2[j, k]:
                    dry[j, k] = True  # its water has boiled off
                if T[j, k] > Tmax[j, k]:
                    Tmax[j, k] = T[j, k]
        tally[0] += dt * p_deliv
        tally[1] += dt * p_plume
        tally[2] += dt * sink[0]
        tally[4] += dt * lost
        tally[5] += dt * perf_loss
        tally[7] += dt * p_wall
        t += dt
        # ablation: cells past the ablation enthalpy leave after the ejection delay
        m_step = 0.0
        for j in range(jb):
            for k in range(kb):
                if void[j, k]:
                    continue
                if H[j, k] >= Habl[j, k]:
                    if t_mark[j, k] == np.inf:
                        t_mark[j, k] = t
                    if t >= t_mark[j, k] + plume.ejection_delay - 1e-15:
                        tally[3] += H[j, k] * vol[j, k]
                        m_step += mat.rho[j, k] * vol[j, k]
                        H[j, k] = 0.0
                        void[j, k] = True
        if m_step > 0.0:
            tally[6] += m_step
            if current >= 0:
                ablating = True
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
        if probes.j.shape[0] > 0 and nsteps % probes.every == 0 and nprobe < probes.t.shape[0]:
            temperatures_box(H, void, dry, H1, H2, rc, rc_dry, t_body, t_boil, T, jb, kb)
            probes.t[nprobe] = t
            for p in range(probes.j.shape[0]):
                probes.T[nprobe, p] = T[probes.j[p], probes.k[p]]
            nprobe += 1
    # cells past the ablation enthalpy that were still waiting for ejection leave now
    for j in range(nr):
        for k in range(nz):
            if not void[j, k] and H[j, k] >= Habl[j, k]:
                tally[3] += H[j, k] * vol[j, k]
                tally[6] += mat.rho[j, k] * vol[j, k]
                H[j, k] = 0.0
                void[j, k] = True
    temperatures(H, void, dry, H1, H2, rc, rc_dry, t_body, t_boil, T)
    for j in range(nr):
        for k in range(nz):
            if not void[j, k] and T[j, k] > Tmax[j, k]:
                Tmax[j, k] = T[j, k]
    return tally, nsteps, nprobe


def make_pulse_phase():
    """The jitted pulse-phase kernel: ``pulse_phase(state, mat, pulse, plume, rates, steps, probes)``.

    Records are the namedtuples of this module (:data:`State`, :data:`Material`,
    :data:`PulseTrain`, :data:`Plume`, :data:`Rates`, :data:`Steps`, :data:`Probes`); the
    physical constants it needs travel in :data:`Material`. Advances ``state`` in place and
    returns (tally, steps, probe samples); tally slots are named in :data:`TALLY`. Its numpy
    twin is :func:`mtzsim.physics.mtz.pulse.pulse_phase_numpy`.
    """
    return _pulse_phase
