"""Memory and time a field simulation will need, estimated before any compute, and the refusal above a limit.

The estimate counts the arrays the field holds at its peak (per map pixel and depth: the
damage integrals, peak temperature, crater flags and zones, plus the point kernel's
working arrays for one depth and the morphometry of the epidermal map; the spectral
background: its modes and the read-out on the coarse grid at every step) and the
operations of the two costly stages (point kernel per pixel and depth; background per step
and per hand-off, each over all modes). The per-item constants were measured with
``benchmarks/run.py field`` on the 2-core development machine (see benchmarks/README.md);
they are approximations (stated as such in the refusal).
"""

from __future__ import annotations

from dataclasses import dataclass

from mtzsim.errors import ModelDomainError

#: Default memory limit [B] of one field simulation. Assumption: half of the 8 GB of a
#: common laptop; raise it with ``simulate_field(..., max_memory=...)``.
DEFAULT_MAX_MEMORY = 4e9

#: Bytes per map pixel per depth held to the end (Ω float32 × 3, peak float32, crater and
#: zone bytes) and per pixel for one depth at a time (coordinates, float64 Ω × 3, peak,
#: flags) and for the epidermal morphometry (level function, edge distances, KD-tree).
BYTES_PER_PIXEL_DEPTH = 18 + 24  # + shrinkage/classification temporaries of the summary
BYTES_PER_PIXEL = 16 + 24 + 8 + 3 + 80
#: Bytes per firing (pattern arrays, bins, dataset copies).
BYTES_PER_FIRING = 100
#: Baseline of the process (Python, numpy, scipy, xarray, numba) [B], measured ≈ 250 MB.
BASELINE_BYTES = 250e6

#: Time per pixel and depth in the point kernel [s] (measured ≈ 1 µs at 5 % coverage on 2 cores).
SECONDS_PER_PIXEL_DEPTH = 1.0e-6
#: Time per background mode per step or per hand-off [s] (einsum over all modes; measured ≈ 2 ns).
SECONDS_PER_MODE_UPDATE = 2.0e-9


class FieldTooLarge(ModelDomainError):
    """A field whose estimated memory exceeds the limit; ``field`` names the setting to change.

    A :class:`~mtzsim.errors.ModelDomainError` (a ValueError, the core's error); the edge (CLI, scenario runs) turns it into
    ``InputError(err.field, err.message)`` (exit code 2).
    """

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True)
class FieldCost:
    """Estimated cost of one field simulation."""

    pixels: int  # map pixels per depth
    n_depths: int  # map depths + cross-section rows (cross-section rows count as one row of pixels each)
    n_firings: int
    background_modes: int
    n_steps: int
    memory: float  # [B]
    time: float  # [s]

    def describe(self) -> str:
        """One line for people."""
        return (f"about {self.memory / 1e9:.2g} GB and {self.time:.2g} s ({self.pixels:.3g} pixels × {self.n_depths} "
                f"depths, {self.n_firings} firings, {self.background_modes:.3g} background modes × "
                f"{self.n_steps} steps)")


def estimate_field_cost(*, nx_pixels, ny_pixels, n_depths, n_cs_rows, n_firings, box, n_steps) -> FieldCost:
    """Estimate memory [B] and time [s] from the map grid, the firings and the background's size.

    Parameters
    ----------
    nx_pixels, ny_pixels : int
        Map pixels along x and y.
    n_depths : int
        En-face map depths.
    n_cs_rows : int
        Rows of the cross-section (each one row of ``nx_pixels``).
    n_firings : int
        Firings of the pattern.
    box : mtzsim.physics.field.background.Box
        The background's box (modes nx × ny × nz).
    n_steps : int
        Read-out steps of the background.
    """
    pixels = int(nx_pixels) * int(ny_pixels)
    modes = box.nx * box.ny * box.nz
    mem = (BASELINE_BYTES + pixels * (BYTES_PER_PIXEL + n_depths * BYTES_PER_PIXEL_DEPTH)
           + nx_pixels * n_cs_rows * BYTES_PER_PIXEL_DEPTH + n_firings * BYTES_PER_FIRING
           + 3 * modes * 8  # modes, decay factors, wavenumbers² (float64)
           + n_steps * box.nx * (n_depths * box.ny + n_cs_rows) * 4  # read-out on the coarse grid (float32)
           + 2 * n_depths * box.nx * box.ny * 3 * 8)  # background-only Ω per slot
    time = ((pixels * n_depths + nx_pixels * n_cs_rows) * SECONDS_PER_PIXEL_DEPTH
            + (n_steps + n_firings) * modes * SECONDS_PER_MODE_UPDATE)
    return FieldCost(pixels=pixels, n_depths=int(n_depths), n_firings=int(n_firings), background_modes=int(modes),
                     n_steps=int(n_steps), memory=float(mem), time=float(time))


def check_field_cost(cost: FieldCost, spec, resolution, max_memory) -> None:
    """Refuse (:class:`FieldTooLarge`, a ValueError naming ``pattern.area``) when the estimated memory
    exceeds ``max_memory`` [B]."""
    if max_memory is not None and cost.memory > max_memory:
        raise FieldTooLarge(
            "pattern.area",
            f"a {spec.width * 1e3:g} mm × {spec.height * 1e3:g} mm field at "
            f"{resolution * 1e6:g} µm resolution needs {cost.describe()}, over the memory limit of "
            f"{max_memory / 1e9:.2g} GB; treat a smaller area (the pattern repeats), use a coarser resolution or "
            "fewer depths, or raise the limit (simulate_field(..., max_memory=...))")
