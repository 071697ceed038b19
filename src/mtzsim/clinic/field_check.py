"""Heat build-up of a planned session: the field engine run on one scanned tile at a plan's own settings.

The planner's physics table spreads one wound per setting over the skin by its coverage and adds the islands
its scan's heat kills, from the field engine sampled at points of the basal layer
(:func:`mtzsim.clinic.physics_table.heat_killed`). At high densities and energies the residual heat of many
columns adds up (bulk heating), and the islands between them can die too: the session is then one confluent
wound. This check runs the whole engine on the same scan and reports its maps' numbers. The
field engine (:func:`mtzsim.physics.field.simulate_field`: each firing's tabulated rise superposed
with the exact Pennes background of the handed-off heat) computes this for a scan, so the check runs
it on one tile of the treatment at the plan's energy, spot, stack, density and passes and reports
the open basal layer (cells dead at the dermo-epidermal junction: the wound the healing stage closes,
as the chain and the planner read it), the treated coverage of the engine's epidermal map at 20 µm
(ablated, coagulated or lethal, its own summary), the bulk temperatures and whether any living basal
layer is left between the columns.

The scan is the table's (:func:`mtzsim.clinic.physics_table.scan_of`): a 1 cm × 1 cm tile, hexagonal lattice
fired in random order at 250 Hz, passes :data:`~mtzsim.clinic.physics_table.SCAN_PASS_DELAY` apart. These are
assumptions, not a device's (the rate is within 20 % of the one sourced scanner's, Deep FX at 300 Hz:
:func:`~mtzsim.clinic.physics_table.scan_of`): a longer pause between passes, a slower scanner or surface cooling
leaves the islands cooler; a smaller tile fired as fast leaves them hotter (passes back to back: a 6 mm tile heats
the 1.55 µm 10 mJ, 20 % × 3 plan's bulk to 81.9 °C against 73.8 °C on 1 cm, 2026-12-01).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

from mtzsim.clinic.physics_table import FRACTIONAL_LASERS
from mtzsim.constants import ZERO_CELSIUS
from mtzsim.pipeline.contract import quantity


@dataclass(frozen=True)
class FieldCheck:
    """The field engine's verdict on one tile of a planned session (SI)."""

    basal_coverage: float = quantity("1", "open basal layer: area fraction whose cells die at the dermo-epidermal "
                                     "junction (the healing stage's wound)", display="%")
    coverage_treated: float = quantity("1", "area fraction of the engine's epidermal map (20 µm) ablated, coagulated "
                                       "or lethal", display="%")
    max_bulk_temperature: float = quantity("K", "hottest area-mean temperature of the tile", display="degC")
    max_local_bulk_temperature: float = quantity("K", "hottest mean over windows of a few pitches", display="degC")
    islands_left: bool = quantity("", "whether living basal layer is left between the columns", kind="category")
    median_island_distance: float = quantity("m", "median distance from treated epidermis to the nearest intact "
                                             "epidermis on the engine's epidermal map (inf when none is left)",
                                             display="um")
    tile: float = quantity("m", "side of the simulated square tile", display="mm")
    rep_rate: float = quantity("1/s", "scanner firing rate of the tile", display="Hz")
    firings: int = quantity("1", "firings on the tile (sites × passes)", kind="count")
    pass_delay: float = quantity("s", "pause between two passes", default=0.0)

    def to_dict(self) -> dict:
        dist = self.median_island_distance
        return {"basal_coverage_pct": 100 * self.basal_coverage, "coverage_treated_pct": 100 * self.coverage_treated,
                "max_bulk_temperature_c": self.max_bulk_temperature - ZERO_CELSIUS,
                "max_local_bulk_temperature_c": self.max_local_bulk_temperature - ZERO_CELSIUS,
                "islands_left": self.islands_left,
                "median_island_distance_um": dist * 1e6 if math.isfinite(dist) else None,
                "tile_mm": self.tile * 1e3, "rep_rate_hz": self.rep_rate, "firings": self.firings,
                "pass_delay_s": self.pass_delay}


def describe(check: dict, table_coverage_pct: float) -> str:
    """One line for the CLI from :meth:`FieldCheck.to_dict`, beside the table's coverage [%] of the same setting."""
    left = "living basal layer left between the columns" if check["islands_left"] else "no living basal layer left"
    return (f"field check ({check['tile_mm']:g} mm tile, {check['rep_rate_hz']:g} Hz, passes "
            f"{check['pass_delay_s']:g} s apart): open basal "
            f"layer {check['basal_coverage_pct']:.1f} % (table: {table_coverage_pct:.1f} %), bulk "
            f"{check['max_bulk_temperature_c']:.0f} °C (hottest window {check['max_local_bulk_temperature_c']:.0f} °C), "
            f"{left}")


def field_check(wound: dict, density: float, passes: int, *, tile: float | None = None,
                pass_delay: float | None = None) -> FieldCheck:
    """Run the field engine on one tile of a fractional laser session.

    Parameters
    ----------
    wound : dict
        A laser node's wound (:func:`mtzsim.clinic.physics_table.laser_wound`: ``laser``, ``energy`` [J],
        ``spot`` [m], ``stack``, ``stack_delay`` [s]).
    density : float
        Spot-area coverage of one pass [-].
    passes : int
        Passes over the tile, ``pass_delay`` apart.
    tile : float, optional
        Side of the square tile [m]; default the field engine's treated rectangle (1 cm).
    pass_delay : float, optional
        Pause between passes [s]; default the table's (:data:`mtzsim.clinic.physics_table.SCAN_PASS_DELAY`).

    Returns
    -------
    FieldCheck
    """
    from mtzsim.biology.healing import wound_map_from_field
    from mtzsim.clinic.physics_table import basal_depth, scan_of, wound_beam
    from mtzsim.physics.field import simulate_field
    from mtzsim.physics.field.simulate import DEFAULT_DEPTHS
    from mtzsim.physics.mtz import simulate_mtz

    if "laser" not in wound:
        raise ValueError("wound: the field check needs a laser wound (a needle channel deposits no laser heat)")
    if not (0 < density <= 1):
        raise ValueError(f"density: must be a coverage in (0, 1], got {density!r}")
    spec = scan_of(wound, density, passes)
    side = spec.width if tile is None else float(tile)
    spec = replace(spec, width=side, height=side, **({} if pass_delay is None else {"pass_delay": float(pass_delay)}))
    beam = wound_beam(wound)
    basal = basal_depth()
    # a map at the basal layer, where the healing stage reads the wound (as the scenario's field options add it)
    depths = (DEFAULT_DEPTHS[0],) + tuple(sorted(DEFAULT_DEPTHS[1:] + (basal,)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the result keeps its warnings; the check reports islands itself
        f = simulate_field(simulate_mtz(beam), spec, depths=depths)
    open_basal = float(wound_map_from_field(f, basal_depth=basal).wound.mean())
    return FieldCheck(basal_coverage=open_basal, coverage_treated=float(f.coverage_treated),
                      max_bulk_temperature=float(f.max_bulk_temperature),
                      max_local_bulk_temperature=float(f.max_local_bulk_temperature), islands_left=open_basal < 1.0,
                      median_island_distance=float(f.median_island_distance), tile=side, rep_rate=spec.rep_rate,
                      firings=int(f.n_firings), pass_delay=spec.pass_delay)


__all__ = ["FRACTIONAL_LASERS", "FieldCheck", "describe", "field_check"]
