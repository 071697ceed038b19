"""Trends of issue 8 that any ablation model must show (measured numbers in the xfail reasons)."""

import numpy as np
import pytest

from mtzsim.physics.laser import make_beam
from mtzsim.physics.mtz import LossModel, Numerics, simulate_mtz

CO2_NUM = Numerics(cell=5e-6, cooling_time=0.5)
ERYAG_NUM = Numerics(cell=2e-6, cooling_time=0.3)


@pytest.fixture(scope="module")
def co2_power_sweep():
    """30 mJ, 120 µm, at 15, 30 and 60 W peak power (2, 1, 0.5 ms): the ms regime of fractional CO2."""
    return [simulate_mtz(make_beam("co2", energy=30e-3, spot_diameter=120e-6, peak_power=p), numerics=CO2_NUM)
            for p in (15.0, 30.0, 60.0)]


@pytest.mark.xfail(strict=True, reason="measured 2026-11-30 with the recoil-driven channel plume (shielding independent "
                   "of the ablation rate): 365 -> 365 -> 355 um at 15/30/60 W, a fall of two cells (was 600 -> 465 -> 350 um "
                   "with a constant clearing speed); not yet explained")
def test_co2_depth_never_falls_with_peak_power(co2_power_sweep):
    depths = [r.ablation_depth for r in co2_power_sweep]
    assert all(b >= a - 5e-6 for a, b in zip(depths, depths[1:]))  # one cell


def test_residual_damage_shrinks_with_peak_power(co2_power_sweep):
    """Shorter pulses at fixed energy leave less coagulated tissue below the crater (thermal confinement)."""
    residual = [r.coagulation_depth - r.ablation_depth for r in co2_power_sweep]
    assert residual[-1] <= residual[0]  # measured 35 -> 30 -> 30 um


@pytest.fixture(scope="module")
def eryag_no_plume():
    """Er:YAG, 250 µm spot, 250 µs, 4/8/16 J/cm², the enthalpy core with the plume off."""
    return [simulate_mtz(make_beam("eryag", fluence=f, spot_diameter=250e-6), losses=LossModel(ablation_temperature=473.15),
                         numerics=ERYAG_NUM) for f in (4e4, 8e4, 16e4)]


def test_eryag_depth_is_linear_in_fluence_above_threshold(eryag_no_plume):
    """Hibst & Kaufmann 1991: crater depth linear in radiant exposure; equal fluence steps give equal depth steps."""
    d = [r.ablation_depth for r in eryag_no_plume]
    assert (d[2] - d[1]) / (d[1] - d[0]) == pytest.approx(2.0, rel=0.15)  # 2 cells of 2 µm in ~36 µm


def test_eryag_specific_ablation_near_walsh_deutsch(eryag_no_plume):
    """Walsh & Deutsch 1989: 540 µg/J for skin (params ablation data); ±25 % (issue 8) at 8 and 16 J/cm²."""
    for r in eryag_no_plume[1:]:
        assert r.specific_ablation * 1e9 == pytest.approx(540.0, rel=0.25)


@pytest.mark.xfail(strict=True, reason="measured 2026-11-30 with the CO2-calibrated channel plume (phi_near 0.58 over "
                   "one beam radius): 15 ug/J at 8 J/cm2 (81-94 % of the beam absorbed by the ejecta at 4-16 J/cm2); "
                   "Er:YAG ejecta leave at ~1400 m/s (Walsh & Deutsch 1991 Appl Phys B 52:217) and hot water absorbs "
                   "less at 2.94 um: neither is in the model yet")
def test_eryag_specific_ablation_with_the_calibrated_plume():
    r = simulate_mtz(make_beam("eryag", fluence=8e4, spot_diameter=250e-6), numerics=ERYAG_NUM)
    assert r.specific_ablation * 1e9 == pytest.approx(540.0, rel=0.25)


def test_residual_damage_grows_with_pulse_duration():
    """Same Er:YAG fluence at 50 µs and 1 ms: the longer pulse leaves a thicker coagulated wall (measured 0.3 vs 4.3 µm)."""
    short, long_ = (simulate_mtz(make_beam("eryag", fluence=8e4, spot_diameter=250e-6, pulse_duration=tau),
                                 losses=LossModel(ablation_temperature=473.15), numerics=ERYAG_NUM)
                    for tau in (50e-6, 1e-3))
    assert long_.coagulation_thickness > short.coagulation_thickness + 2e-6  # one cell


def test_small_spot_is_refined_or_refused():
    with pytest.warns(UserWarning, match="refined"):
        r = simulate_mtz(make_beam("co2", energy=1e-3, spot_diameter=20e-6), numerics=Numerics(cell=5e-6, cooling_time=0.2))
    assert r.dataset.attrs["cell_m"] <= 20e-6 / 6 + 1e-12
    with pytest.raises(ValueError, match="spot_diameter"):
        simulate_mtz(make_beam("co2", energy=1e-3, spot_diameter=1e-6))


def test_very_long_pulse_warns():
    from mtzsim.physics.mtz.domain import check_inputs

    with pytest.warns(UserWarning, match="beyond any fractional device"):
        check_inputs(make_beam("co2", energy=80e-3, spot_diameter=120e-6, pulse_duration=10.0), Numerics())


def test_damage_at_the_domain_bottom_grows_the_domain():
    """A domain too shallow for 40 mJ is grown until the damage sits inside it."""
    r = simulate_mtz(make_beam("co2", energy=40e-3, spot_diameter=120e-6),
                     numerics=Numerics(cell=10e-6, depth=300e-6, cooling_time=0.2))
    nz = r.dataset.sizes["z"]
    assert nz * 10e-6 > 300e-6
    assert not np.any(r.dataset["zone"].values[:, -2:] > 0)
