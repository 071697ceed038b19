"""Monte Carlo light transport (MCML-style) of a focused microbeam in layered skin at 1.55 µm.

At 1.55 µm water absorbs weakly (µa ≈ 7 /cm in dermis) and the transport mean free path
(≈ 1/µs′ ≈ 1.8 mm) is as long as a non-ablative MTZ is deep, so neither Beer–Lambert, nor
small-angle (Fermi–Eyges) theory, nor diffusion describes the deposition: photon packets are
followed one by one (Wang, Jacques & Zheng 1995) through the layers of
:class:`mtzsim.physics.tissue.Tissue`, with Henyey–Greenstein scattering, Fresnel reflection and
refraction at the surface and at each layer boundary, and Russian roulette. The deposition is
scored on a cylindrical (r, z) grid.

The beam is a Gaussian microbeam converging to a waist *inside* the skin, as clinical 1.55 µm
hand pieces focus below the surface: each packet is one ray of the beam (a point of the waist
plane drawn from the Gaussian profile and a slope drawn from the Gaussian angular spectrum,
independent at the waist — the ray picture of a Gaussian beam), traced back to the surface,
where its Fresnel loss for the air-side ray that refracts into it is removed. The cone is not a
free parameter: a beam of quality M² keeps its beam parameter product, θ = M² λ / (π n w0)
(Siegman 1986), so a diffraction-limited 140 µm waist has θ = 5 mrad and a Rayleigh range of
≈ 14 mm in tissue (the focal depth then hardly matters); a wide cone at that waist needs a
multimode beam (0.2 rad: M² ≈ 40). Dermal scattering has two sources 2.7× apart
(:data:`SCATTERING_SOURCES`) and its g is measured only away from 1.55 µm
(:data:`ANISOTROPY_CHOICES`); :func:`mtzsim.physics.mtz.source.optics_intervals` reports the MTZ
over both and over the M² and focal-depth ranges of the preset.

How the MTZ engine uses it (cooling is the heat solver's job)
-------------------------------------------------------------
``q = E * absorbed_fraction_map(beam, tissue, r_edges, z_edges, focus_depth=zf)`` is the energy
[J/m³] a pulse of energy E deposits in each (r, z) cell; divided by the pulse duration it is the
volumetric heat source [W/m³] of the Pennes solver on the same grid (scored on its cell edges).
The map is per joule, so one Monte Carlo run (cached) serves every pulse energy of a beam.
The map is cached per beam, tissue, grid, packets and seed through
:mod:`mtzsim.pipeline.cache` (memory and disk). A contact-cooling window changes only the index above the skin: pass ``cooling`` with a
``window_index`` attribute (sapphire 1.746 at 1.55 µm); its temperature boundary condition is the
heat solver's (:mod:`mtzsim.physics.mtz.surface_cooling`).

References
----------
.. [1] L. Wang, S. L. Jacques, L. Zheng, Comput. Methods Programs Biomed. 47, 131 (1995).
   doi:10.1016/0169-2607(95)01640-F
.. [2] S. L. Jacques, "Optical properties of biological tissues: a review", Phys. Med. Biol.
   58, R37 (2013). doi:10.1088/0031-9155/58/11/R37
.. [3] S. A. Prahl, M. Keijzer, S. L. Jacques, A. J. Welch, "A Monte Carlo model of light
   propagation in tissue", SPIE IS 5, 102 (1989).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from mtzsim._kernels import mcml
from mtzsim.params import tables
from mtzsim.physics.laser import Beam
from mtzsim.physics.tissue import Tissue, water_absorption_temperature
from mtzsim.pipeline.cache import ResultCache, canonical_hash, default_cache, model_version
from mtzsim.pipeline.contract import quantity

#: Version of the transport model; part of every cache key.
MODEL_VERSION = "mcml-2"
#: Batches of photons (fixed, so that results do not depend on the number of threads).
DEFAULT_BATCHES = 64
#: Default packets per run (benchmarks/bench_montecarlo.py gives the statistical error this
#: leaves in the cells of the MTZ core).
DEFAULT_PHOTONS = 1_000_000
#: Roulette threshold weight for packets outside the scoring grid in :func:`simulate_light`.
#: Packets that leave the grid (mostly into the weakly absorbing fat, albedo 0.996) would
#: otherwise scatter thousands of times; roulette is unbiased, so this changes only the
#: variance, and the grid's cells are scored with MCML's own 1e-4. Measured on the benchmark
#: grid: 10x faster, same error in the MTZ core (benchmarks/README.md).
OUTSIDE_ROULETTE_WEIGHT = 0.1


#: Dermal scattering sources at 1.55 µm (columns of ``optical_properties_1550.csv``): ``"adopted"``
#: is Jacques' power law extrapolated to 1550 nm (5.5 /cm in dermis), ``"high"`` the skin fit of
#: Bashkatov et al. 2005 that spans 400–2000 nm (14.8 /cm). They differ 2.7×; the MTZ reports the
#: interval between them (:func:`mtzsim.physics.mtz.source.optics_intervals`).
SCATTERING_SOURCES = {"adopted": "musp_per_cm", "high": "musp_high_per_cm"}
#: Anisotropy g of dermis (columns of ``optical_properties_1550.csv``): the adopted 0.90 and the
#: ends of Prahl's (1988) measurement on human dermis (Henyey–Greenstein fit 0.92, mean cosine
#: 0.87); the other layers keep their adopted g at every choice.
ANISOTROPY_CHOICES = {"adopted": "g", "low": "g_low", "high": "g_high"}


@lru_cache(maxsize=None)
def optical_properties(laser: str = "erglass", scattering: str = "adopted", anisotropy: str = "adopted") -> dict[str, dict]:
    """Scattering of each skin layer (µs′ [1/m], g [-], n [-], source) from params/data.

    Only 1.55 µm (``"erglass"``) has a table (``optical_properties_1550.csv``); at 10.6 and
    2.94 µm absorption dominates and mtzsim uses Beer–Lambert instead. ``scattering`` picks the
    µs′ source (:data:`SCATTERING_SOURCES`), ``anisotropy`` the g (:data:`ANISOTROPY_CHOICES`); µs′
    is kept, so µs = µs′ / (1 − g) follows g.
    """
    if laser != "erglass":
        raise ValueError(f"no scattering table for laser {laser!r}; Monte Carlo transport is for 'erglass'")
    if scattering not in SCATTERING_SOURCES:
        raise ValueError(f"scattering must be one of {', '.join(SCATTERING_SOURCES)}, got {scattering!r}")
    if anisotropy not in ANISOTROPY_CHOICES:
        raise ValueError(f"anisotropy must be one of {', '.join(ANISOTROPY_CHOICES)}, got {anisotropy!r}")
    column = SCATTERING_SOURCES[scattering]
    g_column = ANISOTROPY_CHOICES[anisotropy]
    return {
        row["key"]: {
            "reduced_scattering": float(row[column]) * 100.0,
            "anisotropy": float(row[g_column]),
            "refractive_index": float(row["n"]),
            "source": row["source"],
            "reliability": row["reliability"],
            "assumption": row["assumption"],
        }
        for row in tables.rows("optical_properties_1550.csv")
    }


def layer_table(tissue: Tissue, laser: str = "erglass", scattering: str = "adopted",
                anisotropy: str = "adopted") -> np.ndarray:
    """Optical layer table (L, 6): z_top, z_bottom [m], µa, µs [1/m], g, n; last layer semi-infinite.

    µa = water fraction × µa of water (data/water_absorption.csv, 25 °C) at the tissue's body
    temperature, where water's absorption has a sourced temperature law
    (:func:`mtzsim.physics.tissue.water_absorption_temperature`; 1.55 µm: −7 % at 37 °C); as the
    tissue heats and dries during the pulse the MTZ solver recomputes the map with cell-wise
    absorption (:mod:`mtzsim.physics.mtz.source`). µs = µs′/(1 − g) from
    data/optical_properties_1550.csv (µs′ column chosen by ``scattering``, g by ``anisotropy``).
    """
    props = optical_properties(laser, scattering, anisotropy)
    law = water_absorption_temperature().get(laser)
    at_body = 1.0 if law is None else float(law.factor(tissue.body_temperature))
    rows = []
    z = 0.0
    for i, layer in enumerate(tissue.layers):
        if layer.key not in props:
            raise ValueError(f"no optical properties for layer {layer.key!r} at {laser}")
        p = props[layer.key]
        bottom = math.inf if i == len(tissue.layers) - 1 else z + layer.thickness
        g = p["anisotropy"]
        rows.append((z, bottom, layer.absorption(laser) * at_body, p["reduced_scattering"] / (1.0 - g), g, p["refractive_index"]))
        z = bottom
    return np.array(rows, dtype=float)


def beam_source(beam: Beam, layers: np.ndarray, *, focus_depth: float | None = None, half_angle: float | None = None,
                ambient_index: float = 1.0, outside_weight: float = mcml.ROULETTE_WEIGHT,
                beam_quality: float = 1.0) -> np.ndarray:
    """Source record of a (focused) microbeam for the transport kernel.

    Parameters
    ----------
    beam : Beam
        Its ``spot_diameter`` is taken as the 1/e² diameter at the waist (the focus).
    layers : ndarray
        Layer table (:func:`layer_table`); the first layer's index sets the wavelength in tissue.
    focus_depth : float, optional
        Depth of the waist below the surface in tissue [m] (geometric, before scattering);
        None puts the waist at the surface.
    half_angle : float, optional
        1/e² far-field half-angle of the beam in tissue [rad]; None gives the cone of a beam of
        quality ``beam_quality``, θ = M² λ / (π n w0) (beam parameter product; Siegman 1986).
    ambient_index : float
        Refractive index above the skin (1 for air; a contact window's index).
    outside_weight : float
        Roulette threshold for packets outside the scoring grid (see
        :data:`mtzsim._kernels.mcml.SOURCE_FIELDS`); the MCML value 1e-4 by default.
    beam_quality : float
        M² [-] (≥ 1) when ``half_angle`` is None; 1 = diffraction-limited Gaussian beam.
    """
    from mtzsim.params.presets import beam_cone

    zf = 0.0 if focus_depth is None else float(focus_depth)
    if not (math.isfinite(zf) and zf >= 0.0):
        raise ValueError(f"focus_depth must be a non-negative depth [m], got {focus_depth!r}")
    n_tissue = float(layers[0, 5])
    if not (math.isfinite(beam_quality) and beam_quality >= 1.0):
        raise ValueError(f"beam_quality (M²) must be >= 1, got {beam_quality!r}")
    theta = (beam_cone(beam.radius, beam.wavelength, n_tissue, beam_quality) if half_angle is None
             else float(half_angle))
    if not (math.isfinite(theta) and 0.0 <= theta < 1.0):
        raise ValueError(f"half_angle must be in [0, 1) rad, got {half_angle!r}")
    profile = 0.0 if beam.profile == "gaussian" else 1.0
    return np.array([beam.radius, zf, theta, profile, float(ambient_index), n_tissue, float(outside_weight)])


@dataclass(frozen=True)
class LightDeposition:
    """Where the light of one microbeam is absorbed, per joule of pulse energy."""

    density: np.ndarray = quantity("1/m^3", "absorbed energy per unit volume per joule of pulse energy, (r, z) cells",
                                   source="WangJacquesZheng1995 (MCML)", kind="array")
    density_std_error: np.ndarray = quantity("1/m^3", "standard error of density from the spread between photon batches",
                                             kind="array")
    r_edges: np.ndarray = quantity("m", "radial cell edges", kind="array")
    z_edges: np.ndarray = quantity("m", "depth cell edges", kind="array")
    specular_reflectance: float = quantity("1", "fraction reflected at the surface on entry (Fresnel)", display="%")
    diffuse_reflectance: float = quantity("1", "fraction scattered back out through the surface", display="%")
    transmittance: float = quantity("1", "fraction leaving through the bottom of the stack", display="%")
    absorbed: float = quantity("1", "fraction absorbed anywhere in the tissue (inside or outside the grid)", display="%")
    absorbed_per_layer: np.ndarray = quantity("1", "fraction absorbed in each tissue layer, top down", kind="array")
    diffuse_reflectance_error: float = quantity("1", "standard error of diffuse_reflectance (spread between batches)")
    transmittance_error: float = quantity("1", "standard error of transmittance (spread between batches)")
    energy_balance_error: float = quantity("1", "standard error of the energy balance R + T + A (spread between batches)")
    photons: int = quantity("", "photon packets launched", kind="count")
    seed: int = quantity("", "random seed", kind="count")
    unscaled_density: np.ndarray | None = quantity(
        "1/m^3", "with a cell-wise absorption factor: what each cell would absorb at its layer's full µa in this light "
        "field (collision estimator of µa Φ), per unit volume per joule; None without one", kind="array", default=None)

    @property
    def energy_balance(self) -> float:
        """R_specular + R_diffuse + T + A; 1 within the roulette's statistical error [-]."""
        return self.specular_reflectance + self.diffuse_reflectance + self.transmittance + self.absorbed


def _absorption_factor(absorption, r_edges, z_edges) -> np.ndarray:
    """The cell-wise µa factor as the kernel takes it: (nr, nz) in [0, 1], or an empty (0, 0) array for none."""
    if absorption is None:
        return np.zeros((0, 0))
    f = np.ascontiguousarray(absorption, dtype=np.float64)
    shape = (r_edges.size - 1, z_edges.size - 1)
    if f.shape != shape:
        raise ValueError(f"absorption must hold one factor per scoring cell, shape {shape}, got {f.shape}")
    if not np.all((f >= 0.0) & (f <= 1.0)):
        raise ValueError("absorption factors must lie in [0, 1] (delta tracking cannot raise a cell's µa above its layer's)")
    return f


def transport(layers: np.ndarray, source: np.ndarray, r_edges, z_edges, *, photons: int = DEFAULT_PHOTONS,
              seed: int = 0, batches: int = DEFAULT_BATCHES, absorption=None) -> LightDeposition:
    """Run the photon transport for a layer table and a source record (no cache).

    ``photons`` is rounded up to a multiple of ``batches``. Same inputs, same bits, at any
    number of threads. ``absorption`` (nr, nz), optional: a factor in [0, 1] on each scoring
    cell's µa (a heated or drying column; Woodcock delta tracking, :mod:`mtzsim._kernels.mcml`);
    the light that cell no longer absorbs goes on by transport. Outside the grid µa is the layer's.
    """
    r_edges = _edges(r_edges, "r_edges")
    z_edges = _edges(z_edges, "z_edges")
    if r_edges[0] != 0.0:
        raise ValueError("r_edges must start at 0")
    if photons < 1 or batches < 1:
        raise ValueError("photons and batches must be positive")
    factor = _absorption_factor(absorption, r_edges, z_edges)
    per_batch = -(-int(photons) // int(batches))
    run = mcml.make_mcml_kernel(r_edges, z_edges)
    out = run(layers, source, mcml.batch_seeds(seed, batches), per_batch, factor if factor.size else None)
    absorbed, layer_abs, tally = out[:3]
    n = per_batch * batches
    volume = math.pi * np.diff(r_edges**2)[:, None] * np.diff(z_edges)[None, :]
    density = absorbed.sum(axis=0) / n / volume
    per_batch_density = absorbed / per_batch / volume[None]
    std_error = per_batch_density.std(axis=0, ddof=1) / math.sqrt(batches) if batches > 1 else np.full_like(density, np.nan)
    totals = tally.sum(axis=0) / n
    per = tally / per_batch
    balance = per[:, 0] + per[:, 1] + per[:, 2] + per[:, 3]
    error = (lambda v: float(v.std(ddof=1) / math.sqrt(batches))) if batches > 1 else (lambda v: math.nan)
    return LightDeposition(
        density=density,
        density_std_error=std_error,
        r_edges=r_edges,
        z_edges=z_edges,
        specular_reflectance=float(totals[0]),
        diffuse_reflectance=float(totals[1]),
        transmittance=float(totals[2]),
        absorbed=float(totals[3]),
        absorbed_per_layer=layer_abs.sum(axis=0) / n,
        diffuse_reflectance_error=error(per[:, 1]),
        transmittance_error=error(per[:, 2]),
        energy_balance_error=error(balance),
        photons=n,
        seed=int(seed),
        unscaled_density=out[3].sum(axis=0) / n / volume if factor.size else None,
    )


def simulate_light(beam: Beam, tissue: Tissue, r_edges, z_edges, *, photons: int = DEFAULT_PHOTONS, seed: int = 0,
                   focus_depth: float | None = None, half_angle: float | None = None, cooling=None,
                   batches: int = DEFAULT_BATCHES, cache=True, beam_quality: float = 1.0,
                   scattering: str = "adopted", anisotropy: str = "adopted", absorption=None) -> LightDeposition:
    """Monte Carlo deposition of one microbeam in layered skin, cached per beam.

    Parameters
    ----------
    beam : Beam
        The microbeam (wavelength, 1/e² waist diameter, profile). Its energy does not enter:
        the result is per joule.
    tissue : Tissue
        Skin layers; optical properties from :func:`layer_table`.
    r_edges, z_edges : array_like
        Scoring grid edges [m].
    photons, seed, batches : int
        Packets launched, random seed, number of independent batches.
    focus_depth : float, optional
        Depth of the waist in tissue [m]; None = at the surface.
    half_angle : float, optional
        1/e² far-field half-angle in tissue [rad]; None = the cone of a beam of quality
        ``beam_quality`` (1: ideal Gaussian beam).
    beam_quality : float
        M² [-] of the beam when ``half_angle`` is None.
    scattering : str
        Source of the layers' µs′ (:data:`SCATTERING_SOURCES`).
    anisotropy : str
        Choice of the dermis's g (:data:`ANISOTROPY_CHOICES`).
    cooling : object, optional
        Only its ``window_index`` (refractive index of a contact window) matters here.
    absorption : ndarray, optional
        Factor in [0, 1] on each scoring cell's µa (:func:`transport`; part of the cache key).
    cache : bool or ResultCache
        True: the process-wide :func:`mtzsim.pipeline.cache.default_cache` (memory and
        ``$MTZSIM_CACHE_DIR``, entries named ``montecarlo-*``, shown by ``mtzsim cache info``);
        a :class:`~mtzsim.pipeline.cache.ResultCache`: that one; False: none.
    """
    if beam.laser != "erglass":
        raise ValueError("Monte Carlo transport is parameterised for the 1.55 µm Er:glass beam only")
    ambient = 1.0 if cooling is None else float(getattr(cooling, "window_index", 1.0))
    layers = layer_table(tissue, beam.laser, scattering, anisotropy)
    source = beam_source(beam, layers, focus_depth=focus_depth, half_angle=half_angle, ambient_index=ambient,
                         outside_weight=OUTSIDE_ROULETTE_WEIGHT, beam_quality=beam_quality)
    r_edges = _edges(r_edges, "r_edges")
    z_edges = _edges(z_edges, "z_edges")
    store = _resolve_cache(cache)
    factor = None if absorption is None else _absorption_factor(absorption, r_edges, z_edges)
    key = (_cache_key(layers, source, r_edges, z_edges, photons, seed, batches, factor) if store is not None
           else None)
    if store is not None:
        hit, _where = store.get(key)
        if hit is not None:
            return hit
    result = transport(layers, source, r_edges, z_edges, photons=photons, seed=seed, batches=batches,
                       absorption=factor)
    if store is not None:
        store.put(key, result)
    return result


def absorbed_fraction_map(beam: Beam, tissue: Tissue, r_edges, z_edges, *, photons: int = DEFAULT_PHOTONS,
                          seed: int = 0, focus_depth: float | None = None, half_angle: float | None = None,
                          cooling=None, cache=True, beam_quality: float = 1.0,
                          scattering: str = "adopted", anisotropy: str = "adopted", absorption=None,
                          unscaled: bool = False) -> np.ndarray:
    """Absorbed energy per unit volume per joule of pulse energy [1/m³] on the (r, z) grid.

    Shape (len(r_edges) − 1, len(z_edges) − 1). Multiply by the pulse energy [J] for J/m³.
    Reflectance, transmittance and the statistical error are in :func:`simulate_light`'s
    :class:`LightDeposition` (this function is its ``.density``, from the same cache; with
    ``absorption`` and ``unscaled``, its ``.unscaled_density``: what each cell would absorb at its
    layer's full µa in that light field).
    """
    light = simulate_light(beam, tissue, r_edges, z_edges, photons=photons, seed=seed, focus_depth=focus_depth,
                           half_angle=half_angle, cooling=cooling, cache=cache, beam_quality=beam_quality,
                           scattering=scattering, anisotropy=anisotropy, absorption=absorption)
    if unscaled:
        if light.unscaled_density is None:
            raise ValueError("unscaled=True needs a cell-wise absorption factor")
        return light.unscaled_density
    return light.density


# --------------------------------------------------------------------------- derived measures

def absorption_centroid_depth(result: LightDeposition) -> float:
    """Depth of the centre of absorbed energy on the grid [m]."""
    energy = result.density * _volumes(result)
    zc = 0.5 * (result.z_edges[1:] + result.z_edges[:-1])
    return float((energy.sum(axis=0) * zc).sum() / energy.sum())


def axial_extent(result: LightDeposition, fraction: float = math.exp(-1.0)) -> float:
    """Deepest cell centre on the axis (first radial ring) where density ≥ fraction × its maximum [m]."""
    axis = result.density[0]
    zc = 0.5 * (result.z_edges[1:] + result.z_edges[:-1])
    above = np.nonzero(axis >= fraction * axis.max())[0]
    return float(zc[above[-1]])


def _volumes(result: LightDeposition) -> np.ndarray:
    return math.pi * np.diff(result.r_edges**2)[:, None] * np.diff(result.z_edges)[None, :]


# --------------------------------------------------------------------------- readable twin

_MASK64 = (1 << 64) - 1


class _SplitMix64:
    """The kernel's random stream in plain Python integers."""

    def __init__(self, state: int):
        self.state = int(state)

    def uniform(self) -> float:
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        z ^= z >> 31
        return ((z >> 11) + 0.5) / 2.0**53


def _fresnel(n1: float, n2: float, cos1: float) -> float:
    """Unpolarised Fresnel reflectance (s and p averaged); 1 beyond the critical angle."""
    if n1 == n2:
        return 0.0
    if cos1 > mcml.COSZERO:
        return ((n1 - n2) / (n1 + n2)) ** 2
    sin2 = n1 / n2 * math.sqrt(max(0.0, 1.0 - cos1**2))
    if sin2 >= 1.0:
        return 1.0
    cos2 = math.sqrt(1.0 - sin2**2)
    rs = (n1 * cos1 - n2 * cos2) / (n1 * cos1 + n2 * cos2)
    rp = (n1 * cos2 - n2 * cos1) / (n1 * cos2 + n2 * cos1)
    return 0.5 * (rs**2 + rp**2)


def photon_transport_numpy(layers: np.ndarray, source: np.ndarray, r_edges, z_edges, seed_state: int,
                           photons: int, absorption=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Readable twin of the numba kernel: one batch of ``photons`` packets, one by one.

    Same random stream (``seed_state`` is the splitmix64 state, as from
    :func:`mtzsim._kernels.mcml.batch_seeds`) and same steps, so the result equals one batch of
    the kernel. ``absorption``: the kernel's cell-wise µa factor (delta tracking). Returns
    (absorbed weight per cell (nr, nz), per layer (L,), tally (5,)), and with ``absorption`` the
    full-µa collision estimator per cell (nr, nz) fourth.
    """
    r_edges = np.asarray(r_edges, float)
    z_edges = np.asarray(z_edges, float)
    factor = _absorption_factor(absorption, r_edges, z_edges)
    unscaled = np.zeros((r_edges.size - 1, z_edges.size - 1))
    rng = _SplitMix64(seed_state)
    absorbed = np.zeros((r_edges.size - 1, z_edges.size - 1))
    layer_absorbed = np.zeros(layers.shape[0])
    specular = diffuse = transmitted = absorbed_total = roulette = 0.0
    w0, zf, theta, profile, n_above, n_below, outside_weight = (float(v) for v in source)

    def cell(edges, v):
        i = int(np.searchsorted(edges, v, side="right")) - 1
        return i if 0 <= i < edges.size - 1 else -1

    for _ in range(photons):
        # a ray of the beam: waist position and slope, traced back to the surface
        u, phi = rng.uniform(), 2 * math.pi * rng.uniform()
        rho = w0 * math.sqrt(-0.5 * math.log(u)) if profile == 0.0 else w0 * math.sqrt(u)
        x0, y0 = rho * math.cos(phi), rho * math.sin(phi)
        u, psi = rng.uniform(), 2 * math.pi * rng.uniform()
        slope = theta * math.sqrt(-0.5 * math.log(u))
        sx, sy = slope * math.cos(psi), slope * math.sin(psi)
        pos = np.array([x0 - sx * zf, y0 - sy * zf, 0.0])
        d = np.array([sx, sy, 1.0]) / math.sqrt(1 + sx * sx + sy * sy)
        n1 = layers[0, 5]
        sin_air = n1 * math.sqrt(max(0.0, 1 - d[2] ** 2)) / n_above
        r_spec = 1.0 if sin_air >= 1 else _fresnel(n_above, n1, math.sqrt(1 - sin_air**2))
        specular += r_spec
        w, layer, s_left = 1.0 - r_spec, 0, 0.0
        while w > 0.0:
            z_top, z_bot, mua, mus, g, n_here = layers[layer]
            mut = mua + mus
            if s_left == 0.0:
                s_left = -math.log(rng.uniform())
            d_boundary = (z_bot - pos[2]) / d[2] if d[2] > 0 else (z_top - pos[2]) / d[2] if d[2] < 0 else math.inf
            step = s_left / mut if mut > 0 else math.inf
            if step >= d_boundary and d_boundary < math.inf:
                pos[:2] += d[:2] * d_boundary
                pos[2] = z_bot if d[2] > 0 else z_top
                if mut > 0:
                    s_left -= d_boundary * mut
                down = d[2] > 0
                nxt = layer + 1 if down else layer - 1
                n_next = n_above if nxt < 0 else n_below if nxt >= layers.shape[0] else layers[nxt, 5]
                cos_i = abs(d[2])
                if rng.uniform() <= _fresnel(n_here, n_next, cos_i):
                    d[2] = -d[2]
                elif nxt < 0:
                    diffuse, w = diffuse + w, 0.0
                elif nxt >= layers.shape[0]:
                    transmitted, w = transmitted + w, 0.0
                else:
                    ratio = n_here / n_next
                    d[:2] *= ratio
                    cos_t = math.sqrt(max(0.0, 1 - ratio**2 * (1 - cos_i**2)))
                    d[2] = cos_t if down else -cos_t
                    layer = nxt
                continue
            if math.isinf(step):
                transmitted, w = transmitted + w, 0.0
                continue
            pos += d * step
            s_left = 0.0
            ir, iz = cell(r_edges, math.hypot(pos[0], pos[1])), cell(z_edges, pos[2])
            inside = ir >= 0 and iz >= 0
            if inside and factor.size:
                unscaled[ir, iz] += w * mua / mut
            if inside and factor.size and factor[ir, iz] < 1.0:
                mua_here = factor[ir, iz] * mua
                if rng.uniform() * mut > mua_here + mus:
                    continue  # null collision (Woodcock): flies on
                dw = w * mua_here / (mua_here + mus)
            else:
                dw = w * mua / mut
            w -= dw
            absorbed_total += dw
            layer_absorbed[layer] += dw
            if inside:
                absorbed[ir, iz] += dw
            if w <= 0.0:
                break
            # Henyey–Greenstein deflection by θ, azimuth φ
            xi = rng.uniform()
            if g != 0.0:
                cos_t = min(1.0, max(-1.0, (1 + g * g - ((1 - g * g) / (1 - g + 2 * g * xi)) ** 2) / (2 * g)))
            else:
                cos_t = 2 * xi - 1
            sin_t = math.sqrt(1 - cos_t**2)
            phi = 2 * math.pi * rng.uniform()
            ux, uy, uz = d
            if abs(uz) > mcml.COSZERO:
                d = np.array([sin_t * math.cos(phi), sin_t * math.sin(phi), cos_t if uz >= 0 else -cos_t])
            else:
                t = math.sqrt(1 - uz * uz)
                d = np.array([
                    sin_t * (ux * uz * math.cos(phi) - uy * math.sin(phi)) / t + ux * cos_t,
                    sin_t * (uy * uz * math.cos(phi) + ux * math.sin(phi)) / t + uy * cos_t,
                    -sin_t * math.cos(phi) * t + uz * cos_t,
                ])
            if w < (mcml.ROULETTE_WEIGHT if inside else outside_weight):
                if rng.uniform() <= mcml.ROULETTE_CHANCE:
                    roulette += w / mcml.ROULETTE_CHANCE - w
                    w /= mcml.ROULETTE_CHANCE
                else:
                    roulette -= w
                    w = 0.0
    out = (absorbed, layer_absorbed, np.array([specular, diffuse, transmitted, absorbed_total, roulette]))
    return out + (unscaled,) if factor.size else out


# --------------------------------------------------------------------------- cache

def _cache_key(layers, source, r_edges, z_edges, photons, seed, batches, factor=None) -> str:
    """Key of a deposition: its optical inputs, grid, packets, seed and the model version.

    ``model_version()`` hashes the package's data tables and the physics/kernel code, so a
    change of either never serves an old map.
    """
    digest = canonical_hash((MODEL_VERSION, model_version(), np.asarray(layers, float), np.asarray(source, float),
                             np.asarray(r_edges, float), np.asarray(z_edges, float), int(photons), int(seed),
                             int(batches)) + (() if factor is None else (np.asarray(factor, float),)))
    return f"montecarlo-{digest[:40]}"


def _resolve_cache(cache) -> ResultCache | None:
    if cache is True:
        return default_cache()
    if cache is False or cache is None:
        return None
    if isinstance(cache, ResultCache):
        return cache
    raise ValueError(f"cache must be True, False or a ResultCache, got {cache!r}")


def _edges(edges, name: str) -> np.ndarray:
    edges = np.asarray(edges, dtype=float)
    if edges.ndim != 1 or edges.size < 2 or not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
        raise ValueError(f"{name} must be a 1-D increasing array of at least two finite edges [m]")
    if edges[0] < 0:
        raise ValueError(f"{name} must not be negative")
    return edges
