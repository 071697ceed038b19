"""Fields of one MTZ as an xarray Dataset (CF-style units and long names)."""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np


def build_dataset(grid, beam, void, Omega, keys, Tmax, residual_heat, zone, probes, probe_t, probe_T, attrs: dict,
                  losses):
    """The (r, z) fields, the probe temperature histories and the run's attributes."""
    import xarray as xr

    ds = xr.Dataset(
        {
            "ablated": (("r", "z"), void, {"long_name": "ablated (crater) cells", "units": "1"}),
            "peak_temperature": (("r", "z"), np.where(void, np.nan, Tmax),
                                 {"units": "K", "long_name": "peak temperature of remaining tissue"}),
            "residual_heat": (("r", "z"), residual_heat,
                              {"units": "J m-3", "long_name": "heat per volume at the end of the pulse"}),
            **{f"omega_{k}": (("r", "z"), Omega[i], {"units": "1", "long_name": f"Arrhenius damage integral, {k}"})
               for i, k in enumerate(keys)},
            "zone": (("r", "z"), zone, {"long_name": "damage zone", "flag_values": [0, 1, 2, 3, 4],
                                        "flag_meanings": "untouched heat_shock lethal coagulated ablated"}),
            "probe_temperature": (("time", "probe"), np.asarray(probe_T).reshape(len(probe_t), len(probes)),
                                  {"units": "K", "long_name": "temperature at the probe points"}),
        },
        coords={
            "r": ("r", grid.r, {"units": "m", "long_name": "radius"}),
            "z": ("z", grid.z, {"units": "m", "long_name": "depth below the skin surface"}),
            "time": ("time", np.asarray(probe_t, float), {"units": "s", "long_name": "time from the first pulse"}),
            "probe": ("probe", [f"r={p[0]*1e6:.0f}um,z={p[1]*1e6:.0f}um" for p in probes]),
        },
        attrs={
            "laser": beam.laser,
            "energy_J": beam.energy,
            "spot_diameter_m": beam.spot_diameter,
            "pulse_duration_s": beam.pulse_duration,
            "stack": beam.stack,
            "cell_m": grid.h,
            "loss_model": json.dumps(asdict(losses), default=str),
            "zones": "0 untouched, 1 heat shock, 2 lethal, 3 coagulated, 4 ablated",
            **attrs,
        },
    )
    return ds


def probe_points(grid, beam):
    """Probe cells: on the axis at 50, 150, 300, 600 µm depth and at 2 w0 and 4 w0 from the axis at 100 µm."""
    pts = [(0.0, 50e-6), (0.0, 150e-6), (0.0, 300e-6), (0.0, 600e-6), (2 * beam.radius, 100e-6), (4 * beam.radius, 100e-6)]
    out = []
    for rr, zz in pts:
        j = min(grid.nr - 1, int(rr / grid.h))
        k = min(grid.nz - 1, int(zz / grid.h))
        out.append((rr, zz, j, k))
    return out
