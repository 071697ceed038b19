"""The HTML report: self-contained, complete, and robust to missing or failing figures."""

import re
from dataclasses import dataclass

import pytest

from mtzsim.pipeline.chain import Stage, TreatmentChain
from mtzsim.params.presets import FLAGSHIP_SCENARIO
from mtzsim.report import html as report_html
from mtzsim.report import render_report, write_report
from mtzsim.io.scenario import parse_scenario


@dataclass
class FakeMTZ:
    ablation_depth: float = 520e-6

    def to_dict(self):
        return {"ablation_depth_um": 520.0, "coagulation_depth_um": 720.0, "peak_temperature_c": 101.0,
                "energy_partition_mj": {"delivered": 40.0}, "pulse_duration_s": 1.3e-3}


@dataclass
class FakeField:
    def to_dict(self):
        return {"n_mtz": 143, "coverage_treated": 0.31, "max_bulk_temperature_c": 41.0,
                "median_island_distance_um": 150.0}


def run_of(text=FLAGSHIP_SCENARIO, stages=None):
    stages = stages or [Stage("mtz", lambda s, r: FakeMTZ(), "Single MTZ"),
                        Stage("field", lambda s, r: FakeField(), "Treatment field", ("mtz",))]
    result = TreatmentChain(parse_scenario(text, source="flagship.toml"), stages=stages).run()
    result.run_id = "c0ffee12"
    return result


def good_figure(result, ax=None):
    ax.plot([0, 1], [0, 1])
    ax.set_title("ok")
    return ax


def broken_figure(result, ax=None):
    raise ValueError("no data")


@pytest.fixture
def figures(monkeypatch):
    """Figure registry: one working figure, one failing, one missing module, one missing function."""
    monkeypatch.setattr(report_html, "FIGURES", {
        "mtz": [(__name__, "good_figure", "MTZ cross-section", "caption", (4, 3))],
        "field": [
            (__name__, "broken_figure", "En-face damage map", "caption", (4, 3)),
            ("mtzsim.report.no_such_module", "plot", "Bulk temperature", "caption", (4, 3)),
            (__name__, "no_such_function", "Islands", "caption", (4, 3)),
        ],
    })


def test_report_is_self_contained_and_complete(figures, tmp_path):
    run = run_of()
    page = write_report(run, tmp_path / "report.html").read_text(encoding="utf-8")
    # self-contained: no external scripts, styles, fonts or images
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<script" not in page and "@import" not in page and "url(" not in page
    assert page.count("data:image/png;base64,") == 1
    # the scenario with units, version and run id
    assert "Deep fractional CO2 (120 µm) on boxcar acne scars" in page
    assert 'energy = &quot;20mJ&quot;' in page and "c0ffee12" in page and run.version in page
    # key numbers with units, every parameter with its source
    assert "520" in page and "µm" in page and "143" in page and "31" in page
    assert "Hantash2007" in page and "Parameters &amp; sources" in page
    assert "not a medical device" in page
    # figures that fail or are missing become "not available" boxes
    assert page.count("not available") >= 3 and "ValueError: no data" in page
    assert "All settings are inside the clinical ranges" in page


def test_report_warns_about_settings_outside_clinical_ranges(figures):
    text = FLAGSHIP_SCENARIO.replace('energy = "20mJ"', 'energy = "300mJ"')
    page = render_report(run_of(text))
    assert "outside clinical ranges" in page and "laser.energy" in page


def test_report_shows_skipped_stages(figures):
    def not_yet(s, r):
        raise NotImplementedError("engine not built yet")

    page = render_report(run_of(stages=[Stage("mtz", not_yet, "Single MTZ")]))
    assert "Single MTZ: not available" in page and "engine not built yet" in page


def test_render_figure_never_raises():
    png, why = report_html.render_figure(__name__, "broken_figure", None)
    assert png is None and "ValueError" in why
    png, why = report_html.render_figure(__name__, "good_figure", None, size=(2, 2), dpi=50)
    assert png.startswith(b"\x89PNG") and why == ""


def test_labels_and_units():
    assert report_html._label("ablation_depth_um") == "Ablation depth"
    assert report_html._value_unit("ablation_depth_um", 520.0) == ("520", "µm")
    assert report_html._value_unit("pulse_duration_s", 1.3e-3) == ("1.3", "ms")
    assert report_html._value_unit("coverage_treated", 0.31) == ("31", "%")
