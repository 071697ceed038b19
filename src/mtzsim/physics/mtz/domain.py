"""Grid and model-domain guards of the single-MTZ solver: spacing, extent, and what it refuses."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

from mtzsim.errors import ModelDomainError
from mtzsim.physics.heat import axisym as heat
from mtzsim.physics.laser import Beam
from mtzsim.physics.tissue import Tissue

#: The 1/e² spot diameter must span at least this many cells; a coarser grid is refined
#: (assumption: 6 cells resolve the Gaussian's half-width to within a few % in depth, checked
#: by the grid-convergence test at 24 cells per 120 µm spot).
MIN_CELLS_PER_SPOT = 6
#: Finest cell the solver refines to [m]; a spot that needs finer is refused (the grid would
#: exceed :data:`MAX_CELLS`).
MIN_CELL = 0.5e-6
#: Largest grid [cells] (about 100 MB of state at 8 damage fields).
MAX_CELLS = 3_000_000
#: Deepest and widest domain the solver grows to [m] before it refuses.
MAX_DEPTH = 6e-3
MAX_MARGIN = 4e-3
#: Longest pulse of a fractional device [s] (assumption: the longest in the device presets is
#: 10 ms; 100 ms is kept as the edge of the model's tested range). Longer pulses warn.
LONGEST_PULSE = 0.1


@dataclass(frozen=True)
class Numerics:
    """Grid and time-stepping options (SI)."""

    cell: float = 5e-6  # grid spacing h [m]
    radial_margin: float = 1.0e-3  # tissue beyond the beam radius [m]
    depth: float | None = None  # domain depth [m]; default from the fluence
    cooling_time: float = 3.0  # longest simulated time after the pulse [s]
    settle_omega: float = 1e-3  # stop cooling once no Ω can grow by more than this [-]
    # max fraction of the ablation enthalpy deposited per step: a cell overshoots the ablation
    # enthalpy by at most this much (0.2 moved a 30 mJ crater by two 5 µm cells between 30 and 60 W;
    # 0.05 changes an 80 mJ crater by < 1.3 % from 0.2 and costs < 10 % more time, 2026-11-30)
    heat_step: float = 0.05
    dt_growth: float = 1.15  # growth of the implicit cooling step
    dt_cool_max: float = 0.05  # longest cooling step [s]
    dt_wall_max: float = 0.005  # longest cooling step while desiccated (> 100 °C) cells remain [s]
    response_stride: int = 2  # subsampling of the tabulated response
    grow_domain: bool = True  # grow the domain and re-run when damage reaches its boundary
    light_photons: int = 1_000_000  # Monte Carlo packets of a scattering (1.55 µm) beam
    light_seed: int = 0  # their random seed
    # pulse segments of a scattering (1.55 µm) beam: from the second on, the map is recomputed from the cells' own
    # absorption (water left, water's temperature law); 1: one map of the wet tissue at body temperature for the
    # pulse, whose light a boiling cell lets through goes down its column (numerics choice: 4 is within one 10 µm
    # cell of 8 and 16 at 5-70 mJ, benchmarks/README.md "1.55 µm MTZ")
    light_updates: int = 4
    light_update_photons: int = 250_000  # Monte Carlo packets of each recomputed map
    light_optics: object = None  # source.LightOptics of a 1.55 µm beam (focus, M², scattering); None: the preset's


def check_inputs(beam: Beam, numerics: Numerics) -> Numerics:
    """Refine the grid for small spots, refuse what the grid cannot resolve, warn on odd pulses.

    Raises
    ------
    ModelDomainError
        (a ValueError naming ``laser.spot``) When the spot needs cells finer than :data:`MIN_CELL`.
    """
    if beam.pulse_duration > LONGEST_PULSE:
        warnings.warn(
            f"pulse duration {beam.pulse_duration:g} s is beyond any fractional device (≤ {LONGEST_PULSE:g} s); "
            "the explicit pulse phase will take long (a typo for ms?)", stacklevel=3)
    need = beam.spot_diameter / MIN_CELLS_PER_SPOT
    if numerics.cell > need:
        if need < MIN_CELL:
            raise ModelDomainError("laser.spot",
                f"spot_diameter {beam.spot_diameter*1e6:.3g} um is too small for the single-MTZ grid: it needs cells "
                f"of {need*1e6:.2g} um (finest {MIN_CELL*1e6:g} um, {MIN_CELLS_PER_SPOT} cells per spot)")
        warnings.warn(f"grid refined from {numerics.cell*1e6:g} um to {need*1e6:.3g} um cells so that the "
                      f"{beam.spot_diameter*1e6:.3g} um spot spans {MIN_CELLS_PER_SPOT} cells", stacklevel=3)
        numerics = replace(numerics, cell=need)
    return numerics


def build_grid(beam: Beam, tissue: Tissue, numerics: Numerics) -> heat.AxisymmetricGrid:
    """The (r, z) grid: beam radius plus a margin wide; deep enough for the crater and its damage.

    The default depth is that of the steady-state crater with no losses plus 0.6 mm of heated
    tissue and 5 absorption lengths, at least 0.6 mm, at most 2.5 mm at first (the solver
    grows it when damage reaches the bottom, up to :data:`MAX_DEPTH`).
    """
    h = numerics.cell
    radius = beam.radius + numerics.radial_margin
    if numerics.depth is not None:
        depth = numerics.depth
    else:
        mua = tissue.dermis.absorption(beam.laser)
        e_per_area = beam.peak_fluence * beam.stack
        depth = min(2.5e-3, max(0.6e-3, 0.7 * e_per_area / tissue.dermis.ablation_enthalpy() + 0.6e-3 + 5.0 / mua))
    nr, nz = int(math.ceil(radius / h)), int(math.ceil(depth / h))
    if nr * nz > MAX_CELLS:
        raise ModelDomainError("numerics.mtz_cell", f"the single-MTZ grid would need {nr}x{nz} cells (> {MAX_CELLS}); "
                               f"use a coarser cell than {h*1e6:.3g} um or a smaller domain")
    return heat.AxisymmetricGrid(nr=nr, nz=nz, h=h)


def reaches_boundary(mask, *, margin_cells: int = 2) -> tuple[bool, bool]:
    """Whether a (r, z) mask comes within ``margin_cells`` of the far radial / deep boundary."""
    import numpy as np

    m = np.asarray(mask, bool)
    return bool(m[-margin_cells:, :].any()), bool(m[:, -margin_cells:].any())


def grown(numerics: Numerics, grid: heat.AxisymmetricGrid, radial: bool, deep: bool) -> Numerics:
    """Numerics with the domain 1.6× deeper and/or wider, or :class:`~mtzsim.errors.ModelDomainError` (``laser.energy``) past the limits."""
    depth = grid.nz * grid.h
    margin = numerics.radial_margin
    if deep:
        depth *= 1.6
        if depth > MAX_DEPTH * 1.6 - 1e-12 or grid.nz * grid.h >= MAX_DEPTH:
            raise ModelDomainError("laser.energy", f"the damage reaches {grid.nz*grid.h*1e3:.2f} mm below the surface, "
                                   f"the deepest domain the single-MTZ solver holds ({MAX_DEPTH*1e3:g} mm): energy or "
                                   "stacking beyond its range")
        depth = min(depth, MAX_DEPTH)
    if radial:
        if margin >= MAX_MARGIN:
            raise ModelDomainError("laser.energy", f"the damage reaches the radial edge of the single-MTZ domain "
                                   f"({MAX_MARGIN*1e3:g} mm beyond the beam): energy or stacking beyond its range")
        margin = min(margin * 1.6, MAX_MARGIN)
    return replace(numerics, depth=depth, radial_margin=margin)
