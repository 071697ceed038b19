"""Trends of issue 8 that any ablation model must show (measured numbers in the xfail reasons)."""

import numpy as np
import pytest

from mtzsim.physics.laser import make_beam
from mtzsim.physics.mtz import LossModel, Numerics, simulate_mtz

#: heat_step 0.05 (the default): a cell overshoots the ablation enthalpy by at most 5 % in one
#: step (at 0.2 the overshoot moved the 30 mJ crater by two 5 µm cells between 30 and 60 W)
CO2_NUM = Numerics(cell=5e-6, cooling_time=0.5, heat_step=0.05)
ERYAG_NUM = Numerics(cell=2e-6, cooling_time=0.3)


@pytest.fixture(scope="module")
def co2_power_sweep():
    """30 mJ, 120 µm, at 15, 30 and 60 W peak power (2, 1, 0.5 ms): the ms regime of fractional CO2."""
    return [simulate_mtz(make_beam("co2", energy=30e-3, spot_diameter=120e-6, peak_power=p), numerics=CO2_NUM)
            for p in (15.0, 30.0, 60.0)]


def test_co2_depth_never_falls_with_peak_power(co2_power_sweep):
    """Issue 8: at fixed energy and spot, ms CO2 craters do not get shallower as the peak power rises.

    The calibrated plume shields the same fraction at any irradiance (ejecta speed follows the
    front) and less heat is conducted away during a shorter pulse. Measured 2026-11-30 (vent at
    the crater's mouth, each ray shielded down to its own floor): 410 -> 415 -> 415 um and 5.24 -> 5.63 ->
    5.97 ug at 15/30/60 W (415 um and 2.34 -> 2.45 ug when the axis's plume path shielded the whole beam).
    """
    depths = [r.ablation_depth for r in co2_power_sweep]
    assert all(b >= a for a, b in zip(depths, depths[1:]))
    mass = [r.ablated_mass for r in co2_power_sweep]
    assert all(b >= a for a, b in zip(mass, mass[1:]))


def test_co2_plume_shields_the_same_fraction_at_any_peak_power(co2_power_sweep):
    """The recoil-driven column does not depend on the ablation rate: a 4× rise in peak power changes the
    shielded fraction by < 3 % of itself (measured 2026-11-30: 0.509, 0.519, 0.521 at 15/30/60 W; with the
    axis's optical depth applied to the whole beam 0.825, 0.825, 0.824). Each ray is shielded down to its
    own floor, so the fraction follows the crater's profile, which the pulse duration moves by a cell or two.
    Stage 1's law, which grew with the irradiance (I_p·W(I/I_p)), made the crater 521 → 376 → 256 µm deep
    over the same three powers."""
    f = [r.energy.plume_loss / r.beam.energy for r in co2_power_sweep]
    assert max(f) - min(f) < 0.03 * min(f)


def test_residual_damage_shrinks_with_peak_power(co2_power_sweep):
    """Shorter pulses at fixed energy leave a thinner coagulated wall (less conduction during the pulse).

    The mean lateral thickness of the coagulated wall (middle half of the crater, an average
    over many cells, so finer than one cell) measured 2026-11-30 with the adopted record (per-ray
    plume path, κ = 0.069, Er:YAG µa(T)): 11.5 -> 8.1 -> 6.3 um at 15/30/60 W on the 5 um grid
    (5.5 -> 5.1 -> 4.8 um with the stage-2 record). The coagulation below the floor stays at
    90-95 um: the beam reaches through the desiccated layer over the floor (κ), whatever the power.
    """
    wall = [r.coagulation_thickness for r in co2_power_sweep]
    assert all(b < a for a, b in zip(wall, wall[1:]))


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


@pytest.fixture(scope="module")
def eryag_calibrated():
    """Er:YAG, 250 µm spot, 250 µs, 4/8/16 J/cm², with the CO2-calibrated model (held out)."""
    return [simulate_mtz(make_beam("eryag", fluence=f, spot_diameter=250e-6), numerics=ERYAG_NUM)
            for f in (4e4, 8e4, 16e4)]


def test_eryag_specific_ablation_with_the_calibrated_plume(eryag_calibrated):
    """Walsh & Deutsch 1989's 540 µg/J ±25 % (issue 8) at 8 and 16 J/cm² (measured 572 and 560 µg/J).

    The craters are shallower than their mouth radius: they vent freely and the plume does not shield.
    """
    for r in eryag_calibrated[1:]:
        assert r.specific_ablation * 1e9 == pytest.approx(540.0, rel=0.25)


def test_eryag_depth_is_linear_in_fluence_with_the_calibrated_plume(eryag_calibrated):
    """Hibst & Kaufmann 1991: linear in radiant exposure, through the CO2-calibrated plume.

    The walls confine the ejecta only below one radius of the crater's own mouth (losses.py):
    the Er:YAG craters stay shallower than their mouth radius and vent freely. Measured
    2026-11-30: 42, 78, 152 µm at 4/8/16 J/cm² (step ratio 2.06); with the vent at one beam
    radius (the stage-2 rule) the 16 J/cm² crater passed 125 µm and was shielded: 130 µm (1.44).
    """
    d = [r.ablation_depth for r in eryag_calibrated]
    # ±15 %: equal fluence ratio steps (4 -> 8 -> 16) give depth steps in the ratio 2 for a linear law
    assert (d[2] - d[1]) / (d[1] - d[0]) == pytest.approx(2.0, rel=0.15)


def test_residual_damage_grows_with_pulse_duration():
    """Same Er:YAG fluence at 50 µs and 1 ms: the longer pulse leaves a thicker coagulated wall (measured 2.0 vs 7.0 µm
    with water's absorption following its temperature; 0.3 vs 4.3 µm at the 25 °C absorption)."""
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


def test_co2_residual_damage_under_the_floor_grows_beyond_a_millisecond():
    """At fixed energy and spot a 10 ms CO2 exposure leaves more collagen damage under the crater floor than a 1 ms one.

    Fresh pig skin, 0.25-10 ms Gaussian CO2 pulses: "pulse durations > 1 ms were associated with ... localized
    increased thermal damage" (CO2PulseDurationPigSkin, params/data/mtz_literature_validation.csv; qualitative:
    the abstract gives no um values, energy or spot, so 50 mJ on the 200 um spot of the CW rows is assumed).
    Measured 2026-12-01 with the adopted record (H&E): 74.4 um at 1 ms, 95.0 um at 10 ms (99.2 um before the record
    was refitted with the diverging rays followed onto the walls).
    """
    margin = []
    for tau in (1e-3, 10e-3):
        h = simulate_mtz(make_beam("co2", energy=50e-3, spot_diameter=200e-6, pulse_duration=tau)).histology
        margin.append(h.coagulation_depth - h.ablation_depth)
    assert margin[1] > margin[0] + 5e-6 / 1.21  # more than one 5 um cell of the H&E view


@pytest.mark.slow  # 11.0 s of the default run on 2 cores (2026-12-02 13:26, which took 10:17 in all)
@pytest.mark.xfail(strict=True, reason=(
    "measured 2026-12-01 with the adopted record (H&E crater, 120 um, 30 W): 388 um at 37 mJ, 1211 um at 380 mJ, "
    "exponent 0.49 (393 / 1203 um, 0.48, before the diverging rays were followed onto the walls and the record "
    "refitted). The plume's dense zone switches on once the crater is deeper than its mouth's radius and its "
    "far zone grows with the channel's depth, so the efficiency falls with depth; a zone of fixed length that "
    "shields a constant fraction follows the law (66 / 306 / 579 / 1050 / 1752 um at 5 / 37 / 80 / 190 / 380 mJ) "
    "but fails Walsh's CW margin and the wide tips (docs/mtz_calibration_notes.md, the guided-light and fixed-zone bullets)"))
def test_co2_crater_depth_grows_nearly_in_proportion_to_the_energy():
    """From 37 to 380 mJ on a 120 um-class fractional CO2 spot the crater deepens as E^p with p >= 0.7.

    Held-out evidence (params/data/mtz_literature_validation.csv, never fitted): swine channels 300 / 1400 /
    2100 um at 37 / 190 / 380 mJ (AFXLChannelDepthSwine, p = 0.84; spot and pulse not stated) and the eCO2 120 um
    tip, 520 -> 900 um from 80 to 160 mJ (eCO2SpotSize, p = 0.79). 0.7 lies below both.
    """
    d = [simulate_mtz(make_beam("co2", energy=e, spot_diameter=120e-6, peak_power=30.0)).histology.ablation_depth
         for e in (37e-3, 380e-3)]
    assert np.log(d[1] / d[0]) / np.log(380.0 / 37.0) >= 0.7
