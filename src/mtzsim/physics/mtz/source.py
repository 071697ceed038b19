"""Where one microbeam's light is absorbed: the deposition map of a scattering beam (1.55 µm).

At 10.6 and 2.94 µm water absorbs so strongly that the beam is absorbed in columns below the
current crater floor (Beer–Lambert, done inside the pulse kernel as the crater deepens). At
1.55 µm scattering matters, so the deposition is one fixed map per beam for wet tissue:
:func:`deposition_map` returns it in W/m³ per W of laser power (= absorbed energy density per
unit pulse energy, 1/m³) on the cells of the grid, or ``None`` for the column model. During the
pulse each cell absorbs its share of the map in proportion to the water it still holds (water is
the absorber at 1.55 µm: µa = water fraction × µa of water, Hale & Querry 1973); the light a
boiling cell lets through goes on down its column (``_kernels.axisym.deposit_water_limited``).
A cell therefore cannot heat past 100 °C by absorption, and nothing is ablated at any energy:
the non-ablative MTZ is self-limited by the water it boils, and grows deeper instead.
Assumption: the dry matrix does not absorb at 1.55 µm (no value in the package data; the
optical model already gives tissue absorption as water's alone).

The map's µa is water's at body temperature (37 °C: 7 % below the 25 °C table, Röttgers et al.
2014). Water absorbs less still as it heats (−0.57 % per K at 1.55 µm), but that is not applied
during the pulse, because the column hand-down would misplace the light the hot core lets
through. Measured 2026-12-01 with the Monte Carlo's cell-wise absorption
(:func:`mtzsim.physics.montecarlo.transport` ``absorption=``, Woodcock delta tracking; tests in
tests/test_montecarlo.py): at 40 mJ, with the cells' peak-temperature absorption, the absorption on the axis
600–1,000 µm deep falls to 0.72–0.81 of the map's. The light the hot core lets through spreads
sideways (0.105–0.3 mm off the axis: ×1.07–1.13) or leaves the skin (diffuse reflectance +11 %).
The column rule puts it straight below the core instead (×1.8–2.7 on the axis there). With the
law and the column rule, the 40 mJ MTZ came out 893 µm deep. A static map recomputed by the
cell-wise Monte Carlo gives 579 µm (peak-temperature absorption) to 661 µm (half-way).
The law on its own gives 702 µm. So the physics is that the heated column absorbs less and
grows no deeper; recomputing the map during the pulse is what it would take to model it. The
same bias applies to the light a boiling cell lets through; at clinical energies it is small,
since the core's cells boil off about 1 % of their water.

:data:`DEPOSITION_MAPS` holds a function ``(grid, beam, tissue, props, numerics) -> ndarray
(nr, nz) [1/m³]`` per laser. At 1.55 µm it is :func:`monte_carlo_map` (MCML-style transport of
the focused microbeam, :mod:`mtzsim.physics.montecarlo`, cached per beam and grid): the transport
mean free path (≈ 1.8 mm) is as long as the MTZ is deep, where neither small-angle theory nor
diffusion holds. The Fermi–Eyges small-angle beam (:func:`fermi_eyges_map`) is kept as the
stage-1 comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

#: Er:glass 1.55 µm reduced scattering coefficient of dermis [1/m]. Assumption (stage 1, no
#: source in the package data): 1000 1/m, the order used for dermis in the near infrared;
#: to be replaced by the sourced optical properties of the Monte Carlo module.
ERGLASS_REDUCED_SCATTERING = 1000.0


def fermi_eyges_map(grid, beam, tissue, props, numerics=None) -> np.ndarray:
    """Deposition [W/m³ per W] of a forward-scattering Gaussian beam (Fermi–Eyges small-angle spread).

    The projected angle variance grows by µs' per unit length, so the lateral variance per
    axis of a pencil beam is µs' z³/3 and the 1/e² radius (w = 2σ) grows as
    w(z)² = w0² + (4/3) µs' z³; photons are lost to absorption only, P(z) = P exp(−∫µa dz).

    References
    ----------
    .. [1] Eyges L. Multiple scattering with energy loss. Phys Rev 74 (1948) 1534.
    """
    r = grid.r[:, None]
    mua = props.mua[0]
    optical = np.concatenate([[0.0], np.cumsum(mua * grid.h)])
    absorbed = np.exp(-optical[:-1]) - np.exp(-optical[1:])  # fraction absorbed in each layer of cells
    zc = grid.z[None, :]
    w2 = beam.radius**2 + (4.0 / 3.0) * ERGLASS_REDUCED_SCATTERING * zc**3
    lateral = 2.0 / (np.pi * w2) * np.exp(-2.0 * r**2 / w2)  # [1/m²], integrates to 1 over the plane
    return lateral * absorbed[None, :] / grid.h


#: The Monte Carlo light is scored on square cells of this size [m] (or the heat grid's spacing,
#: if coarser) and interpolated onto the heat grid: coarser scoring cells carry less statistical
#: noise per photon (≈ 1 % median in the 1/e core at 10⁶ packets, benchmarks/README.md), and the
#: deposition varies over ≳ 50 µm, several scoring cells. A fixed physical size (it was 3 heat
#: cells) keeps the map the same when the heat grid changes: at 15 µm the 1.55 µm lesion of a
#: 7.5 µm heat grid is within 2.3 % in depth and one cell in width of the 5 µm grid's
#: (benchmarks/README.md, "1.55 µm MTZ").
MC_SCORING_CELL = 15e-6


def scoring_cell(h: float) -> float:
    """Edge of the Monte Carlo scoring cells [m] for a heat grid of spacing ``h`` [m]."""
    return max(MC_SCORING_CELL, float(h))


def monte_carlo_map(grid, beam, tissue, props, numerics=None, surface_cooling=None) -> np.ndarray:
    """Deposition [W/m³ per W] of the focused 1.55 µm microbeam from Monte Carlo light transport.

    :func:`mtzsim.physics.montecarlo.absorbed_fraction_map` gives the absorbed energy per unit
    volume per joule of pulse energy [1/m³]; a rectangular pulse of energy E and duration τ
    deposits E/τ × map [W/m³], so the map is also the source per watt of laser power. It is
    scored on cells of :func:`scoring_cell` (cached per beam, tissue, grid, packets and seed),
    interpolated bilinearly to the heat grid's cell centres and rescaled so that the energy the
    coarse map holds over the heat grid is conserved. The focusing (waist depth, beam quality M²,
    hence the cone) is the device preset's :data:`mtzsim.params.presets.ERGLASS_OPTICS`
    (assumptions with ranges), or ``numerics.light_optics`` (a :class:`LightOptics`) when set.

    Packets and seed come from ``numerics.light_photons`` / ``numerics.light_seed``
    (default 10⁶ packets: median error ≈ 1 % in the cells of the 1/e core on 10 × 20 µm
    cells, benchmarks/README.md). A contact window on the skin (``surface_cooling`` with a
    ``window_index``) replaces air above the surface for the light: its index sets the Fresnel
    reflection at entry and the escape of the light scattered back to the surface.

    References
    ----------
    .. [1] L. Wang, S. L. Jacques, L. Zheng, Comput. Methods Programs Biomed. 47, 131 (1995).
    """
    from scipy.interpolate import RegularGridInterpolator

    from mtzsim.physics.montecarlo import DEFAULT_PHOTONS, absorbed_fraction_map
    from mtzsim.params.presets import ERGLASS_OPTICS

    photons = DEFAULT_PHOTONS if numerics is None else int(numerics.light_photons)
    seed = 0 if numerics is None else int(numerics.light_seed)
    hc = scoring_cell(grid.h)
    nrc = int(np.ceil(grid.nr * grid.h / hc - 1e-9))
    nzc = int(np.ceil(grid.nz * grid.h / hc - 1e-9))
    r_edges = np.arange(nrc + 1) * hc
    z_edges = np.arange(nzc + 1) * hc
    optics = None if numerics is None else getattr(numerics, "light_optics", None)
    if optics is None:
        optics = preset_light_optics()
        half_angle = ERGLASS_OPTICS.half_angle
    else:
        half_angle = None
    coarse = np.asarray(absorbed_fraction_map(beam, tissue, r_edges, z_edges, photons=photons, seed=seed,
                                              focus_depth=optics.focus_depth, half_angle=half_angle,
                                              beam_quality=optics.beam_quality, scattering=optics.scattering,
                                              anisotropy=optics.anisotropy, cooling=surface_cooling), float)
    rc = 0.5 * (r_edges[:-1] + r_edges[1:])
    zc = 0.5 * (z_edges[:-1] + z_edges[1:])
    interp = RegularGridInterpolator((rc, zc), coarse, method="linear", bounds_error=False, fill_value=None)
    r = np.clip(grid.r, rc[0], rc[-1])
    z = np.clip(grid.z, zc[0], zc[-1])
    R, Z = np.meshgrid(r, z, indexing="ij")
    fine = np.maximum(interp(np.stack([R.ravel(), Z.ravel()], axis=1)).reshape(grid.nr, grid.nz), 0.0)
    # energy held by the coarse cells that overlap the heat grid (fraction of each coarse cell inside it)
    inside_r = np.clip((grid.nr * grid.h - r_edges[:-1]) / hc, 0.0, 1.0)
    inside_z = np.clip((grid.nz * grid.h - z_edges[:-1]) / hc, 0.0, 1.0)
    vol_c = np.pi * np.diff(r_edges**2)[:, None] * hc * (inside_r[:, None] * inside_z[None, :])
    re = np.arange(grid.nr + 1) * grid.h
    vol_f = np.pi * np.diff(re**2)[:, None] * grid.h * np.ones((1, grid.nz))
    held, got = float(np.sum(coarse * vol_c)), float(np.sum(fine * vol_f))
    return fine * (held / got) if got > 0.0 else fine


@dataclass(frozen=True)
class LightOptics:
    """The uncertain optics of a 1.55 µm microbeam (what :func:`optics_intervals` spans).

    Parameters
    ----------
    focus_depth : float
        Depth of the waist below the surface, in tissue [m].
    beam_quality : float
        M² [-]; the cone is θ = M² λ / (π n w0) (:func:`mtzsim.params.presets.beam_cone`).
    scattering : str
        Source of µs′ (:data:`mtzsim.physics.montecarlo.SCATTERING_SOURCES`).
    anisotropy : str
        Choice of the dermis's g (:data:`mtzsim.physics.montecarlo.ANISOTROPY_CHOICES`).
    """

    focus_depth: float
    beam_quality: float = 1.0
    scattering: str = "adopted"
    anisotropy: str = "adopted"


def preset_light_optics() -> LightOptics:
    """The 1.55 µm preset's optics (:data:`mtzsim.params.presets.ERGLASS_OPTICS`, adopted scattering)."""
    from mtzsim.params.presets import ERGLASS_OPTICS

    return LightOptics(focus_depth=ERGLASS_OPTICS.focus_depth, beam_quality=ERGLASS_OPTICS.beam_quality)


def optics_corners() -> list[LightOptics]:
    """The corners of the uncertain 1.55 µm optics: µs′ source × dermal g × M² range × focal-depth range.

    At M² = 1 the waist's Rayleigh range in tissue (π n w0² / λ ≈ 14 mm for a 140 µm spot) is far
    longer than the skin is thick, so the focal depth does not matter and one corner stands for
    both ends; at the upper M² both ends of the focal-depth range are simulated.
    """
    from mtzsim.params.presets import ERGLASS_OPTICS
    from mtzsim.physics.montecarlo import SCATTERING_SOURCES

    o = ERGLASS_OPTICS
    m_lo, m_hi = o.beam_quality_range
    corners = []
    for scattering in SCATTERING_SOURCES:
        for g in ("low", "high"):
            for m2 in dict.fromkeys((m_lo, m_hi)):
                depths = (o.focus_depth,) if m2 <= 1.0 else tuple(dict.fromkeys(o.focus_depth_range))
                corners += [LightOptics(focus_depth=zf, beam_quality=m2, scattering=scattering, anisotropy=g)
                            for zf in depths]
    return corners


def optics_intervals(beam, *, tissue="face", numerics=None) -> dict:
    """Range [m] of a 1.55 µm MTZ's H&E and living-tissue lengths over its uncertain optics.

    The beam is simulated at every :func:`optics_corners` corner (dermal µs′ from the two
    sources, dermal g at the two ends of Prahl's measurement, M² over its range, the focal depth
    over its range where it matters) at the same energy, spot and pulse; each interval is the
    minimum and maximum over the corners. The lengths fall with µs′, with g (at fixed µs′) and
    with M² over these ranges, so those ends carry the extremes. In the focal depth they are not
    monotone (with a wide cone a mid-dermis focus gives a deeper MTZ than either end), but every
    M² = 40 MTZ is shallower than the M² = 1 one, so the ends of the focal-depth range give the
    minimum depth and the M² = 1 corner the maximum (measured at 5–70 mJ: benchmarks/README.md,
    "1.55 µm MTZ"); the width interval is the corners' and may miss a mid-focus extreme.

    Returns
    -------
    dict
        ``"histology_coagulation_depth"``, ``"histology_lesion_width"``, ``"coagulation_depth"``,
        ``"ablation_depth"`` → (low, high) [m] (the last (0, 0) at clinical energies: nothing ablates).
    """
    from dataclasses import replace

    from mtzsim.physics.mtz.simulate import simulate_mtz

    if beam.laser not in DEPOSITION_MAPS:
        raise ValueError(f"optics intervals are for a scattering beam (erglass), not {beam.laser!r}")
    base = default_numerics(beam) if numerics is None else numerics
    values: dict[str, list] = {}
    for optics in optics_corners():
        r = simulate_mtz(beam, tissue=tissue, numerics=replace(base, light_optics=optics))
        got = {"histology_coagulation_depth": r.histology.coagulation_depth,
               "histology_lesion_width": r.histology.lesion_width, "coagulation_depth": r.coagulation_depth,
               "ablation_depth": r.ablation_depth}
        for name, val in got.items():
            values.setdefault(name, []).append(float(val))
    return {k: (min(v), max(v)) for k, v in values.items()}


#: Deposition map per laser; lasers not listed use Beer–Lambert columns in the pulse kernel.
DEPOSITION_MAPS: dict[str, Callable] = {"erglass": monte_carlo_map}

#: Heat-grid spacing [m] of a scattering-beam (1.55 µm) MTZ when none is given. Its source varies
#: over the 15 µm scoring cells and its lesion is ≥ 60 µm wide, so 10 µm cells hold the lesion
#: depth within 2.7 % of a 5 µm grid's at 5–70 mJ (widths within one cell) at a fifth of the
#: cost (benchmarks/README.md, "1.55 µm MTZ"); the Beer–Lambert lasers keep the 5 µm default
#: (their absorption length is ~1–12 µm).
SCATTERING_CELL = 10e-6


def default_numerics(beam):
    """The default :class:`~mtzsim.physics.mtz.domain.Numerics` of a beam: :data:`SCATTERING_CELL` for a
    scattering (mapped) beam, the package default otherwise."""
    from mtzsim.physics.mtz.domain import Numerics

    return Numerics(cell=SCATTERING_CELL) if beam.laser in DEPOSITION_MAPS else Numerics()


def deposition_map(grid, beam, tissue, props, numerics=None, surface_cooling=None) -> np.ndarray | None:
    """The fixed deposition map [W/m³ per W] of a scattering beam, or None (absorbed in columns).

    ``surface_cooling``: a contact window's index replaces air above the skin for the light.
    """
    make = DEPOSITION_MAPS.get(beam.laser)
    if make is None:
        return None
    q = np.asarray(make(grid, beam, tissue, props, numerics, surface_cooling), float)
    if q.shape != (grid.nr, grid.nz):
        raise RuntimeError(f"deposition map of shape {q.shape}, expected {(grid.nr, grid.nz)}")
    return q
