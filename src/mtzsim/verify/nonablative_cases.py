"""Held-out validation cases of the 1.55 µm non-ablative MTZ: Bedi 2007's H&E depth and width at the top energy.

:func:`register` adds them to :data:`mtzsim.verify.validation.CASES` under the model ``mtz``
(``mtzsim validate`` lists them as held out: nothing in the 1.55 µm path is fitted). The numbers
and the reference text are in ``params/data/mtz_1550_histology.csv``; rows whose ``kind`` is
``none`` (Manstein 2004's typical MTZ, no energy given) are kept as sanity ranges, not cases.
The model side: :func:`mtzsim.physics.mtz.simulate_mtz` on the 1.55 µm preset beam (140 µm
waist and beam quality M² = 1: assumptions, the abstracts give neither; 30 W peak power, the Fraxel's
rated power (RahmanAlamDover), so 1.3 ms at 40 mJ), H&E view with
Marqa & Mordon's shrinkage. The interval over the uncertain optics
(:func:`mtzsim.physics.mtz.source.optics_intervals`) is in the rows' notes.

References
----------
.. [1] Bedi VP et al. Lasers Surg Med 39 (2007) 145–155. doi:10.1002/lsm.20406
.. [2] Manstein D et al. Lasers Surg Med 34 (2004) 426–438. doi:10.1002/lsm.20048
"""

from __future__ import annotations

from functools import lru_cache

from mtzsim.params import tables

#: Spot of the 1.55 µm preset [m] (params/presets.py, nonablative-fractional-1550nm; assumption).
PRESET_SPOT = 140e-6


def rows() -> list[dict]:
    """The rows of ``mtz_1550_histology.csv``."""
    return tables.rows("mtz_1550_histology.csv")


@lru_cache(maxsize=None)
def _histology(energy: float) -> dict:
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import histology_view, simulate_mtz

    return histology_view(simulate_mtz(make_beam("erglass", energy=energy, spot_diameter=PRESET_SPOT)))


def register() -> None:
    """Add the held-out 1.55 µm cases (once: a registry that already holds them is left as it is)."""
    from mtzsim.verify.validation import CASES, case

    have = {c.name for c in CASES}
    for row in rows():
        if row["kind"] == "none":
            continue
        quantity = row["quantity"].removeprefix("histology_")
        name = f"{row['source']} 1.55 um {row['energy_mj']} mJ: H&E {quantity.replace('_', ' ')}"
        if name in have:
            continue
        energy = float(row["energy_mj"]) * 1e-3
        note = f"{row['note']}; tolerance: {row['tolerance_reason']}"
        case(name=name, model="mtz", quantity=f"{quantity.replace('_', ' ')} (histology)", unit="um",
             measured=float(row["measured_um"]), tolerance=float(row["tolerance"]), source=row["source"],
             kind=row["kind"], fitted=False, note=note)(lambda e=energy, q=quantity: _histology(e)[q] * 1e6)


__all__ = ["register", "rows"]
