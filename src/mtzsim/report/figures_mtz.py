"""Figures of one MTZ: a cross-section drawn like a histology section."""

from __future__ import annotations

import numpy as np

from mtzsim.constants import ZERO_CELSIUS

#: Zone colours, histology-like: H&E pink tissue, darker eosinophilic coagulum, etc.
ZONE_COLOURS = {
    0: "#f4c6d0",  # untouched dermis (H&E pink)
    1: "#f7e08a",  # heat shock (sublethal)
    2: "#e59a6b",  # lethal (cells dead, collagen intact)
    3: "#8c2d4a",  # coagulated collagen
    4: "#ffffff",  # ablated (void)
}
_LASER_NAMES = {"co2": "CO2 10.6 µm", "eryag": "Er:YAG 2.94 µm", "erglass": "Er:glass 1.55 µm"}
ZONE_LABELS = {4: "ablated crater", 3: "coagulated (Ω_collagen ≥ 1)", 2: "lethal (cells dead)", 1: "heat shock (HSP70 induced)", 0: "untouched"}


def plot_mtz_section(result, ax=None, *, depth_limit=None, width_limit=None, show_layers=True):
    """Cross-section of one MTZ, mirrored about the beam axis, with zones over the skin layers.

    Parameters
    ----------
    result : MTZResult
    ax : matplotlib Axes, optional
    depth_limit, width_limit : float, optional
        Extent shown [m]; default from the heat-shock zone.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    from mtzsim.physics.tissue import get_tissue

    ds = result.dataset
    r = ds["r"].values
    z = ds["z"].values
    zone = ds["zone"].values  # (nr, nz)
    h = float(ds.attrs["cell_m"])
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 5.2), dpi=120)
    depth = depth_limit or min(z[-1], max(result.heat_shock_depth, result.ablation_depth) * 1.25 + 100e-6)
    width = width_limit or min(r[-1], max(result.heat_shock_radius * 1.3, result.beam.radius * 2, depth * 0.45))
    full = np.concatenate([zone[::-1, :], zone], axis=0).T  # (nz, 2 nr)
    extent_r = np.concatenate([-r[::-1], r])
    cmap = ListedColormap([ZONE_COLOURS[i] for i in range(5)])
    ax.imshow(
        full,
        cmap=cmap,
        vmin=-0.5,
        vmax=4.5,
        extent=(extent_r[0] * 1e6 - h * 5e5, extent_r[-1] * 1e6 + h * 5e5, z[-1] * 1e6 + h * 5e5, 0),
        interpolation="nearest",
        aspect="equal",
    )
    if show_layers:
        tissue = get_tissue("face")
        zb = 0.0
        for layer in tissue.layers[:-1]:
            zb += layer.thickness
            if zb < depth:
                ax.axhline(zb * 1e6, color="#6b3b52", lw=0.6, ls=":", alpha=0.7)
                ax.text(-width * 1e6 * 0.98, zb * 1e6 - 4, layer.name, fontsize=7, color="#6b3b52", va="bottom")
    ax.set_xlim(-width * 1e6, width * 1e6)
    ax.set_ylim(depth * 1e6, -20)
    ax.set_xlabel("distance from beam axis [µm]")
    ax.set_ylabel("depth below skin surface [µm]")
    b = result.beam
    coolant = getattr(result, "surface_cooling", None)
    cooled = "" if coolant is None else f", {coolant.kind} cooling at {coolant.temperature - ZERO_CELSIUS:.3g} °C"
    ax.set_title(
        f"{_LASER_NAMES.get(b.laser, b.laser)}, {b.energy*1e3:.3g} mJ, {b.spot_diameter*1e6:.0f} µm spot, "
        f"{b.pulse_duration*1e3:.3g} ms" + (f" ×{b.stack}" if b.stack > 1 else "")
        + (f"{cooled}\n" if cooled else " ") + "(true aspect, crater white)",
        fontsize=10,
    )
    # scale bar: 100 µm
    bar = 100.0
    x0 = width * 1e6 * 0.55
    y0 = depth * 1e6 * 0.94
    ax.plot([x0, x0 + bar], [y0, y0], color="k", lw=3)
    ax.text(x0 + bar / 2, y0 - depth * 1e6 * 0.015, "100 µm", ha="center", va="bottom", fontsize=8)
    present = sorted(set(np.unique(zone).tolist()) - {0}, reverse=True)
    handles = [Patch(facecolor=ZONE_COLOURS[i], edgecolor="#555", label=ZONE_LABELS[i]) for i in present]
    handles.append(Patch(facecolor=ZONE_COLOURS[0], edgecolor="#555", label="untouched skin"))
    ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9)
    return ax


def save_mtz_figure(result, path) -> None:
    """Write the cross-section to a PNG file."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 5.4), dpi=130)
    plot_mtz_section(result, ax=ax)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
