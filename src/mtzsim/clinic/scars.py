"""Atrophic acne scars (Jacob et al. 2001) and what the MTZs that land in them reach.

A scar is a depression of depth ``D`` and width ``w`` over fibrotic dermis; rolling scars are in
addition tethered to the subcutis by fibrous bands. MTZs land in a scar as a Poisson process of
the scan's areal density (geometric probability); the share of the scar's fibrotic extent they
reach is ``min(1, MTZ depth / (fibrotic_extent · D))``, so MTZs shallower than a deep scar's floor
remodel less of it. A tether is cut when an MTZ's crater lands within ``r_crater + r_tether`` of
it and reaches through the band's thickness.

References
----------
.. [1] Jacob CI, Dover JS, Kaminer MS. J Am Acad Dermatol 2001, as reproduced in Fabbrocini G
   et al., Dermatol Res Pract 2010, Table 1 (``params/data/scar_types.csv``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mtzsim.clinic.parameters import rows, table

#: Scar categories of the model: the Jacob types, boxcar split at 0.5 mm depth.
SCAR_TYPES = ("icepick", "boxcar_shallow", "boxcar_deep", "rolling")
#: Jacob's boundary between shallow and deep boxcar scars [m] (scar_types.csv).
BOXCAR_DEEP_FROM = 0.5e-3


@dataclass(frozen=True)
class Scar:
    """One scar type present on a patient (SI)."""

    kind: str  # one of SCAR_TYPES
    width: float  # [m]
    depth: float  # [m]
    count: int = 1

    def __post_init__(self):
        if self.kind not in SCAR_TYPES:
            raise ValueError(f"unknown scar type {self.kind!r}; expected one of {SCAR_TYPES}")
        if not (math.isfinite(self.width) and self.width > 0):
            raise ValueError(f"scar width must be positive, got {self.width!r}")
        if not (math.isfinite(self.depth) and self.depth > 0):
            raise ValueError(f"scar depth must be positive, got {self.depth!r}")
        if self.count < 1:
            raise ValueError(f"scar count must be at least 1, got {self.count!r}")

    @property
    def area(self) -> float:
        """En-face area of one scar [m²] (a disc of the scar's width)."""
        return math.pi * self.width**2 / 4

    @property
    def tethered(self) -> bool:
        """Rolling scars are anchored to the subcutis by fibrous bands (Jacob 2001)."""
        return self.kind == "rolling"


def classify(scenario_type: str, depth: float) -> str:
    """Model category of a scenario scar: ``boxcar`` splits at 0.5 mm depth (Jacob 2001)."""
    if scenario_type == "boxcar":
        return "boxcar_deep" if depth >= BOXCAR_DEEP_FROM else "boxcar_shallow"
    if scenario_type in ("icepick", "rolling"):
        return scenario_type
    raise ValueError(f"unknown scar type {scenario_type!r}; expected icepick, boxcar or rolling")


def jacob_table() -> tuple[dict, ...]:
    """The Jacob 2001 and Goodman–Baron rows as packaged (strings, with sources)."""
    return rows("scar_types.csv")


def reach_fraction(wound_depth, scar_depth, fibrotic_extent=None):
    """Share of a scar's fibrotic extent that an MTZ landing in it reaches [-].

    Parameters
    ----------
    wound_depth : float or ndarray
        Deepest killed/ablated tissue of the MTZ below the surface it hits [m].
    scar_depth : float or ndarray
        Depth of the depression [m].
    fibrotic_extent : float, optional
        Fibrotic tissue below the floor as a multiple of the scar depth (assumption, see
        remodeling_parameters.csv).
    """
    k = table("remodeling_parameters.csv")["fibrotic_extent"].value if fibrotic_extent is None else fibrotic_extent
    return np.minimum(1.0, np.asarray(wound_depth, dtype=float) / (k * np.asarray(scar_depth, dtype=float)))


def expected_hits(mtzs_per_area, scar_area):
    """Expected MTZs landing in one scar per session: λ·A (Poisson mean) [-]."""
    return np.asarray(mtzs_per_area, dtype=float) * np.asarray(scar_area, dtype=float)


def tether_cut_probability(mtzs_per_area, crater_radius, wound_depth, *, tether_radius=None, tether_thickness=None):
    """Probability that one session cuts a given fibrous tether [-].

    A tether is hit when an MTZ centre falls within ``r_crater + r_tether`` of it (Boolean
    model: ``1 − exp(−λ π (r_c + r_t)²)``); it is severed in proportion to how much of the
    band's thickness the MTZ reaches, ``min(1, wound_depth / tether_thickness)``.
    """
    p = table("remodeling_parameters.csv")
    r_t = p["tether_radius"].value if tether_radius is None else tether_radius
    h_t = p["tether_thickness"].value if tether_thickness is None else tether_thickness
    lam = np.asarray(mtzs_per_area, dtype=float)
    hit = 1.0 - np.exp(-lam * math.pi * (np.asarray(crater_radius) + r_t) ** 2)
    return hit * np.minimum(1.0, np.asarray(wound_depth, dtype=float) / h_t)


def default_mix() -> tuple:
    """One scar of each Jacob type (icepick, boxcar, rolling) at its default geometry (``presets.SCAR_DEFAULTS``):
    the patient the comparator rows and the held-out Goodman–Baron rows are predicted for when a study reports
    no scar measurements."""
    from mtzsim.params.presets import SCAR_DEFAULTS

    return tuple(Scar(classify(k, SCAR_DEFAULTS[k].depth), SCAR_DEFAULTS[k].width, SCAR_DEFAULTS[k].depth, 1)
                 for k in ("icepick", "boxcar", "rolling"))
