"""Single MTZ: energy balance, invariants, grid convergence, wavelengths, calibration cases."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtzsim.constants import R_GAS
from mtzsim.verify import validation
from mtzsim._kernels import axisym
from mtzsim.physics.laser import make_beam
from mtzsim.physics.mtz import LossModel, Numerics, histology_view, simulate_mtz
from mtzsim.physics.mtz.losses import default_loss_model
from mtzsim.physics.tissue import constants, get_tissue

FAST = Numerics(cell=10e-6, cooling_time=0.5)


@pytest.fixture(scope="module")
def default_co2():
    return simulate_mtz(make_beam("co2", energy=80e-3, spot_diameter=120e-6))


def test_energy_balances_within_one_percent(default_co2):
    e = default_co2.energy
    assert abs(e.error) < 0.01
    # everything the beam carried is accounted for: plume + tissue sinks + boundary (incl. what missed the columns)
    total = e.plume_loss + e.ablated + e.stored + e.perfusion + e.boundary
    assert total == pytest.approx(80e-3, rel=0.01)


def test_wall_heating_by_the_ejecta_is_its_own_term_and_widens_the_lesion():
    """η of the beam power the channel's ejecta absorb goes into the crater wall (Zweig 1990: hot ablation
    products along the wall), reported as its own term; the balance still closes to 1 %, and the heated wall
    coagulates more tissue around the crater. With the adopted normal-incidence optics (``wall_optics`` False),
    measured 2026-11-30: 54 vs 41 denatured 10 µm cells, +51 % volume, widest living width 220 → 260 µm (with
    the walls traced, whose mirror channel drills a 1.35 mm crater here, the ejecta's heat changes little)."""
    import dataclasses

    beam = make_beam("co2", energy=30e-3, spot_diameter=120e-6, peak_power=30.0)
    base = LossModel(ablation_temperature=523.15, near_fraction=0.56, ejecta_fraction=0.013, wall_optics=False)
    off = simulate_mtz(beam, losses=base, numerics=FAST)
    on = simulate_mtz(beam, losses=dataclasses.replace(base, wall_fraction=0.3), numerics=FAST)
    assert off.energy.wall_heating == 0.0 and off.energy.plume_loss > 0.0
    # every confined channel has a lateral wall: all of η·absorbed is placed, (1 − η)·absorbed leaves
    assert on.energy.wall_heating == pytest.approx(0.3 / 0.7 * on.energy.plume_loss, rel=1e-9)
    assert abs(on.energy.error) < 0.01
    assert on.to_dict()["energy_partition_mj"]["wall_heating"] == pytest.approx(on.energy.wall_heating * 1e3)
    def denatured_volume(res):
        ds = res.dataset
        h = float(ds.attrs["cell_m"])
        cells = (ds["omega_collagen_birefringence"].values >= 1.0) & ~ds["ablated"].values
        return float(np.sum(cells * (2.0 * np.pi * ds["r"].values[:, None] * h * h)))

    assert denatured_volume(on) > 1.02 * denatured_volume(off)


def test_ejecta_capacity_bounds_what_the_plume_absorbs():
    """Condensed ejecta absorb the beam only until they are gasified (water vapour is nearly transparent at
    10.6 µm): with ``ejecta_capacity`` C the plume and wall terms together never exceed C × the ejected mass, an
    opaque channel (both fractions 1) then absorbs about C per kg ejected, and a capacity the plume never reaches
    changes nothing. At 80 mJ the uncapped opaque plume takes more than C per kg, so the cap deepens the crater."""
    import dataclasses

    beam = make_beam("co2", energy=80e-3, spot_diameter=120e-6, peak_power=30.0)
    opaque = LossModel(ablation_temperature=523.15, near_fraction=1.0, ejecta_fraction=1.0, vent_reference="beam",
                       vent_length=0.0, wall_optics=False)
    free = simulate_mtz(beam, losses=opaque, numerics=FAST)
    cap = 1.85e6
    held = simulate_mtz(beam, losses=dataclasses.replace(opaque, ejecta_capacity=cap), numerics=FAST)
    taken = held.energy.plume_loss + held.energy.wall_heating
    assert free.energy.plume_loss > 2.0 * cap * free.ablated_mass  # uncapped, far above what gasification takes
    assert taken <= cap * held.ablated_mass * (1 + 1e-9)
    assert taken >= 0.9 * cap * held.ablated_mass  # opaque: it takes nearly all it can
    assert held.ablation_depth > free.ablation_depth
    assert abs(held.energy.error) < 0.01
    ample = simulate_mtz(beam, losses=dataclasses.replace(opaque, ejecta_capacity=1e12), numerics=FAST)
    assert ample.ablation_depth == free.ablation_depth
    assert ample.energy.plume_loss == pytest.approx(free.energy.plume_loss, rel=1e-12)


@pytest.mark.xfail(strict=True, reason=(
    "measured 2026-12-02 with the adopted record (80 mJ, 120 um, 30 W): the plume takes 3.90 MJ per kg of the tissue "
    "it ejects (49.2 mJ on 12.6 ug), against 1.72-1.80 MJ/kg that wet reticular dermis can absorb before it is "
    "gasified (losses.ejecta_gasification_bound); 5.3 / 8.4 MJ/kg at 160 / 380 mJ. Held to the bound "
    "(LossModel.ejecta_capacity) the fits either put the capacity at 3.3-6.6 MJ/kg or widen the craters through the "
    "ejecta's wall heat (80 mJ mouth 393-590 um) and lose the Hantash ratio or Walsh's CW margin and the wide tips "
    "(docs/mtz_calibration_notes.md, the ejecta-capacity bullet)"))
def test_the_plume_takes_no_more_than_its_ejecta_can_hold(default_co2):
    """Condensed ejecta absorb the beam only until they are gasified: energy conservation bounds the plume term."""
    assert default_co2.plume_energy_per_ejected_mass <= default_co2.ejecta_gasification_bound[1]


def test_summary_has_the_documented_fields(default_co2):
    d = default_co2.to_dict()
    for key in (
        "ablation_depth_um", "ablation_diameter_um", "coagulation_depth_um", "coagulation_thickness_um",
        "heat_shock_radius_um", "peak_temperature_c", "energy_balance_error", "pulse_duration_s",
    ):
        assert np.isfinite(d[key])
    json.dumps(d)
    assert d["pulse_duration_s"] == pytest.approx(80e-3 / 30.0)  # default 30 W peak power
    # zones nest: crater inside coagulation inside lethal inside heat shock
    assert d["ablation_depth_um"] <= d["coagulation_depth_um"] <= d["lethal_depth_um"] <= d["heat_shock_depth_um"]
    assert d["ablation_diameter_um"] / 2 <= d["heat_shock_radius_um"]
    # what the ejecta took per kg ejected, beside what wet reticular dermis can take before it is gasified:
    # w L + (1 - w) (c_dry (T_end - T_abl) + h_pyr), w = 0.65, from the constants table
    c = constants()
    w = get_tissue("face").dermis.water_fraction
    e = default_co2.energy
    assert d["plume_energy_per_ejected_mass_mj_per_kg"] == pytest.approx(
        (e.plume_loss + e.wall_heating) / default_co2.ablated_mass / 1e6, rel=1e-12)
    t_abl = default_loss_model().ablation_temperature
    heat = c["dry_matrix_specific_heat"] * (c["pyrolysis_end_temperature"] - t_abl)
    expected = [(w * c["water_latent_heat"] + (1 - w) * (heat + c[k])) / 1e6
                for k in ("pyrolysis_heat_low", "pyrolysis_heat_high")]
    assert d["ejecta_gasification_bound_mj_per_kg"] == pytest.approx(expected, rel=1e-12)
    assert 1.7 < expected[0] < expected[1] < 1.9


def test_fields_dataset(default_co2):
    ds = default_co2.dataset
    assert set(ds["zone"].values.ravel()) <= {0, 1, 2, 3, 4}
    assert (ds["zone"].values == 4).sum() == ds["ablated"].values.sum()
    assert ds["probe_temperature"].dims == ("time", "probe")
    assert np.all(np.diff(ds["time"].values) > 0)
    resp = default_co2.response
    assert resp.rise.shape == (resp.t.size, resp.r.size, resp.z.size)


@settings(max_examples=6, deadline=None)
@given(st.floats(3e-3, 40e-3), st.floats(1.1, 2.0))
def test_more_energy_never_a_shallower_crater(energy, factor):
    a = simulate_mtz(make_beam("co2", energy=energy, spot_diameter=120e-6), numerics=FAST)
    b = simulate_mtz(make_beam("co2", energy=energy * factor, spot_diameter=120e-6), numerics=FAST)
    assert b.ablation_depth >= a.ablation_depth
    assert b.coagulation_depth >= a.coagulation_depth - 10e-6  # one cell


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(250.0, 500.0), min_size=3, max_size=3), st.floats(1e-7, 1e-2))
def test_omega_never_decreases(temps, dt):
    T = np.array(temps).reshape(1, 3)
    void = np.zeros((1, 3), dtype=np.bool_)
    omega = np.zeros((2, 1, 3))
    A = np.array([np.exp(130.0), 3.1e98])
    EaR = np.array([89 * 4184.0, 6.28e5]) / R_GAS  # the kernels take Ea / R [K]
    before = omega.copy()
    axisym.arrhenius_update_box(T, void, omega, A, EaR, dt, np.zeros(2), 1, 3)
    assert np.all(omega >= before)
    rates = np.empty_like(omega)
    axisym.arrhenius_rates(T, void, A, EaR, np.zeros(2), rates)
    assert np.all(rates >= 0.0)  # the cooling phase adds dt·(k0 + k1)/2 of these
    # the same rates as the Arrhenius law written out (round-off only)
    np.testing.assert_allclose(rates[:, 0, :], A[:, None] * np.exp(-EaR[:, None] / T[0][None, :]), rtol=1e-12)


@pytest.mark.slow
def test_halving_the_grid_changes_depths_by_less_than_3_percent():
    beam = make_beam("co2", energy=80e-3, spot_diameter=120e-6)
    a = simulate_mtz(beam, numerics=Numerics(cell=5e-6))
    b = simulate_mtz(beam, numerics=Numerics(cell=2.5e-6))
    assert b.ablation_depth == pytest.approx(a.ablation_depth, rel=0.03)
    assert histology_view(b)["coagulation_depth"] == pytest.approx(histology_view(a)["coagulation_depth"], rel=0.03)
    assert b.coagulation_depth == pytest.approx(a.coagulation_depth, rel=0.03)


def test_erbium_yag_ablates_shallow_with_thin_coagulation():
    """2.94 µm: µa ≈ 14× that of 10.6 µm, so a thinner residual heated layer (same engine, other optics).

    Compared without the plume model (calibrated for CO2 only), so that only the optics differ.
    """
    num = Numerics(cell=2e-6, cooling_time=0.5)
    eryag = simulate_mtz(make_beam("eryag", energy=10e-3, spot_diameter=250e-6), losses=LossModel(), numerics=num)
    co2 = simulate_mtz(make_beam("co2", energy=10e-3, spot_diameter=250e-6, pulse_duration=250e-6), losses=LossModel(), numerics=num)
    assert eryag.ablation_depth > 0
    assert eryag.coagulation_depth - eryag.ablation_depth < co2.coagulation_depth - co2.ablation_depth
    assert abs(eryag.energy.error) < 0.01


#: Monte Carlo packets for the 1.55 µm tests: 2 × 10⁵ instead of 10⁶ gives √5 × the noise,
#: ≈ 2.2 % median (≈ 6 % worst) error per cell of the deposition core (benchmarks/README.md,
#: montecarlo: 1.0 % median, 2.9 % max at 10⁶); the zone edges move by < 1 cell (5 µm) for that.
ERGLASS_NUM = Numerics(cell=5e-6, cooling_time=0.5, light_photons=200_000)


@pytest.fixture(scope="module")
def erglass_series():
    """1.55 µm, 140 µm, 3 ms (preset) at 5–70 mJ with the Monte Carlo deposition (one map for all energies)."""
    return {e: simulate_mtz(make_beam("erglass", energy=e * 1e-3, spot_diameter=140e-6), numerics=ERGLASS_NUM)
            for e in (5, 10, 20, 30, 40, 70)}


def test_erglass_coagulates_without_ablation(erglass_series):
    """1.55 µm non-ablative (issue 8): no crater, no ejected mass (so the stratum corneum stays intact), a column
    of coagulation, energy conserved to 1 %."""
    for e, res in erglass_series.items():
        assert res.ablation_depth == 0.0 and res.ablated_mass == 0.0, e
        assert res.energy.plume_loss == 0.0, e
        assert abs(res.energy.error) < 0.01, e
    assert erglass_series[20].coagulation_depth > 100e-6


def test_erglass_lesion_grows_with_energy(erglass_series):
    """Depth and width of the H&E lesion grow with pulse energy (Bedi 2007; Laubach 2006: deeper, wider MTZs at
    higher energy). Measured 2026-11-30 on this 5 µm grid with 10⁶ packets (water-limited absorption), 5/10/20/
    30/40/70 mJ: depth 165/322/455/550/649/926 µm, width 62/116/152/170/179/214 µm (benchmarks/README.md)."""
    energies = sorted(erglass_series)
    depths = [erglass_series[e].histology.coagulation_depth for e in energies]
    widths = [erglass_series[e].histology.lesion_width for e in energies]
    assert all(b > a for a, b in zip(depths, depths[1:])), depths
    assert all(b > a for a, b in zip(widths, widths[1:])), widths


def test_erglass_high_energy_does_not_ablate(erglass_series):
    """40 and 70 mJ (Fraxel-class top energies) eject nothing and stay at or below 100 °C: water is the absorber at
    1.55 µm, so a cell that boils its water stops absorbing and the light goes deeper (physics/mtz/source.py).
    Was a strict xfail until 2026-11-30 (the fixed map kept heating dry cells: 40 mJ ejected 0.13 µg, 70 mJ
    310 µm deep at 250 °C)."""
    for e in (40, 70):
        res = erglass_series[e]
        assert res.ablated_mass == 0.0 and res.ablation_depth == 0.0, e
        assert res.energy.plume_loss == 0.0, e
        assert res.peak_temperature <= 373.15 + 1e-6, e


@pytest.mark.xfail(strict=True, reason="measured 2026-12-01 on the 5 um grid with the adopted record: recoil-driven "
                   "channel plume venting at the crater's mouth and shielding each ray only down to where it meets "
                   "the crater profile, the beam's diverging rays followed onto the walls (refracted into a wall "
                   "they meet from the side), desiccated matrix absorbing κ = 0.077 of wet tissue in the collagen "
                   "layers (fat keeps 1), crater-wall trace off (normal-incidence Fresnel loss): 120 um rows "
                   "+20.0 % (80 mJ ablation, on its tolerance), -3.6 %, -3.1 %, -5.4 %; Walsh's CW residual damage "
                   "-13 / -21 %; Hantash depth ratio 2.475 (> 3 needed) fails; its width ratio passes on its tolerance, 1.31 "
                   "(2 ± 35 %: -34.6 %) since the H&E width is measured in the dermis, where collagen is "
                   "(physics/histology.py; 1.17 with the collagen set's Omega counted in the epidermis, 1.13 when "
                   "the axis's plume path shielded the whole beam). An earlier "
                   "record (walls traced, κ = 1) read +30 %, -2 %, +3 %, -5 % and a depth ratio of 3.11 on 5 um "
                   "cells, but 2.97 on 2.5 um: its axis needle is not grid-converged (docs/mtz_calibration_notes.md). With "
                   "confined superheating (f_v 0.46, not adopted, verify/calibration.SUPERHEATING): ratios 2.55 and "
                   "1.18")
def test_all_calibration_cases_within_tolerance():
    cases = [c for c in validation.CASES if c.model == "mtz" and c.fitted]
    assert all(validation.evaluate(c).passed for c in cases)


def test_crater_wall_is_hotter_than_boiling(default_co2):
    """Superheated ablation: the desiccated layer left on the wall is above 100 °C (Choi 1999: up to ~400 °C)."""
    assert default_co2.peak_wall_temperature > 373.15 + 20.0
    assert default_co2.peak_temperature > 373.15 + 20.0


def test_no_plume_loss_without_ablation(erglass_series):
    """1.55 µm at 20 mJ ablates nothing: no ejecta, no plume loss, even with the calibrated plume."""
    res = erglass_series[20]
    assert res.ablation_depth == 0.0 and res.ablated_mass == 0.0
    assert res.energy.plume_loss == 0.0


def test_json_summary_has_the_histology_object(default_co2):
    d = default_co2.to_dict()
    hist = d["histology"]
    assert hist["coagulation_depth_um"] == pytest.approx(default_co2.histology.coagulation_depth * 1e6)
    assert "1.21" in hist["shrinkage_correction"] and "collagen" in hist["edge"]
    # the same number validate compares
    assert histology_view(default_co2)["coagulation_depth"] == default_co2.histology.coagulation_depth


def test_stacked_pulses_drill_deeper_and_balance_energy():
    one = simulate_mtz(make_beam("co2", energy=20e-3, spot_diameter=120e-6), numerics=FAST)
    two = simulate_mtz(make_beam("co2", energy=20e-3, spot_diameter=120e-6, stack=2, stack_delay=2e-3), numerics=FAST)
    assert two.ablation_depth > one.ablation_depth
    assert abs(two.energy.error) < 0.01
    e = two.energy
    total = e.plume_loss + e.ablated + e.stored + e.perfusion + e.boundary
    assert total == pytest.approx(40e-3, rel=0.01)  # both pulses' energy accounted for


def test_peak_power_sets_the_pulse_duration():
    beam = make_beam("co2", energy=30e-3, spot_diameter=120e-6, peak_power=15.0)
    assert beam.pulse_duration == pytest.approx(2e-3)


def test_confined_superheating_leaves_the_1550nm_beam_alone(erglass_series):
    """f_v acts only on beams absorbed in columns: the scattering 1.55 µm beam boils normally (its map is cached)."""
    import dataclasses

    from mtzsim.physics.mtz import default_loss_model

    model = dataclasses.replace(default_loss_model(), vaporised_fraction=0.5)
    off = dataclasses.replace(model, vaporised_fraction=None)
    beam = make_beam("erglass", energy=20e-3, spot_diameter=140e-6)
    a = simulate_mtz(beam, losses=model, numerics=ERGLASS_NUM)
    b = simulate_mtz(beam, losses=off, numerics=ERGLASS_NUM)
    assert a.coagulation_depth == b.coagulation_depth and a.peak_temperature == b.peak_temperature


@pytest.mark.slow  # 18.9 s of the default run (2026-12-02), which was 9:23 of its 10 min on 2 cores
def test_confined_superheating_keeps_a_hotter_wall_that_keeps_more_heat():
    """Water held as liquid up to T_abl (Vogel & Venugopalan 2003 sec. V.E): the wall is not capped at 100 °C by
    boiling, it never exceeds T_abl (everything hotter is ejected), the coagulated wall is thicker than with
    boiling at 100 °C (more heat stays in the tissue, a wider lesion) and the energy still balances to 1 %."""
    import dataclasses

    beam = make_beam("co2", energy=80e-3, spot_diameter=120e-6, peak_power=30.0)
    boil = LossModel(ablation_temperature=523.15, near_fraction=0.55, ejecta_fraction=0.019)
    sup = dataclasses.replace(boil, vaporised_fraction=0.46)
    a, b = simulate_mtz(beam, losses=boil, numerics=FAST), simulate_mtz(beam, losses=sup, numerics=FAST)
    assert abs(b.energy.error) < 0.01
    assert 373.15 + 20.0 < b.peak_wall_temperature <= 523.15 + 1e-9
    # the 80 mJ flagship on the 5 µm grid: 0.78 → 1.72 mJ stored, lesion 179 → 196 µm (H&E, widest anywhere), 2026-11-30
    assert b.energy.stored > 1.3 * a.energy.stored
    assert b.histology.lesion_width > a.histology.lesion_width
