"""Scars: Jacob classification, MTZ reach and geometric tether-cut probability."""

import math

import numpy as np
import pytest

from mtzsim.clinic.scars import Scar, classify, jacob_table, reach_fraction, tether_cut_probability


def test_jacob_table_packaged_with_sources():
    rows = jacob_table()
    cats = {r["category"] for r in rows}
    assert {"icepick", "boxcar, shallow", "boxcar, deep", "rolling"} <= cats
    assert all(r["source"] for r in rows)
    box = next(r for r in rows if r["category"] == "boxcar, deep")
    assert float(box["depth_mm_low"]) == 0.5  # Jacob: deep boxcar >= 0.5 mm


def test_classify_boxcar_at_half_millimetre():
    assert classify("boxcar", 0.3e-3) == "boxcar_shallow"
    assert classify("boxcar", 0.5e-3) == "boxcar_deep"
    assert classify("rolling", 0.3e-3) == "rolling"
    with pytest.raises(ValueError, match="unknown scar type"):
        classify("keloid", 1e-3)


@pytest.mark.parametrize("kw", [dict(kind="pitted"), dict(depth=0.0), dict(width=-1e-3), dict(count=0)])
def test_bad_scar_refused(kw):
    args = dict(kind="icepick", width=1e-3, depth=1e-3, count=1) | kw
    with pytest.raises(ValueError):
        Scar(**args)


def test_shallow_mtz_reaches_less_of_a_deep_boxcar():
    shallow, deep = 0.2e-3, 0.8e-3
    assert reach_fraction(deep, 0.3e-3) == 1.0
    assert reach_fraction(shallow, 0.3e-3) > reach_fraction(shallow, 0.7e-3)
    assert reach_fraction(shallow, 0.7e-3) < reach_fraction(deep, 0.7e-3)


def test_tether_cut_probability_matches_monte_carlo():
    """Boolean model: P(an MTZ centre within r_c + r_t of the tether) = 1 − exp(−λ π (r_c + r_t)²)."""
    lam, r_c, r_t = 4.0e6, 60e-6, 100e-6  # MTZs per m², crater and tether radii [m]
    p = tether_cut_probability(lam, r_c, 1e-3, tether_radius=r_t, tether_thickness=0.2e-3)
    rng = np.random.default_rng(0)
    side, trials, hits = 2e-3, 4000, 0
    for _ in range(trials):
        n = rng.poisson(lam * side**2)
        xy = rng.uniform(-side / 2, side / 2, (n, 2))
        hits += bool(n) and bool((np.hypot(xy[:, 0], xy[:, 1]) < r_c + r_t).any())
    sd = math.sqrt(p * (1 - p) / trials)
    assert hits / trials == pytest.approx(p, abs=4 * sd)  # 4 binomial sd
    # an MTZ that does not reach through the band cuts it only in proportion
    assert tether_cut_probability(lam, r_c, 0.1e-3, tether_radius=r_t, tether_thickness=0.2e-3) == pytest.approx(p / 2)
