"""Pennes bioheat conduction on the axisymmetric (r, z) grid of one MTZ: finite volumes, explicit and implicit steps.

ρc ∂T/∂t = ∇·(k∇T) − ω_b ρ_b c_b (T − T_a) + Q, in cylindrical coordinates with the beam on
the axis. Cells of size h × h; radial faces at r = j·h; the skin surface (z = 0) is adiabatic,
the far radial and deep boundaries are held at body temperature; ablated cells are void and
exchange no heat. ρ_b c_b is taken equal to the tissue's ρc (assumption: blood and dermis
heat capacities are within ~10 % and perfusion changes no MTZ result by more than 1 %).

The numba kernels live in ``mtzsim._kernels.axisym``; this module holds the grid, the
conductances and the readable numpy twins that the tests hold the kernels to.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mtzsim._kernels import axisym as _k
from mtzsim.constants import R_GAS
from mtzsim.physics.tissue import Tissue


@dataclass(frozen=True)
class AxisymmetricGrid:
    """Uniform finite-volume grid in (r, z): nr × nz cells of size h [m]."""

    nr: int
    nz: int
    h: float

    @property
    def r(self) -> np.ndarray:
        """Cell-centre radii [m]."""
        return (np.arange(self.nr) + 0.5) * self.h

    @property
    def z(self) -> np.ndarray:
        """Cell-centre depths [m]."""
        return (np.arange(self.nz) + 0.5) * self.h

    @property
    def volume(self) -> np.ndarray:
        """Cell volumes [m³], shape (nr, nz): π((j+1)² − j²) h³."""
        j = np.arange(self.nr)
        v = math.pi * (2 * j + 1) * self.h**3
        return np.repeat(v[:, None], self.nz, axis=1)


@dataclass(frozen=True)
class Properties:
    """Per-cell material arrays on a grid (SI)."""

    rc: np.ndarray  # ρc [J/(m³ K)]
    k: np.ndarray  # conductivity [W/(m K)]
    rho: np.ndarray  # density [kg/m³]
    rho_water: np.ndarray  # water mass per volume [kg/m³]
    rc_dry: np.ndarray  # heat capacity of the dry matrix [J/(m³ K)]
    perf: np.ndarray  # ω_b [1/s]
    mua: np.ndarray  # absorption coefficient [1/m] (per laser)


def tissue_properties(grid: AxisymmetricGrid, tissue: Tissue, laser: str, *, dry_specific_heat: float) -> Properties:
    """Sample the layered tissue onto the grid's cells."""
    z = grid.z
    shape = (grid.nr, grid.nz)

    def col(values):
        return np.broadcast_to(np.asarray(values, dtype=float)[None, :], shape).copy()

    rho = tissue.property_at("density", z)
    w = tissue.property_at("water_fraction", z)
    return Properties(
        rc=col(tissue.property_at("heat_capacity", z)),
        k=col(tissue.property_at("conductivity", z)),
        rho=col(rho),
        rho_water=col(rho * w),
        rc_dry=col(rho * (1.0 - w) * dry_specific_heat),
        perf=col(tissue.property_at("perfusion", z)),
        mua=col(tissue.absorption_at(laser, z)),
    )


def conductances(grid: AxisymmetricGrid, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Face conductances [W/K]: Gr (nr+1, nz) radial faces, Gz (nr, nz+1) depth faces.

    Interior faces use the harmonic mean of the two cells' k; the far boundaries are
    half a cell from the centre of the last cell; the axis and the skin surface carry none
    (Gz[:, 0] = 0: adiabatic; a cooled surface sets it, :func:`surface_conductances`).
    """
    h, nr, nz = grid.h, grid.nr, grid.nz
    Gr = np.zeros((nr + 1, nz))
    j = np.arange(1, nr)
    area_r = 2 * math.pi * j * h * h  # face at r = j h
    kh = 2 * k[:-1, :] * k[1:, :] / (k[:-1, :] + k[1:, :])
    Gr[1:nr, :] = area_r[:, None] * kh / h
    Gr[nr, :] = 2 * math.pi * nr * h * h * k[-1, :] / (0.5 * h)
    Gz = np.zeros((nr, nz + 1))
    area_z = math.pi * (2 * np.arange(nr) + 1) * h * h
    kz = 2 * k[:, :-1] * k[:, 1:] / (k[:, :-1] + k[:, 1:])
    Gz[:, 1:nz] = area_z[:, None] * kz / h
    Gz[:, nz] = area_z * k[:, -1] / (0.5 * h)
    return Gr, Gz


def surface_conductances(grid: AxisymmetricGrid, k_top: np.ndarray, coefficient: float) -> np.ndarray:
    """Conductances [W/K] from the surface cells' centres to a coolant: Gz[:, 0] of a cooled skin.

    The heat-transfer coefficient h [W/(m² K)] of the coolant (contact window or air stream,
    :mod:`mtzsim.physics.mtz.surface_cooling`) in series with the half cell of tissue between
    the cell's centre and the surface: G = A / (1/h + (Δz/2)/k), A the annulus of each column.
    """
    if not coefficient >= 0.0:
        raise ValueError(f"heat-transfer coefficient must be non-negative, got {coefficient!r}")
    h, nr = grid.h, grid.nr
    area = math.pi * (2 * np.arange(nr) + 1) * h * h
    if coefficient == 0.0:
        return np.zeros(nr)
    return area / (1.0 / coefficient + 0.5 * h / np.asarray(k_top, float))


def stable_dt(grid: AxisymmetricGrid, rc: np.ndarray, Gr: np.ndarray, Gz: np.ndarray) -> float:
    """Largest explicit (forward Euler) step [s]: min over cells of ρcV / ΣG."""
    total = Gr[:-1, :] + Gr[1:, :] + Gz[:, :-1] + Gz[:, 1:]
    return float(np.min(rc * grid.volume / total))


def conduction_rate_numpy(T, void, Gr, Gz, t_body, t_surface=None):
    """Net conductive power into each cell [W], power lost at the far boundaries and out of the surface [W].

    Readable twin of ``_kernels.axisym.conduction_rate``: the solid surface cells exchange
    Gz[j, 0] (t_surface − T) with a coolant (``t_surface`` None: t_body; Gz[:, 0] = 0: adiabatic).
    """
    t_surface = t_body if t_surface is None else t_surface
    nr, nz = T.shape
    solid = ~void
    out = np.zeros_like(T)
    # radial faces between j-1 and j
    link = solid[:-1, :] & solid[1:, :]
    f = np.where(link, Gr[1:nr, :] * (T[:-1, :] - T[1:, :]), 0.0)  # flow from j-1 into j
    out[1:, :] += f
    out[:-1, :] -= f
    # depth faces between k-1 and k
    link = solid[:, :-1] & solid[:, 1:]
    f = np.where(link, Gz[:, 1:nz] * (T[:, :-1] - T[:, 1:]), 0.0)
    out[:, 1:] += f
    out[:, :-1] -= f
    # far boundaries
    fb_r = np.where(solid[-1, :], Gr[nr, :] * (t_body - T[-1, :]), 0.0)
    fb_z = np.where(solid[:, -1], Gz[:, nz] * (t_body - T[:, -1]), 0.0)
    fs = np.where(solid[:, 0], Gz[:, 0] * (t_surface - T[:, 0]), 0.0)
    out[-1, :] += fb_r
    out[:, -1] += fb_z
    out[:, 0] += fs
    out[void] = 0.0
    return out, -(fb_r.sum() + fb_z.sum()), -fs.sum()


def conduction_rate(T, void, Gr, Gz, t_body, t_surface=None):
    """Numba version of :func:`conduction_rate_numpy` (same arguments and results)."""
    out = np.empty_like(T)
    lost, cooled = _k.conduction_rate(T, void, Gr, Gz, t_body, t_body if t_surface is None else t_surface, out)
    return out, lost, cooled


def implicit_step_numpy(T, void, Gr, Gz, cap, perf, t_body, dt, fixed=None, t_surface=None):
    """Readable twin of ``_kernels.axisym.implicit_lod_step``: backward Euler in r, then in z.

    Uses scipy's banded solver line by line; ``fixed`` cells keep their temperature; a solid
    surface cell exchanges Gz[j, 0] (T − t_surface) with a coolant (None: t_body).
    Returns (T_new, boundary loss [J], perfusion loss [J], surface loss [J]).
    """
    from scipy.linalg import solve_banded

    t_surface = t_body if t_surface is None else t_surface
    lost_s = 0.0
    T = T.copy()
    nr, nz = T.shape
    fixed = np.zeros_like(void) if fixed is None else fixed
    solid = ~void
    lost_b = 0.0
    lost_p = 0.0
    free = solid & ~fixed
    for k in range(nz):
        s = np.where(free[:, k], dt / cap[:, k], 0.0)
        gl = np.where(free[:, k] & np.r_[False, solid[:-1, k]], Gr[:nr, k], 0.0)
        gr = np.where(free[:, k] & np.r_[solid[1:, k], False], Gr[1 : nr + 1, k], 0.0)
        gb = np.zeros(nr)
        gb[-1] = Gr[nr, k] if free[-1, k] else 0.0
        ab = np.zeros((3, nr))
        ab[0, 1:] = -(s * gr)[:-1]
        ab[1] = 1.0 + s * (gl + gr + gb)
        ab[2, :-1] = -(s * gl)[1:]
        T[:, k] = solve_banded((1, 1), ab, T[:, k] + s * gb * t_body)
        lost_b += dt * gb[-1] * (T[-1, k] - t_body)
    for j in range(nr):
        s = np.where(free[j, :], dt / cap[j, :], 0.0)
        p = np.where(free[j, :], perf[j, :], 0.0)
        gu = np.where(free[j, :] & np.r_[False, solid[j, :-1]], Gz[j, :nz], 0.0)
        gd = np.where(free[j, :] & np.r_[solid[j, 1:], False], Gz[j, 1 : nz + 1], 0.0)
        gb = np.zeros(nz)
        gb[-1] = Gz[j, nz] if free[j, -1] else 0.0
        gs = np.zeros(nz)
        gs[0] = Gz[j, 0] if free[j, 0] else 0.0
        ab = np.zeros((3, nz))
        ab[0, 1:] = -(s * gd)[:-1]
        ab[1] = 1.0 + s * (gu + gd + gb + gs) + dt * p
        ab[2, :-1] = -(s * gu)[1:]
        T[j, :] = solve_banded((1, 1), ab, T[j, :] + s * (gb * t_body + gs * t_surface) + dt * p * t_body)
        lost_p += float(np.sum(dt * p * cap[j, :] * (T[j, :] - t_body)))
        lost_b += dt * gb[-1] * (T[j, -1] - t_body)
        lost_s += dt * gs[0] * (T[j, 0] - t_surface)
    return T, lost_b, lost_p, lost_s


def implicit_step(T, void, Gr, Gz, cap, perf, t_body, dt, fixed=None, t_surface=None):
    """Numba version of :func:`implicit_step_numpy`; T is updated in place.

    Returns (boundary, perfusion, surface) losses [J].
    """
    if fixed is None:
        fixed = np.zeros_like(void)
    return _k.implicit_lod_step(T, void, Gr, Gz, cap, perf, t_body, t_body if t_surface is None else t_surface, dt,
                                fixed)


def arrhenius_cutoff(A: np.ndarray, Ea: np.ndarray, duration: float, tolerance: float = 1e-9) -> np.ndarray:
    """Temperature [K], per process, below which it accumulates less than ``tolerance`` in ``duration``.

    Skipping the exponential below it changes Ω by less than ``tolerance`` (exactly bounded,
    since the rate grows monotonically with T).
    """
    # A exp(-Ea/RT) * duration < tol  <=>  T < Ea / (R ln(A duration / tol))
    return np.asarray(Ea, dtype=float) / (R_GAS * np.log(np.asarray(A, dtype=float) * duration / tolerance))
