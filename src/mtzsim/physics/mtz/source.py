"""Where one microbeam's light is absorbed: the deposition map of a scattering beam (1.55 µm).

At 10.6 and 2.94 µm water absorbs so strongly that the beam is absorbed in columns below the
current crater floor (Beer–Lambert, done inside the pulse kernel as the crater deepens). At
1.55 µm scattering matters and nothing ablates, so the deposition is one fixed map per beam:
:func:`deposition_map` returns it in W/m³ per W of laser power (= absorbed energy density per
unit pulse energy, 1/m³) on the cells of the grid, or ``None`` for the column model.

The hook for Monte Carlo light transport is :data:`DEPOSITION_MAPS`: a function
``(grid, beam, tissue, props) -> ndarray (nr, nz) [1/m³]`` per laser. The Fermi–Eyges
small-angle beam below is the stage-1 model; ``mtzsim.physics.montecarlo.absorbed_fraction_map
(beam, tissue, r_edges, z_edges, *, photons, seed)`` has the same meaning and plugs in with
:func:`monte_carlo_map` (``DEPOSITION_MAPS["erglass"] = monte_carlo_map``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

#: Er:glass 1.55 µm reduced scattering coefficient of dermis [1/m]. Assumption (stage 1, no
#: source in the package data): 1000 1/m, the order used for dermis in the near infrared;
#: to be replaced by the sourced optical properties of the Monte Carlo module.
ERGLASS_REDUCED_SCATTERING = 1000.0


def fermi_eyges_map(grid, beam, tissue, props) -> np.ndarray:
    """Deposition [W/m³ per W] of a forward-scattering Gaussian beam (Fermi–Eyges small-angle spread).

    The projected angle variance grows by µs' per unit length, so the lateral variance per
    axis of a pencil beam is µs' z³/3 and the 1/e² radius (w = 2σ) grows as
    w(z)² = w0² + (4/3) µs' z³; photons are lost to absorption only, P(z) = P exp(−∫µa dz).

    References
    ----------
    .. [1] Eyges L. Multiple scattering with energy loss. Phys Rev 74 (1948) 1534.
    """
    r = grid.r[:, None]
    mua = props.mua[0]
    optical = np.concatenate([[0.0], np.cumsum(mua * grid.h)])
    absorbed = np.exp(-optical[:-1]) - np.exp(-optical[1:])  # fraction absorbed in each layer of cells
    zc = grid.z[None, :]
    w2 = beam.radius**2 + (4.0 / 3.0) * ERGLASS_REDUCED_SCATTERING * zc**3
    lateral = 2.0 / (np.pi * w2) * np.exp(-2.0 * r**2 / w2)  # [1/m²], integrates to 1 over the plane
    return lateral * absorbed[None, :] / grid.h


def monte_carlo_map(grid, beam, tissue, props, *, photons: int = 200_000, seed: int = 1) -> np.ndarray:
    """Deposition [1/m³] from Monte Carlo light transport on the grid's cell edges."""
    from mtzsim.physics.montecarlo import absorbed_fraction_map  # provided by the Monte Carlo module

    r_edges = np.arange(grid.nr + 1) * grid.h
    z_edges = np.arange(grid.nz + 1) * grid.h
    return np.asarray(absorbed_fraction_map(beam, tissue, r_edges, z_edges, photons=photons, seed=seed), float)


#: Deposition map per laser; lasers not listed use Beer–Lambert columns in the pulse kernel.
DEPOSITION_MAPS: dict[str, Callable] = {"erglass": fermi_eyges_map}


def deposition_map(grid, beam, tissue, props) -> np.ndarray | None:
    """The fixed deposition map [W/m³ per W] of a scattering beam, or None (absorbed in columns)."""
    make = DEPOSITION_MAPS.get(beam.laser)
    if make is None:
        return None
    q = np.asarray(make(grid, beam, tissue, props), float)
    if q.shape != (grid.nr, grid.nz):
        raise RuntimeError(f"deposition map of shape {q.shape}, expected {(grid.nr, grid.nz)}")
    return q
