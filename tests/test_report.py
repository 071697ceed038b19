"""The HTML report: self-contained, complete, units from the result metadata, parameters as used."""

import re
from dataclasses import dataclass

import pytest

from mtzsim.io.scenario import parse_scenario
from mtzsim.params.presets import FLAGSHIP_SCENARIO
from mtzsim.pipeline.chain import FigureSpec, Highlight, StageCall, StageSpec, TreatmentChain
from mtzsim.pipeline.contract import quantity
from mtzsim.report import html as report_html
from mtzsim.report import render_report, write_report


@dataclass(frozen=True)
class FakeMTZ:
    """A stage result declared with the contract (what MTZResult becomes)."""

    ablation_depth: float = quantity("m", "crater depth", display="um", default=520e-6)
    peak_temperature: float = quantity("K", "peak temperature", display="degC", default=374.15)
    coverage: float = quantity("1", "fraction treated", display="%", default=0.31)


@dataclass
class LegacyField:
    """A result without field metadata: the report falls back to its to_dict()."""

    def to_dict(self):
        return {"n_mtz": 143, "coverage_treated": 0.31, "max_bulk_temperature_c": 41.0,
                "median_island_distance_um": 150.0}


def good_figure(result, ax=None):
    ax.plot([0, 1], [0, 1])
    ax.set_title("ok")
    return ax


def broken_figure(result, ax=None):
    raise ValueError("no data")


MTZ = StageSpec("mtz", "Single MTZ", lambda: FakeMTZ(), lambda sc, r: StageCall(),
                figures=(FigureSpec(__name__, "good_figure", "MTZ cross-section", "caption", (4, 3)),),
                highlights=(Highlight("ablation_depth", "Crater depth"), Highlight("peak_temperature", "Peak")))
FIELD = StageSpec("field", "Treatment field", lambda: LegacyField(), lambda sc, r: StageCall(),
                  highlights=(Highlight("n_mtz", "MTZs"), Highlight("coverage_treated", "Treated area")))


def run_of(text=FLAGSHIP_SCENARIO, stages=(MTZ, FIELD)):
    return TreatmentChain(parse_scenario(text, source="flagship.toml"), stages=stages).run().with_run_id("c0ffee12")


def test_report_is_self_contained_and_complete(tmp_path):
    run = run_of()
    page = write_report(run, tmp_path / "report.html").read_text(encoding="utf-8")
    # self-contained: no external scripts, styles, fonts or images
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<script" not in page and "@import" not in page and "url(" not in page
    assert page.count("data:image/png;base64,") == 1
    # the scenario with units, version and run id
    assert "Deep fractional CO2 (120 µm) on boxcar acne scars" in page
    assert 'energy = &quot;20mJ&quot;' in page and "c0ffee12" in page and run.version in page
    # key numbers in display units from the metadata: 520e-6 m → 520 µm, 374.15 K → 101 °C, 0.31 → 31 %
    assert ">520<" in page and "µm" in page and ">101<" in page and "°C" in page and ">31<" in page
    assert "143" in page  # legacy to_dict() result
    assert "Hantash2007" in page and "Parameters &amp; sources" in page
    assert "Lasers Surg Med 2007;39(2):96–107" in page  # the full reference of a cited key, shipped with the package
    assert "shared/data" not in page  # no pointer to files a clone does not have
    assert "not a medical device" in page
    assert "All settings are inside the clinical ranges" in page
    assert not list(tmp_path.glob("*.part"))


def test_report_warns_about_settings_outside_clinical_ranges():
    from mtzsim.params.presets import ClinicalRangeWarning

    text = FLAGSHIP_SCENARIO.replace('energy = "20mJ"', 'energy = "300mJ"')
    with pytest.warns(ClinicalRangeWarning):
        page = render_report(run_of(text))
    assert "outside clinical ranges" in page and "laser.energy" in page


def test_a_broken_figure_is_an_error_not_a_hidden_box():
    broken = StageSpec("mtz", "Single MTZ", lambda: FakeMTZ(), lambda sc, r: StageCall(),
                       figures=(FigureSpec(__name__, "broken_figure", "x", "caption", (4, 3)),))
    with pytest.raises(ValueError, match="no data"):
        render_report(run_of(stages=(broken,)))


def test_render_figure_gives_png():
    png = report_html.render_figure(__name__, "good_figure", None, size=(2, 2), dpi=50)
    assert png.startswith(b"\x89PNG")


def test_legacy_labels_and_units():
    assert report_html._label("ablation_depth_um") == "Ablation depth"
    assert report_html._value_unit("ablation_depth_um", 520.0) == ("520", "µm")
    assert report_html._value_unit("pulse_duration_s", 1.3e-3) == ("1.3", "ms")
    assert report_html._value_unit("coverage_treated", 0.31) == ("31", "%")
