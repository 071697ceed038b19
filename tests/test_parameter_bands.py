"""The MTZ calibration's parameter bands in `mtzsim validate --parameter-bands`: sigma points, the in-process
override of the fitted parameters, and which bands reach a case's tolerance."""

import dataclasses
import json
import math

import numpy as np
import pytest

from mtzsim.physics.mtz import calibration_record, default_loss_model
from mtzsim.physics.mtz.losses import use_fitted_parameters
from mtzsim.verify import validation
from mtzsim.verify.calibration import parameter_set_of, sigma_points
from mtzsim.verify.validation import Case, band_reaches, evaluate, pass_region

REC = calibration_record()
NAMES, BOUNDS, _ = parameter_set_of(REC["parameters"])
X0 = np.array([REC["parameters"][k]["value"] for k in NAMES])
COV = np.asarray(REC["covariance"], float)


@pytest.mark.parametrize("n_sigma", [1.0, 2.0])
def test_sigma_points_lie_n_sigma_from_the_optimum_on_the_principal_axes(n_sigma):
    points = sigma_points(n_sigma)
    assert len(points) == 2 * len(NAMES) and all(tuple(p) == NAMES for p in points)
    x = np.array([[p[k] for k in NAMES] for p in points])
    assert np.all(x >= np.array(BOUNDS[0])) and np.all(x <= np.array(BOUNDS[1]))
    inside = [i for i in range(len(x)) if np.all(x[i] > np.array(BOUNDS[0])) and np.all(x[i] < np.array(BOUNDS[1]))]
    assert inside  # the adopted record's 1σ and 2σ points are not all on a bound
    for i in inside:
        d = x[i] - X0
        # Mahalanobis distance n_sigma for a point n_sigma standard deviations along a principal axis
        assert float(d @ np.linalg.solve(COV, d)) == pytest.approx(n_sigma ** 2, rel=1e-9)
    for i in range(0, len(x), 2):
        if i in inside and i + 1 in inside:
            np.testing.assert_allclose(0.5 * (x[i] + x[i + 1]), X0, atol=1e-12)  # each pair straddles the optimum


def test_fitted_parameters_can_be_replaced_in_this_process_and_restored():
    adopted = default_loss_model()
    shifted = {"log10_near_fraction": X0[0] - 0.5}
    try:
        use_fitted_parameters(shifted)
        moved = default_loss_model()
        assert moved.near_fraction == pytest.approx(10 ** (X0[0] - 0.5), rel=1e-12)
        assert moved.ejecta_fraction == adopted.ejecta_fraction and moved.dry_absorption == adopted.dry_absorption
        assert dataclasses.replace(moved, near_fraction=adopted.near_fraction, source=adopted.source) == adopted
    finally:
        use_fitted_parameters(None)
    assert default_loss_model() == adopted
    with pytest.raises(ValueError, match="wall_fractio"):
        use_fitted_parameters({"wall_fractio": 0.5})


KINDS = (("two-sided", 520.0, 0.2), ("absolute", 0.0, 10.0), ("factor", 2.0, 3.0), ("greater", 3.0, 0.0),
         ("greater", 1000.0, 0.2))


@pytest.mark.parametrize("kind, measured, tolerance", KINDS)
def test_a_band_reaches_the_tolerance_exactly_when_one_of_its_predictions_passes(kind, measured, tolerance):
    def case(p):
        return Case(name="c", model="mtz", quantity="q", unit="um", measured=measured, tolerance=tolerance,
                    source="test", predict=lambda: p, kind=kind)

    low, high = pass_region(case(0.0))
    span = max(abs(measured), 1.0) * 4
    grid = np.linspace(measured - span, measured + span, 801)
    for a, b in ((grid[i], grid[j]) for i in range(0, 801, 37) for j in range(i, 801, 53)):
        inside = grid[(grid >= a) & (grid <= b)]
        assert band_reaches(case(0.0), (a, b)) == any(evaluate(case(float(p))).passed for p in inside), (a, b)
    # a band of one point is the case itself, at the edges of the pass region too
    for p in (low, high, measured):
        if math.isfinite(p):
            assert band_reaches(case(0.0), (p, p)) == evaluate(case(p)).passed


@pytest.mark.slow  # 28.4 s of the default run (2026-12-02), which was 9:23 of its 10 min on 2 cores
def test_bands_are_the_predictions_at_the_sigma_points_run_in_worker_processes():
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import histology_view, simulate_mtz

    name = "eCO2 120 um tip 80 mJ: ablation depth"
    bands = validation.parameter_bands(2.0, names={name}, workers=2)
    assert set(bands) == {name}
    beam = make_beam("co2", energy=80e-3, spot_diameter=120e-6, peak_power=30.0)
    depths = [histology_view(simulate_mtz(beam))["ablation_depth"] * 1e6]
    try:
        for point in sigma_points(2.0):
            use_fitted_parameters(point)
            depths.append(histology_view(simulate_mtz(beam, losses=default_loss_model()))["ablation_depth"] * 1e6)
    finally:
        use_fitted_parameters(None)
    assert bands[name] == pytest.approx((min(depths), max(depths)), rel=1e-12)
    assert bands[name][1] > bands[name][0]  # the fitted parameters move the 80 mJ crater


def test_cli_shows_the_bands_and_writes_them_in_the_json(monkeypatch):
    from typer.testing import CliRunner

    from mtzsim.interfaces.cli import app

    cases = [Case(name=n, model="mtz", quantity="q", unit="um", measured=500.0, tolerance=0.2, source="test",
                  predict=lambda: 550.0) for n in ("moved", "missed", "fixed")]
    bands = {"moved": (450.0, 650.0), "missed": (700.0, 900.0), "fixed": (550.0, 550.0)}
    monkeypatch.setattr(validation, "run_all", lambda models=None, progress=None: [evaluate(c) for c in cases])
    monkeypatch.setattr(validation, "parameter_bands", lambda n_sigma, names=None, **kw: bands)
    r = CliRunner().invoke(app, ["validate", "--parameter-bands", "--json"])
    rows = {d["name"]: d for d in json.loads(r.stdout)}
    assert rows["moved"]["parameter_band"] == [450.0, 650.0] and rows["moved"]["band_reaches_tolerance"] is True
    assert rows["missed"]["band_reaches_tolerance"] is False  # 700 um is beyond 500 um + 20 %
    r = CliRunner().invoke(app, ["validate", "--parameter-bands"])
    assert "MISSES" in r.stdout and "not moved by the fitted parameters" in r.stdout
    assert "1 of 2 MTZ cases the fitted parameters move reach their tolerance" in r.stdout


def test_a_case_whose_mtz_outgrows_the_solver_counts_as_open_above(monkeypatch):
    """A parameter point at which a case's MTZ outgrows the single-MTZ domain (ModelDomainError) gives +∞ for that
    case, not a traceback (2026-12-01: a ±2σ point drilled a 380 mJ channel past the 6 mm domain)."""
    from mtzsim.errors import ModelDomainError

    def too_deep():
        raise ModelDomainError("laser.energy", "the damage reaches 6.00 mm below the surface")

    case = Case("test: outgrows the domain", "mtz", "depth", "um", 100.0, 0.2, "test", too_deep)
    monkeypatch.setattr(validation, "CASES", [case])
    monkeypatch.setattr(validation, "_register_stage_cases", lambda models: None)
    assert validation._mtz_predictions() == {case.name: math.inf}
