"""Desiccated matrix absorbing less than wet tissue (LossModel ``dry_absorption`` κ): what it does and where it acts."""

import numpy as np
import pytest

from mtzsim.physics.laser import make_beam
from mtzsim.physics.mtz import LossModel, Numerics, pulse, simulate_mtz
from mtzsim.physics.mtz.losses import default_loss_model
from pulse_setup import kernel_setup

NUM = Numerics(cell=10e-6, cooling_time=0.5)


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
    (10 µm grid)."""
    from dataclasses import replace

    beam = make_beam("co2", energy=0.1, spot_diameter=200e-6, pulse_duration=10e-3)
    return [simulate_mtz(beam, losses=replace(default_loss_model(), dry_absorption=k), numerics=NUM)
            for k in (1.0, 0.1)]


def test_a_transparent_dry_layer_thickens_the_margin_under_the_floor(kappa_pair):
    """With κ < 1 the eschar lets the beam through to the wet tissue below: less is ejected, and the
    collagen edge below the crater floor lies deeper (the residual damage Walsh 1989 measured as
    ~100 µm under a CW CO2 cut; κ = 1 leaves about the conduction length D/v of the ablation front,
    a few tens of µm). Energy stays balanced. Measured 2026-11-30 (5 µm grid): 29 µm at κ = 1, 128 µm
    at κ = 0.1 (H&E)."""
    wet, dry = kappa_pair
    margin = [r.histology.coagulation_depth - r.histology.ablation_depth for r in kappa_pair]
    assert margin[1] > 2.0 * margin[0], margin
    assert dry.ablated_mass < wet.ablated_mass
    for r in kappa_pair:
        assert abs(r.energy.error) < 0.01
        assert np.isfinite(r.peak_temperature)


@pytest.mark.xfail(strict=True, reason="measured 2026-11-30 with the adopted record (κ = 1): H&E collagen edge 29 and "
                   "25 um below the crater of Walsh's two assumed CW exposures (100 +- 15 um measured), 29 and 29 um for "
                   "the scanned-CW study's (~120 um): the margin an ablation front leaves by conduction, ~D/v. The "
                   "κ fit (verify/calibration.py, not adopted) gives 103 / 79 and 120 / 62 um")
def test_cw_residual_damage_within_tolerance():
    """Walsh 1989 (100 ± 15 µm) and the scanned-CW porcine study (~120 µm): ±35 % at every assumed exposure."""
    from mtzsim.verify import calibration

    for key, data in calibration.CW_RESIDUAL_DAMAGE.items():
        for d in calibration.cw_residual_damage(key):
            assert abs(d / data - 1.0) <= calibration.CW_TOLERANCE, (key, d)
