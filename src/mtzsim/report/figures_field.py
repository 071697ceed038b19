"""Figures of a treated field: en-face damage map, cross-section, bulk temperature, island distances.

Conventions of every field figure: the zones use the one palette of :mod:`mtzsim.report.figures_mtz`
(crater white, never black that reads as char); cross-sections are drawn at their true aspect
ratio (1 mm across = 1 mm down); legends sit outside the data; the skin layers are labelled;
titles name the laser as "CO2 10.6 µm, 15 mJ".
"""

from __future__ import annotations

import math

import numpy as np

from mtzsim.report.figures_mtz import ZONE_COLOURS as _PALETTE
from mtzsim.units import kelvin_to_celsius

#: Zone colours by code of mtzsim.physics.damage.ZONES (0 untouched … 4 ablated): the MTZ palette.
ZONE_COLOURS = [_PALETTE[i] for i in range(5)]
ZONE_LABELS = ["untouched", "heat shock (HSP70)", "lethal (cells dead)", "coagulated (collagen)", "ablated crater"]

#: Width of the cross-section shown at true aspect ratio [m] (assumption: a few pitches is what
#: the eye can read at 1:1 beside a 0.6 mm depth).
CROSS_SECTION_WIDTH = 2e-3


def _axes(ax, figsize=(6.4, 4.2)):
    if ax is None:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def _zone_cmap():
    from matplotlib.colors import BoundaryNorm, ListedColormap

    return ListedColormap(ZONE_COLOURS), BoundaryNorm(np.arange(-0.5, 5.5), 5)


def _legend_outside(ax):
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=c, edgecolor="#555", label=l) for c, l in zip(ZONE_COLOURS, ZONE_LABELS)]
    ax.legend(handles=handles[::-1], fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
              frameon=False)


def _title(result, what):
    laser = getattr(result, "laser", "") or result.dataset.attrs.get("laser", "")
    return f"{laser}\n{what}" if laser else what


def _layers():
    """(name, top, bottom) [m] of the face skin layers above 1 mm."""
    from mtzsim.physics.tissue import get_tissue

    out, top = [], 0.0
    for layer in get_tissue("face").layers:
        out.append((layer.name, top, top + layer.thickness))
        top += layer.thickness
    return out


def _layer_of(depth):
    for name, top, bottom in _layers():
        if top <= depth < bottom:
            return name
    return "deeper"


def plot_enface(result, depth_index=0, ax=None, *, window=None):
    """En-face zone map at ``depths[depth_index]`` (x, y in mm); ``window`` [m] crops to a centred square."""
    ax = _axes(ax)
    ds = result.dataset
    z = ds["zone"].isel(depth=depth_index)
    if window is not None:
        z = z.where((abs(ds.x) <= window / 2) & (abs(ds.y) <= window / 2), drop=True)
    cmap, norm = _zone_cmap()
    x, y = z.x.values * 1e3, z.y.values * 1e3
    h = (x[1] - x[0]) / 2 if x.size > 1 else 0.005
    ax.imshow(z.values, origin="lower", extent=[x[0] - h, x[-1] + h, y[0] - h, y[-1] + h], cmap=cmap, norm=norm,
              interpolation="nearest")
    ax.set_aspect("equal")
    ax.set_xlabel("x [mm]")
    ax.set_ylabel("y [mm]")
    d = float(ds.depth[depth_index])
    ax.set_title(_title(result, f"damage zones at {d * 1e6:.0f} µm depth ({_layer_of(d)})"), fontsize=10)
    _legend_outside(ax)
    return ax


def plot_cross_section(result, ax=None, *, width=CROSS_SECTION_WIDTH):
    """Zones in the vertical plane through the central spot, at true aspect ratio, with the skin layers."""
    ax = _axes(ax)
    ds = result.dataset
    cmap, norm = _zone_cmap()
    x, z = ds.x.values, ds.z.values
    keep = np.abs(x) <= width / 2
    xs = x[keep] * 1e3
    zone = ds["zone_xz"].values[:, keep]
    hx = (x[1] - x[0]) / 2 * 1e3 if x.size > 1 else 0.005
    hz = (z[1] - z[0]) / 2 * 1e3 if z.size > 1 else float(z[0]) * 1e3
    bottom = z[-1] * 1e3 + hz
    ax.imshow(zone, origin="upper", extent=[xs[0] - hx, xs[-1] + hx, bottom, 0.0], cmap=cmap, norm=norm,
              interpolation="nearest")
    ax.set_aspect("equal")  # true aspect ratio: 1 mm across = 1 mm down
    prev = -math.inf
    for name, top, bot in _layers():
        if top * 1e3 >= bottom:
            break
        if top > 0:
            ax.axhline(top * 1e3, color="#333", lw=0.6, ls=":")
        # labels at the layer's middle, pushed down to keep thin layers' labels apart
        mid = max(0.5 * (top + min(bot, bottom * 1e-3)) * 1e3, prev + 0.07 * bottom)
        prev = mid
        ax.annotate(name, xy=(1.0, mid), xycoords=("axes fraction", "data"), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=6.5, annotation_clip=False)
    ax.set_xlabel("x [mm]")
    ax.set_ylabel("depth [mm]")
    ax.set_title(_title(result, f"cross-section at y = {ds.attrs['cross_section_y_m'] * 1e3:.2f} mm "
                                "(true aspect ratio)"), fontsize=10)
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=c, edgecolor="#555", label=l) for c, l in zip(ZONE_COLOURS, ZONE_LABELS)]
    ax.legend(handles=handles[::-1], fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=3,
              frameon=False)
    return ax


def plot_bulk_temperature(result, ax=None):
    """Area-mean temperature of the treated area over time, one curve per map depth (and its layer) [°C]."""
    ax = _axes(ax)
    ds = result.dataset
    t = ds.time.values
    for i, d in enumerate(ds.depth.values):
        line, = ax.plot(t, kelvin_to_celsius(ds["bulk_temperature"].values[i]),
                        label=f"{d * 1e6:.0f} µm, {_layer_of(d)}: area mean")
        if "local_bulk_temperature" in ds:
            ax.plot(t, kelvin_to_celsius(ds["local_bulk_temperature"].values[i]), ls="--", color=line.get_color(),
                    lw=0.9, label=f"{d * 1e6:.0f} µm: hottest 3 × 3-pitch window")
    ax.set_xlabel("time from the first firing [s]")
    ax.set_ylabel("temperature [°C]")
    ax.set_title(_title(result, "heat accumulation over the scan"), fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False)
    return ax


def plot_island_histogram(result, ax=None):
    """Distances between treated and intact epidermis [µm]: from each treated point to the nearest
    intact skin (how far the wound must close) and from each intact point to the nearest treated skin
    (how far the islands reach); y: area of epidermis [mm²]."""
    ax = _axes(ax)
    ds = result.dataset
    px_mm2 = result.resolution**2 * 1e6

    def bars(count, bin_name, colour, label, alpha):
        c = ds[bin_name].values * 1e6
        w = (c[1] - c[0]) if c.size > 1 else 1.0
        # area per µm of distance, so that the two series (different bin widths) compare
        ax.bar(c, ds[count].values * px_mm2 / w, width=w, color=colour, alpha=alpha, label=label)

    if "island_reach_count" in ds:
        bars("island_reach_count", "island_reach_bin", "#6a8caf", "intact → nearest treated skin", 0.55)
        if np.isfinite(getattr(result, "median_intact_distance", np.nan)):
            ax.axvline(result.median_intact_distance * 1e6, color="#33557a", ls=":", lw=1.2,
                       label="median, intact → treated")
    bars("island_count", "island_bin", ZONE_COLOURS[3], "treated → nearest intact skin", 0.85)
    if np.isfinite(result.median_island_distance):
        ax.axvline(result.median_island_distance * 1e6, color="k", ls="--", lw=1, label="median, treated → intact")
    ax.set_xlabel("distance between treated and intact epidermis [µm]")
    ax.set_ylabel(f"epidermis area per µm [mm²/µm]\nat {result.depths[0] * 1e6:.0f} µm depth")
    ax.set_title(_title(result, "islands of intact skin"), fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False)
    return ax


def save_field_figures(result, out_dir) -> list:
    """Write the four field figures as PNG files into ``out_dir``; return their paths."""
    import pathlib

    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fn, size in (("field_enface.png", plot_enface, (7.2, 4.8)),
                           ("field_cross_section.png", plot_cross_section, (7.2, 4.0)),
                           ("field_bulk_temperature.png", plot_bulk_temperature, (8.0, 4.0)),
                           ("field_islands.png", plot_island_histogram, (8.0, 4.0))):
        fig, ax = plt.subplots(figsize=size)
        fn(result, ax=ax)
        fig.savefig(out / name, dpi=120, bbox_inches="tight")
        plt.close(fig)
        paths.append(out / name)
    return paths
