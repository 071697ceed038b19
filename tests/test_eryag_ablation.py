"""Er:YAG ablation against published rates (params/data/eryag_ablation.csv)."""


import pytest

from mtzsim.params import tables
from mtzsim.physics.laser import make_beam
from mtzsim.physics.mtz import LossModel, Numerics, simulate_mtz


#: 1 mm spot (craters shallower than its radius, as a wide Er:YAG beam makes), 4 µm cells
WIDE = Numerics(cell=4e-6, cooling_time=0.3, radial_margin=0.5e-3)
FLUENCES = (4e4, 8e4, 16e4)  # mean fluence 4, 8, 16 J/cm²


@pytest.fixture(scope="module")
def wide_spot():
    """Er:YAG, 1 mm spot, 250 µs, 4/8/16 J/cm², calibrated model (held out of the CO2 fit)."""
    return [simulate_mtz(make_beam("eryag", fluence=f, spot_diameter=1e-3), numerics=WIDE) for f in FLUENCES]


def test_wide_spot_depth_is_linear_in_fluence_with_the_calibrated_plume(wide_spot):
    """Hibst & Kaufmann 1991: crater depth exactly linear in radiant exposure at 1 Hz.

    With craters shallower than their mouth radius the ejecta vent freely and the calibrated
    plume does not shield (the 250 µm spot, test_mtz_trends.py, as well). Measured 2026-11-30:
    40, 76, 152 µm (steps 36 and 76 µm, ratio 2.11; linear: 2). Their spot is not in the
    abstract: 1 mm is an assumption (laboratory Er:YAG beams of the time were mm-wide).
    """
    d = [r.ablation_depth for r in wide_spot]
    assert (d[2] - d[1]) / (d[1] - d[0]) == pytest.approx(2.0, rel=0.15)  # 2 cells of 4 µm in ~36 µm
    assert all(r.energy.plume_loss == 0.0 for r in wide_spot)


def test_depth_per_fluence_near_hibst_kaufmann(wide_spot):
    """'About 6 µm per J/cm² at high radiant exposure' (Hibst & Kaufmann 1991), fluence definition not stated.

    The model's axis depth per fluence at 16 J/cm² lies between the two readings (measured
    4.75 µm per J/cm² of peak fluence, 9.5 per J/cm² of mean fluence); the test asks for the
    published value within a factor of 2 under either definition.
    """
    ref = next(float(r["value"]) for r in tables.rows("eryag_ablation.csv") if r["source"] == "HibstKaufmann1991")
    r = wide_spot[-1]
    per_mean = r.ablation_depth * 1e6 / (r.beam.mean_fluence * 1e-4)
    per_peak = r.ablation_depth * 1e6 / (r.beam.peak_fluence * 1e-4)
    assert ref / 2 < per_peak < ref * 2 and ref / 2 < per_mean < ref * 2


@pytest.mark.slow  # 40.8 s of the default run (2026-12-02), which was 9:23 of its 10 min on 2 cores
def test_a_faster_train_cuts_alike_and_heats_a_thicker_margin_within_the_measured_bound():
    """Five pulses of 10 J/cm² on a 250 µm spot (calibrated model) at 1, 5, 15 and 30 Hz.

    - Walsh & Cummings 1990: the cutting rate per pulse was similar at 5–30 Hz. That was Er:YSGG at 2.79 µm,
      absorbed by the same water band as 2.94 µm, about half as strongly. "Similar" is read as within ±25 %
      (assumption: the tolerance of Walsh & Deutsch's specific ablation). The test holds the mass ablated at
      5 and 30 Hz within that.
    - The same study: residual damage grew with the repetition rate at every fluence. Heat stays behind when
      the interval nears the cooling time of one pulse's damaged zone, so a faster train starts each pulse
      from warmer tissue. The test holds the lethal margin below the floor non-decreasing with the rate and
      thicker at 30 Hz than at 1 Hz.
    - Kaufmann & Hibst 1996: thermal necrosis did not exceed 50 µm at high repetition rates. The test holds
      every margin at or below 50 µm.

    Kaufmann & Hibst 1996 also report a fourfold fall of the depth per pulse from 1 to 10 Hz, against Walsh &
    Cummings' similar rates. The model sides with the latter (:func:`test_faster_train_ablates_less_per_pulse`,
    strict xfail).

    Measured 2026-12-01 (2 µm cells):
    - ablated mass 9.06 / 9.09 / 9.15 / 9.20 µg;
    - lethal margin 10 / 12 / 16 / 16 µm;
    - at 25 J/cm², 16 / 20 / 34 µm at 2 / 30 / 100 Hz.
    """
    num = Numerics(cell=2e-6, cooling_time=0.2, radial_margin=0.3e-3)
    mass, margin = [], []
    for rate in (1.0, 5.0, 15.0, 30.0):
        beam = make_beam("eryag", fluence=10e4, spot_diameter=250e-6, stack=5, stack_delay=1.0 / rate - 250e-6)
        r = simulate_mtz(beam, numerics=num)
        assert abs(r.energy.error) < 0.01
        mass.append(r.ablated_mass)
        margin.append(r.lethal_depth - r.ablation_depth)
    rows = [r for r in tables.rows("eryag_ablation.csv") if r["source"] == "WalshCummings1990"]
    similar = next(float(r["value"]) for r in rows if r["unit"] == "ratio")
    assert abs(mass[3] / mass[1] - similar) <= 0.25
    assert all(a <= b for a, b in zip(margin, margin[1:])) and margin[-1] > margin[0]
    bound = next(float(r["value"]) for r in tables.rows("eryag_ablation.csv")
                 if r["source"] == "KaufmannHibst1996" and r["unit"] == "um" and "necrosis" in r["quantity"])
    assert max(margin) <= bound * 1e-6


@pytest.mark.xfail(strict=True, reason="Kaufmann & Hibst 1996 measured ~40 um per pulse at 1 Hz and ~10 um at 10 Hz "
                   "(10 J/cm2, pig skin); the model has residual heat between pulses but no mechanism that makes a "
                   "faster train less efficient: measured 2026-11-30, 3 pulses of 8 J/cm2 on 250 um without plume "
                   "remove 5.84 ug at 1 Hz, 5.90 ug at 10 and 15 Hz with water's absorption following its temperature "
                   "(Röttgers 2014's -0.48 %/K, carried to 100 °C; 6.07 and 6.16 ug at 1 and 15 Hz without it): a "
                   "floor still warm from the last pulse absorbs less, but the deeper reach ablates as much. The "
                   "desiccated floor keeps the absorption of wet tissue (κ at 2.94 um is not sourced), and no debris "
                   "from earlier pulses shields the beam. The literature disagrees: Walsh & Cummings 1990 (Er:YSGG, "
                   "2.79 um, skin) found the cutting rate similar at 5-30 Hz, as the model (9.06 / 9.20 ug at 1 / 30 Hz, "
                   "5 pulses of 10 J/cm2: test_a_faster_train_cuts_alike_and_heats_a_thicker_margin_within_the_measured_bound)")
def test_faster_train_ablates_less_per_pulse():
    num = Numerics(cell=5e-6, cooling_time=0.2, radial_margin=0.4e-3)
    m = {}
    for rate in (1.0, 10.0):
        beam = make_beam("eryag", fluence=8e4, spot_diameter=250e-6, stack=3, stack_delay=1.0 / rate - 250e-6)
        m[rate] = simulate_mtz(beam, numerics=num, losses=LossModel(ablation_temperature=473.15)).ablated_mass
    row = {r["repetition_rate_hz"]: float(r["value"]) for r in tables.rows("eryag_ablation.csv") if r["source"] == "KaufmannHibst1996"}
    # the published ratio is 4; ask for at least half of it
    assert m[1.0] / m[10.0] > 0.5 * row["1"] / row["10"]


def test_residual_damage_is_thinnest_for_a_thermally_confined_pulse():
    """Same fluence at 1 µs, 250 µs and 1 ms: the coagulated wall thickens with the pulse duration.

    Thermal confinement at 2.94 µm: τ_th = δ²/(4α) with δ = 1/µa ≈ 1.2 µm (µa ≈ 8400 /cm in
    70 % water) and α ≈ 1.1e-7 m²/s gives ≈ 3 µs, so the 1 µs pulse is confined: its wall is no
    thicker than the light's reach into water at 100 °C, whose absorption has fallen to 0.64 of the
    25 °C value (Röttgers et al. 2014 −0.48 %/K, carried to 100 °C): δ(100 °C) ≈ 2.0 µm in the dermis.
    Measured 2026-11-30 (plume off, 2 µm cells): 1.2, 4.4, 7.0 µm (mean lateral thickness of the
    coagulated wall); 0.2, 1.6, 4.7 µm with water's 25 °C absorption at every temperature.
    """
    from mtzsim.physics.tissue import get_tissue, water_absorption_temperature

    num = Numerics(cell=2e-6, cooling_time=0.3, radial_margin=0.4e-3)
    wall = [simulate_mtz(make_beam("eryag", fluence=8e4, spot_diameter=250e-6, pulse_duration=tau),
                         losses=LossModel(ablation_temperature=473.15), numerics=num).coagulation_thickness
            for tau in (1e-6, 250e-6, 1e-3)]
    assert wall[0] < wall[1] < wall[2]
    hot = get_tissue("face").dermis.absorption("eryag") * water_absorption_temperature()["eryag"].factor(373.15)
    assert wall[0] < 1.0 / hot  # within the optical reach of boiling water
