"""The damage-zone palette: one set of codes, names, labels and colours for every figure and file.

Codes are those of :data:`mtzsim.physics.damage.ZONES` (0 untouched … 4 ablated) and the CF
``flag_values``/``flag_meanings`` of ``fields.nc``. Colours follow H&E histology (pink dermis,
dark coagulated collagen); the ablated crater is drawn white (empty space), never black, which
reads as char. Figure modules take their colours from here.
"""

from __future__ import annotations

#: Zone names by code (code = index), as in damage.ZONES and the netCDF flag_meanings.
ZONE_NAMES = ("untouched", "heat_shock", "lethal", "coagulated", "ablated")

#: Labels for legends, by code.
ZONE_LABELS = ("untouched", "heat shock (HSP70 induced)", "lethal (cells dead)", "coagulated (Ω_collagen ≥ 1)",
               "ablated crater")

#: Colours by code: H&E pink, pale yellow, orange, dark wine; the crater white.
ZONE_COLOURS = ("#f4c6d0", "#f7e08a", "#e59a6b", "#8c2d4a", "#ffffff")

#: The crater: white fill with a thin grey edge so it shows on white paper.
CRATER_COLOUR = ZONE_COLOURS[4]
CRATER_EDGE = "#555555"


def zone_colormap():
    """``(cmap, norm)`` for ``imshow``/``pcolormesh`` of a zone-code map."""
    import numpy as np
    from matplotlib.colors import BoundaryNorm, ListedColormap

    return ListedColormap(list(ZONE_COLOURS)), BoundaryNorm(np.arange(-0.5, len(ZONE_COLOURS) + 0.5), len(ZONE_COLOURS))


__all__ = ["CRATER_COLOUR", "CRATER_EDGE", "ZONE_COLOURS", "ZONE_LABELS", "ZONE_NAMES", "zone_colormap"]
