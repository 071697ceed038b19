"""Re-epithelialisation of the en-face basal-layer wound map: a Fisher–KPP front from the wound edges and the adnexa.

Keratinocyte coverage u (0 in the wound, 1 in intact epidermis) obeys

    ∂u/∂t = f(t) [D ∇²u + r u (1 − u)],    t > lag,

on the basal-layer map. Intact epidermis around every wound and the adnexal reservoirs inside
it (hair follicles and eccrine ducts, seeded as random points at the site's density; Rittié
2013 showed eccrine ducts are major sources in human wounds) start at u = 1; reservoirs are
held there. A Fisher–KPP front travels at c = 2√(Dr) once formed, so only c is identifiable
from closure times; r (the front width c/2r) is a labelled assumption. ``f(t)`` is the
aftercare speed factor (occlusion), and the lag before migration depends on the eschar and on
occlusion (Collawn: outgrowth begins by 48 h under occlusion, none at 48 h when open; a
necrotic but unablated epidermis acts as its own cover, keratinocytes move within 1 h).

The surrogate replaces the PDE by the arrival of a planar front: the Euclidean distance d of
every wound pixel to the nearest source, converted to a time with the front position X(τ) of
the same equation in one dimension (which carries the front's formation delay).

References
----------
.. [1] R. A. Fisher, Ann Eugen 7 (1937); A. Kolmogorov, I. Petrovskii, N. Piskunov (1937).
.. [2] J. A. Sherratt, J. D. Murray, Proc R Soc Lond B 241 (1990) 29-36.
.. [3] L. Rittié et al., Am J Pathol 182 (2013) 163-171. doi:10.1016/j.ajpath.2012.09.019
.. [4] S. S. Collawn, re-epithelialization after CO2 laser resurfacing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from mtzsim.biology import healing_parameters as hp

from mtzsim.constants import DAY  # noqa: E402  [s]


# ---------------------------------------------------------------------------------------------
# Model coefficients
# ---------------------------------------------------------------------------------------------


def fisher_kpp_coefficients(front_speed, rate):
    """D and r of the Fisher–KPP model from its front speed c = 2√(Dr) and rate r.

    Returns
    -------
    (D [m²/s], r [1/s])
    """
    if not (front_speed > 0 and rate > 0):
        raise ValueError(f"front speed and rate must be positive, got {front_speed!r}, {rate!r}")
    return front_speed**2 / (4.0 * rate), rate


def fisher_kpp_front_speed(diffusivity, rate):
    """Asymptotic speed 2√(Dr) [m/s] of a Fisher–KPP front (Fisher 1937; KPP 1937)."""
    return 2.0 * math.sqrt(diffusivity * rate)


@dataclass(frozen=True)
class SpeedSchedule:
    """Piecewise-constant speed factor f(t) after a lag: effective time τ(t) = ∫_lag^t f.

    ``breaks`` [s] are the start times of the pieces (first = 0), ``factors`` the factor on each.
    """

    lag: float
    breaks: tuple = (0.0,)
    factors: tuple = (1.0,)

    def effective(self, t):
        """Effective migration time τ [s] at real time t [s] (0 before the lag)."""
        t = np.asarray(t, float)
        b = np.asarray(self.breaks + (np.inf,), float)
        out = np.zeros_like(t)
        for k, fk in enumerate(self.factors):
            lo = np.maximum(b[k], self.lag)
            hi = b[k + 1]
            out += fk * np.clip(t - lo, 0.0, np.maximum(hi - lo, 0.0))
        return out

    def real(self, tau):
        """Real time t [s] at which the effective time reaches τ (inverse of :meth:`effective`)."""
        tau = np.asarray(tau, float)
        out = np.full_like(tau, np.nan)
        b = list(self.breaks) + [np.inf]
        acc = 0.0
        for k, fk in enumerate(self.factors):
            lo = max(b[k], self.lag)
            hi = b[k + 1]
            if hi <= lo:
                continue
            span = fk * (hi - lo)
            sel = (tau >= acc) & (tau <= acc + span) & np.isnan(out)
            out[sel] = lo + (tau[sel] - acc) / fk
            acc += span
        return out


# ---------------------------------------------------------------------------------------------
# Adnexal reservoirs
# ---------------------------------------------------------------------------------------------


def seed_adnexa(shape, pixel_size, density, *, radius=None, seed=0):
    """Boolean map of adnexal reservoirs placed as a Poisson process of the given density.

    Parameters
    ----------
    shape : tuple of int
        (ny, nx) of the map.
    pixel_size : float
        [m].
    density : float
        Reservoirs per area [1/m²] (follicles + eccrine ducts of the site).
    radius : float, optional
        Reservoir radius [m]; default ``adnexa_radius``.
    seed : int
        Random seed (the same seed gives the same reservoirs).
    """
    if density < 0 or not math.isfinite(density):
        raise ValueError(f"adnexal density must be a non-negative number, got {density!r}")
    radius = hp.value("adnexa_radius") if radius is None else float(radius)
    ny, nx = shape
    rng = np.random.default_rng(seed)
    n = rng.poisson(density * ny * nx * pixel_size**2)
    mask = np.zeros(shape, bool)
    if n == 0:
        return mask
    cy = rng.uniform(0, ny, n)
    cx = rng.uniform(0, nx, n)
    rp = max(radius / pixel_size, 0.5)
    k = int(math.ceil(rp))
    oy, ox = np.mgrid[-k:k + 1, -k:k + 1]
    disk = (oy**2 + ox**2) <= rp**2
    oy, ox = oy[disk], ox[disk]
    iy = (np.floor(cy)[:, None] + oy[None, :]).astype(np.int64).ravel()
    ix = (np.floor(cx)[:, None] + ox[None, :]).astype(np.int64).ravel()
    ok = (iy >= 0) & (iy < ny) & (ix >= 0) & (ix < nx)
    mask[iy[ok], ix[ok]] = True
    return mask


# ---------------------------------------------------------------------------------------------
# Full model: reaction–diffusion
# ---------------------------------------------------------------------------------------------


def fisher_kpp_step_numpy(u, fixed, diffusivity, rate, dx, dt):
    """One explicit Fisher–KPP step (5-point Laplacian, mirror edges; ``fixed`` cells held at 1).

    The readable twin of :func:`mtzsim._kernels.healing.make_fisher_kpp_stepper`.
    """
    p = np.pad(u, 1, mode="reflect") if min(u.shape) > 1 else np.pad(u, 1, mode="edge")
    lap = p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4.0 * u
    new = u + (diffusivity * dt / dx**2) * lap + (rate * dt) * u * (1.0 - u)
    new[fixed] = 1.0
    return new


def stable_step(diffusivity, rate, dx, *, safety=0.8):
    """Largest explicit step [s] within the diffusion (D dt/dx² ≤ 1/4) and reaction (r dt ≤ 0.1) limits."""
    return safety * min(0.25 * dx**2 / diffusivity, 0.1 / rate)


@dataclass(frozen=True)
class ClosureMap:
    """Arrival time of the front at every pixel [s] (0 where never wounded, NaN if never closed)."""

    arrival: np.ndarray
    wound: np.ndarray
    pixel_size: float
    frame_times: np.ndarray
    frames: np.ndarray  # (n_frames, ny, nx) open-wound masks (uint8) or coverage


def reepithelialize(wound, pixel_size, sources, schedule, *, front_speed=None, rate=None, t_end=28 * DAY,
                    frame_times=(), method="numba", dt=None, dtype=np.float32):
    """Solve the Fisher–KPP re-epithelialisation on the wound map until closure or ``t_end``.

    Parameters
    ----------
    wound : ndarray of bool
        Open basal layer (ablated ∪ necrotic epidermis) [ny, nx].
    pixel_size : float
        [m].
    sources : ndarray of bool
        Adnexal reservoirs inside the wound (held at u = 1).
    schedule : SpeedSchedule
        Lag [s] and aftercare speed factor.
    front_speed, rate : float, optional
        c [m/s] and r [1/s]; defaults from the parameter table.
    t_end : float
        Last time [s].
    frame_times : sequence of float
        Real times [s] at which open-wound masks are stored.
    method : {"numba", "numpy"}
        Kernel or its readable twin.
    dt : float, optional
        Time step in effective time [s]; default :func:`stable_step`.
    dtype : numpy dtype
        Of the coverage u: float32 halves the memory traffic (u ∈ [0, 1] needs no more than its
        7 digits); float64 for the twin test at machine precision.

    Returns
    -------
    ClosureMap
    """
    wound = np.asarray(wound, bool)
    if wound.ndim != 2:
        raise ValueError(f"wound map must be 2-D, got shape {wound.shape}")
    if not (pixel_size > 0):
        raise ValueError(f"pixel size must be positive, got {pixel_size!r}")
    c = hp.value("front_speed") if front_speed is None else float(front_speed)
    r = hp.value("proliferation_rate") if rate is None else float(rate)
    D, r = fisher_kpp_coefficients(c, r)
    level = hp.value("closure_level")
    dt = stable_step(D, r, pixel_size) if dt is None else float(dt)
    fixed = np.asarray(sources, bool) & wound
    u = np.where(wound & ~fixed, 0.0, 1.0).astype(dtype)
    arrival = np.where(u >= level, 0.0, np.nan)
    tau_end = float(schedule.effective(t_end))
    frame_times = np.asarray(frame_times, float)
    frame_tau = schedule.effective(frame_times) if frame_times.size else frame_times
    frames = np.zeros((frame_times.size,) + wound.shape, np.uint8)
    n_frame = 0
    while n_frame < frame_times.size and frame_tau[n_frame] <= 0.0:
        frames[n_frame] = u < level
        n_frame += 1
    n_open = int(np.count_nonzero(u < level))
    tau = 0.0
    if method == "numba":
        from mtzsim._kernels.healing import make_fisher_kpp_stepper

        step = make_fisher_kpp_stepper(D, r, pixel_size, dt, level)
        u_new = u.copy()
        row_active = np.ones(u.shape[0], np.uint8)
        fixed_c = np.ascontiguousarray(fixed)
    elif method != "numpy":
        raise ValueError(f"method must be 'numba' or 'numpy', got {method!r}")
    while n_open > 0 and tau < tau_end:
        tau += dt
        if method == "numba":
            n_open = int(step(u, u_new, fixed_c, arrival, row_active, tau))
            u, u_new = u_new, u
        else:
            u = fisher_kpp_step_numpy(u, fixed, D, r, pixel_size, dt)
            new = (u >= level) & np.isnan(arrival)
            arrival[new] = tau
            n_open = int(np.count_nonzero(u < level))
        while n_frame < frame_times.size and frame_tau[n_frame] <= tau:
            frames[n_frame] = u < level
            n_frame += 1
    while n_frame < frame_times.size:
        frames[n_frame] = u < level if frame_tau[n_frame] <= tau_end else 0
        n_frame += 1
    real = np.where(np.isnan(arrival), np.nan, schedule.real(np.nan_to_num(arrival)))
    real = np.where(wound & ~fixed, real, 0.0)
    return ClosureMap(arrival=real, wound=wound, pixel_size=float(pixel_size), frame_times=frame_times, frames=frames)


# ---------------------------------------------------------------------------------------------
# Surrogate: distance transform and the planar front
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def planar_front(front_speed, rate, *, n_intact=160, n_wound=1200):
    """Position X(τ) [m] of a planar Fisher–KPP front entering a wound from intact epidermis.

    One dimension, the same equation: intact epidermis (u = 1, free) on x < 0, wound (u = 0) on
    x > 0. Returns (tau [s], X [m]) with X the distance from the wound edge at which u crosses
    the closure level; the front forms with a delay and then travels at 2√(Dr) (with Bramson's
    logarithmic lag).
    """
    D, r = fisher_kpp_coefficients(front_speed, rate)
    width = front_speed / (2.0 * r)
    dx = width / 8.0
    dt = stable_step(D, r, dx)
    level = hp.value("closure_level")
    n = n_intact + n_wound
    u = np.zeros((1, n))
    u[0, :n_intact] = 1.0
    fixed = np.zeros((1, n), bool)
    x = (np.arange(n) - n_intact + 0.5) * dx
    taus, xs = [], []
    tau = 0.0
    while True:
        u = fisher_kpp_step_numpy(u, fixed, D, r, dx, dt)
        tau += dt
        k = int(np.argmax(u[0] < level))
        if k == 0 or k >= n - 50:
            break
        xk = x[k - 1] + (u[0, k - 1] - level) / (u[0, k - 1] - u[0, k]) * dx
        taus.append(tau)
        xs.append(xk)
    taus, xs = np.asarray(taus), np.asarray(xs)
    # before the level first crosses into the wound (x < 0): arrival at the edge is the first time
    keep = xs >= 0
    t0 = taus[keep][0] if keep.any() else taus[0]
    return np.concatenate([[t0], taus[keep]]), np.concatenate([[0.0], xs[keep]])


def _arrival_from_distance(distance, front_speed, rate):
    """Effective time [s] at which a planar front reaches distance d (linear beyond the table)."""
    taus, xs = planar_front(float(front_speed), float(rate))
    xs = np.maximum.accumulate(xs)
    out = np.interp(distance, xs, taus)
    far = distance > xs[-1]
    out[far] = taus[-1] + (distance[far] - xs[-1]) / front_speed
    return out


def closure_surrogate(wound, pixel_size, sources, schedule, *, front_speed=None, rate=None, frame_times=()):
    """Fast closure map: distance to the nearest intact epidermis or reservoir, converted to time.

    Same inputs and output as :func:`reepithelialize`; < 0.1 s for a 1 cm² field at 10 µm.
    """
    from mtzsim._kernels.healing_edt import make_squared_edt

    wound = np.asarray(wound, bool)
    if wound.ndim != 2:
        raise ValueError(f"wound map must be 2-D, got shape {wound.shape}")
    c = hp.value("front_speed") if front_speed is None else float(front_speed)
    r = hp.value("proliferation_rate") if rate is None else float(rate)
    open_ = wound & ~np.asarray(sources, bool)
    if open_.all():
        raise ValueError("the wound covers the whole map and there is no reservoir: it never closes")
    # distance from each open pixel centre to the nearest source pixel edge (half a pixel less)
    # (exact EDT in numba; its twin is scipy.ndimage.distance_transform_edt, held equal by a test)
    d = np.maximum(np.sqrt(make_squared_edt()(np.ascontiguousarray(open_))) - 0.5, 0.0) * pixel_size
    tau = _arrival_from_distance(d[open_], c, r)
    arrival = np.zeros(wound.shape)
    arrival[open_] = schedule.real(tau)
    frame_times = np.asarray(frame_times, float)
    frames = np.stack([(open_ & ~(arrival <= t)).astype(np.uint8) for t in frame_times]) if frame_times.size else \
        np.zeros((0,) + wound.shape, np.uint8)
    return ClosureMap(arrival=arrival, wound=wound, pixel_size=float(pixel_size), frame_times=frame_times, frames=frames)


# ---------------------------------------------------------------------------------------------
# Statistics of a closure map
# ---------------------------------------------------------------------------------------------


def open_fraction(closure, times):
    """Open wound area over time as a fraction of the initial wound area [-] (and of the map)."""
    w = closure.wound
    n_w = int(w.sum())
    a = np.where(np.isnan(closure.arrival), np.inf, closure.arrival)[w]
    a = np.sort(a)
    times = np.asarray(times, float)
    n_open = n_w - np.searchsorted(a, times, side="right") if n_w else np.zeros(times.size, int)
    frac_wound = n_open / n_w if n_w else np.zeros(times.size)
    return frac_wound, n_open / w.size


def closure_times(closure, fractions=(0.5, 0.95, 1.0)):
    """Time [s] by which the given fractions of the wound area are closed (inf if never)."""
    w = closure.wound
    if not w.any():
        return tuple(0.0 for _ in fractions)
    a = np.sort(np.where(np.isnan(closure.arrival), np.inf, closure.arrival)[w])
    out = []
    for f in fractions:
        k = min(int(math.ceil(f * a.size)) - 1, a.size - 1)
        out.append(float(a[max(k, 0)]))
    return tuple(out)


def per_wound_closure(closure):
    """Closure time [s] of every connected wound (one per MTZ unless they merge)."""
    from scipy import ndimage

    lab, n = ndimage.label(closure.wound)
    if n == 0:
        return np.zeros(0)
    a = np.where(np.isnan(closure.arrival), np.inf, closure.arrival)
    return np.asarray(ndimage.maximum(a, lab, index=np.arange(1, n + 1)), float)
