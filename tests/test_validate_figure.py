"""`mtzsim validate --figure`: one axis for every kind of case, on which a case passes exactly when its dot is on its band."""

import math
import subprocess
import sys

import pytest

from mtzsim.report.figures_validate import deviation, save_validation_figure
from mtzsim.verify.validation import Case, evaluate


def _case(kind, measured, tolerance, predicted):
    return evaluate(Case(name=f"{kind} {predicted}", model="mtz", quantity="q", unit="um", measured=measured,
                         tolerance=tolerance, source="test", predict=lambda: predicted, kind=kind))


# every kind of case, on and off its band, at its edges and beyond them
CASES = [_case(k, m, t, p) for k, m, t, preds in (
    ("two-sided", 520.0, 0.2, (520.0, 624.0, 416.0, 625.0, 400.0, 1e-9, 5000.0)),
    ("absolute", 0.0, 10.0, (0.0, 8.9, -10.0, 10.5, -40.0)),
    ("factor", 2.0, 3.0, (2.0, 6.0, 0.67, 6.1, 0.6, 60.0)),
    ("greater", 3.0, 0.0, (3.0, 2.46, 9.0, 2.999)),
    ("greater", 1000.0, 0.2, (800.0, 799.0, 1200.0)),
) for p in preds]


@pytest.mark.parametrize("o", CASES, ids=lambda o: o.case.name)
def test_a_case_passes_exactly_when_its_deviation_lies_on_its_band(o):
    d, lo, hi = deviation(o)
    assert o.passed == (math.isfinite(d) and lo <= d <= hi)


def test_the_deviation_is_the_error_in_units_of_the_tolerance():
    two_sided = _case("two-sided", 520.0, 0.2, 624.0)
    assert deviation(two_sided)[0] == pytest.approx(1.0)  # +20 % on ±20 %
    factor = _case("factor", 2.0, 3.0, 2.0 / 9.0)
    assert deviation(factor)[0] == pytest.approx(-2.0)  # a factor 9 = 3² below
    greater = _case("greater", 3.0, 0.0, 2.46)
    assert deviation(greater) == pytest.approx(((2.46 / 3.0 - 1.0) / 0.2, 0.0, math.inf))


def test_the_figure_is_written_in_the_format_of_its_suffix(tmp_path):
    png = save_validation_figure(CASES, tmp_path / "v.png")
    svg = save_validation_figure(CASES, tmp_path / "v.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert b"<svg" in svg.read_bytes()[:2000]


def test_cli_writes_the_figure_and_refuses_a_bad_path_before_any_case(tmp_path):
    r = subprocess.run([sys.executable, "-m", "mtzsim", "validate", "--model", "damage", "--figure",
                        str(tmp_path / "v.png")], capture_output=True, text=True, timeout=300)
    assert r.returncode in (0, 1) and (tmp_path / "v.png").stat().st_size > 10_000, r.stderr
    bad = subprocess.run([sys.executable, "-m", "mtzsim", "validate", "--figure", str(tmp_path / "v.xyz")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--figure" in bad.stderr and "Traceback" not in bad.stderr
