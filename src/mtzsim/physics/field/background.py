"""Late, far heat of a treated field: an exact spectral (cosine-series) Pennes solution on a box around it.

At the hand-off age τ_c each firing's heat — the kernel's laterally integrated depth
profile with its lateral variance — is handed to a coarse background: the Pennes equation
with uniform perfusion w on a 3-D box with adiabatic faces, solved exactly in its cosine
modes. Each hand-off is injected at its exact time (the modes are diffused analytically by
the part of the step after hand-off), so the background has no time-step error. The
module also gives the bulk temperatures: the area mean of the treated rectangle and the
hottest mean over windows of a few pitches (:func:`local_bulk`).

References
----------
.. [1] H. H. Pennes, J. Appl. Physiol. 1 (1948) 93-122 (bioheat equation).
.. [2] H. S. Carslaw, J. C. Jaeger, Conduction of Heat in Solids, 2nd ed. (1959), §6.3
   (cosine-series solution in a box with insulated faces).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.fft import idct
from scipy.linalg.blas import sgemm
from scipy.ndimage import uniform_filter

#: Side of the local bulk window in lattice pitches (assumption: "a few pitches", the
#: scale on which neighbours fired close together in time heat the same tissue).
BULK_WINDOW_PITCHES = 3

#: Largest number of background modes (and read-out cells) per lateral axis, and in depth.
#: Assumption: bounds the spectral cost; 400 cells across a 1 cm field are 25 µm, finer than
#: the √(2ατ_c) ≈ 90 µm spread of a handed-off firing.
MAX_LATERAL_MODES = 400
MAX_DEPTH_MODES = 200
#: A pause between firings longer than this many hand-off ages is stepped coarsely (:func:`step_times_for`).
PAUSE_HANDOFFS = 4.0


@dataclass(frozen=True)
class Box:
    """The background's box [m]: lateral origin and sides, depth, and cosine modes per axis."""

    x0: float
    y0: float
    Lx: float
    Ly: float
    Lz: float
    nx: int
    ny: int
    nz: int

    @property
    def dx(self) -> float:
        """Read-out cell along x [m]."""
        return self.Lx / self.nx

    @property
    def dy(self) -> float:
        """Read-out cell along y [m]."""
        return self.Ly / self.ny

    @staticmethod
    def wavenumbers(n: int, L: float) -> np.ndarray:
        """k_m = m π / L [1/m]."""
        return np.arange(n) * np.pi / L

    @staticmethod
    def phi(n: int, L: float, origin: float, pts) -> np.ndarray:
        """Orthonormal cosine modes φ_m(p) on [origin, origin + L], shape (len(pts), n)."""
        m = np.arange(n)
        out = np.sqrt(2.0 / L) * np.cos(np.outer(np.asarray(pts, float) - origin, m * np.pi / L))
        out[:, 0] = 1.0 / np.sqrt(L)
        return out


def make_box(pattern, kern, step_times, slot_depths, diffusion_lengths: float = 4.0) -> Box:
    """The box around the field: ``diffusion_lengths`` diffusion lengths √(α t_end) of margin (at least 1 mm),
    cells of 0.8 × the hand-off spread (at most :data:`MAX_LATERAL_MODES` per axis). The box's walls insulate
    (cosine modes): heat that reaches a wall L away comes back weighted by about exp(−L²/(α t)), 1e-7 at four
    lengths, 2e-2 at 2."""
    spec = pattern.spec
    alpha, tau_c = kern.alpha, kern.tau_c
    margin = max(1e-3, diffusion_lengths * math.sqrt(alpha * step_times[-1]))
    xlo = min(pattern.x.min(), -spec.width / 2) - margin
    xhi = max(pattern.x.max(), spec.width / 2) + margin
    ylo = min(pattern.y.min(), -spec.height / 2) - margin
    yhi = max(pattern.y.max(), spec.height / 2) + margin
    sig = math.sqrt(2 * alpha * tau_c + kern.s0)
    dxc = max(sig * 0.8, (xhi - xlo) / MAX_LATERAL_MODES, (yhi - ylo) / MAX_LATERAL_MODES)
    Lz = max(float(kern.z_prof[-1]), float(max(slot_depths))) + margin
    return Box(x0=xlo, y0=ylo, Lx=xhi - xlo, Ly=yhi - ylo, Lz=Lz, nx=int(np.ceil((xhi - xlo) / dxc)),
               ny=int(np.ceil((yhi - ylo) / dxc)), nz=int(np.ceil(Lz / max(sig * 0.4, Lz / MAX_DEPTH_MODES))))


def step_times_for(t_last: float, tau_c: float, cooling: float, background_step: float | None = None,
                   t_fire=None) -> np.ndarray:
    """Read-out times [s]: every τ_c/4 during the scan (coarser for long scans, at most ~400
    steps), then growing by 15 % per step through the cooling.

    With the firing times ``t_fire``, a pause between firings longer than :data:`PAUSE_HANDOFFS` hand-off ages
    (a pause between passes) is stepped like the cooling, growing by 15 % per step from the last hand-off and
    fine again from the next firing: nothing is handed off during it, so fine steps there would only cost time
    (and, under the ~400-step budget, coarsen the steps where firings are handed off).
    """
    windows = [(0.0, t_last + tau_c)]
    if t_fire is not None and len(t_fire) > 1:
        tf = np.asarray(t_fire, float)
        cut = np.nonzero(np.diff(tf) > PAUSE_HANDOFFS * tau_c)[0]
        starts = np.concatenate([[0.0], tf[cut + 1]])
        ends = np.concatenate([tf[cut], [tf[-1]]]) + tau_c
        windows = list(zip(starts, ends))
    busy = sum(b - a for a, b in windows)
    dts = background_step or max(tau_c / 4, busy / 400)
    times = []
    t = 0.0
    for a, b in windows:
        step = dts
        if times and t < a:  # through a pause: growing steps, the last one onto the next window's first firing
            while t + 1.15 * step < a:
                step *= 1.15
                t += step
                times.append(t)
            t = float(a)
            times.append(t)
        n = max(1, int(math.ceil((b - t) / dts - 1e-9)))
        times.extend(t + dts * np.arange(1, n + 1))
        t = times[-1]
    cool = [t]
    t_end = t_last + tau_c + cooling
    step = dts
    while cool[-1] < t_end:
        step *= 1.15
        cool.append(min(cool[-1] + step, t_end) if cool[-1] + step < t_end * (1 + 1e-9) else t_end)
    return np.unique(np.concatenate([np.asarray(times), cool]))


def profile_coefficients(kern, box: Box) -> np.ndarray:
    """∫ profile(z) φ_m(z) dz [J/m · m^½] for the z modes, by cell-integrated cosines."""
    z = kern.z_prof
    dz = z[1] - z[0]
    k = Box.wavenumbers(box.nz, box.Lz)
    lo, hi = z - dz / 2, z + dz / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        integ = (np.sin(np.outer(hi, k)) - np.sin(np.outer(lo, k))) / k
    integ[:, 0] = dz
    norm = np.full(box.nz, np.sqrt(2.0 / box.Lz))
    norm[0] = 1.0 / np.sqrt(box.Lz)
    return (kern.profile[:, None] * integ).sum(0) * norm


def _mean_weights(n, L, origin, lo, hi):
    """Weights v_m with v·a = mean over [lo, hi] of Σ a_m φ_m."""
    k = Box.wavenumbers(n, L)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.sqrt(2.0 / L) * (np.sin(k * (hi - origin)) - np.sin(k * (lo - origin))) / k
    v[0] = (hi - lo) / np.sqrt(L)
    return v / (hi - lo)


def run_background(pattern, kern, box: Box, map_depths, cs_depths, cs_y, step_times, w, rc, progress=None):
    """Evolve the spectral background; read it out on the coarse grids at every step time.

    Parameters
    ----------
    pattern : Pattern
        Firings (x, y [m], t_fire [s]).
    kern : Kernel
        Prepared kernel (profile, s0, tau_c, alpha).
    box : Box
        The background's box.
    map_depths, cs_depths : ndarray
        Depths of the en-face maps and the cross-section rows [m].
    cs_y : float
        y of the cross-section plane [m].
    step_times : ndarray
        Read-out times [s].
    w : float
        Perfusion rate [1/s].
    rc : float
        Volumetric heat capacity ρc [J/(m³ K)].

    Returns
    -------
    bg_map : ndarray (float32)
        Rise [K], shape (n_map, n_steps, nx, ny).
    bg_cs : ndarray (float32)
        Rise [K] on the cross-section plane, shape (n_cs, n_steps, nx, 1).
    bulk_bg : ndarray
        Area-mean rise over the treated rectangle [K], shape (n_map, n_steps).
    heat : ndarray
        Heat in the box [J] at each step.
    """
    tau_c, al = kern.tau_c, kern.alpha
    kx, ky, kz = Box.wavenumbers(box.nx, box.Lx), Box.wavenumbers(box.ny, box.Ly), Box.wavenumbers(box.nz, box.Lz)
    # the mode amplitudes in single precision: the sum of thousands of rank-one firings is BLAS's sgemm, 22 % faster
    # than double for a dense CO2 scan, and the read-out agrees to 2e-6 K (1 cm tile of Yuan's setting: bulk
    # 40.032214 against 40.032212 °C; the planner's scan samples to the third digit; 2026-12-01)
    a = np.zeros((box.nx, box.ny, box.nz), dtype=np.float32)
    zhat = profile_coefficients(kern, box) / rc
    blur_x = np.exp(-0.5 * kx**2 * kern.s0)
    blur_y = np.exp(-0.5 * ky**2 * kern.s0)
    hand = pattern.t_fire + tau_c
    order = np.argsort(hand, kind="stable")
    Pyc = Box.phi(box.ny, box.Ly, box.y0, [cs_y])  # [1, my]
    n_map, n_cs = len(map_depths), len(cs_depths)
    Pz = Box.phi(box.nz, box.Lz, 0.0, np.concatenate([map_depths, cs_depths]))  # [n_d, mz]
    spec = pattern.spec
    wx = _mean_weights(box.nx, box.Lx, box.x0, -spec.width / 2, spec.width / 2)
    wy = _mean_weights(box.ny, box.Ly, box.y0, -spec.height / 2, spec.height / 2)
    heat_w = np.sqrt(box.Lx * box.Ly * box.Lz) * rc  # ∫ φ000 dV · ρc

    n_steps = step_times.size
    bg_map = np.zeros((n_map, n_steps, box.nx, box.ny), dtype=np.float32)
    bg_cs = np.zeros((n_cs, n_steps, box.nx, 1), dtype=np.float32)
    bulk_bg = np.zeros((n_map, n_steps))
    heat = np.zeros(n_steps)
    # read-out on the cell centres: Px @ b = sqrt(nx/Lx) · idct_II(b) (orthonormal), as many cells as modes
    sx, sy = math.sqrt(box.nx / box.Lx), math.sqrt(box.ny / box.Ly)
    PzT_map = np.ascontiguousarray(Pz[:n_map].T)  # [mz, n_map]
    PzT_cs = np.ascontiguousarray(Pz[n_map:].T)  # [mz, n_cs]
    ptr = 0
    t_prev = 0.0
    decay, decay_dt = None, None
    a_xy_z = a.reshape(-1, box.nz).T  # the same memory as a (z × xy, Fortran order) for BLAS in place
    for n, tn in enumerate(step_times):
        dt = tn - t_prev
        if dt > 0:
            if decay_dt is None or abs(dt - decay_dt) > 1e-12 * dt:
                # exp(−(α|k|² + w) dt) is separable: an outer product of three 1-D factors
                ex, ey = np.exp(-al * kx**2 * dt), np.exp(-al * ky**2 * dt)
                ez = np.exp(-(al * kz**2 + w) * dt)
                decay = ((ex[:, None] * ey[None, :])[:, :, None] * ez[None, None, :]).astype(np.float32)
                decay_dt = dt
            a *= decay
        j0 = ptr
        while ptr < order.size and hand[order[ptr]] <= tn:
            ptr += 1
        if ptr > j0:
            idx = order[j0:ptr]
            d = tn - hand[idx]  # time since hand-off [s]
            Ax = Box.phi(box.nx, box.Lx, box.x0, pattern.x[idx]) * blur_x * np.exp(-al * np.outer(d, kx**2))
            Ay = Box.phi(box.ny, box.Ly, box.y0, pattern.y[idx]) * blur_y * np.exp(-al * np.outer(d, ky**2))
            Az = zhat[None, :] * np.exp(-al * np.outer(d, kz**2) - w * d[:, None])
            # Σ_j Ax_j ⊗ Ay_j ⊗ Az_j as one matrix product (z × j) @ (j × xy), accumulated into a
            # in place by BLAS (beta = 1): no temporary of the size of a
            Axy = (Ax[:, :, None] * Ay[:, None, :]).reshape(idx.size, -1).astype(np.float32)
            r = sgemm(1.0, Az.T.astype(np.float32), Axy, beta=1.0, c=a_xy_z, overwrite_c=True)
            if r.ctypes.data != a_xy_z.ctypes.data:  # BLAS returned a copy: keep its sum
                a_xy_z[...] = r
        b = (a @ PzT_map.astype(np.float32)).astype(np.float64)  # [mx, my, n_map]
        for s in range(n_map):
            bg_map[s, n] = sx * sy * idct(idct(b[:, :, s], type=2, norm="ortho", axis=0), type=2, norm="ortho", axis=1)
            bulk_bg[s, n] = wx @ b[:, :, s] @ wy
        if n_cs:
            c_xz = np.matmul(Pyc[0].astype(np.float32), a).astype(np.float64)  # [mx, mz] on the plane y = cs_y
            bg_cs[:, n, :, 0] = (sx * idct(c_xz @ PzT_cs, type=2, norm="ortho", axis=0)).T
        heat[n] = float(a[0, 0, 0]) * heat_w
        t_prev = tn
        if progress is not None and n % 20 == 0:
            progress(0.1 + 0.3 * n / n_steps, "background")
    return bg_map, bg_cs, bulk_bg, heat


def area_mean_rise(pattern, kern, step_times, bulk_bg) -> np.ndarray:
    """Area-mean rise [K] over the treated rectangle per (map depth, time): the background's
    mean plus the heat of the firings younger than τ_c spread over the area."""
    bulk = bulk_bg.copy()
    t_fire = pattern.t_fire
    area = pattern.spec.area
    for n, tn in enumerate(step_times):
        lo = np.searchsorted(t_fire, tn - kern.tau_c, side="right")
        hi = np.searchsorted(t_fire, tn, side="right")
        if hi > lo:
            ages = tn - t_fire[lo:hi]
            for s in range(bulk.shape[0]):
                bulk[s, n] += kern.kint_at(s, ages).sum() / area
    return bulk


def local_bulk(pattern, kern, step_times, bg_map, box: Box, T_body):
    """Highest local-mean temperature [K] per (depth, time) over windows of
    :data:`BULK_WINDOW_PITCHES` pitches, and the window side [m].

    ``T_body`` [K]: the skin's temperature without the laser, one value or one per map depth
    (a cooled surface, :mod:`mtzsim.physics.mtz.surface_cooling`).

    The local mean is the background at the window centre plus the heat (laterally
    integrated rise at that depth) of the firings younger than τ_c whose site is inside
    the window, spread over the window's area. Unlike the area mean of the whole field
    it sees where in the field the heat of consecutive firings piles up (raster scans).
    """
    spec = pattern.spec
    cell = max(pattern.pitch, max(spec.width, spec.height) / 200)
    window = BULK_WINDOW_PITCHES * cell
    ex = np.arange(-spec.width / 2 - cell, spec.width / 2 + 1.5 * cell, cell)
    ey = np.arange(-spec.height / 2 - cell, spec.height / 2 + 1.5 * cell, cell)
    cx, cy = 0.5 * (ex[1:] + ex[:-1]), 0.5 * (ey[1:] + ey[:-1])
    ix = np.clip(((cx - box.x0) / box.dx).astype(int), 0, box.nx - 1)
    iy = np.clip(((cy - box.y0) / box.dy).astype(int), 0, box.ny - 1)
    n_map = bg_map.shape[0]
    T_b = np.broadcast_to(np.asarray(T_body, float), (n_map,))
    out = np.repeat(T_b[:, None], step_times.size, axis=1)
    t_fire = pattern.t_fire
    for n, tn in enumerate(step_times):
        lo = np.searchsorted(t_fire, tn - kern.tau_c, side="right")
        hi = np.searchsorted(t_fire, tn, side="right")
        for s in range(n_map):
            bg = bg_map[s, n][np.ix_(ix, iy)].astype(float)
            if hi > lo:
                heat = kern.kint_at(s, tn - t_fire[lo:hi])
                h, _, _ = np.histogram2d(pattern.x[lo:hi], pattern.y[lo:hi], bins=(ex, ey), weights=heat)
                bg = bg + uniform_filter(h, BULK_WINDOW_PITCHES, mode="constant") * BULK_WINDOW_PITCHES**2 / window**2
            out[s, n] = T_b[s] + float(bg.max())
    return out, window


def background_damage(BG, step_times, lnA, EaR, T_body):
    """Ω of each process from the background alone (trapezoid in time), and the highest
    background rise, per slot and coarse cell. ``T_body`` [K]: one value or one per slot.

    Returns omega (n_slot, n_proc, nx, ny) and bg_max (n_slot, nx, ny) [K].
    """
    n_s = BG.shape[0]
    n_p = len(lnA)
    om = np.zeros((n_s, n_p) + BG.shape[2:])
    dt = np.diff(np.concatenate([[0.0], step_times]))
    T_b = np.broadcast_to(np.asarray(T_body, float), (n_s,))
    for s in range(n_s):
        for q in range(n_p):
            prev = np.exp(lnA[q] - EaR[q] / T_b[s]) * np.ones(BG.shape[2:])
            for n in range(step_times.size):
                cur = np.exp(lnA[q] - EaR[q] / (T_b[s] + np.maximum(BG[s, n], 0.0)))
                om[s, q] += 0.5 * (prev + cur) * dt[n]
                prev = cur
    return om, BG.max(axis=1).astype(np.float64)
