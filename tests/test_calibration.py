"""Calibration: record in use, residuals and tolerances, and the energy argument about the 1000 µm rows."""

import math

import pytest

from mtzsim.physics.mtz import calibration_record, default_loss_model
from mtzsim.physics.mtz.losses import ABLATION_TEMPERATURE_BOUNDS
from mtzsim.verify import calibration


def test_record_is_the_loss_model_in_use_and_inside_its_bounds():
    rec = calibration_record()
    model = default_loss_model()
    p = rec["parameters"]
    assert model.ablation_temperature == rec["fixed"]["ablation_temperature_k"] == calibration.ABLATION_TEMPERATURE
    assert model.near_fraction == pytest.approx(10 ** p["log10_near_fraction"]["value"])
    assert model.ejecta_fraction == pytest.approx(10 ** p["log10_ejecta_fraction"]["value"])
    lo, hi = ABLATION_TEMPERATURE_BOUNDS
    assert lo < model.ablation_temperature < hi
    # a fitted value on the edge of its range is a defect (DESIGN.md): strictly inside
    names, bounds, _ = calibration.parameter_set(calibration.SUPERHEATING, calibration.DRY_ABSORPTION,
                                                 calibration.WALL_ROUGHNESS)
    assert list(p) == list(names)  # the record is the fit `mtzsim calibrate` runs
    for i, name in enumerate(names):
        assert bounds[0][i] < p[name]["value"] < bounds[1][i]
    if calibration.SUPERHEATING:
        assert model.vaporised_fraction == pytest.approx(p["vaporised_fraction"]["value"])
    else:
        assert model.vaporised_fraction is None
    assert rec["grid_fit"]["cell_m"] == calibration.FIT_NUMERICS.cell  # the record states the grid it used
    # every fitted number has its leave-one-out refit; the held-out rows are predicted, not fitted
    assert len(rec["leave_one_out"]) == len(rec["predictions_vs_data"]) - len(rec["held_out"])
    # every held-out row the record predicts is held out (the CW rows only with the κ fit)
    assert set(rec["held_out"]) == set(calibration.HELD_OUT) & set(rec["predictions_vs_data"])
    assert set(calibration.HELD_OUT[:2]) <= set(rec["held_out"])
    assert model.dry_absorption == pytest.approx(10 ** p["log10_dry_absorption_co2"]["value"]
                                                 if calibration.DRY_ABSORPTION else 1.0)
    # the crater-wall optics the record was fitted with is the one in use and the one `mtzsim calibrate` runs
    assert model.wall_optics == rec["fixed"].get("wall_optics", True) == calibration.WALL_OPTICS
    assert model.wall_roughness == (pytest.approx(1e-6 * 10 ** p["log10_wall_roughness_um"]["value"])
                                    if calibration.WALL_ROUGHNESS else 0.0)


def test_residuals_are_log_errors_over_the_tolerance():
    pred = {"a": (1.2, 1.0, 0.2, "two-sided"), "ratio": (3.5, 3.0, 0.2, "greater"), "short": (2.7, 3.0, 0.2, "greater")}
    r = calibration.residuals(pred)
    assert r[0] == pytest.approx(math.log(1.2) / 0.2)
    assert r[1] == 0.0  # a one-sided bound that holds costs nothing
    assert r[2] == pytest.approx(math.log(0.9) / 0.2)
    assert calibration.residuals(pred, skip="a").size == 2
    held = {calibration.HELD_OUT[0]: (0.5, 1.0, 0.35, "two-sided")}
    assert calibration.residuals(held).size == 0  # held-out rows never enter the cost


def test_within_tolerance_rejects_a_shallow_ratio():
    assert not calibration.within_tolerance({"hantash_depth_ratio": (2.9, 3.0, 0.2, "greater")})
    assert not calibration.within_tolerance({"ablation_depth_120um_80mJ": (1.25, 1.0, 0.2, "two-sided")})
    assert calibration.within_tolerance({"ablation_depth_120um_80mJ": (1.15, 1.0, 0.2, "two-sided")})


def test_penetration_rows_need_less_energy_than_vaporisation():
    """60 mJ over a 1000 µm spot, 125–150 µm deep: 0.5–0.6 kJ/cm³ < ablation enthalpy."""
    for row in calibration.penetration_energy_argument().values():
        assert row["energy_per_volume_j_per_cm3"] < 0.5 * row["ablation_enthalpy_j_per_cm3"]
        # 60 mJ / (π (0.05 cm)² × 0.0125–0.015 cm) = 0.51–0.61 kJ/cm³
        assert row["energy_per_volume_j_per_cm3"] == pytest.approx(550, rel=0.15)


def test_record_flags_a_parameter_on_the_edge_of_its_range():
    """A fitted value on its bound is a defect (DESIGN.md): the record says so instead of hiding it."""
    import numpy as np

    lo = calibration.BOUNDS[0]
    fit = calibration.Fit(x=np.array([lo[0], -2.0]), covariance=np.eye(2) * 0.01, cost=1.0, chi2_reduced=1.0,
                          predictions={})
    p = calibration.record(fit)["parameters"]
    assert p["log10_near_fraction"]["at_bound"] and not p["log10_ejecta_fraction"]["at_bound"]
    assert p["log10_ejecta_fraction"]["sigma"] == pytest.approx(0.1)
    assert calibration.record(fit)["fixed"]["wall_fraction"] == calibration.WALL_FRACTION == 0.0


def test_the_wall_optics_setting_is_fixed_and_recorded():
    """``wall_optics`` is not a fitted parameter: the candidate model carries it and the record states it."""
    import numpy as np

    assert calibration.loss_model([-0.3, -2.0], calibration.PARAMETERS, wall_optics=False).wall_optics is False
    assert calibration.loss_model([-0.3, -2.0], calibration.PARAMETERS).wall_optics is calibration.WALL_OPTICS
    for walls in (True, False):
        fit = calibration.Fit(x=np.array([-0.3, -2.0]), covariance=np.eye(2) * 0.01, cost=1.0, chi2_reduced=1.0,
                              predictions={}, names=calibration.PARAMETERS, wall_optics=walls)
        rec = calibration.record(fit)
        assert rec["fixed"]["wall_optics"] is walls
        assert list(rec["parameters"]) == list(calibration.PARAMETERS)


def test_the_wall_roughness_fit_is_a_fourth_bounded_parameter_of_the_traced_walls(tmp_path):
    """log10 σ/µm extends the κ fit; its bounds are the LossModel's; the CLI refuses it without traced walls."""
    from typer.testing import CliRunner

    from mtzsim.interfaces.cli import app
    from mtzsim.physics.mtz.losses import WALL_ROUGHNESS_BOUNDS

    names, bounds, x0 = calibration.parameter_set(False, True, True)
    assert names == calibration.PARAMETERS_DRY + ("log10_wall_roughness_um",)
    assert 10 ** bounds[0][3] * 1e-6 == pytest.approx(WALL_ROUGHNESS_BOUNDS[0])
    assert 10 ** bounds[1][3] * 1e-6 == pytest.approx(WALL_ROUGHNESS_BOUNDS[1])
    assert calibration.loss_model([-0.3, -2.0, -1.0, 1.0], names, wall_optics=True).wall_roughness == pytest.approx(10e-6)
    assert calibration.loss_model([-0.3, -2.0, -1.0], calibration.PARAMETERS_DRY).wall_roughness == 0.0
    assert calibration.names_of({n: 0 for n in names}) == names
    with pytest.raises(ValueError, match="dry-absorption"):
        calibration.parameter_set(False, False, True)
    with pytest.raises(ValueError, match="wall_optics"):
        calibration.fit(wall_optics=False, wall_roughness=True, loo=False)
    from mtzsim.interfaces.cli import main

    with pytest.raises(SystemExit) as ex:
        main(["calibrate", "--stage", "mtz", "--wall-roughness", "--no-wall-optics", "--out", str(tmp_path / "x.json")])
    assert ex.value.code == 2
    assert "--wall-roughness" in str(CliRunner().invoke(app, ["calibrate", "--stage", "mtz", "--wall-roughness",
                                                              "--no-wall-optics"]).exception)


def test_every_fitted_parameter_sets_a_loss_model_field():
    # a fitted name missing from FITTED_PARAMETERS would be left out of the model it was fitted for
    from dataclasses import fields

    from mtzsim.physics.mtz.losses import FITTED_PARAMETERS, LossModel
    from mtzsim.verify.calibration import parameter_set

    names = {n for sup, dry, rough in ((False, False, False), (True, False, False), (False, True, False),
                                       (False, True, True)) for n in parameter_set(sup, dry, rough)[0]}
    assert names <= set(FITTED_PARAMETERS)
    assert {field for field, _ in FITTED_PARAMETERS.values()} <= {f.name for f in fields(LossModel)}


def test_profiled_covariance_recovers_a_quadratic_cost_from_a_wrongly_scaled_jacobian():
    """χ² = (x − x0)ᵀ A (x − x0) + c: Δχ² = 1 along each principal axis of A⁻¹ lies one σ out, so a covariance
    with A⁻¹'s axes but a wrong scale on each (a finite-difference Jacobian on a piecewise-flat cost) is
    corrected to A⁻¹ itself, to the crossings' precision."""
    import numpy as np

    rng = np.random.default_rng(3)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    true_cov = q @ np.diag([0.04, 0.3, 2.0]) @ q.T
    a = np.linalg.inv(true_cov)
    x0 = np.array([-0.3, -1.7, -1.2])
    guess = q @ np.diag([0.04 * 9.0, 0.3 / 4.0, 2.0 * 25.0]) @ q.T  # 3x too wide, 2x too narrow, 5x too wide

    def chi2(x):
        d = np.asarray(x) - x0
        return float(d @ a @ d) + 3.67

    bounds = ((-20.0,) * 3, (20.0,) * 3)
    cov, t = calibration.profile_covariance(chi2, x0, guess, bounds, 3.67, xtol=1e-4)
    # the crossings sit at 1/3, 2 and 1/5 of the guessed σ on each side
    np.testing.assert_allclose(np.sort(t.mean(axis=1)), np.sort([1 / 3, 2.0, 1 / 5]), atol=2e-4)
    np.testing.assert_allclose(cov, true_cov, rtol=2e-3, atol=1e-5)


def test_profiled_covariance_stops_at_a_bound_with_the_distance_to_it():
    """A cost that never rises by 1 before the bound: the distance to the bound stands (a conservative σ)."""
    import numpy as np

    cov, t = calibration.profile_covariance(lambda x: 0.0, np.array([0.5]), np.array([[0.01]]), ((0.0,), (0.8,)), 0.0)
    # linearised σ = 0.1: the lower bound is 5 σ away, the upper one 3 σ
    np.testing.assert_allclose(t, [[5.0, 3.0]])
    assert cov[0, 0] == pytest.approx((0.1 * 4.0) ** 2)
    # far bounds: the search ends after three doublings, at 8 σ
    _, t = calibration.profile_covariance(lambda x: 0.0, np.array([0.5]), np.array([[0.01]]), ((-99.0,), (99.0,)), 0.0)
    np.testing.assert_allclose(t, [[8.0, 8.0]])


def test_the_adopted_covariance_is_the_profile_of_its_jacobian_covariance():
    """params/data/mtz_calibration.json: the covariance keeps the Jacobian's principal axes, each scaled by the
    mean of the two crossings where the cost rose by one (profile_covariance); σ and the correlation follow."""
    import numpy as np

    from mtzsim.params import tables

    rec = tables.load_json("mtz_calibration.json")
    lam, vec = np.linalg.eigh(np.asarray(rec["covariance_jacobian"]))
    t = np.asarray(rec["profile_crossings_sigma"]).mean(axis=1)
    cov = vec @ np.diag(lam * t ** 2) @ vec.T
    np.testing.assert_allclose(rec["covariance"], cov, rtol=1e-9, atol=1e-15)
    s = np.sqrt(np.diag(cov))
    names = calibration.names_of(rec["parameters"])
    assert [rec["parameters"][k]["sigma"] for k in names] == pytest.approx(list(s), rel=1e-12)
    np.testing.assert_allclose(rec["correlation"], cov / np.outer(s, s), atol=1e-12)
    assert calibration.PROFILE_METHOD in rec["method"]


def test_fit_profiles_its_covariance_and_records_both(monkeypatch):
    """The fit path end to end on a model whose normalised residuals are linear in the parameters (no MTZ run):
    the Jacobian covariance is then exact, so every profile crossing lies one σ out, and the record carries
    the profiled covariance, the Jacobian's and the crossings."""
    import numpy as np

    b = np.array([[3.0, 1.0, 0.0], [0.5, 2.0, 0.3], [0.0, 0.4, 1.5], [1.0, 0.0, 1.0], [0.2, 0.3, 0.1]])
    x_true = np.array([-0.3, -1.7, -1.2])
    offset = np.array([0.3, -0.2, 0.1, 0.0, 0.25])  # not zero: the optimum's χ² is not zero

    def fake_predict(x, numerics=None, names=None, cw=None, wall_optics=False):
        r = b @ (np.asarray(x) - x_true) + offset
        return {f"row{i}": (math.exp(0.2 * v) * 100.0, 100.0, 0.2, "two-sided") for i, v in enumerate(r)}

    monkeypatch.setattr(calibration, "predict", fake_predict)
    res = calibration.fit(check=None, loo=False, dry_absorption=True)
    lstsq = np.linalg.lstsq(b, b @ x_true - offset, rcond=None)[0]
    np.testing.assert_allclose(res.x, lstsq, atol=1e-5)
    np.testing.assert_allclose(res.crossings, 1.0, atol=calibration.PROFILE_XTOL)
    np.testing.assert_allclose(res.covariance, np.linalg.inv(b.T @ b), rtol=0.15)
    rec = calibration.record(res)
    assert calibration.PROFILE_METHOD in rec["method"] and len(rec["profile_crossings_sigma"]) == 3
    np.testing.assert_allclose(rec["covariance_jacobian"], np.linalg.inv(b.T @ b), rtol=1e-4)


def test_cli_calibrate_reports_the_profiled_sigma(monkeypatch):
    """`mtzsim calibrate --stage mtz` says that its 1σ were profiled and where the cost crossed (fast model)."""
    import numpy as np
    from typer.testing import CliRunner

    from mtzsim.interfaces.cli import app

    b = np.array([[3.0, 1.0, 0.0], [0.5, 2.0, 0.3], [0.0, 0.4, 1.5], [1.0, 0.0, 1.0]])
    x_true = np.array([-0.3, -1.7, -1.2])

    def fake_predict(x, numerics=None, names=None, cw=None, wall_optics=False):
        r = b @ (np.asarray(x) - x_true)
        return {f"row{i}": (math.exp(0.2 * v) * 100.0, 100.0, 0.2, "two-sided") for i, v in enumerate(r)}

    monkeypatch.setattr(calibration, "predict", fake_predict)
    r = CliRunner().invoke(app, ["calibrate", "--stage", "mtz", "--no-loo"])
    assert r.exit_code == 0, r.output
    assert "1 sigma profiled on the cost" in r.output and r.output.count(" / ") >= 3


def test_prediction_intervals_hold_the_run_they_belong_to():
    """The 1σ calibration intervals of `mtzsim mtz --json`: the sigma points' spread, on the coarse interval grid,
    moved onto the run's own values (10 µm cells against the run's 5 µm), so that each interval holds its run; the
    same intervals without the run are the raw coarse-grid spread (20 mJ, 120 µm, 30 W)."""
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import Numerics, simulate_mtz
    from mtzsim.physics.mtz.simulate import INTERVAL_LENGTHS, interval_lengths

    beam = make_beam("co2", energy=20e-3, spot_diameter=120e-6, peak_power=30.0)
    nominal = simulate_mtz(beam, numerics=Numerics(cell=5e-6))
    raw = calibration.prediction_intervals(beam)
    held = calibration.prediction_intervals(beam, nominal=nominal)
    assert set(raw) == set(held) == set(INTERVAL_LENGTHS)
    for name, value in interval_lengths(nominal).items():
        lo, hi = held[name]
        assert 0.0 <= lo <= value <= hi, name
    # the parameters move the crater: a non-zero spread in depth
    assert held["ablation_depth"][1] - held["ablation_depth"][0] > 10e-6
