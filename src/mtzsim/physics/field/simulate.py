"""Treatment field: heat accumulation and Arrhenius damage of thousands of MTZs fired in a scan pattern.

Method (linearity of conduction outside the crater, DESIGN.md "Field"):

    T(x, y, z, t) = T_body + Σ_j K(t − t_j, |(x, y) − (x_j, y_j)|, z)

with K the single-MTZ temperature rise (``MTZResult.response``, tabulated on (t, r, z)).
Each firing's rise is split in time at the hand-off age τ_c:

- *near and early* (age < τ_c): the tabulated kernel itself, evaluated exactly at every
  map point within the cut-off radius R_c(z) (where the kernel ever exceeds
  :data:`KERNEL_CUTOFF_K`), on a time grid that resolves each pulse;
- *late* (age ≥ τ_c, by default no earlier than the end of the plume's wall heating,
  :func:`default_handoff_age`, so that the tabulated rise is pure conduction from
  there on): the firing's heat, as the kernel's laterally integrated depth
  profile and lateral variance at τ_c, is handed to a coarse background: an exact
  spectral (cosine-series, adiabatic faces) solution of the Pennes equation with uniform
  perfusion on a 3-D box around the field. Each hand-off is injected at its exact time
  (the cosine modes are diffused analytically by the part of the step after hand-off),
  so the background has no time-step error.

The Arrhenius damage Ω = ∫ A exp(−Ea/RT) dt of each process is integrated on the total
temperature at each map point: Ω = Ω_background + Σ over clusters of near firings (windows
[t_j, t_j + τ_c] that overlap) of ∫ [rate(T_bg + ΣK) − rate(T_bg)] dt, with the background
taken constant over a cluster's window (it changes on the scale of τ_c or slower). An
isolated firing uses a precomputed table of that integral over (r, background rise); a
cluster is integrated on the union of its firings' time grids.

Assumptions (stated): the tissue outside the crater is homogeneous with the response's
diffusivity and ρc (layers enter only through the tabulated near field); a crater does not
block the heat of its neighbours; superposed tissue temperatures are capped at the boiling
point of water (tissue water boils there and the excess heat goes into vaporisation: the
single-MTZ engine never lets tissue exceed it, while a plain sum of several neighbours'
100 °C crater walls would); a stacked re-firing of a site adds the same kernel again
(crater deepening by stacking is not modelled here); the perfusion rate is the dermal one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit, prange

from mtzsim.errors import InputError
from mtzsim.physics.pattern import Pattern, PatternSpec, build_pattern

#: Molar gas constant [J/(mol K)] (CODATA 2018, exact).
R_GAS = 8.314462618

#: Kernel rise [K] below which a firing is left out of a point's near-field sum. Its
#: omission changes T by less than this for less than τ_c; the heat still reaches the
#: background at hand-off. Assumption, chosen so the omitted damage is negligible:
#: 0.5 K for 50 ms changes Ω by < 1e-3 of Ω at any temperature (Ea ≤ 1.3 MJ/mol).
KERNEL_CUTOFF_K = 0.5

#: Shortest hand-off age τ_c [s] (see module docstring). Assumption: at 50 ms the heat has
#: spread sqrt(2 α τ_c) ≈ 90 µm laterally, smooth enough for the coarse background.
HANDOFF_AGE = 0.05

#: Tolerance [K] below the boiling point at which a tabulated wall still counts as held
#: at 100 °C by the condensing plume (the engine holds it at exactly T_boil − T_body).
WALL_HOLD_TOL_K = 0.05


def wall_heating_end(resp, *, t_boil=373.15, t_body=None):
    """Age [s] from which the tabulated response is pure conduction.

    The engine holds the crater wall at 100 °C while the condensing plume has heat
    (``MTZResult.energy.wall_heating``): heat enters the tissue long after the pulse.
    The returned age is the first table time after the last one at which the hottest
    tissue is still at the boiling point, so that handing the firing's heat to the
    background at that age or later loses none of it. Returns ``t_end_pulse`` when the
    response never reaches the boiling point.
    """
    t_body = _body_temperature() if t_body is None else t_body
    t = np.asarray(resp.t, float)
    peak = np.asarray(resp.rise, float).reshape(t.size, -1).max(axis=1)
    held = np.nonzero(peak >= (t_boil - t_body) - WALL_HOLD_TOL_K)[0]
    if held.size == 0:
        return float(resp.t_end_pulse)
    i = held[-1]
    return float(t[min(i + 1, t.size - 1)])


#: Hand-off age as a multiple of the end of the wall heating. Assumption checked by the
#: brute-force 3-D test (tests/test_field.py): right when the wall lets go, the rise still
#: has the wall's sharp profile, which the background's Gaussian lateral spread misses by
#: ~2.4 K at the 3 × 3 patch's deepest map points (engine with τ_c = 1 s); 30 % more
#: conduction age (about one step of the engine's ×1.25 table) brought that to ~1.1 K. With
#: the calibrated τ_c = 0.1 s the largest difference is 1.81 K (210 µm deep, between spots).
HANDOFF_AFTER_WALL = 1.3


def default_handoff_age(resp) -> float:
    """τ_c [s]: :data:`HANDOFF_AGE`, or :data:`HANDOFF_AFTER_WALL` × the end of the wall
    heating (:func:`wall_heating_end`) when that is later."""
    wall = wall_heating_end(resp)
    if wall <= float(resp.t_end_pulse):
        return HANDOFF_AGE
    # no later than the table's end: continuing the real table by _extend_in_time is not
    # stable yet (seen 2026-11-24 with the engine of commit 3f9be55: 1.476 → 1.524 s blew up)
    return max(HANDOFF_AGE, min(HANDOFF_AFTER_WALL * wall, float(np.max(resp.t))))

#: Default map depths [m]: epidermis (below the stratum corneum), papillary/upper
#: reticular dermis, mid reticular dermis. Assumption: representative levels for
#: face skin (epidermis ≈ 50–100 µm thick).
DEFAULT_DEPTHS = (20e-6, 100e-6, 300e-6)

#: Processes used for the zones (from damage.ZONE_PROCESSES when available).
_ZONE_KEYS = ("collagen", "cell", "hsp")

# Fallback if mtzsim.physics.damage is absent: Maitland & Walsh 1997 collagen birefringence
# (ln A = 130, Ea = 89 kcal/mol); Henriques 1947 skin necrosis; HSP70 fit = assumption.
_FALLBACK_ARRHENIUS = {
    "collagen": (math.exp(130.0), 89 * 4184.0),
    "cell": (3.1e98, 6.28e5),
    "hsp": (1.6e203, 1.262e6),
}


def _arrhenius_params():
    """(A [1/s], Ea [J/mol]) of the collagen, cell and heat-shock processes."""
    try:
        from mtzsim.physics import damage
    except ImportError:  # pragma: no cover - damage is part of the package
        return dict(_FALLBACK_ARRHENIUS)
    procs = getattr(damage, "ZONE_PROCESSES", {"collagen": "collagen_birefringence",
                                                 "cell": "skin_necrosis", "hsp": "hsp70_induction"})
    return {k: (damage.ARRHENIUS[procs[k]].A, damage.ARRHENIUS[procs[k]].Ea) for k in _ZONE_KEYS}


def _default_perfusion_rate() -> float:
    """w = ω_b ρ_b c_b / (ρ c) of the dermis [1/s] (tissue.py; ρ_b c_b ≈ ρ c assumed)."""
    try:
        from mtzsim.physics.tissue import get_tissue

        return float(get_tissue("face").dermis.perfusion)
    except Exception:  # pragma: no cover
        return 2e-3


def _boiling_temperature() -> float:
    try:
        from mtzsim.physics.tissue import constants

        return float(constants()["water_boiling_point"])
    except Exception:  # pragma: no cover
        return 373.15


def _body_temperature() -> float:
    try:
        from mtzsim.physics.tissue import constants

        return float(constants()["body_temperature"])
    except Exception:  # pragma: no cover
        return 310.15


# =====================================================================================
# Result
# =====================================================================================


def _finite_or_none(d: dict) -> dict:
    """JSON has no inf or NaN: such values (e.g. no islands at all) become None."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}


@dataclass
class FieldResult:
    """Damage maps, coverage, islands and bulk heating of a treated field (SI inside).

    Summary attributes are at the epidermal map depth (``depths[0]``) unless stated.
    ``dataset`` holds the maps (x, y, depth), the cross-section (x, z), the bulk
    temperature over time and the island-distance histogram.
    """

    depths: tuple
    resolution: float
    n_mtz: int  # distinct sites over all passes
    n_firings: int
    coverage_ablated: float  # area fraction, exclusive zones at depths[0] [-]
    coverage_coagulated: float
    coverage_lethal: float
    coverage_heat_shock: float
    coverage_treated: float  # ablated, coagulated or lethal [-]
    max_bulk_temperature: float  # [K], highest area-mean temperature over time and depths
    mean_coagulation_thickness: float  # [m]
    merged_fraction: float  # [-]
    median_island_distance: float  # [m]
    area_contraction: float  # [-]
    energy_delivered: float  # Σ pulse energies [J]
    heat_deposited: float  # Σ heat the MTZs leave in tissue, plume wall heating included [J]
    coagulated_volume: float  # Ω_collagen ≥ 1 volume from the maps (slab sum) [m³]
    peak_temperature: float  # [K] highest map temperature outside craters
    duration: float  # scan + cooling simulated [s]
    dataset: object = field(repr=False, default=None)
    #: [K] highest mean temperature over any window of BULK_WINDOW_PITCHES × BULK_WINDOW_PITCHES
    #: pitches, over time and depths (see ``_local_bulk``)
    max_local_bulk_temperature: float = float("nan")
    pattern: Pattern | None = field(repr=False, default=None)
    timings: dict = field(repr=False, default_factory=dict)

    def to_dict(self) -> dict:
        """Plain JSON-able summary in user units (µm, °C, mJ, fractions)."""
        return _finite_or_none({
            "n_mtz": int(self.n_mtz),
            "n_firings": int(self.n_firings),
            "depths_um": [float(d * 1e6) for d in self.depths],
            "resolution_um": float(self.resolution * 1e6),
            "coverage_ablated": float(self.coverage_ablated),
            "coverage_coagulated": float(self.coverage_coagulated),
            "coverage_lethal": float(self.coverage_lethal),
            "coverage_heat_shock": float(self.coverage_heat_shock),
            "coverage_treated": float(self.coverage_treated),
            "max_bulk_temperature_c": float(self.max_bulk_temperature - 273.15),
            "max_local_bulk_temperature_c": float(self.max_local_bulk_temperature - 273.15),
            "mean_coagulation_thickness_um": float(self.mean_coagulation_thickness * 1e6),
            "merged_fraction": float(self.merged_fraction),
            "median_island_distance_um": float(self.median_island_distance * 1e6),
            "area_contraction": float(self.area_contraction),
            "energy_delivered_mj": float(self.energy_delivered * 1e3),
            "heat_deposited_mj": float(self.heat_deposited * 1e3),
            "coagulated_volume_mm3": float(self.coagulated_volume * 1e9),
            "peak_temperature_c": float(self.peak_temperature - 273.15),
            "duration_s": float(self.duration),
        })


# =====================================================================================
# A synthetic MTZ (tests, examples, and a stand-in while the engine is unavailable)
# =====================================================================================


def synthetic_response(
    *,
    heat_content=2e-3,
    column_radius=60e-6,
    column_depth=300e-6,
    diffusivity=8.06e-8,
    volumetric_heat_capacity=3.6e6,
    perfusion_rate=0.0,
    crater_radius=40e-6,
    crater_depth=200e-6,
    t_max=0.2,
    dr=5e-6,
    r_max=1.0e-3,
    z_max=1.2e-3,
    n_t=90,
):
    """Analytic temperature rise of an instantaneous heated column in a half-space.

    Heat q(r, z) = q0 exp(−r²/a²) for 0 ≤ z ≤ L (q0 = Q / (π a² L)), released at t = 0
    in a homogeneous half-space with an adiabatic surface (image source) and uniform
    perfusion w:

        ΔT = q0/ρc · a²/(a² + 4ατ) · exp(−r²/(a² + 4ατ))
             · ½ [erf((L − z)/√(4ατ)) + erf((L + z)/√(4ατ))] · exp(−w τ)

    Returns a :class:`mtzsim.physics.mtz.ThermalResponse` (t_end_pulse = 0).
    """
    from scipy.special import erf

    from mtzsim.physics.mtz import ThermalResponse

    a2, L, alpha, rc = column_radius**2, column_depth, diffusivity, volumetric_heat_capacity
    q0 = heat_content / (math.pi * a2 * L)
    t = np.concatenate([[0.0], np.geomspace(1e-6, t_max, n_t - 1)])
    r = (np.arange(int(round(r_max / dr))) + 0.5) * dr
    z = (np.arange(int(round(z_max / dr))) + 0.5) * dr
    s = 4 * alpha * t[:, None, None]
    radial = a2 / (a2 + s) * np.exp(-r[None, :, None] ** 2 / (a2 + s))
    with np.errstate(divide="ignore", invalid="ignore"):
        sq = np.sqrt(s)
        axial = 0.5 * (erf((L - z[None, None, :]) / sq) + erf((L + z[None, None, :]) / sq))
    axial[0] = (z <= L).astype(float)[None, :]
    rise = q0 / rc * radial * axial * np.exp(-perfusion_rate * t)[:, None, None]
    residual = q0 * np.exp(-r[:, None] ** 2 / a2) * (z[None, :] <= L)
    void = (r[:, None] < crater_radius) & (z[None, :] < crater_depth)
    return ThermalResponse(
        t=t, r=r, z=z, rise=rise, void=void, residual_heat=residual, t_end_pulse=0.0,
        heat_content=float(heat_content), diffusivity=float(alpha), volumetric_heat_capacity=float(rc),
    )


def synthetic_mtz(beam=None, **kwargs):
    """A :class:`mtzsim.physics.mtz.MTZResult` around :func:`synthetic_response` (zone radii unset)."""
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import EnergyPartition, MTZResult

    beam = beam or make_beam("co2", energy=15e-3, spot_diameter=120e-6)
    resp = synthetic_response(**kwargs)
    q = resp.heat_content
    part = EnergyPartition(delivered=beam.energy, plume_loss=0.0, wall_heating=0.0, ablated=beam.energy - q,
                           stored=q, perfusion=0.0, boundary=0.0, reflected=0.0, error=0.0)
    cr = kwargs.get("crater_radius", 40e-6)
    cd = kwargs.get("crater_depth", 200e-6)
    nan = float("nan")
    return MTZResult(
        beam=beam, ablation_depth=cd, ablation_diameter=2 * cr, coagulation_depth=nan,
        coagulation_thickness=nan, lethal_depth=nan, lethal_radius=nan, heat_shock_depth=nan,
        heat_shock_radius=nan, peak_temperature=_body_temperature() + float(resp.rise.max()),
        pulse_duration=beam.pulse_duration, energy=part, dataset=None, response=resp,
    )


# =====================================================================================
# Kernel preparation
# =====================================================================================


@dataclass
class _Kernel:
    tau: np.ndarray  # [n_tau] ages from the pulse start, last = τ_c
    dr: float
    n_r: int
    K: np.ndarray  # [n_slot, n_tau, n_r] rise at each slot depth
    r_cut: np.ndarray  # [n_slot]
    r_void: np.ndarray  # [n_slot]
    kint: np.ndarray  # [n_slot, n_tau] 2π∫K r dr [K m²]
    profile: np.ndarray  # heat per depth at τ_c [J/m] on z_prof
    z_prof: np.ndarray
    s0: float  # lateral variance per axis at τ_c [m²]
    heat_handoff: float  # heat at τ_c [J]
    r_first: float = float("nan")  # radius of K[..., 0] [m]; K[..., j] at r_first + j dr


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
    from scipy import ndimage

    _, (ir, iz) = ndimage.distance_transform_edt(void, return_indices=True)
    out = np.array(rise, float, copy=True)
    out[..., void] = out[..., ir[void], iz[void]]
    return out


def _uniform_response(resp, *, fill=False):
    """Response resampled on uniform r, z grids starting at 0 (cell centres kept).

    ``fill=True`` fills the crater with the wall values first (:func:`fill_void`).
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
        from scipy.interpolate import RegularGridInterpolator

        pts = np.stack(np.meshgrid(ru, zu, indexing="ij"), -1).reshape(-1, 2)
        out = np.empty((rise.shape[0], ru.size, zu.size))
        for i in range(rise.shape[0]):
            f = RegularGridInterpolator((r, z), rise[i], bounds_error=False, fill_value=None)
            out[i] = f(pts).reshape(ru.size, zu.size)
        rise = out
    return np.asarray(resp.t, float), ru, zu, dr, dz, rise, void, r, z


def _extend_in_time(t, r, z, dr, dz, rise, tau_c, alpha, w):
    """Continue the tabulated rise to age τ_c by axisymmetric FD conduction (homogeneous).

    Explicit flux-form scheme on the uniform cell-centred (r, z) grid, padded by four
    diffusion lengths; symmetry at r = 0, adiabatic surface, zero rise at the far faces.
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


def _prepare_kernel(resp, slot_depths, tau_c, perfusion_rate, cutoff=KERNEL_CUTOFF_K):
    t, r, z, dr, dz, rise, void, r0, z0 = _uniform_response(resp)
    alpha = resp.diffusivity
    t_raw = t
    t, r, z, rise = _extend_in_time(t, r, z, dr, dz, rise, tau_c, alpha, perfusion_rate)
    # near-field slices from the crater-filled table (interpolation next to a wall keeps
    # the wall temperature); heat integrals below from the unfilled one. On the table's own
    # grid when it is uniform and needs no continuation in time: the engine's table
    # (subsampled ×2) has its first cell centre at dr/4, and resampling it onto cell
    # centres before the map's own interpolation in r and z smeared the steep front next
    # to a 100 °C crater wall (measured: up to 6.4 K too cold 70 µm from the spot centre
    # at 30 µm depth, against a single linear interpolation of the table).
    same = lambda a, d: a.size > 1 and np.allclose(np.diff(a), d, rtol=1e-6, atol=0.0)
    if t_raw[-1] >= tau_c * (1 - 1e-12) and same(r0, dr) and same(z0, dz):
        rk_r, rk_z = r0, z0
        rise_k = fill_void(np.asarray(resp.rise, float), void)
    else:
        rk_r, rk_z = r, z
        rise_k = _uniform_response(resp, fill=True)[5]
    rise_k = _extend_in_time(t_raw, rk_r, rk_z, dr, dz, rise_k, tau_c, alpha, perfusion_rate)[3]
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
    return _Kernel(tau=t, dr=dr, n_r=rk_r.size, K=K, r_cut=r_cut, r_void=r_void, kint=kint,
                   profile=profile, z_prof=z, s0=s0, heat_handoff=heat, r_first=float(rk_r[0]))


# =====================================================================================
# Background: spectral Pennes solution on a box with adiabatic faces
# =====================================================================================


@dataclass
class _Box:
    x0: float
    y0: float
    Lx: float
    Ly: float
    Lz: float
    nx: int
    ny: int
    nz: int

    def modes(self, n, L):
        return np.arange(n) * np.pi / L

    def phi(self, n, L, origin, pts):
        """Orthonormal cosine modes φ_m(p) on [origin, origin + L], shape (len(pts), n)."""
        m = np.arange(n)
        out = np.sqrt(2.0 / L) * np.cos(np.outer(np.asarray(pts, float) - origin, m * np.pi / L))
        out[:, 0] = 1.0 / np.sqrt(L)
        return out


def _profile_coefficients(kern, box):
    """∫ profile(z) φ_m(z) dz for the z modes, by cell-integrated cosines."""
    z = kern.z_prof
    dz = z[1] - z[0]
    m = np.arange(box.nz)
    k = m * np.pi / box.Lz
    lo, hi = z - dz / 2, z + dz / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        integ = (np.sin(np.outer(hi, k)) - np.sin(np.outer(lo, k))) / k
    integ[:, 0] = dz
    norm = np.full(box.nz, np.sqrt(2.0 / box.Lz))
    norm[0] = 1.0 / np.sqrt(box.Lz)
    return (kern.profile[:, None] * integ).sum(0) * norm


def _run_background(pat, kern, box, slot_depths_map, cs_depths, cs_y, step_times, tau_c, w, rc, area_rect,
                    progress=None):
    """Evolve the spectral background; read it out on the coarse grids at every step time.

    Returns BG maps [n_map, n_steps, ncx, ncy], BG cross-section [n_cs, n_steps, ncx, 1],
    the heat in the box at each step [J], and the area-mean background per map depth.
    """
    kx, ky, kz = box.modes(box.nx, box.Lx), box.modes(box.ny, box.Ly), box.modes(box.nz, box.Lz)
    a = np.zeros((box.nx, box.ny, box.nz))
    zhat = _profile_coefficients(kern, box) / rc
    blur_x = np.exp(-0.5 * kx**2 * kern.s0)
    blur_y = np.exp(-0.5 * ky**2 * kern.s0)
    hand = pat.t_fire + tau_c
    order = np.argsort(hand, kind="stable")
    xc = box.x0 + (np.arange(box.nx) + 0.5) * box.Lx / box.nx
    yc = box.y0 + (np.arange(box.ny) + 0.5) * box.Ly / box.ny
    Px = box.phi(box.nx, box.Lx, box.x0, xc)  # [ncx, mx]
    Py = box.phi(box.ny, box.Ly, box.y0, yc)
    Pyc = box.phi(box.ny, box.Ly, box.y0, [cs_y])  # [1, my]
    all_depths = np.concatenate([slot_depths_map, cs_depths])
    Pz = box.phi(box.nz, box.Lz, 0.0, all_depths)  # [n_d, mz]
    # area-mean weights over the treated rectangle
    spec = pat.spec
    def mean_weights(n, L, origin, lo, hi):
        m = np.arange(n)
        k = m * np.pi / L
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.sqrt(2.0 / L) * (np.sin(k * (hi - origin)) - np.sin(k * (lo - origin))) / k
        v[0] = (hi - lo) / np.sqrt(L)
        return v / (hi - lo)
    wx = mean_weights(box.nx, box.Lx, box.x0, -spec.width / 2, spec.width / 2)
    wy = mean_weights(box.ny, box.Ly, box.y0, -spec.height / 2, spec.height / 2)
    heat_w = np.zeros((box.nx, box.ny, box.nz))
    heat_w[0, 0, 0] = np.sqrt(box.Lx * box.Ly * box.Lz) * rc  # ∫ φ000 dV · ρc

    n_steps = step_times.size
    n_map, n_cs = len(slot_depths_map), len(cs_depths)
    bg_map = np.zeros((n_map, n_steps, box.nx, box.ny), dtype=np.float32)
    bg_cs = np.zeros((n_cs, n_steps, box.nx, 1), dtype=np.float32)
    bulk_bg = np.zeros((n_map, n_steps))
    heat = np.zeros(n_steps)
    ptr = 0
    t_prev = 0.0
    decay, decay_dt = None, None
    k2 = (kx[:, None, None] ** 2 + ky[None, :, None] ** 2 + kz[None, None, :] ** 2)
    for n, tn in enumerate(step_times):
        dt = tn - t_prev
        if dt > 0:
            if decay_dt is None or abs(dt - decay_dt) > 1e-12 * dt:
                decay = np.exp(-(diffusivity_of(kern) * k2 + w) * dt)
                decay_dt = dt
            a *= decay
        j0 = ptr
        while ptr < order.size and hand[order[ptr]] <= tn:
            ptr += 1
        if ptr > j0:
            idx = order[j0:ptr]
            d = tn - hand[idx]  # time since hand-off [s]
            al = diffusivity_of(kern)
            Ax = box.phi(box.nx, box.Lx, box.x0, pat.x[idx]) * blur_x * np.exp(-al * np.outer(d, kx**2))
            Ay = box.phi(box.ny, box.Ly, box.y0, pat.y[idx]) * blur_y * np.exp(-al * np.outer(d, ky**2))
            Az = zhat[None, :] * np.exp(-al * np.outer(d, kz**2) - w * d[:, None])
            a += np.einsum("jx,jy,jz->xyz", Ax, Ay, Az, optimize=True)
        b = np.einsum("xyz,dz->dxy", a, Pz[:n_map], optimize=True)  # [n_map, mx, my]
        for s in range(n_map):
            bg_map[s, n] = Px @ b[s] @ Py.T
            bulk_bg[s, n] = wx @ b[s] @ wy
        if n_cs:
            c_xz = np.tensordot(a, Pyc[0], axes=([1], [0]))  # [mx, mz] on the plane y = cs_y
            bg_cs[:, n, :, 0] = (Px @ c_xz @ Pz[n_map:].T).T
        heat[n] = a[0, 0, 0] * heat_w[0, 0, 0]
        t_prev = tn
        if progress is not None and n % 20 == 0:
            progress(0.1 + 0.3 * n / n_steps, "background")
    return bg_map, bg_cs, bulk_bg, heat


#: Side of the local bulk window in lattice pitches (assumption: "a few pitches", the
#: scale on which neighbours fired close together in time heat the same tissue).
BULK_WINDOW_PITCHES = 3


def _local_bulk(pattern, kern, step_times, tau_c, bg_map, box, T_body):
    """Highest local-mean temperature [K] per (depth, time) over windows of
    :data:`BULK_WINDOW_PITCHES` pitches, and the window side [m].

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
    ix = np.clip(((cx - box.x0) / (box.Lx / box.nx)).astype(int), 0, box.nx - 1)
    iy = np.clip(((cy - box.y0) / (box.Ly / box.ny)).astype(int), 0, box.ny - 1)
    n_map = bg_map.shape[0]
    out = np.full((n_map, step_times.size), T_body)
    from scipy.ndimage import uniform_filter

    t_fire = pattern.t_fire
    for n, tn in enumerate(step_times):
        lo = np.searchsorted(t_fire, tn - tau_c, side="right")
        hi = np.searchsorted(t_fire, tn, side="right")
        for s in range(n_map):
            bg = bg_map[s, n][np.ix_(ix, iy)].astype(float)
            if hi > lo:
                heat = _kint_at(kern, s, tn - t_fire[lo:hi])
                h, _, _ = np.histogram2d(pattern.x[lo:hi], pattern.y[lo:hi], bins=(ex, ey), weights=heat)
                bg = bg + uniform_filter(h, BULK_WINDOW_PITCHES, mode="constant") * BULK_WINDOW_PITCHES**2 / window**2
            out[s, n] = T_body + float(bg.max())
    return out, window


def _kint_at(kern, s, ages):
    """Laterally integrated rise of slot s at these ages, ramping from 0 at age 0 to the
    first table time like :func:`interp_k`."""
    ages = np.asarray(ages, float)
    v = np.interp(ages, kern.tau, kern.kint[s])
    if kern.tau[0] > 0.0:
        v = np.where(ages < kern.tau[0], v * np.clip(ages / kern.tau[0], 0.0, 1.0), v)
    return v


def diffusivity_of(kern):
    return kern._alpha


# =====================================================================================
# Point kernel (numba): near-field superposition and damage
# =====================================================================================


def _damage_tables(kern, A, EaR, T_body, bg_grid, T_cap=np.inf):
    """ln of ∫_0^τc [rate(T_b + bg + K) − rate(T_b + bg)] dτ on (slot, proc, r, bg).

    From age 0: before the first table time K ramps up from 0 (as :func:`interp_k`).
    """
    tau, Kall = kern.tau, kern.K
    if tau[0] > 0.0:
        tau = np.concatenate([[0.0], tau])
        Kall = np.concatenate([np.zeros_like(Kall[:, :1]), Kall], axis=1)
    dtau = np.diff(tau)
    n_slot, n_tau, n_r = Kall.shape
    out = np.empty((n_slot, len(A), n_r, bg_grid.size))
    for s in range(n_slot):
        for p in range(len(A)):
            for ib, bg in enumerate(bg_grid):
                T = np.minimum(T_body + bg + Kall[s], T_cap)
                f = np.exp(np.log(A[p]) - EaR[p] / T)
                integral = ((f[1:] + f[:-1]) * 0.5 * dtau[:, None]).sum(0)
                base = math.exp(math.log(A[p]) - EaR[p] / (T_body + bg)) * (tau[-1] - tau[0])
                out[s, p, :, ib] = np.log(np.maximum(integral - base, 1e-300))
    return out



@njit(cache=True)
def interp_k(Ks, tau, dr, r0, n_r, age, r):
    """K(age, r), linear in age and r; before the first table time (the pulse end of the
    engine's table) a linear ramp from 0 at age 0, never a backward extrapolation."""
    n_tau = tau.size
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
def bilinear(F, x0, dx, y0, dy, x, y):
    nx, ny = F.shape
    qx = (x - x0) / dx - 0.5
    qy = (y - y0) / dy - 0.5 if ny > 1 else 0.0
    if qx < 0.0:
        qx = 0.0
    if qx > nx - 1:
        qx = nx - 1.0
    if qy < 0.0:
        qy = 0.0
    if qy > ny - 1:
        qy = ny - 1.0
    i = min(int(qx), nx - 2) if nx > 1 else 0
    j = min(int(qy), ny - 2) if ny > 1 else 0
    fx = qx - i if nx > 1 else 0.0
    fy = qy - j if ny > 1 else 0.0
    i1 = i + 1 if nx > 1 else i
    j1 = j + 1 if ny > 1 else j
    return (F[i, j] * (1 - fx) * (1 - fy) + F[i1, j] * fx * (1 - fy)
            + F[i, j1] * (1 - fx) * fy + F[i1, j1] * fx * fy)

@njit(cache=True)
def bg_at(BGs, step_times, x0, dx, y0, dy, x, y, t):
    n = step_times.size
    k = np.searchsorted(step_times, t)
    if k <= 0:
        return float(bilinear(BGs[0], x0, dx, y0, dy, x, y)) * 0.0 if step_times[0] > t else float(
            bilinear(BGs[0], x0, dx, y0, dy, x, y))
    if k >= n:
        return float(bilinear(BGs[n - 1], x0, dx, y0, dy, x, y))
    f = (t - step_times[k - 1]) / (step_times[k] - step_times[k - 1])
    return float(bilinear(BGs[k - 1], x0, dx, y0, dy, x, y)) * (1 - f) + float(
        bilinear(BGs[k], x0, dx, y0, dy, x, y)) * f

@njit(parallel=True, cache=True)
def point_kernel(px, py, slot, ex, ey, et, bin_start, bin_items, bx0, by0, bsize, nbx, nby,
                 tau, dr, r0, K, r_cut, r_void, lnD, bg0, dbg, Kmax,
                 BG, step_times, cx0, cdx, cy0, cdy, OMBG, BGMAX,
                 lnA, EaR, T_body, T_cap, omega, tpeak, ablated, overflow):
    n_pts = px.size
    n_proc = lnA.size
    n_tau = tau.size
    tau_c = tau[n_tau - 1]
    n_bg = lnD.shape[3]
    maxbuf = 512
    for p in prange(n_pts):
        x = px[p]
        y = py[p]
        s = slot[p]
        Ks = K[s]
        for q in range(n_proc):
            omega[p, q] = bilinear(OMBG[s, q], cx0, cdx, cy0, cdy, x, y)
        tp = min(T_body + bilinear(BGMAX[s], cx0, cdx, cy0, cdy, x, y), T_cap)
        rc2 = r_cut[s] * r_cut[s]
        buf = np.empty(maxbuf, np.int64)
        bufr = np.empty(maxbuf)
        cnt = 0
        ib = int((x - bx0) / bsize)
        jb = int((y - by0) / bsize)
        abl = False
        for ii in range(max(ib - 1, 0), min(ib + 2, nbx)):
            for jj in range(max(jb - 1, 0), min(jb + 2, nby)):
                b = ii * nby + jj
                for m in range(bin_start[b], bin_start[b + 1]):
                    e = bin_items[m]
                    d2 = (ex[e] - x) ** 2 + (ey[e] - y) ** 2
                    if d2 < rc2:
                        if cnt < maxbuf:
                            buf[cnt] = e
                            bufr[cnt] = math.sqrt(d2)
                            cnt += 1
                        else:
                            overflow[p] = True
                    if d2 < r_void[s] * r_void[s]:
                        abl = True
        ablated[p] = abl
        if cnt == 0:
            tpeak[p] = tp
            continue
        # firing index order == time order
        srt = np.argsort(buf[:cnt])
        ids = buf[:cnt][srt]
        rs = bufr[:cnt][srt]
        i = 0
        while i < cnt:
            j = i
            end = et[ids[i]] + tau_c
            while j + 1 < cnt and et[ids[j + 1]] < end:
                j += 1
                end = max(end, et[ids[j]] + tau_c)
            t_mid = 0.5 * (et[ids[i]] + end)
            bg = bg_at(BG[s], step_times, cx0, cdx, cy0, cdy, x, y, t_mid)
            if bg < 0.0:
                bg = 0.0
            qb = (bg - bg0) / dbg
            if j == i and qb < n_bg - 1:
                # isolated firing: tabulated integral
                qr = (rs[i] - r0) / dr
                if qr < 0.0:
                    qr = 0.0
                jr = min(int(qr), Ks.shape[1] - 2)
                fr = min(qr - jr, 1.0)
                kb = min(int(qb), n_bg - 2)
                fb = qb - kb
                for q in range(n_proc):
                    l00 = lnD[s, q, jr, kb]
                    l10 = lnD[s, q, jr + 1, kb]
                    l01 = lnD[s, q, jr, kb + 1]
                    l11 = lnD[s, q, jr + 1, kb + 1]
                    lv = (l00 * (1 - fr) + l10 * fr) * (1 - fb) + (l01 * (1 - fr) + l11 * fr) * fb
                    if lv > -680.0:
                        omega[p, q] += math.exp(lv)
                km = Kmax[s, jr] * (1 - fr) + Kmax[s, jr + 1] * fr
                if min(T_body + bg + km, T_cap) > tp:
                    tp = min(T_body + bg + km, T_cap)
            else:
                # cluster: integrate on the union of the firings' time grids
                nm = j - i + 1
                # each firing's table ages and its age 0 (start of the ramp over the pulse)
                times = np.empty(nm * (n_tau + 1))
                for m in range(nm):
                    t0 = et[ids[i + m]]
                    times[m * (n_tau + 1)] = t0
                    for k in range(n_tau):
                        times[m * (n_tau + 1) + k + 1] = t0 + tau[k]
                times = np.sort(times)
                Tb = T_body + bg
                nt = times.size
                TL = np.full(nt, Tb)
                TR = np.full(nt, Tb)
                for m in range(nm):
                    e = ids[i + m]
                    k0 = np.searchsorted(times, et[e]) - 1
                    if k0 < 0:
                        k0 = 0
                    for k in range(k0, nt - 1):
                        ga = times[k] - et[e]
                        if ga > tau_c:
                            break
                        gb = times[k + 1] - et[e]
                        if ga >= 0.0:
                            TL[k] += interp_k(Ks, tau, dr, r0, Ks.shape[1], ga, rs[i + m])
                        if gb > 0.0:
                            TR[k] += interp_k(Ks, tau, dr, r0, Ks.shape[1], gb, rs[i + m])
                for k in range(nt - 1):
                    TL[k] = min(TL[k], T_cap)
                    TR[k] = min(TR[k], T_cap)
                    if TL[k] > tp:
                        tp = TL[k]
                    if TR[k] > tp:
                        tp = TR[k]
                for q in range(n_proc):
                    acc = 0.0
                    base = math.exp(lnA[q] - EaR[q] / Tb)
                    for k in range(nt - 1):
                        h = times[k + 1] - times[k]
                        if h <= 0.0:
                            continue
                        fa = math.exp(lnA[q] - EaR[q] / TL[k])
                        fb2 = math.exp(lnA[q] - EaR[q] / TR[k])
                        acc += 0.5 * (fa + fb2 - 2 * base) * h
                    if acc > 0.0:
                        omega[p, q] += acc
            i = j + 1
        tpeak[p] = tp



def _point_kernel():
    return point_kernel


# =====================================================================================
# Public entry
# =====================================================================================


def simulate_field(
    mtz,
    pattern,
    *,
    depths=DEFAULT_DEPTHS,
    resolution=10e-6,
    cooling=2.0,
    cross_section_depth=None,
    perfusion_rate=None,
    handoff_age=None,
    background_step=None,
    temperature_cap=None,
    progress=None,
) -> FieldResult:
    """Temperature and Arrhenius damage of a treated field (see module docstring).

    Parameters
    ----------
    mtz : MTZResult
        The single-MTZ result; its ``response`` (tabulated rise) is superposed.
    pattern : Pattern or PatternSpec
        The scan (a spec is built with :func:`mtzsim.physics.pattern.build_pattern`).
    depths : sequence of float
        Depths of the en-face maps [m]; ``depths[0]`` is taken as the epidermis for
        coverage and islands.
    resolution : float
        Pixel size of the en-face maps and the cross-section [m].
    cooling : float
        Time simulated after the last firing [s].
    cross_section_depth : float, optional
        Deepest row of the cross-section [m]; default: the kernel's tabulated depth,
        at most 600 µm.
    perfusion_rate : float, optional
        w = ω_b ρ_b c_b/(ρc) [1/s]; default the dermal perfusion of ``tissue.py``.
    handoff_age : float, optional
        τ_c [s]: age at which a firing's heat passes to the background. Default
        :func:`default_handoff_age`: no earlier than the end of the plume's wall
        heating, so that everything after hand-off is conduction.
    background_step : float, optional
        Time step of the background read-out [s]; default τ_c / 4 during the scan.
    temperature_cap : float, optional
        Highest tissue temperature of the superposition [K]; default the boiling point
        of water (see the module's assumptions); ``math.inf`` for none (analytic tests).
    progress : callable, optional
        ``progress(fraction, stage)``.

    Returns
    -------
    FieldResult
    """
    import time as _time

    timings = {}
    t_start = _time.perf_counter()
    if isinstance(pattern, PatternSpec):
        pattern = build_pattern(pattern)
    if not isinstance(pattern, Pattern):
        raise InputError("pattern", "must be a Pattern or PatternSpec")
    resp = getattr(mtz, "response", None)
    if resp is None:
        raise InputError("mtz", "the single-MTZ result has no tabulated thermal response")
    if not (math.isfinite(resolution) and resolution > 0):
        raise InputError("field.resolution", f"must be a positive length, got {resolution!r}")
    if not (math.isfinite(cooling) and cooling >= 0):
        raise InputError("field.cooling", f"must be a non-negative time, got {cooling!r}")
    depths = tuple(float(d) for d in np.atleast_1d(depths))
    if not depths or any(not (math.isfinite(d) and d >= 0) for d in depths):
        raise InputError("field.depths", f"must be non-negative depths, got {depths!r}")
    w = _default_perfusion_rate() if perfusion_rate is None else float(perfusion_rate)
    T_body = _body_temperature()
    arr = _arrhenius_params()
    A = np.array([arr[k][0] for k in _ZONE_KEYS])
    Ea = np.array([arr[k][1] for k in _ZONE_KEYS])
    lnA, EaR = np.log(A), Ea / R_GAS
    spec = pattern.spec
    alpha, rc = float(resp.diffusivity), float(resp.volumetric_heat_capacity)
    tau_c = default_handoff_age(resp) if handoff_age is None else float(handoff_age)

    # ---- kernel slices at map and cross-section depths ---------------------------
    z_tab = float(np.max(resp.z))
    cs_max = min(z_tab, 600e-6) if cross_section_depth is None else float(cross_section_depth)
    cs_depths = (np.arange(max(1, int(round(cs_max / resolution)))) + 0.5) * resolution
    slot_depths = np.concatenate([np.asarray(depths), cs_depths])
    kern = _prepare_kernel(resp, slot_depths, tau_c, w)
    kern._alpha = alpha
    Kmax = kern.K.max(axis=1)
    timings["kernel_s"] = _time.perf_counter() - t_start

    # ---- time grid of the background ---------------------------------------------
    t_last = float(pattern.t_fire[-1])
    # read-out step: τ_c/4, coarser for long scans so the number of steps stays bounded
    # (cost linear in the number of MTZs); hand-offs are injected at their exact times anyway.
    dts = background_step or max(tau_c / 4, (t_last + tau_c) / 400)
    scan_steps = np.arange(dts, t_last + tau_c + dts, dts)
    cool = [scan_steps[-1]]
    t_end = t_last + tau_c + cooling
    step = dts
    while cool[-1] < t_end:
        step *= 1.15
        cool.append(min(cool[-1] + step, t_end) if cool[-1] + step < t_end * (1 + 1e-9) else t_end)
    step_times = np.unique(np.concatenate([scan_steps, cool]))

    # ---- background box -------------------------------------------------------------
    margin = max(1e-3, 4 * math.sqrt(alpha * step_times[-1]))
    xlo, xhi = min(pattern.x.min(), -spec.width / 2) - margin, max(pattern.x.max(), spec.width / 2) + margin
    ylo, yhi = min(pattern.y.min(), -spec.height / 2) - margin, max(pattern.y.max(), spec.height / 2) + margin
    sig = math.sqrt(2 * alpha * tau_c + kern.s0)
    dxc = max(sig * 0.8, (xhi - xlo) / 400, (yhi - ylo) / 400)
    Lz = max(float(kern.z_prof[-1]), float(max(slot_depths))) + margin
    box = _Box(x0=xlo, y0=ylo, Lx=xhi - xlo, Ly=yhi - ylo, Lz=Lz,
               nx=int(np.ceil((xhi - xlo) / dxc)), ny=int(np.ceil((yhi - ylo) / dxc)),
               nz=int(np.ceil(Lz / max(sig * 0.4, Lz / 200))))
    # cross-section plane: through the site nearest the centre
    c0 = int(np.argmin(pattern.x**2 + pattern.y**2)) if pattern.x.size else 0
    cs_y = float(pattern.y[c0]) if pattern.x.size else 0.0
    n_map = len(depths)
    bg_map, bg_cs, bulk_bg, heat_box = _run_background(
        pattern, kern, box, np.asarray(depths), cs_depths, cs_y, step_times, tau_c, w, rc,
        spec.area, progress)
    timings["background_s"] = _time.perf_counter() - t_start - timings["kernel_s"]

    # ---- bulk temperature: background + firings younger than τ_c -------------------
    bulk = bulk_bg.copy()
    order_t = pattern.t_fire
    for n, tn in enumerate(step_times):
        lo = np.searchsorted(order_t, tn - tau_c, side="right")
        hi = np.searchsorted(order_t, tn, side="right")
        if hi > lo:
            ages = tn - order_t[lo:hi]
            for s in range(n_map):
                bulk[s, n] += _kint_at(kern, s, ages).sum() / spec.area
    bulk_T = T_body + bulk
    local_T, window = _local_bulk(pattern, kern, step_times, tau_c, bg_map, box, T_body)

    # ---- background-only damage and peak on the coarse grids -----------------------
    def bg_only(BGarr):
        n_s = BGarr.shape[0]
        om = np.zeros((n_s, 3) + BGarr.shape[2:])
        dt = np.diff(np.concatenate([[0.0], step_times]))
        for s in range(n_s):
            for q in range(3):
                prev = np.exp(lnA[q] - EaR[q] / T_body) * np.ones(BGarr.shape[2:])
                for n in range(step_times.size):
                    cur = np.exp(lnA[q] - EaR[q] / (T_body + np.maximum(BGarr[s, n], 0.0)))
                    om[s, q] += 0.5 * (prev + cur) * dt[n]
                    prev = cur
        return om, BGarr.max(axis=1).astype(np.float64)

    om_map, bgmax_map = bg_only(bg_map)
    om_cs, bgmax_cs = bg_only(bg_cs)

    # ---- damage tables for isolated firings ---------------------------------------
    bg_top = float(max(bg_map.max(), bg_cs.max() if bg_cs.size else 0.0))
    dbg = 1.0
    bg_grid = np.arange(0.0, min(bg_top, 80.0) + 2 * dbg, dbg)
    T_boil = _boiling_temperature() if temperature_cap is None else float(temperature_cap)
    lnD = _damage_tables(kern, A, EaR, T_body, bg_grid, T_boil)
    timings["tables_s"] = _time.perf_counter() - t_start - sum(timings.values())

    # ---- spatial bins of firings -----------------------------------------------------
    bsize = max(float(kern.r_cut.max()), resolution)
    bx0, by0 = xlo, ylo
    nbx = int(np.ceil((xhi - xlo) / bsize)) + 1
    nby = int(np.ceil((yhi - ylo) / bsize)) + 1
    bi = ((pattern.x - bx0) / bsize).astype(np.int64) * nby + ((pattern.y - by0) / bsize).astype(np.int64)
    items = np.argsort(bi, kind="stable").astype(np.int64)
    bin_start = np.searchsorted(bi[items], np.arange(nbx * nby + 1)).astype(np.int64)

    # ---- map points -------------------------------------------------------------------
    nxp = max(1, int(round(spec.width / resolution)))
    nyp = max(1, int(round(spec.height / resolution)))
    xs = (np.arange(nxp) - (nxp - 1) / 2) * resolution
    ys = (np.arange(nyp) - (nyp - 1) / 2) * resolution
    kernel_fn = _point_kernel()

    def run_points(s, px, py, BG, OMBG, BGMAX):
        """Point kernel for depth slot s (every array sliced to that slot)."""
        px = np.ascontiguousarray(px, dtype=float)
        py = np.ascontiguousarray(py, dtype=float)
        n = px.size
        omega = np.zeros((n, 3))
        tpk = np.zeros(n)
        abl = np.zeros(n, dtype=np.bool_)
        ovf = np.zeros(n, dtype=np.bool_)
        flat = BG.shape[3] == 1
        kernel_fn(px, py, np.zeros(n, np.int64), pattern.x, pattern.y, pattern.t_fire, bin_start, items,
                  bx0, by0, bsize, nbx, nby, kern.tau, kern.dr, kern.r_first, kern.K[s:s + 1], kern.r_cut[s:s + 1],
                  kern.r_void[s:s + 1], lnD[s:s + 1], 0.0, dbg, Kmax[s:s + 1],
                  np.ascontiguousarray(BG), step_times, box.x0, box.Lx / box.nx,
                  cs_y - 0.5 if flat else box.y0, 1.0 if flat else box.Ly / box.ny,
                  np.ascontiguousarray(OMBG), np.ascontiguousarray(BGMAX), lnA, EaR, T_body, T_boil, omega, tpk, abl, ovf)
        return omega, tpk, abl, ovf

    omega_maps = np.zeros((n_map, nyp, nxp, 3), dtype=np.float32)
    tpeak_maps = np.zeros((n_map, nyp, nxp), dtype=np.float32)
    abl_maps = np.zeros((n_map, nyp, nxp), dtype=bool)
    n_overflow = 0
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    for s in range(n_map):
        om, tp, ab, ov = run_points(s, gx, gy, bg_map[s:s + 1], om_map[s:s + 1], bgmax_map[s:s + 1])
        omega_maps[s] = np.minimum(om, 1e30).reshape(nyp, nxp, 3)
        tpeak_maps[s] = tp.reshape(nyp, nxp)
        abl_maps[s] = ab.reshape(nyp, nxp)
        n_overflow += int(ov.sum())
        if progress is not None:
            progress(0.5 + 0.4 * (s + 1) / n_map, "maps")
    # cross-section
    ncs = cs_depths.size
    cs_omega = np.zeros((ncs, nxp, 3), dtype=np.float32)
    cs_tpeak = np.zeros((ncs, nxp), dtype=np.float32)
    cs_abl = np.zeros((ncs, nxp), dtype=bool)
    for c in range(ncs):
        om, tp, ab, ov = run_points(n_map + c, xs, np.full(nxp, cs_y), bg_cs[c:c + 1], om_cs[c:c + 1],
                                    bgmax_cs[c:c + 1])
        cs_omega[c], cs_tpeak[c], cs_abl[c] = np.minimum(om, 1e30), tp, ab
    timings["points_s"] = _time.perf_counter() - t_start - sum(timings.values())

    result = _summarise(
        mtz, pattern, depths, resolution, xs, ys, omega_maps, tpeak_maps, abl_maps, cs_depths, cs_y, cs_omega,
        cs_tpeak, cs_abl, step_times, bulk_T, heat_box, kern, T_body, n_overflow)
    # like the tissue temperatures, the window means stop at boiling: above it the tissue
    # water would boil, and the linear superposition no longer holds
    boiled = bool(np.any(local_T > T_boil))
    local_T = np.minimum(local_T, T_boil)
    result.max_local_bulk_temperature = float(local_T.max())
    result.dataset["local_bulk_temperature"] = (("depth", "time"), local_T, {
        "units": "K", "window_m": window, "capped_at_boiling": int(boiled),
        "long_name": f"highest mean temperature over {BULK_WINDOW_PITCHES} x {BULK_WINDOW_PITCHES} pitch windows"})
    timings["summary_s"] = _time.perf_counter() - t_start - sum(timings.values())
    timings["total_s"] = _time.perf_counter() - t_start
    result.timings = timings
    if progress is not None:
        progress(1.0, "done")
    return result


# =====================================================================================
# Summary figures and the dataset
# =====================================================================================


def _slab_thickness(depths):
    d = np.asarray(depths, float)
    if d.size == 1:
        return np.array([2 * d[0]]) if d[0] > 0 else np.array([0.0])
    mid = 0.5 * (d[1:] + d[:-1])
    lo = np.concatenate([[0.0], mid])
    hi = np.concatenate([mid, [d[-1] + (d[-1] - mid[-1])]])
    return hi - lo


def _summarise(mtz, pattern, depths, res, xs, ys, omega_maps, tpeak_maps, abl_maps, cs_depths, cs_y, cs_omega,
               cs_tpeak, cs_abl, step_times, bulk_T, heat_box, kern, T_body, n_overflow):
    import xarray as xr
    from scipy import ndimage
    from scipy.spatial import cKDTree

    try:
        from mtzsim.physics import damage as _dmg
        classify = _dmg.classify_zones
        zones_codes = _dmg.ZONES
    except ImportError:  # pragma: no cover
        _dmg = None
        zones_codes = {"untouched": 0, "heat_shock": 1, "lethal": 2, "coagulated": 3, "ablated": 4}

        def classify(ab, oc, ol, oh):
            z = np.zeros(np.shape(ab), np.int8)
            z[oh >= 1] = 1
            z[ol >= 1] = 2
            z[oc >= 1] = 3
            z[ab] = 4
            return z

    zones = classify(abl_maps, omega_maps[..., 0], omega_maps[..., 1], omega_maps[..., 2])
    cs_zones = classify(cs_abl, cs_omega[..., 0], cs_omega[..., 1], cs_omega[..., 2])
    Z = zones_codes
    n_pix = zones[0].size
    frac = {k: float((zones[0] == Z[k]).sum()) / n_pix for k in ("ablated", "coagulated", "lethal", "heat_shock")}
    intact = zones[0] <= Z["heat_shock"]
    treated = ~intact
    # islands: distance from each treated point to the nearest intact epidermis
    if treated.any() and intact.any():
        dist = ndimage.distance_transform_edt(treated) * res
        island_d = dist[treated]
        median_island = float(np.median(island_d))
    else:
        island_d = np.zeros(0)
        median_island = 0.0 if not treated.any() else float("inf")
    edges = np.linspace(0, max(float(island_d.max()) if island_d.size else res, res) * 1.0001, 41)
    hist, _ = np.histogram(island_d, bins=edges)

    # distinct MTZ sites
    sites = np.unique(np.round(np.stack([pattern.x, pattern.y], 1) / (1e-3 * res)).astype(np.int64), axis=0)
    sites = sites.astype(float) * (1e-3 * res)
    n_mtz = sites.shape[0]
    ix = np.clip(np.round((sites[:, 0] - xs[0]) / res).astype(int), 0, xs.size - 1)
    iy = np.clip(np.round((sites[:, 1] - ys[0]) / res).astype(int), 0, ys.size - 1)
    merged = np.zeros(n_mtz, bool)
    thick = []
    tree = cKDTree(sites)
    for s in range(len(depths)):
        coag = zones[s] >= Z["coagulated"]
        if not coag.any():
            continue
        lab, _ = ndimage.label(coag)
        site_lab = lab[iy, ix]
        good = site_lab > 0
        counts = np.bincount(site_lab[good], minlength=lab.max() + 1)
        merged |= good & (counts[site_lab] > 1)
        # ring thickness per site from pixels assigned to the nearest site
        yy, xx = np.nonzero(coag)
        _, owner = tree.query(np.stack([xs[xx], ys[yy]], 1))
        n_all = np.bincount(owner, minlength=n_mtz)
        n_abl = np.bincount(owner, weights=(zones[s][yy, xx] == Z["ablated"]).astype(float), minlength=n_mtz)
        has = n_abl > 0
        if has.any():
            t = np.sqrt(n_all[has] * res**2 / np.pi) - np.sqrt(n_abl[has] * res**2 / np.pi)
            thick.append(t)
    mean_thick = float(np.mean(np.concatenate(thick))) if thick else 0.0
    merged_fraction = float(merged.mean()) if n_mtz else 0.0

    # immediate contraction from collagen shrinkage, depth-averaged over the map depths
    if _dmg is not None:
        shrink = _dmg.collagen_linear_shrinkage(omega_maps[..., 0].astype(float))
    else:  # pragma: no cover
        shrink = 0.2 * (1 - np.exp(-omega_maps[..., 0].astype(float)))
    shrink = np.where(abl_maps, 0.0, shrink).mean(axis=0)
    contraction = float(1.0 - np.mean((1.0 - shrink) ** 2))

    coag_vol = float(((omega_maps[..., 0] >= 1).sum(axis=(1, 2)) * res**2 * _slab_thickness(depths)).sum())
    tissue_peak = np.where(abl_maps, np.nan, tpeak_maps)
    peak = float(np.nanmax(tissue_peak)) if np.isfinite(tissue_peak).any() else T_body

    # pulse energy of every firing (the beam's own stack included); the part intercepted by
    # the plume is in the MTZ's energy partition, not lost from this sum
    energy_delivered = float(mtz.beam.energy) * int(getattr(mtz.beam, "stack", 1) or 1) * pattern.n_firings
    heat_deposited = float(mtz.response.heat_content) * pattern.n_firings

    um = 1e6
    ds = xr.Dataset(
        {
            "zone": (("depth", "y", "x"), zones.astype(np.int8), {"codes": str(dict(Z))}),
            "omega_collagen": (("depth", "y", "x"), omega_maps[..., 0]),
            "omega_cell": (("depth", "y", "x"), omega_maps[..., 1]),
            "omega_hsp": (("depth", "y", "x"), omega_maps[..., 2]),
            "peak_temperature": (("depth", "y", "x"), tpeak_maps, {"units": "K"}),
            "zone_xz": (("z", "x"), cs_zones.astype(np.int8)),
            "omega_collagen_xz": (("z", "x"), cs_omega[..., 0]),
            "peak_temperature_xz": (("z", "x"), cs_tpeak, {"units": "K"}),
            "bulk_temperature": (("depth", "time"), bulk_T.astype(np.float64), {"units": "K"}),
            "heat_in_background": (("time",), heat_box, {"units": "J"}),
            "island_count": (("island_bin",), hist.astype(np.int64)),
            "spot_x": (("firing",), pattern.x, {"units": "m"}),
            "spot_y": (("firing",), pattern.y, {"units": "m"}),
            "spot_t": (("firing",), pattern.t_fire, {"units": "s"}),
            "spot_pass": (("firing",), pattern.pass_index),
        },
        coords={
            "x": ("x", xs, {"units": "m"}),
            "y": ("y", ys, {"units": "m"}),
            "depth": ("depth", np.asarray(depths), {"units": "m"}),
            "z": ("z", cs_depths, {"units": "m"}),
            "time": ("time", step_times, {"units": "s"}),
            "island_bin": ("island_bin", 0.5 * (edges[1:] + edges[:-1]), {"units": "m"}),
        },
        attrs={
            "title": "mtzsim treatment field",
            "cross_section_y_m": cs_y,
            "resolution_m": res,
            "coverage_scale_um": um,
            "n_overflow_points": int(n_overflow),
            "handoff_age_s": float(kern.tau[-1]),
        },
    )
    return FieldResult(
        depths=tuple(depths), resolution=res, n_mtz=int(n_mtz), n_firings=pattern.n_firings,
        coverage_ablated=frac["ablated"], coverage_coagulated=frac["coagulated"], coverage_lethal=frac["lethal"],
        coverage_heat_shock=frac["heat_shock"], coverage_treated=float(treated.mean()),
        max_bulk_temperature=float(bulk_T.max()), mean_coagulation_thickness=mean_thick,
        merged_fraction=merged_fraction, median_island_distance=median_island, area_contraction=contraction,
        energy_delivered=energy_delivered, heat_deposited=heat_deposited, coagulated_volume=coag_vol,
        peak_temperature=peak, duration=float(step_times[-1]), dataset=ds, pattern=pattern,
    )
