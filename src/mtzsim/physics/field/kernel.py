"""The single-MTZ temperature rise as a superposition kernel: tabulation, continuation in time, slicing by depth.

The field superposes the tabulated rise K(t, r, z) of one MTZ (``MTZResult.response``) over
every firing. This module prepares that table for the field: it finds the age from which
the table is pure conduction (:func:`wall_heating_end`), chooses the hand-off age τ_c
(:func:`default_handoff_age`), continues a table that ends before τ_c by axisymmetric
finite-difference conduction (:func:`extend_in_time`), fills the crater with its wall
values so that interpolation next to the wall keeps the wall temperature
(:func:`fill_void`), and slices the table at the map depths (:func:`prepare_kernel`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.interpolate import RegularGridInterpolator

from mtzsim.constants import T_BODY, T_BOIL

#: Kernel rise [K] below which a firing is left out of a point's near-field sum. Its
#: omission changes T by less than this for less than τ_c; the heat still reaches the
#: background at hand-off. Assumption, chosen so the omitted damage is negligible:
#: 0.5 K for 50 ms changes Ω by < 1e-3 of Ω at any temperature (Ea ≤ 1.3 MJ/mol).
KERNEL_CUTOFF_K = 0.5

#: Shortest hand-off age τ_c [s]. Assumption: at 50 ms the heat has spread
#: sqrt(2 α τ_c) ≈ 90 µm laterally, smooth enough for the coarse background (whose cells
#: are 0.8 × that spread, background.make_box). With the second-generation single-MTZ
#: engine (no plume hold of the wall; a hot desiccated wall layer that is below boiling
#: ~2.7 ms after a 15 mJ CO2 pulse) this is the age that sets τ_c: handing off at the end
#: of the wall heating would give the background a profile only ~15 µm wide.
HANDOFF_AGE = 0.05

#: Tolerance [K] below the boiling point at which the hottest tabulated tissue still counts
#: as at or above boiling (the stage-1 engine held the wall at exactly T_boil − T_body).
WALL_HOLD_TOL_K = 0.05

#: Hand-off age as a multiple of the end of the wall heating. Assumption checked by the
#: brute-force 3-D test (tests/test_field.py): right when the wall lets go, the rise still
#: has the wall's sharp profile, which the background's Gaussian lateral spread misses by
#: ~2.4 K at the 3 × 3 patch's deepest map points (engine with τ_c = 1 s); 30 % more
#: conduction age (about one step of the engine's ×1.25 table) brought that to ~1.1 K. With
#: the calibrated τ_c = 0.1 s the largest difference is 1.81 K (210 µm deep, between spots).
HANDOFF_AFTER_WALL = 1.3


@dataclass(frozen=True)
class Kernel:
    """The single-MTZ rise prepared for superposition (SI).

    Attributes
    ----------
    tau : ndarray
        Ages from the pulse start [s]; the last is the hand-off age τ_c.
    dr : float
        Radial step of ``K`` [m]; ``K[..., j]`` is at radius ``r_first + j dr``.
    n_r : int
        Radii of ``K``.
    K : ndarray
        Rise [K] at each slot depth, shape (n_slot, n_tau, n_r), crater filled with wall values.
    r_cut : ndarray
        Radius [m] beyond which the rise stays below :data:`KERNEL_CUTOFF_K`, per slot.
    r_void : ndarray
        Crater radius [m] at each slot depth (0 below the crater).
    kint : ndarray
        Laterally integrated rise 2π∫K r dr [K m²], shape (n_slot, n_tau).
    profile : ndarray
        Heat per depth at τ_c [J/m] on ``z_prof``.
    z_prof : ndarray
        Depths of ``profile`` [m] (uniform cell centres).
    s0 : float
        Lateral variance per axis of the heat at τ_c [m²].
    heat_handoff : float
        Heat of one firing at τ_c [J].
    r_first : float
        Radius of ``K[..., 0]`` [m].
    alpha : float
        Thermal diffusivity of the tissue outside the crater [m²/s].
    """

    tau: np.ndarray
    dr: float
    n_r: int
    K: np.ndarray
    r_cut: np.ndarray
    r_void: np.ndarray
    kint: np.ndarray
    profile: np.ndarray
    z_prof: np.ndarray
    s0: float
    heat_handoff: float
    r_first: float
    alpha: float

    @property
    def tau_c(self) -> float:
        """Hand-off age [s]."""
        return float(self.tau[-1])

    @property
    def Kmax(self) -> np.ndarray:
        """Highest rise over age at each slot and radius [K], shape (n_slot, n_r)."""
        return self.K.max(axis=1)

    def kint_at(self, s: int, ages) -> np.ndarray:
        """Laterally integrated rise [K m²] of slot ``s`` at these ages, ramping from 0 at
        age 0 to the first table time like the point kernel's interpolation."""
        ages = np.asarray(ages, float)
        v = np.interp(ages, self.tau, self.kint[s])
        if self.tau[0] > 0.0:
            v = np.where(ages < self.tau[0], v * np.clip(ages / self.tau[0], 0.0, 1.0), v)
        return v


def wall_heating_end(resp, *, t_boil: float = T_BOIL, t_body: float = T_BODY) -> float:
    """Age [s] from which no tabulated tissue is at or above the boiling point any more.

    The first table time after the last one at which the hottest tissue is still at or
    above boiling (within :data:`WALL_HOLD_TOL_K`); ``t_end_pulse`` when the response never
    reaches boiling. With the stage-1 engine (the condensing plume held the wall at 100 °C,
    ``MTZResult.energy.wall_heating`` > 0) heat entered the tissue until then; with the
    second-generation engine (``wall_heating`` = 0) all the heat is in the tissue at the
    pulse end and this is when the hot desiccated wall layer has cooled below boiling
    (~2.7 ms at 15 mJ CO2). Handing off at this age or later loses no heat either way.
    """
    t = np.asarray(resp.t, float)
    peak = np.asarray(resp.rise, float).reshape(t.size, -1).max(axis=1)
    held = np.nonzero(peak >= (t_boil - t_body) - WALL_HOLD_TOL_K)[0]
    if held.size == 0:
        return float(resp.t_end_pulse)
    i = held[-1]
    return float(t[min(i + 1, t.size - 1)])


def default_handoff_age(resp) -> float:
    """τ_c [s]: :data:`HANDOFF_AGE`, or :data:`HANDOFF_AFTER_WALL` × :func:`wall_heating_end`
    when that is later (stage-1 wall hold; with the second-generation engine the wall is
    below boiling within a few ms and :data:`HANDOFF_AGE` applies)."""
    wall = wall_heating_end(resp)
    if wall <= float(resp.t_end_pulse):
        return HANDOFF_AGE
    # no later than the table's end: continuing the real table by extend_in_time is not
    # stable yet (seen 2026-11-24 with the engine of commit 3f9be55: 1.476 → 1.524 s blew up)
    return max(HANDOFF_AGE, min(HANDOFF_AFTER_WALL * wall, float(np.max(resp.t))))


def fill_void(rise, void):
    """Rise with every crater (void) cell given the value of the nearest tissue cell.

    The void holds no tissue; its tabulated rise is 0, so interpolating across the crater
    wall would drag the wall temperature down (by up to ~10 K one cell from a 100 °C
    wall). Filled, the interpolated value next to the wall is the wall's own. Used for
    the near-field kernel only; heat integrals use the unfilled rise.
    """
    # only cells the table leaves empty (rise 0 at every time; the engine's crater) are filled
    void = np.asarray(void, bool) & np.all(np.asarray(rise) == 0.0, axis=0)
    if not void.any() or void.all():
        return rise
    _, (ir, iz) = ndimage.distance_transform_edt(void, return_indices=True)
    out = np.array(rise, float, copy=True)
    out[..., void] = out[..., ir[void], iz[void]]
    return out


def uniform_response(resp, *, fill: bool = False):
    """Response resampled on uniform r, z grids starting at 0 (cell centres kept).

    ``fill=True`` fills the crater with the wall values first (:func:`fill_void`).
    Returns t, r_u, z_u, dr, dz, rise_u, void, r, z (the last two: the table's own grids).
    """
    r, z = np.asarray(resp.r, float), np.asarray(resp.z, float)
    dr = float(np.min(np.diff(r))) if r.size > 1 else float(r[0] * 2)
    dz = float(np.min(np.diff(z))) if z.size > 1 else float(z[0] * 2)
    ru = (np.arange(int(np.ceil(r[-1] / dr + 1e-9))) + 0.5) * dr
    zu = (np.arange(int(np.ceil(z[-1] / dz + 1e-9))) + 0.5) * dz
    rise = np.asarray(resp.rise, float)
    void = np.asarray(resp.void, bool)
    if fill:
        rise = fill_void(rise, void)
    if ru.size != r.size or not np.allclose(ru, r) or zu.size != z.size or not np.allclose(zu, z):
        pts = np.stack(np.meshgrid(ru, zu, indexing="ij"), -1).reshape(-1, 2)
        out = np.empty((rise.shape[0], ru.size, zu.size))
        for i in range(rise.shape[0]):
            f = RegularGridInterpolator((r, z), rise[i], bounds_error=False, fill_value=None)
            out[i] = f(pts).reshape(ru.size, zu.size)
        rise = out
    return np.asarray(resp.t, float), ru, zu, dr, dz, rise, void, r, z


def extend_in_time(t, r, z, dr, dz, rise, tau_c, alpha, w):
    """Continue the tabulated rise to age τ_c by axisymmetric FD conduction (homogeneous).

    Explicit flux-form scheme on the uniform cell-centred (r, z) grid, padded by four
    diffusion lengths; symmetry at r = 0, adiabatic surface, zero rise at the far faces.
    A table that reaches τ_c is cut there (linear in time at τ_c).

    Parameters
    ----------
    t : ndarray
        Table times [s].
    r, z : ndarray
        Uniform cell centres [m].
    dr, dz : float
        Steps [m].
    rise : ndarray
        Rise [K], shape (t, r, z).
    tau_c : float
        Age to reach [s].
    alpha : float
        Diffusivity [m²/s].
    w : float
        Perfusion rate ω_b ρ_b c_b/(ρc) [1/s].
    """
    if t[-1] >= tau_c * (1 - 1e-12):
        keep = t <= tau_c
        tt = t[keep]
        rr = rise[keep]
        if tt[-1] < tau_c:
            f = (tau_c - tt[-1]) / (t[np.argmax(~keep)] - tt[-1])
            nxt = rise[np.argmax(~keep)]
            tt = np.append(tt, tau_c)
            rr = np.concatenate([rr, (rr[-1] * (1 - f) + nxt * f)[None]])
        return tt, r, z, rr
    pad = 4 * math.sqrt(alpha * (tau_c - t[-1]))
    nr = r.size + int(np.ceil(pad / dr))
    nz = z.size + int(np.ceil(pad / dz))
    rp = (np.arange(nr) + 0.5) * dr
    T = np.zeros((nr, nz))
    T[: r.size, : z.size] = rise[-1]
    rf = np.arange(nr + 1) * dr  # faces
    dt = 0.2 / (alpha * (1 / dr**2 + 1 / dz**2))
    extra_t = np.geomspace(max(t[-1] * 1.05, t[-1] + dt), tau_c, 40)
    snaps = []
    now = t[-1]
    for target in extra_t:
        n = max(1, int(np.ceil((target - now) / dt)))
        h = (target - now) / n
        for _ in range(n):
            g = np.zeros((nr + 2, nz + 2))
            g[1:-1, 1:-1] = T
            g[0, 1:-1] = T[0]  # symmetry
            g[1:-1, 0] = T[:, 0]  # adiabatic surface
            fr = (g[1:, 1:-1] - g[:-1, 1:-1]) * rf[:, None]
            lap = (fr[1:] - fr[:-1]) / (rp[:, None] * dr**2) + (g[1:-1, 2:] - 2 * T + g[1:-1, :-2]) / dz**2
            T = T + h * (alpha * lap - w * T)
        now = target
        snaps.append(T[: r.size, : z.size].copy())
    return np.concatenate([t, extra_t]), r, z, np.concatenate([rise, np.array(snaps)])


def prepare_kernel(resp, slot_depths, tau_c: float, perfusion_rate: float, cutoff: float = KERNEL_CUTOFF_K) -> Kernel:
    """Slice the single-MTZ table at the map depths, up to the hand-off age.

    Parameters
    ----------
    resp : ThermalResponse
        The single-MTZ table.
    slot_depths : sequence of float
        Depths [m] of the map and cross-section rows.
    tau_c : float
        Hand-off age [s].
    perfusion_rate : float
        ω_b ρ_b c_b/(ρc) [1/s], used where the table is continued in time.
    cutoff : float
        Rise [K] that defines the near-field radius ``r_cut``.
    """
    t, r, z, dr, dz, rise, void, r0, z0 = uniform_response(resp)
    alpha = float(resp.diffusivity)
    t_raw = t
    t, r, z, rise = extend_in_time(t, r, z, dr, dz, rise, tau_c, alpha, perfusion_rate)
    # near-field slices from the crater-filled table (interpolation next to a wall keeps
    # the wall temperature); heat integrals below from the unfilled one. On the table's own
    # grid when it is uniform and needs no continuation in time: the engine's table
    # (subsampled ×2) has its first cell centre at dr/4, and resampling it onto cell
    # centres before the map's own interpolation in r and z smeared the steep front next
    # to a 100 °C crater wall (measured: up to 6.4 K too cold 70 µm from the spot centre
    # at 30 µm depth, against a single linear interpolation of the table).
    def same(a, d):
        return a.size > 1 and np.allclose(np.diff(a), d, rtol=1e-6, atol=0.0)

    if t_raw[-1] >= tau_c * (1 - 1e-12) and same(r0, dr) and same(z0, dz):
        rk_r, rk_z = r0, z0
        rise_k = fill_void(np.asarray(resp.rise, float), void)
    else:
        rk_r, rk_z = r, z
        rise_k = uniform_response(resp, fill=True)[5]
    rise_k = extend_in_time(t_raw, rk_r, rk_z, dr, dz, rise_k, tau_c, alpha, perfusion_rate)[3]
    n_slot = len(slot_depths)
    K = np.empty((n_slot, t.size, rk_r.size))
    r_cut = np.zeros(n_slot)
    r_void = np.zeros(n_slot)
    for s, zd in enumerate(slot_depths):
        k = np.clip(np.searchsorted(rk_z, zd) - 1, 0, rk_z.size - 2)
        f = np.clip((zd - rk_z[k]) / (rk_z[k + 1] - rk_z[k]), 0.0, 1.0)
        if zd < rk_z[0]:
            k, f = 0, 0.0
        K[s] = rise_k[:, :, k] * (1 - f) + rise_k[:, :, k + 1] * f
        hot = np.nonzero(K[s].max(axis=0) >= cutoff)[0]
        r_cut[s] = rk_r[0] + (hot[-1] + 1.0) * dr if hot.size else 0.0
        kv = int(np.clip(np.searchsorted(z0, zd), 0, z0.size - 1))
        if kv > 0 and abs(z0[kv - 1] - zd) < abs(z0[kv] - zd):
            kv -= 1
        vj = np.nonzero(void[:, kv])[0] if zd <= z0[-1] + 0.5 * dz else np.array([], int)
        r_void[s] = r0[vj[-1]] + 0.5 * (r0[1] - r0[0]) if vj.size else 0.0
    # laterally integrated rise of the unfilled table (the crater holds no heat)
    kint = np.empty((n_slot, t.size))
    for s, zd in enumerate(slot_depths):
        k = np.clip(np.searchsorted(z, zd) - 1, 0, z.size - 2)
        f = 0.0 if zd < z[0] else float(np.clip((zd - z[k]) / (z[k + 1] - z[k]), 0.0, 1.0))
        kint[s] = 2 * np.pi * ((rise[:, :, k] * (1 - f) + rise[:, :, k + 1] * f) @ r) * dr
    last = rise[-1]
    rc = resp.volumetric_heat_capacity
    profile = 2 * np.pi * rc * np.einsum("rz,r->z", last, r) * dr  # [J/m]
    heat = float(profile.sum() * dz)
    s0 = float(np.pi * rc * np.einsum("rz,r->", last, r**3) * dr * dz / max(heat, 1e-300))
    return Kernel(tau=t, dr=dr, n_r=rk_r.size, K=K, r_cut=r_cut, r_void=r_void, kint=kint, profile=profile,
                  z_prof=z, s0=s0, heat_handoff=heat, r_first=float(rk_r[0]), alpha=alpha)
