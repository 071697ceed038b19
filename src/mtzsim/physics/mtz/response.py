"""Thermal response of one MTZ tabulated for superposition in a treatment field."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mtzsim.pipeline.contract import quantity


@dataclass(frozen=True)
class ThermalResponse:
    """Temperature rise of one MTZ, tabulated for superposition in a treatment field.

    ``rise[i, j, k]`` is T − T_body [K] at time ``t[i]`` (from the start of the first
    pulse), radius ``r[j]`` and depth ``z[k]`` (cell centres, [m], z = 0 at the skin
    surface, positive into the skin). ``void[j, k]`` marks ablated cells (crater).
    ``residual_heat[j, k]`` is the heat per volume left in the tissue at the end of the
    last pulse, once the steam has left [J/m³], with ``t_end_pulse`` [s]; ``heat_content`` [J]
    is its integral (what the tissue receives; the hot desiccated wall layer included).
    With a cooled skin surface (:mod:`mtzsim.physics.mtz.surface_cooling`) the rise is measured
    from the cooled skin without the laser, and ``baseline[i, k]`` is that skin's temperature [K]
    at depth ``z[k]``, ``baseline_t[i]`` after the first pulse fires (the coolant stays on; None:
    body temperature everywhere, at all times).
    """

    t: np.ndarray = quantity("s", "times of the table from the start of the first pulse", kind="array")
    r: np.ndarray = quantity("m", "radii of the table (cell centres)", kind="array")
    z: np.ndarray = quantity("m", "depths of the table below the skin surface (cell centres)", kind="array")
    rise: np.ndarray = quantity("K", "temperature rise above body temperature (t, r, z)", kind="array")
    void: np.ndarray = quantity("", "ablated cells (r, z) of the table", kind="array")
    residual_heat: np.ndarray = quantity("J/m3", "heat per volume left at the end of the last pulse (r, z), full grid",
                                         kind="array")
    t_end_pulse: float = quantity("s", "end of the last pulse")
    heat_content: float = quantity("J", "heat the tissue holds at the end of the last pulse", display="mJ")
    diffusivity: float = quantity("m2/s", "representative thermal diffusivity of the dermis")
    volumetric_heat_capacity: float = quantity("J/(m3 K)", "ρc of the dermis")
    baseline: np.ndarray | None = quantity("K", "temperature of the cooled skin without the laser (baseline_t, z) "
                                           "(None: body temperature)", kind="array", default=None)
    baseline_t: np.ndarray | None = quantity("s", "times of the baseline table after the first pulse fires",
                                             kind="array", default=None)
