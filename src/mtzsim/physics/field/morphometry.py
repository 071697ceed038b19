"""Morphometry of a treated field's damage maps: zones, coverage, islands of intact skin, merging, contraction, volume.

All lengths in m, areas as fractions of the map. The epidermal map (``depths[0]``) gives the
coverage and the islands; all map depths give the merged fraction, the ring thickness, the
area contraction and the coagulated volume.

Island distances are sub-pixel: the edge of the treated region is the level set
ln max(Ω_collagen, Ω_cell) = 0 (the coagulated or lethal edge; crater pixels count as
treated), located by linear interpolation of that level function between neighbouring
pixel centres on either side of it; each pixel centre's distance is its Euclidean distance
to the nearest of those edge points. The distances are therefore not multiples of the
pixel, and their median moves smoothly with the lesion size; they are still sampled at the
pixel centres (their resolution is stated in ``FieldResult.island_distance_resolution``).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree

from mtzsim.physics import damage as _damage

ZONES = _damage.ZONES


def classify(ablated, omega):
    """Zone codes (:data:`mtzsim.physics.damage.ZONES`) from the crater flags and Ω[..., (collagen, cell, hsp)]."""
    return _damage.classify_zones(ablated, omega[..., 0], omega[..., 1], omega[..., 2])


def coverage(zones0) -> dict:
    """Area fractions of the exclusive zones and of treated (ablated, coagulated or lethal) skin."""
    n = zones0.size
    frac = {k: float((zones0 == ZONES[k]).sum()) / n for k in ("ablated", "coagulated", "lethal", "heat_shock")}
    frac["treated"] = float((zones0 > ZONES["heat_shock"]).sum()) / n
    return frac


def _level(omega0, ablated0):
    """Level function φ: ≥ 0 on treated pixels, < 0 on intact ones (ln of the larger of Ω_collagen, Ω_cell)."""
    om = np.maximum(omega0[..., 0], omega0[..., 1]).astype(float)
    phi = np.log(np.maximum(om, 1e-300))
    return np.where(ablated0, np.maximum(phi, 1.0), phi)


def edge_points(treated, phi, xs, ys) -> np.ndarray:
    """Points [m] (n, 2) where the treated region's edge crosses the lines between
    neighbouring pixel centres, by linear interpolation of φ (φ ≥ 0 treated)."""
    pts = []
    # along x (axis 1) and along y (axis 0)
    for axis in (1, 0):
        a = [slice(None), slice(None)]
        b = [slice(None), slice(None)]
        a[axis], b[axis] = slice(None, -1), slice(1, None)
        ta, tb = treated[tuple(a)], treated[tuple(b)]
        cross = ta != tb
        if not cross.any():
            continue
        pa, pb = phi[tuple(a)][cross], phi[tuple(b)][cross]
        # treated side has φ ≥ 0, intact φ < 0; a pixel forced treated (crater) may have φ < 0:
        # fall back to the midpoint there
        with np.errstate(divide="ignore", invalid="ignore"):
            f = pa / (pa - pb)
        f = np.where(np.isfinite(f) & (f >= 0) & (f <= 1), f, 0.5)
        iy, ix = np.nonzero(cross)
        if axis == 1:
            x = xs[ix] + f * (xs[1] - xs[0])
            y = ys[iy]
        else:
            x = xs[ix]
            y = ys[iy] + f * (ys[1] - ys[0])
        pts.append(np.stack([x, y], 1))
    return np.concatenate(pts) if pts else np.zeros((0, 2))


def island_distances(zones0, omega0, ablated0, xs, ys):
    """Sub-pixel distances to the edge between treated and intact epidermis.

    Returns
    -------
    d_treated : ndarray
        Distance [m] from each treated pixel centre to the nearest intact skin (the distance
        keratinocytes migrate to close the wound).
    d_intact : ndarray
        Distance [m] from each intact pixel centre to the nearest treated skin (how far the
        islands reach).
    n_islands : int
        Connected regions of intact epidermis (4-connected).
    """
    treated = zones0 > ZONES["heat_shock"]
    intact = ~treated
    n_islands = int(ndimage.label(intact)[1]) if intact.any() else 0
    if not (treated.any() and intact.any()):
        return np.zeros(0), np.zeros(0), n_islands
    phi = _level(omega0, ablated0)
    edge = edge_points(treated, phi, xs, ys)
    tree = cKDTree(edge)
    gy, gx = np.nonzero(treated)
    d_t, _ = tree.query(np.stack([xs[gx], ys[gy]], 1))
    gy, gx = np.nonzero(intact)
    d_i, _ = tree.query(np.stack([xs[gx], ys[gy]], 1))
    return d_t, d_i, n_islands


def distinct_sites(pattern, res) -> np.ndarray:
    """Distinct MTZ sites [m] (n, 2): firings closer than res/1000 are one site."""
    q = 1e-3 * res
    sites = np.unique(np.round(np.stack([pattern.x, pattern.y], 1) / q).astype(np.int64), axis=0)
    return sites.astype(float) * q


def merging_and_rings(zones, sites, xs, ys, res):
    """Fraction of sites whose coagulated region joins another site's, and the mean ring
    thickness [m] (equivalent-circle radius of the coagulated minus the ablated pixels
    owned by each site, at every map depth)."""
    n_mtz = sites.shape[0]
    if n_mtz == 0:
        return 0.0, 0.0
    ix = np.clip(np.round((sites[:, 0] - xs[0]) / res).astype(int), 0, xs.size - 1)
    iy = np.clip(np.round((sites[:, 1] - ys[0]) / res).astype(int), 0, ys.size - 1)
    merged = np.zeros(n_mtz, bool)
    thick = []
    tree = cKDTree(sites)
    for z in zones:
        coag = z >= ZONES["coagulated"]
        if not coag.any():
            continue
        lab, _ = ndimage.label(coag)
        site_lab = lab[iy, ix]
        good = site_lab > 0
        counts = np.bincount(site_lab[good], minlength=lab.max() + 1)
        merged |= good & (counts[site_lab] > 1)
        yy, xx = np.nonzero(coag)
        _, owner = tree.query(np.stack([xs[xx], ys[yy]], 1))
        n_all = np.bincount(owner, minlength=n_mtz)
        n_abl = np.bincount(owner, weights=(z[yy, xx] == ZONES["ablated"]).astype(float), minlength=n_mtz)
        has = n_abl > 0
        if has.any():
            thick.append(np.sqrt(n_all[has] * res**2 / np.pi) - np.sqrt(n_abl[has] * res**2 / np.pi))
    return float(merged.mean()), (float(np.mean(np.concatenate(thick))) if thick else 0.0)


def area_contraction(omega_collagen, ablated) -> float:
    """Immediate area contraction [-] from collagen shrinkage, depth-averaged over the map depths:
    1 − mean((1 − s)²) with s the linear shrinkage (:func:`mtzsim.physics.damage.collagen_linear_shrinkage`)."""
    shrink = _damage.collagen_linear_shrinkage(omega_collagen.astype(float))
    shrink = np.where(ablated, 0.0, shrink).mean(axis=0)
    return float(1.0 - np.mean((1.0 - shrink) ** 2))


def slab_thickness(depths) -> np.ndarray:
    """Thickness [m] of the slab each map depth stands for (midpoints between depths)."""
    d = np.asarray(depths, float)
    if d.size == 1:
        return np.array([2 * d[0]]) if d[0] > 0 else np.array([0.0])
    mid = 0.5 * (d[1:] + d[:-1])
    lo = np.concatenate([[0.0], mid])
    hi = np.concatenate([mid, [d[-1] + (d[-1] - mid[-1])]])
    return hi - lo


def coagulated_volume(omega_collagen, depths, res) -> float:
    """Ω_collagen ≥ 1 volume [m³]: pixel area × slab thickness, summed over the map depths."""
    return float(((omega_collagen >= 1).sum(axis=(1, 2)) * res**2 * slab_thickness(depths)).sum())


def median_or(values, empty: float) -> float:
    """Median of ``values``, or ``empty`` when there are none."""
    return float(np.median(values)) if np.size(values) else empty


def histogram(d, res, n_bins=40):
    """Counts and bin centres [m] of the distances ``d`` (bins from 0 to the largest)."""
    top = max(float(d.max()) if d.size else res, res) * 1.0001
    edges = np.linspace(0, top, n_bins + 1)
    hist, _ = np.histogram(d, bins=edges)
    return hist, 0.5 * (edges[1:] + edges[:-1])


__all__ = ["ZONES", "classify", "coverage", "island_distances", "edge_points", "distinct_sites",
           "merging_and_rings", "area_contraction", "slab_thickness", "coagulated_volume", "median_or",
           "histogram"]
