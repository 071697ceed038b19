"""Figures of a treated field: en-face damage map, cross-section, bulk temperature, island histogram."""

from __future__ import annotations

import numpy as np

#: Colours of the damage zones (codes of mtzsim.physics.damage.ZONES: 0 untouched … 4 ablated).
ZONE_COLOURS = ["#f3e3d3", "#f6c85f", "#e07b39", "#b03a2e", "#2b2b2b"]
ZONE_LABELS = ["untouched", "heat shock", "lethal", "coagulated", "ablated"]


def _axes(ax):
    if ax is None:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 4.2))
    return ax


def _zone_cmap():
    from matplotlib.colors import BoundaryNorm, ListedColormap

    return ListedColormap(ZONE_COLOURS), BoundaryNorm(np.arange(-0.5, 5.5), 5)


def _legend(ax):
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=c, label=l) for c, l in zip(ZONE_COLOURS, ZONE_LABELS)], fontsize=7,
              loc="upper right", framealpha=0.8)


def plot_enface(result, depth_index=0, ax=None, *, window=None):
    """En-face zone map at ``depths[depth_index]`` (x, y in mm); ``window`` [m] crops to a centred square."""
    ax = _axes(ax)
    ds = result.dataset
    z = ds["zone"].isel(depth=depth_index)
    if window is not None:
        z = z.where((abs(ds.x) <= window / 2) & (abs(ds.y) <= window / 2), drop=True)
    cmap, norm = _zone_cmap()
    x, y = z.x.values * 1e3, z.y.values * 1e3
    ax.imshow(z.values, origin="lower", extent=[x[0], x[-1], y[0], y[-1]], cmap=cmap, norm=norm,
              interpolation="nearest")
    ax.set_xlabel("x [mm]")
    ax.set_ylabel("y [mm]")
    ax.set_title(f"Damage zones at {float(ds.depth[depth_index]) * 1e6:.0f} µm depth")
    _legend(ax)
    return ax


def plot_cross_section(result, ax=None):
    """Zones in the vertical plane through the central row of spots (x in mm, depth in µm)."""
    ax = _axes(ax)
    ds = result.dataset
    cmap, norm = _zone_cmap()
    x, z = ds.x.values * 1e3, ds.z.values * 1e6
    ax.imshow(ds["zone_xz"].values, origin="upper", aspect="auto", extent=[x[0], x[-1], z[-1], z[0]], cmap=cmap,
              norm=norm, interpolation="nearest")
    ax.set_xlabel("x [mm]")
    ax.set_ylabel("depth [µm]")
    ax.set_title(f"Cross-section at y = {ds.attrs['cross_section_y_m'] * 1e3:.2f} mm")
    _legend(ax)
    return ax


def plot_bulk_temperature(result, ax=None):
    """Area-mean temperature of the treated area over time, one curve per map depth [°C]."""
    ax = _axes(ax)
    ds = result.dataset
    t = ds.time.values
    for i, d in enumerate(ds.depth.values):
        ax.plot(t, ds["bulk_temperature"].values[i] - 273.15, label=f"{d * 1e6:.0f} µm")
    ax.set_xlabel("time [s]")
    ax.set_ylabel("bulk temperature [°C]")
    ax.set_title("Heat accumulation over the scan")
    ax.legend(fontsize=8)
    return ax


def plot_island_histogram(result, ax=None):
    """Histogram of distances from treated epidermis to the nearest intact epidermis [µm]."""
    ax = _axes(ax)
    ds = result.dataset
    c = ds.island_bin.values * 1e6
    width = (c[1] - c[0]) if c.size > 1 else 1.0
    ax.bar(c, ds["island_count"].values * result.resolution**2 * 1e6, width=width, color="#b03a2e")
    ax.axvline(result.median_island_distance * 1e6, color="k", ls="--", lw=1, label="median")
    ax.set_xlabel("distance to intact epidermis [µm]")
    ax.set_ylabel("treated area [mm²]")
    ax.set_title("Islands of intact skin")
    ax.legend(fontsize=8)
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
    for name, fn in (("field_enface.png", plot_enface), ("field_cross_section.png", plot_cross_section),
                     ("field_bulk_temperature.png", plot_bulk_temperature),
                     ("field_islands.png", plot_island_histogram)):
        fig, ax = plt.subplots(figsize=(5.5, 4.5))
        fn(result, ax=ax)
        fig.tight_layout()
        fig.savefig(out / name, dpi=120)
        plt.close(fig)
        paths.append(out / name)
    return paths
