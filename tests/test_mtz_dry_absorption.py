"""Desiccated matrix absorbing less than wet tissue (LossModel ``dry_absorption`` κ): what it does and where it acts."""

import numpy as np
import pytest

from mtzsim.physics.laser import make_beam
from mtzsim.physics.mtz import LossModel, Numerics, pulse, simulate_mtz
from mtzsim.physics.mtz.losses import default_loss_model
from pulse_setup import NO_PROBES, kernel_setup

NUM = Numerics(cell=5e-6, cooling_time=0.5)  # the calibration's grid: a margin of a few 10 µm cells is too coarse


def test_kappa_belongs_to_one_wavelength_and_never_to_the_1550nm_map():
    """κ is the dry/wet absorption ratio at its own laser's wavelength: other lasers keep 1, and the
    scattering 1.55 µm beam (which already absorbs in proportion to the water left) gets no κ."""
    m = LossModel(dry_absorption=0.1)
    assert m.dry_absorption_for("co2") == 0.1
    assert m.dry_absorption_for("eryag") == 1.0 and m.dry_absorption_for("erglass") == 1.0
    assert LossModel(dry_absorption=0.2, dry_absorption_laser="eryag").dry_absorption_for("eryag") == 0.2
    beam = make_beam("erglass", energy=10e-3, spot_diameter=140e-6)
    *_, train, _, _, _ = kernel_setup(beam, LossModel(dry_absorption=0.1, dry_absorption_laser="eryag"))
    assert train.dry_absorption == 1.0
    with pytest.raises(ValueError):
        pulse.pulse_train(make_beam("co2", energy=1e-3, spot_diameter=120e-6), None, None, dry_absorption=1.5)


def test_default_model_kappa_is_the_record():
    """The default model's κ is 1 (a dry cell absorbs as wet tissue) unless the adopted record fitted it."""
    from mtzsim.verify import calibration

    kappa = default_loss_model().dry_absorption
    if calibration.DRY_ABSORPTION:
        assert 0.0 < kappa < 1.0
    else:
        assert kappa == 1.0


@pytest.fixture(scope="module")
def kappa_pair():
    """Walsh's first assumed CW exposure (200 µm, 10 W, 10 ms) with the calibrated plume, at κ = 1 and 0.1
    (5 µm grid)."""
    from dataclasses import replace

    beam = make_beam("co2", energy=0.1, spot_diameter=200e-6, pulse_duration=10e-3)
    return [simulate_mtz(beam, losses=replace(default_loss_model(), dry_absorption=k), numerics=NUM)
            for k in (1.0, 0.1)]


def test_a_transparent_dry_layer_thickens_the_margin_under_the_floor(kappa_pair):
    """With κ < 1 the eschar lets the beam through to the wet tissue below: less is ejected, and the
    collagen edge below the crater floor lies deeper (the residual damage Walsh 1989 measured as
    ~100 µm under a CW CO2 cut; κ = 1 leaves about the conduction length D/v of the ablation front,
    a few tens of µm). Energy stays balanced. Measured 2026-12-01 (5 µm grid, the record refitted after the
    diverging rays were followed onto the walls): 37 µm at κ = 1, 79 µm at κ = 0.1 (H&E; the same at the
    previous record's fractions). On the 10 µm grid, where the margin is a whole number of 8.3 µm H&E cells,
    it read 33 / 83 µm with the previous record and 41 / 74 µm with the first refit of 2026-12-01; 29 and
    128 µm when the axis's plume path shielded the whole beam."""
    wet, dry = kappa_pair
    margin = [r.histology.coagulation_depth - r.histology.ablation_depth for r in kappa_pair]
    assert margin[1] > 2.0 * margin[0], margin
    assert dry.ablated_mass < wet.ablated_mass
    for r in kappa_pair:
        assert abs(r.energy.error) < 0.01
        assert np.isfinite(r.peak_temperature)


@pytest.mark.slow  # 15.2 s of the default run on 2 cores (2026-12-02 13:26, which took 10:17 in all)
@pytest.mark.xfail(strict=True, reason=(
    "measured 2026-12-01 with the record refitted after the beam's diverging rays were followed onto the crater "
    "walls (κ = 0.077): Walsh's rows (fitted) 87 / 79 um (-13 / -21 %), the held-out scanned-CW study's 87 / 74 um "
    "(-28 / -38 %): its 30 W, 1 ms exposure falls 3 points outside ±35 %. It read -35 % (inside by 0.4 points) on "
    "the record of 2026-11-30, -38 % while the axis's plume path shielded the whole beam: the held-out row sits on "
    "its tolerance's edge and moves with each refit of κ"))
def test_cw_residual_damage_within_tolerance():
    """Walsh 1989 (100 ± 15 µm) and the scanned-CW porcine study (~120 µm): ±35 % at every assumed exposure.

    Measured 2026-11-30 with the adopted record (κ = 0.069, crater-wall trace off, each ray shielded by the
    ejecta on its own path): H&E collagen edge 87 and 79 µm below the crater of Walsh's two assumed exposures
    (fitted), 91 and 79 µm for the scanned-CW study's (held out; −24 / −35 %). A strict xfail until then: with
    the axis's plume path shielding the whole beam the scanned 30 W 1 ms exposure left 74 µm (−38 %). κ = 1
    leaves 25–29 µm, the margin an ablation front leaves by conduction, ~D/v."""
    from mtzsim.verify import calibration

    for key, data in calibration.CW_RESIDUAL_DAMAGE.items():
        for d in calibration.cw_residual_damage(key):
            assert abs(d / data - 1.0) <= calibration.CW_TOLERANCE, (key, d)


def _axis_depth(kappa, cell, reflect, wall_optics=True):
    """Crater depth [m] on the axis after a 5 mJ, 120 µm, 30 W CO2 pulse with no plume (kernel level, T_abl of
    the calibration, the simulation's heat step 0.05), with or without Fresnel reflection at the crater walls
    (``wall_optics`` False: the normal-incidence reflection only, LossModel ``wall_optics``)."""
    from mtzsim.verify.calibration import ABLATION_TEMPERATURE

    beam = make_beam("co2", energy=5e-3, spot_diameter=120e-6, peak_power=30.0)
    losses = LossModel(ablation_temperature=ABLATION_TEMPERATURE, dry_absorption=kappa, wall_optics=wall_optics)
    state, mat, train, plm, rts, stp = kernel_setup(beam, losses, cell=cell, depth=1200e-6, margin=100e-6)
    if not reflect:
        train = train._replace(index=1.0 + 0.0j)
    s = state()
    pulse.run_pulse(s, mat, train, plm, rts, stp._replace(heat_step=Numerics().heat_step), NO_PROBES)
    return float(np.argmin(s.void[0])) * cell


@pytest.mark.parametrize("kappa", [0.13, 1.0])
def test_drying_front_and_dry_layer_are_grid_converged_without_wall_reflection(kappa):
    """With the light absorbed straight down its columns (no wall reflection), the drying front, the transparent
    dry layer (κ = 0.13: the κ fit's 0.133) and the ejection of dry cells converge: the axis depth on 5 and
    2.5 µm cells agrees within 3 % (measured 2026-11-30: 385 / 385 µm at κ = 0.133, 395 / 400 µm at κ = 1; with
    the calibrated plume at 80 mJ, 555 / 550 and 595 / 590 µm). What the κ fit's 80 mJ crater does not converge
    in is the wall reflection (next test)."""
    a, b = (_axis_depth(kappa, cell, reflect=False) for cell in (5e-6, 2.5e-6))
    assert b == pytest.approx(a, rel=0.03), (a, b)


def test_without_wall_optics_the_crater_is_grid_converged_and_keeps_the_surface_loss():
    """LossModel ``wall_optics`` False (the surface-normal Fresnel loss, no redirection by the walls): the axis
    depth on 5 and 2.5 µm cells agrees within 3 % (measured 2026-11-30: 395 / 397.5 µm), and it lies at or just
    below the no-reflection depth (the reflection only removes R(0) ≈ 0.7 % of the light)."""
    a, b = (_axis_depth(1.0, cell, reflect=True, wall_optics=False) for cell in (5e-6, 2.5e-6))
    assert b == pytest.approx(a, rel=0.03), (a, b)
    assert a <= _axis_depth(1.0, 5e-6, reflect=False)


@pytest.mark.parametrize("kappa", [1.0, 0.13])
def test_the_wall_reflection_focus_on_the_axis_is_grid_converged(kappa):
    """Same pulse with the crater walls' Fresnel reflection traced (``wall_optics`` True): 5 vs 2.5 µm within 3 %.

    The walls reflect the light toward the axis from every azimuth; traced geometrically it converged on the
    axis column, one cell wide, and drilled a needle whose depth followed the cell (530 / 680 / 805 µm on
    10 / 5 / 2.5 µm cells at κ = 1, 560 / 725 / 823 µm at κ = 0.133: a strict xfail until 2026-11-30). The
    focus now has its diffraction-limited width, the Airy radius 0.61 λ / sin α of the reflected cone
    (``_kernels.axisym.spread_radius``). Measured 2026-11-30 on 10 / 5 / 2.5 µm cells: 560 / 570 / 570 µm at
    κ = 1, 590 / 580 / 577.5 µm at κ = 0.13 (395 / 400 µm without the reflection)."""
    a, b = (_axis_depth(kappa, cell, reflect=True) for cell in (5e-6, 2.5e-6))
    assert b == pytest.approx(a, rel=0.03), (a, b)
    assert a > _axis_depth(kappa, 5e-6, reflect=False)  # the walls' light reaches the floor: deeper


def test_the_spread_focus_conserves_its_power_and_fills_the_disk_by_area():
    from mtzsim._kernels import axisym as _k

    nr, nz, h = 30, 40, 5e-6
    void = np.zeros((nr, nz), bool)
    void[:4, :20] = True  # a channel 20 µm wide, 100 µm deep
    floor = np.argmin(void, axis=1)
    j = np.arange(nr)
    vol = (np.pi * (2 * j + 1) * h * h * h)[:, None] * np.ones(nz)
    mua = np.full((nr, nz), 1e7)  # absorbed within its first cell: nothing passes the bottom
    Q, sink = np.zeros((nr, nz)), np.zeros(1)
    radius = 0.61 * 10.6e-6 / 0.2  # 32 µm (sin α = 0.2): wider than the channel, so it also lights the wall below row 18
    _k.absorb_spread(Q, void, mua, vol, h, floor, 18, radius, 1.0, sink)
    assert float(np.sum(Q * vol)) + sink[0] == pytest.approx(1.0, rel=1e-12)
    per_column = np.sum(Q * vol, axis=1)
    lo, hi = j * h, np.minimum((j + 1) * h, radius)
    np.testing.assert_allclose(per_column, np.where(lo < radius, (hi**2 - lo**2) / radius**2, 0.0), rtol=1e-9,
                               atol=1e-15)
    assert np.all(Q[:4, :20] == 0.0) and np.all(Q[4:, :18] == 0.0)  # nothing above the row it reached
    assert _k.spread_radius(10.6e-6, 0.2, nr * h, h) == pytest.approx(radius)
    assert _k.spread_radius(0.0, 0.2, nr * h, h) == 0.0  # geometric optics: no spread
    assert _k.spread_radius(10.6e-6, 1.0, nr * h, 10e-6) == 10e-6  # at least a cell
    assert _k.spread_radius(10.6e-6, 1e-6, nr * h, h) == nr * h  # at most the grid


def test_fat_keeps_the_wet_absorption_of_its_lipid():
    """κ is the desiccated collagen matrix's ratio: every layer above the fat carries it, the fat keeps 1 (Ross et al.
    1997: fat absorbs 250 cm⁻¹ at 10.6 µm, more than its water gives), in the kernel's record and its numpy twin."""
    from mtzsim._kernels import axisym as _k
    from mtzsim.physics.heat.axisym import AxisymmetricGrid
    from mtzsim.physics.tissue import get_tissue

    tissue = get_tissue("face")
    grid = AxisymmetricGrid(nr=3, nz=400, h=5e-6)
    train = pulse.pulse_train(make_beam("co2", energy=80e-3, spot_diameter=120e-6), None, tissue, 0.07, grid=grid)
    fat = tissue.layer_at(grid.z) == len(tissue.layers) - 1
    assert tissue.layers[-1].key == "fat" and fat.any() and (~fat).any()
    np.testing.assert_array_equal(train.dry_cells[:, fat], 1.0)
    np.testing.assert_array_equal(train.dry_cells[:, ~fat], 0.07)
    # the kernel's absorption update uses each cell's κ: a dry fat cell absorbs as wet fat, a dry dermis cell 7 %
    H1, H2 = np.zeros((3, 400)), np.ones((3, 400))
    out, mua = np.zeros((3, 400)), np.full((3, 400), 100.0)
    _k.absorption_update(out, mua, np.full((3, 400), 2.0), H1, H2, np.ones((3, 400), np.bool_), 0.07,
                         np.full((3, 400), 400.0), 0.0, 0.0, 0.0, 3, 400, train.dry_cells)
    np.testing.assert_allclose(out[:, fat], 100.0)
    np.testing.assert_allclose(out[:, ~fat], 7.0)
    # no grid (or κ = 1): one κ for every cell
    assert pulse.pulse_train(make_beam("co2", energy=80e-3, spot_diameter=120e-6), None, tissue, 0.07).dry_cells.size == 0


def test_a_crater_into_the_fat_does_not_coagulate_millimetres_below_it():
    """380 mJ on the 120 µm tip (the held-out swine channels' top energy): the channel nears the fat under the face's
    1.64 mm dermis. The diverging rays that meet its walls from the side are refracted into them (not sent down the
    wall's column of dried, nearly transparent cells), so the collagen edge stays within a few hundred µm of the
    floor (2026-12-01, before the refraction: a one-cell ring needle 2–4.5 mm deeper, grid-dependent, and beyond
    the 6 mm domain at a ±2σ parameter point). Measured: 1465 / 1560 µm ablation / coagulation (living tissue)."""
    r = simulate_mtz(make_beam("co2", energy=380e-3, spot_diameter=120e-6, peak_power=30.0), numerics=NUM)
    assert r.coagulation_depth - r.ablation_depth < 400e-6
    assert abs(r.energy.error) < 0.01
