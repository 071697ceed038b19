"""Where one microbeam's light is absorbed: the deposition map of a scattering beam (1.55 µm).

At 10.6 and 2.94 µm water absorbs so strongly that the beam is absorbed in columns below the
current crater floor (Beer–Lambert, done inside the pulse kernel as the crater deepens). At
1.55 µm scattering matters, so the deposition is a map: :func:`deposition_map` returns it in W/m³
per W of laser power (= absorbed energy density per unit pulse energy, 1/m³) on the cells of the
grid, or ``None`` for the column model. Water is the absorber at 1.55 µm (µa = water fraction ×
µa of water, Hale & Querry 1973): a cell absorbs in proportion to the water it still holds, so it
cannot heat past 100 °C by absorption, and nothing is ablated at any energy. Assumption: the dry
matrix does not absorb at 1.55 µm (no value in the package data; the optical model already gives
tissue absorption as water's alone).

The map's µa is water's at body temperature, 7 % below the 25 °C table. Water absorbs less as it
heats: −0.57 % per K at 1.55 µm (Röttgers et al. 2014), measured over 0–30 °C. Carrying that
linearly to 100 °C is an assumption, a 40 % fall from 37 °C. In tissue the fall is linear to 80 °C at 1560 nm
(cartilage, Sviridov & Kondyurin 2010: some 25 % at 80 °C, 0.75–0.8 times this law's slope); with the slope
scaled by 0.75 the 40 / 70 mJ H&E depths move by +8 µm (579 / 703 → 587 / 711 µm).

**The map is recomputed during the pulse** (``Numerics.light_updates``, default 4 equal parts;
:func:`recomputed_map`, :func:`mtzsim.physics.mtz.pulse.run_recomputed_map`). Before each part
after the first, the Monte Carlo follows the light through the tissue as the pulse has left it:
each cell absorbs its water left × water's temperature law of its µa (cell-wise absorption,
Woodcock delta tracking, :func:`mtzsim.physics.montecarlo.transport`). It scores what each cell
would absorb at its full µa (the collision estimator of µa Φ), and the heat kernel lets each cell
take its own fraction of that. The light a hot or drying cell no longer takes therefore goes
where the transport takes it.

Until 2026-12-01 one map of the wet tissue served the whole pulse, and a boiling cell passed the
light it no longer absorbed straight down its column (``_kernels.axisym.deposit_water_limited``,
still the rule of the first part and of a stacked train). The Monte Carlo shows that the column
rule misplaces this light. At 40 mJ, with the cells' peak-temperature absorption, the axis
600–1,000 µm deep absorbs 0.72–0.81 of the map; the column rule gives ×1.8–2.7. The light
spreads sideways instead (0.1–0.3 mm off the axis: ×1.07–1.13) or leaves the skin (diffuse
reflectance +11 %). Effect on the H&E depth:

* drying alone, which the column rule deepened: 40 mJ 702 → 595 µm, 70 mJ 1,033 → 711 µm
  (`light_updates` 1 → 4, water's temperature law off);
* with the temperature law as well: 579 and 702 µm.

The depth converges within one 10 µm heat cell at 4, 8 and 16 parts from 10 to 70 mJ. At 5 mJ,
16 parts give 160 µm of living-tissue depth against 170 µm at 4.

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


def monte_carlo_map(grid, beam, tissue, props, numerics=None, surface_cooling=None, absorption=None,
                    seed_offset: int = 0) -> np.ndarray:
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

    ``absorption`` (grid.nr, grid.nz), optional: each heat cell's absorption as a fraction of its
    layer's (water left, water's temperature law), read at the scoring cells' centres (linear;
    1 beyond the heat grid) and followed by the transport (cell-wise absorption,
    :func:`mtzsim.physics.montecarlo.transport`); the map is then what each cell would absorb at
    its full µa in the light field of the tissue as it is now, during the pulse (the collision
    estimator of µa Φ; :func:`recomputed_map`), for the kernel to scale by each cell's own state.
    ``seed_offset`` is added to the seed (a new stream per map).

    References
    ----------
    .. [1] L. Wang, S. L. Jacques, L. Zheng, Comput. Methods Programs Biomed. 47, 131 (1995).
    """
    from scipy.interpolate import RegularGridInterpolator

    from mtzsim.physics.montecarlo import DEFAULT_PHOTONS, absorbed_fraction_map
    from mtzsim.params.presets import ERGLASS_OPTICS

    photons = DEFAULT_PHOTONS if numerics is None else int(numerics.light_photons)
    seed = (0 if numerics is None else int(numerics.light_seed)) + int(seed_offset)
    hc = scoring_cell(grid.h)
    nrc = int(np.ceil(grid.nr * grid.h / hc - 1e-9))
    nzc = int(np.ceil(grid.nz * grid.h / hc - 1e-9))
    r_edges = np.arange(nrc + 1) * hc
    z_edges = np.arange(nzc + 1) * hc
    rc = 0.5 * (r_edges[:-1] + r_edges[1:])
    zc = 0.5 * (z_edges[:-1] + z_edges[1:])
    factor = None
    if absorption is not None:
        on_heat = RegularGridInterpolator((grid.r, grid.z), np.asarray(absorption, float), method="linear",
                                          bounds_error=False, fill_value=1.0)
        Rc, Zc = np.meshgrid(np.clip(rc, grid.r[0], None), np.clip(zc, grid.z[0], None), indexing="ij")
        factor = np.clip(on_heat(np.stack([Rc.ravel(), Zc.ravel()], axis=1)).reshape(rc.size, zc.size), 0.0, 1.0)
    optics = None if numerics is None else getattr(numerics, "light_optics", None)
    if optics is None:
        optics = preset_light_optics()
        half_angle = ERGLASS_OPTICS.half_angle
    else:
        half_angle = None
    coarse = np.asarray(absorbed_fraction_map(beam, tissue, r_edges, z_edges, photons=photons, seed=seed,
                                              focus_depth=optics.focus_depth, half_angle=half_angle,
                                              beam_quality=optics.beam_quality, scattering=optics.scattering,
                                              anisotropy=optics.anisotropy, cooling=surface_cooling,
                                              absorption=factor, unscaled=factor is not None), float)
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


def recomputed_map(grid, beam, tissue, props, numerics, surface_cooling, absorption, update: int) -> np.ndarray:
    """The map [W/m³ per W] of a scattering beam through tissue whose cells absorb ``absorption`` of their wet,
    body-temperature µa (the ``update``-th recomputation during the pulse: its own random stream)."""
    if beam.laser != "erglass":
        raise ValueError(f"a recomputed map is for a scattering beam (erglass), not {beam.laser!r}")
    from dataclasses import replace

    numerics = replace(numerics, light_photons=int(numerics.light_update_photons))
    q = np.asarray(monte_carlo_map(grid, beam, tissue, props, numerics, surface_cooling, absorption=absorption,
                                   seed_offset=1000 * int(update)), float)
    if q.shape != (grid.nr, grid.nz):
        raise RuntimeError(f"deposition map of shape {q.shape}, expected {(grid.nr, grid.nz)}")
    return q


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
