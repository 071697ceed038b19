"""Mechanical microneedle channels in skin: depth, width, volume and the en-face wound of a microneedling treatment.

A needle of length L, diameter D (a cylinder ending in a cone or pyramid tip of length ℓ) is
pressed into skin, which deforms before it is pierced: the channel is shorter than the needle.
The achieved depth is d = η L with the penetration ratio η measured by histology or OCT
(Kalluri 2011: 152.5 µm channels from 770 µm DermaRoller needles, η ≈ 0.20 in rat skin;
Donnelly 2011: 600 µm microneedles reached ≈ 460 µm in human skin in vivo by OCT, η ≈ 0.77;
motor-driven MNRF needles are assumed to reach their set depth, η = 1). The channel is the
needle's own solid inserted to that depth (the tissue is parted, not removed); its cross-section
at the basal layer (the bottom of the epidermis) is the epidermal wound that re-epithelialises.

Channels per skin area n = pins per area per pass × passes. Passes of a roller or a pen are not
registered with one another: their channels fall at independent random positions, so the wounded
fraction of the basal layer is 1 − exp(−n a) for channel cross-section a (Poisson coverage);
one stamp of a regular pin grid wounds exactly n a. No heat is made: microneedling alone
coagulates nothing (tested by running the channels through the bioheat/Arrhenius engine).

References
----------
.. [1] H. Kalluri, C. S. Kolli, A. K. Banga, "Characterization of microchannels created by metal
   microneedles: formation and closure", AAPS J 13 (2011) 473–481. doi:10.1208/s12248-011-9288-3
.. [2] R. F. Donnelly et al., laser-engineered polymeric microneedle arrays, OCT of insertion in
   human skin in vivo, Pharm Res 28 (2011) 41–57. PMC3016610
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from mtzsim.params import tables
from mtzsim.physics.tissue import Tissue, get_tissue
from mtzsim.pipeline.contract import quantity

TIP_SHAPES = ("cone", "pyramid")


@dataclass(frozen=True)
class Needle:
    """One microneedle and the skin's response to its insertion (SI).

    Parameters
    ----------
    length : float
        Needle length set on the device [m].
    diameter : float
        Shaft diameter (cone) or base width (pyramid) [m].
    tip_length : float
        Length of the tapered tip [m]; equal to ``length`` for a needle tapered all along.
    tip_shape : str
        ``"cone"`` (round section) or ``"pyramid"`` (square section).
    penetration_ratio : float
        Achieved channel depth / needle length [-] (skin deformation), in (0, 1].
    insulated_length : float
        Insulated upper part of the inserted needle [m] (MNRF; 0 = non-insulated).
    pins_per_area : float
        Needles per skin area in one pass or stamp [1/m²].
    source, assumption : str
        Pedigree of the numbers.
    """

    length: float
    diameter: float
    tip_length: float
    tip_shape: str = "cone"
    penetration_ratio: float = 1.0
    insulated_length: float = 0.0
    pins_per_area: float = 49e4
    source: str = ""
    assumption: str = ""

    def __post_init__(self):
        for name in ("length", "diameter", "tip_length", "pins_per_area"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
        if not (0 < self.penetration_ratio <= 1):
            raise ValueError(f"penetration_ratio must be in (0, 1], got {self.penetration_ratio!r}")
        if self.tip_length > self.length:
            raise ValueError("tip_length cannot exceed the needle length")
        if not (0 <= self.insulated_length < self.length):
            raise ValueError("insulated_length must be >= 0 and shorter than the needle")
        if self.tip_shape not in TIP_SHAPES:
            raise ValueError(f"tip_shape must be one of {TIP_SHAPES}, got {self.tip_shape!r}")

    def with_length(self, length: float) -> "Needle":
        """The same needle set to another length [m]; an insulated needle keeps its conducting tip length."""
        from dataclasses import replace

        conducting = self.length - self.insulated_length
        insulated = max(0.0, length - conducting) if self.insulated_length > 0 else 0.0
        return replace(self, length=length, tip_length=min(self.tip_length, length), insulated_length=insulated)

    @property
    def pitch(self) -> float:
        """Pin spacing of a square grid with ``pins_per_area`` [m]."""
        return 1.0 / math.sqrt(self.pins_per_area)


@dataclass(frozen=True)
class NeedlePattern:
    """How the needles are applied: passes (or stamps) over the area, and their layout."""

    passes: int = 1
    layout: str = "random"  # "random" (roller, pen: unregistered passes) or "grid" (one registered stamp per pass)

    def __post_init__(self):
        if not (isinstance(self.passes, (int, np.integer)) and self.passes >= 1):
            raise ValueError(f"passes must be an integer >= 1, got {self.passes!r}")
        if self.layout not in ("random", "grid"):
            raise ValueError(f"layout must be 'random' or 'grid', got {self.layout!r}")


def channel_depth(needle: Needle) -> float:
    """Achieved channel depth d = η L [m] (skin deformation shortens the channel)."""
    return needle.penetration_ratio * needle.length


def _section_area(needle: Needle, half_width):
    """Cross-section area [m²] at half-width r: π r² (cone) or (2r)² (pyramid)."""
    r = np.asarray(half_width, dtype=float)
    return math.pi * r**2 if needle.tip_shape == "cone" else 4.0 * r**2


def channel_radius_at(needle: Needle, z):
    """Half-width of the channel [m] at depth z [m] below the surface (0 below the tip)."""
    z = np.asarray(z, dtype=float)
    d = channel_depth(needle)
    r0 = 0.5 * needle.diameter
    from_tip = d - z
    r = np.where(from_tip >= needle.tip_length, r0, r0 * np.clip(from_tip, 0.0, None) / needle.tip_length)
    out = np.where((z >= 0) & (z <= d), r, 0.0)
    return float(out) if out.ndim == 0 else out


def channel_volume(needle: Needle) -> float:
    """Volume of one channel [m³]: the inserted needle (cylinder/prism + cone/pyramid tip)."""
    d = channel_depth(needle)
    r0 = 0.5 * needle.diameter
    if d <= needle.tip_length:
        r = r0 * d / needle.tip_length
        return float(_section_area(needle, r)) * d / 3.0
    return float(_section_area(needle, r0)) * ((d - needle.tip_length) + needle.tip_length / 3.0)


def basal_depth(tissue: Tissue) -> float:
    """Depth of the basal layer (bottom of the viable epidermis) [m]."""
    z = 0.0
    for layer in tissue.layers:
        z += layer.thickness
        if layer.key == "epidermis":
            return z
    raise ValueError("tissue has no 'epidermis' layer")


def poisson_wounded_fraction(density, section_area):
    """Wounded area fraction 1 − exp(−n a) of channels at independent random positions [-]."""
    return 1.0 - np.exp(-np.asarray(density) * np.asarray(section_area))


def place_channels(needle: Needle, pattern: NeedlePattern, size: float, *, seed=0):
    """Channel centres [m] on a square field of side ``size`` [m], shape (n, 2).

    ``grid``: a square pin grid of the needle's pitch each pass, each pass shifted by a random
    offset (pass 1 unshifted); ``random``: the same number of channels per pass at uniform random
    positions. Periodic field (the map tiles the skin).
    """
    rng = np.random.default_rng(seed)
    per_pass = needle.pins_per_area * size**2
    pts = []
    for p in range(pattern.passes):
        if pattern.layout == "grid":
            m = max(1, int(round(size / needle.pitch)))
            g = (np.arange(m) + 0.5) * (size / m)
            X, Y = np.meshgrid(g, g, indexing="ij")
            off = np.zeros(2) if p == 0 else rng.uniform(0, size / m, 2)
            pts.append((np.stack([X.ravel(), Y.ravel()], axis=1) + off) % size)
        else:
            n = rng.poisson(per_pass)
            pts.append(rng.uniform(0, size, (n, 2)))
    return np.concatenate(pts) if pts else np.zeros((0, 2))


def wound_map(centres, radius, size, pixel, *, shape="cone"):
    """Boolean en-face wound map (True = wounded basal layer) of a periodic square field."""
    n = int(round(size / pixel))
    img = np.zeros((n, n), dtype=bool)
    if radius <= 0:
        return img
    c = (np.arange(n) + 0.5) * pixel
    reach = int(math.ceil(radius / pixel)) + 1
    for cx, cy in centres:
        i0, j0 = int(cx / pixel), int(cy / pixel)
        ii = np.arange(i0 - reach, i0 + reach + 1)
        jj = np.arange(j0 - reach, j0 + reach + 1)
        dx = c[ii % n][:, None] - cx
        dy = c[jj % n][None, :] - cy
        dx = (dx + size / 2) % size - size / 2
        dy = (dy + size / 2) % size - size / 2
        if shape == "pyramid":
            inside = np.maximum(np.abs(dx), np.abs(dy)) <= radius
        else:
            inside = dx**2 + dy**2 <= radius**2
        img[np.ix_(ii % n, jj % n)] |= inside
    return img


@dataclass(frozen=True)
class MicroneedlingResult:
    """Mechanical channels of a microneedling treatment and their en-face wound."""

    channel_depth: float = quantity("m", "achieved channel depth (needle length × penetration ratio)",
                                    source="Kalluri2011; Donnelly2011", display="um")
    channel_diameter: float = quantity("m", "channel width at the skin surface", display="um")
    basal_diameter: float = quantity("m", "channel width at the basal layer (epidermal wound)", display="um")
    channel_volume: float = quantity("m3", "volume of one channel", display="mm3")
    density: float = quantity("1/m2", "channels per skin area (pins per area per pass × passes)", display="/cm2")
    channel_volume_per_area: float = quantity("m", "channel volume per skin area (m³/m²)", display="um")
    wounded_fraction: float = quantity("1", "wounded fraction of the basal layer, from the wound map", display="%")
    wounded_fraction_expected: float = quantity("1", "expected wounded fraction: n·a (one registered grid) "
                                                     "or 1 − exp(−n a) (random passes)", display="%")
    coagulated_volume_per_area: float = quantity("m", "coagulated volume per area: none (no heat)", display="um")
    wound_map: np.ndarray = quantity("1", "en-face basal-layer wound map (True = wounded)", kind="array")
    pixel_size: float = quantity("m", "pixel size of the wound map", display="um")


def simulate_microneedling(needle: Needle, pattern: NeedlePattern = NeedlePattern(), tissue="face", *,
                           field_size=2e-3, pixel_size=5e-6, seed=0) -> MicroneedlingResult:
    """Microneedling stage: channels, their volume per area and the basal-layer wound map.

    Parameters
    ----------
    needle : Needle
        Needle geometry and skin penetration ratio.
    pattern : NeedlePattern or int
        Passes (or stamps) and layout; an int is a number of random passes.
    tissue : Tissue or str
        Layered skin (sets the basal-layer depth).
    field_size : float
        Side of the square en-face map [m] (periodic).
    pixel_size : float
        Pixel size of the map [m].
    seed : int
        Random seed of the channel positions.
    """
    if isinstance(pattern, (int, np.integer)):
        pattern = NeedlePattern(passes=int(pattern))
    if not (field_size > 0 and pixel_size > 0 and pixel_size < field_size):
        raise ValueError("field_size and pixel_size must be > 0, pixel_size < field_size")
    tissue = get_tissue(tissue)
    zb = basal_depth(tissue)
    r_basal = channel_radius_at(needle, zb)
    r_surface = channel_radius_at(needle, 0.0)
    density = needle.pins_per_area * pattern.passes
    a_basal = float(_section_area(needle, r_basal))
    centres = place_channels(needle, pattern, field_size, seed=seed)
    img = wound_map(centres, r_basal, field_size, pixel_size, shape=needle.tip_shape)
    if pattern.layout == "grid" and pattern.passes == 1:
        expected = min(1.0, density * a_basal)
    else:
        expected = float(poisson_wounded_fraction(density, a_basal))
    vol = channel_volume(needle)
    return MicroneedlingResult(
        channel_depth=channel_depth(needle), channel_diameter=2 * r_surface, basal_diameter=2 * r_basal,
        channel_volume=vol, density=density, channel_volume_per_area=vol * density,
        wounded_fraction=float(img.mean()), wounded_fraction_expected=expected,
        coagulated_volume_per_area=0.0, wound_map=img, pixel_size=pixel_size,
    )


# --------------------------------------------------------------------------
# Device presets
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedleDevice:
    """A device preset from ``params/data/needle_devices.csv`` (SI)."""

    key: str
    name: str
    modality: str
    needle: Needle
    length_range: tuple[float, float]
    layout: str
    energy_per_pin: float  # [J]
    conduction_time: float  # [s]
    frequency: float  # [Hz]
    source: str
    reliability: str
    assumption: str


@lru_cache(maxsize=None)
def load_devices() -> dict[str, NeedleDevice]:
    """Microneedling and MNRF device presets, by key."""
    out = {}
    for row in tables.rows("needle_devices.csv"):
        pins_per_area = float(row["pins"]) / (float(row["tip_area_mm2"]) * 1e-6)
        needle = Needle(
            length=float(row["needle_length_mm"]) * 1e-3, diameter=float(row["diameter_um"]) * 1e-6,
            tip_length=float(row["tip_length_um"]) * 1e-6, tip_shape=row["tip_shape"],
            penetration_ratio=float(row["penetration_ratio"]),
            insulated_length=float(row["insulated_length_mm"]) * 1e-3, pins_per_area=pins_per_area,
            source=row["source"], assumption=row["assumption"],
        )
        out[row["key"]] = NeedleDevice(
            key=row["key"], name=row["device"], modality=row["modality"], needle=needle,
            length_range=(float(row["needle_length_min_mm"]) * 1e-3, float(row["needle_length_max_mm"]) * 1e-3),
            layout=row["layout"], energy_per_pin=float(row["energy_per_pin_mj"]) * 1e-3,
            conduction_time=float(row["conduction_time_ms"]) * 1e-3, frequency=float(row["frequency_mhz"]) * 1e6,
            source=row["source"], reliability=row["reliability"], assumption=row["assumption"],
        )
    return out


def penetration_ratio_range() -> tuple[float, float]:
    """Lowest and highest measured penetration ratio of the microneedling presets [-].

    0.198 (Kalluri 2011, metal roller needles, rat skin, histology) to 0.77 (Donnelly 2011,
    polymer needles pressed into human skin, OCT): the spread to use for the uncertainty of a
    needle whose own penetration was not measured.
    """
    ratios = [d.needle.penetration_ratio for d in load_devices().values() if d.modality == "microneedling"]
    return min(ratios), max(ratios)
