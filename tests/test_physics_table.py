"""The physics table's healing maps (clinic/physics_table.py): random columns standing in for a scanner's lattice."""

import math
from dataclasses import replace

import numpy as np
import pytest

from mtzsim.clinic import physics_table as pt
from mtzsim.constants import DAY


def _lattice_like(wm, coverage: float, diameter: float, seed: int):
    """``wm`` with its wound disks moved onto a hexagonal lattice of the same open area (a scanner's single pass:
    disks of diameter ``diameter`` at a number density coverage / (π r²), so none overlap), at a random offset."""
    from mtzsim.biology.healing import stamp_disks

    ny, nx = wm.wound.shape
    rad = diameter / 2 / wm.pixel_size
    pitch = math.sqrt(2 * math.pi * rad**2 / (math.sqrt(3) * coverage))
    oy, ox = np.random.default_rng(seed).uniform(0, pitch, 2)
    cy, cx = [], []
    for row, y in enumerate(np.arange(oy, ny, pitch * math.sqrt(3) / 2)):
        for x in np.arange(ox + (pitch / 2 if row % 2 else 0.0), nx, pitch):
            cy.append(y)
            cx.append(x)
    wound = stamp_disks((ny, nx), cy, cx, rad)
    return replace(wm, wound=wound, ablated=wound.copy(), depth=np.where(wound, wm.depth.max(), 0.0))


@pytest.mark.parametrize("coverage", [0.1, 0.25, 0.4])
def test_random_columns_heal_as_a_lattice_of_the_same_open_area(coverage):
    """The healing nodes place a session's columns at random (Poisson disks whose union covers the coverage); a
    scanner fires a lattice. On the table's maps and seeds, a fractional CO2 wound's lattice of the same open area
    heals alike: measured 2026-12-02 with the 20 mJ preset's 180 µm basal wound, downtime 4.90 / 7.59 / 14.19 d
    (random) against 4.90 / 7.36 / 13.56 d (lattice) at 10 / 25 / 40 %, 95 % closure 3.54–3.65 against 3.54 d.
    The lattice's pixel disks cover up to 2 points less of the map than the random ones (38.6 against 40.7 % at
    40 %), which is most of the difference, so the tolerance is 6 % (largest measured 4.5 %) and 0.2 d."""
    from mtzsim.biology.healing import simulate_healing, synthetic_wound_map

    n, px = pt.HEALING_MAP
    d, depth = 180e-6, 300e-6  # the 20 mJ CO2 preset's basal wound diameter and volume-equivalent depth (299 µm)
    random, lattice = [], []
    for seed in pt.HEALING_SEEDS:
        wm = synthetic_wound_map((n, n), px, coverage=coverage, spot_diameter=d, regime="fractional",
                                 wound_depth=depth, seed=seed)
        for maps, m in ((random, wm), (lattice, _lattice_like(wm, coverage, d, seed))):
            h = simulate_healing(m, site="cheek", surrogate=True, n_draws=8, seed=seed)
            maps.append((h.downtime_days, h.reepithelialization_days_95))
    (down_r, t95_r), (down_l, t95_l) = np.mean(random, axis=0), np.mean(lattice, axis=0)
    assert down_l == pytest.approx(down_r, rel=0.06)
    assert abs(t95_l - t95_r) < 0.2 * DAY
