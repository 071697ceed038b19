"""TreatmentChain: stage descriptors in order, typed results, cache, start mid-way, progress, metadata.

Tolerances: ``pytest.approx``'s default (relative 1e-6) wherever a value has only passed through
unit conversions and arithmetic in float64 (rounding ~1e-16), never to hide a model error.
"""

import dataclasses
import json
from dataclasses import dataclass

import numpy as np
import pytest
import xarray as xr

from mtzsim.io.scenario import parse_scenario
from mtzsim.params.presets import FLAGSHIP_SCENARIO
from mtzsim.pipeline import chain
from mtzsim.pipeline.cache import ResultCache
from mtzsim.pipeline.chain import ChainResult, StageCall, StageSpec, TreatmentChain
from mtzsim.pipeline.contract import describe, quantity
from test_cache import assert_same_bits


@dataclass(frozen=True)
class Fake:
    """A stage result of the tests, declared with the contract."""

    value: float = quantity("m", "a length")
    label: str = quantity("", "a label", kind="category")
    dataset: object = quantity("", "maps", kind="array", default=None)


def fake_dataset(n=4):
    return xr.Dataset({"zone": (("y", "x"), np.arange(n * n, dtype=np.int8).reshape(n, n) % 5),
                       "peak_temperature": (("y", "x"), np.full((n, n), 320.0), {"units": "K"})},
                      coords={"x": np.arange(n) * 1e-5, "y": np.arange(n) * 1e-5},
                      attrs={"flag": True, "meta": {"a": 1}, "none": None})


def stage_a(energy, *, scale=1.0):
    return Fake(energy * scale, "a", fake_dataset())


def stage_b(a, *, factor, progress=None):
    if progress is not None:
        progress(0.5, "halfway")
    return Fake(a.value * factor, "b", fake_dataset(3))


A = StageSpec("a", "A", stage_a, lambda sc, res: StageCall((sc.beam().energy,), {"scale": 1.0}), cacheable=True)
B = StageSpec("b", "B", stage_b, lambda sc, res: StageCall((res["a"],), {"factor": 2.0}), inputs=("a",),
              cacheable=True, reports_progress=True)


@pytest.fixture
def scenario():
    return parse_scenario(FLAGSHIP_SCENARIO)


def test_stages_run_in_order_and_see_earlier_results(scenario):
    calls = []
    run = TreatmentChain(scenario, stages=(A, B)).run(progress=lambda s, f, d="": calls.append((s, f)))
    assert run.stage_names == ("a", "b")
    assert run.b.value == pytest.approx(0.040)  # 2 × the flagship 20 mJ (the fake treats J as m)
    assert run.a is run.result("a") is run["a"]
    assert set(run.timings) == {"a", "b"} and all(t >= 0 for t in run.timings.values())
    # chain start/end of each stage, plus the stage's own progress in between
    assert calls == [("a", 0.0), ("a", 1.0), ("b", 0.0), ("b", 0.5), ("b", 1.0)]
    assert isinstance(run, ChainResult)
    with pytest.raises(AttributeError):
        run.healing  # noqa: B018  (a stage this run does not have)


def test_stage_list_is_checked():
    with pytest.raises(ValueError, match="needs a"):
        chain.check_stages((B, A))
    with pytest.raises(ValueError, match="twice"):
        chain.check_stages((A, A))


def test_default_stages_are_the_real_models():
    assert [s.name for s in chain.DEFAULT_STAGES] == ["mtz", "field", "healing", "outcome"]
    assert isinstance(chain.DEFAULT_STAGES, tuple)  # no mutable module-level registry
    assert not hasattr(chain, "register_stage") and not hasattr(chain, "StageUnavailable")


def test_given_results_start_mid_way(scenario):
    given = Fake(1.0, "given")
    run = TreatmentChain(scenario, stages=(A, B)).run(given={"a": given})
    assert run.a is given and run.record("a").source == "given"
    assert run.b.value == 2.0
    with pytest.raises(ValueError, match="not in the list"):
        TreatmentChain(scenario, stages=(A,)).run(given={"zz": given})


def test_cache_serves_second_run_from_memory_then_disk(scenario, tmp_path):
    cache = ResultCache(tmp_path / "cache")
    first = TreatmentChain(scenario, stages=(A, B), cache=cache).run()
    assert [r.source for r in first.records] == ["computed", "computed"]
    second = TreatmentChain(scenario, stages=(A, B), cache=cache).run()
    assert [r.source for r in second.records] == ["cache (memory)", "cache (memory)"]
    fresh = ResultCache(tmp_path / "cache")  # a new process: the disk
    third = TreatmentChain(scenario, stages=(A, B), cache=fresh).run()
    assert [r.source for r in third.records] == ["cache (disk)", "cache (disk)"]
    assert third.b == first.b
    # the field-like stage's key names the upstream key, not the upstream object
    assert first.record("b").key == third.record("b").key


def test_to_dict_is_plain_json(scenario, tmp_path):
    run = TreatmentChain(scenario, stages=(A, B)).run()
    d = run.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["stages"]["a"]["value"] == pytest.approx(0.020)
    assert d["fields"]["a"]["value"]["unit"] == "m"
    assert d["inputs"]["b"]["kwargs"] == {"factor": 2.0}
    assert d["scenario"]["as_written"]["laser"]["energy"] == "20mJ"
    assert d["mtzsim_version"]
    path = run.write_json(tmp_path / "results.json")
    assert json.loads(path.read_text()) == d


def test_write_netcdf_one_cf_group_per_stage(scenario, tmp_path):
    run = TreatmentChain(scenario, stages=(A, B)).run().with_run_id("deadbeef")
    path = run.write_netcdf(tmp_path / "fields.nc")
    for name, n in (("a", 4), ("b", 3)):
        with xr.open_dataset(path, group=name, engine="h5netcdf", mask_and_scale=False) as ds:
            assert ds["zone"].shape == (n, n)
            assert ds.attrs["run_id"] == "deadbeef" and ds.attrs["stage"] == name
            assert ds["zone"].attrs["flag_meanings"].split() == ["untouched", "heat_shock", "lethal",
                                                                   "coagulated", "ablated"]
    assert not list(tmp_path.glob("*.part"))


def test_no_dataset_no_file(scenario, tmp_path):
    spec = StageSpec("a", "A", lambda e: Fake(e, "x"), lambda sc, res: StageCall((1.0,)))
    run = TreatmentChain(scenario, stages=(spec,)).run()
    assert run.write_netcdf(tmp_path / "fields.nc") is None


def test_options_come_from_the_scenario():
    sc = parse_scenario(FLAGSHIP_SCENARIO.replace('site = "cheek"', 'site = "forearm"')
                        + '\n[numerics]\nmtz_cell = "4um"\nfield_resolution = "20um"\n')
    mtz_call = chain.prepare_mtz(sc, {})
    assert mtz_call.kwargs["tissue"].name == "forearm"
    sc_layer = next(layer for layer in mtz_call.kwargs["tissue"].layers if layer.key == "sc")
    assert sc_layer.thickness == pytest.approx(22.6e-6)  # RamanSC2007, volar forearm
    assert mtz_call.kwargs["numerics"].cell == pytest.approx(4e-6)
    assert sc.field_options()["resolution"] == pytest.approx(20e-6)



@pytest.mark.parametrize("spec", chain.DEFAULT_STAGES, ids=lambda s: s.name)
def test_every_result_field_has_unit_and_doc(spec):
    cls = spec.resolve_result_type()
    assert cls is not None, f"stage {spec.name} declares no result type"
    for f in dataclasses.fields(cls):
        if f.name.startswith("_"):
            continue
        assert "unit" in f.metadata and f.metadata.get("doc"), f"{cls.__name__}.{f.name} has no unit/doc"


def test_describe_reads_the_metadata():
    info = {i.name: i for i in describe(Fake(1.0, "x"))}
    assert info["value"].unit == "m" and info["label"].kind == "category"


SMALL = """
title = "small end-to-end"
[laser]
preset = "deep-fractional-co2-120um"
energy = "10mJ"
[pattern]
density = "10%"
area = "1.5mm x 1.5mm"
seed = 1
"""


def test_real_chain_end_to_end(tmp_path):
    """The real stages, wired by the chain; cached the second time, with the same bits."""
    cache = ResultCache(tmp_path / "cache")
    run = TreatmentChain(parse_scenario(SMALL), cache=cache).run()
    # 10 mJ at 120 µm (the preset's Hantash-like beam): a crater above a thicker coagulated rim,
    # both well inside the 2.5 mm domain
    assert 0 < run.mtz.ablation_depth < run.mtz.coagulation_depth < 2e-3
    assert run.field.n_mtz >= 1 and 0 < run.field.coverage_treated <= 1
    assert run.write_netcdf(tmp_path / "fields.nc") is not None
    json.dumps(run.to_dict(), allow_nan=False)
    again = TreatmentChain(parse_scenario(SMALL), cache=ResultCache(tmp_path / "cache")).run()
    # the physics comes from the disk cache; healing (seconds, not cached) is computed again, and
    # this scenario has no scars, so it has no outcome stage
    assert [(r.spec.name, r.source) for r in again.records] == [
        ("mtz", "cache (disk)"), ("field", "cache (disk)"), ("healing", "computed")]
    fresh = TreatmentChain(parse_scenario(SMALL)).run()  # no cache: computed again
    assert_same_bits(again.mtz, fresh.mtz)
    assert_same_bits(again.field, fresh.field)


def test_out_of_range_settings_warn_library_users(scenario):
    from mtzsim.params.presets import ClinicalRangeWarning

    hot = parse_scenario(FLAGSHIP_SCENARIO.replace('energy = "20mJ"', 'energy = "300mJ"'))
    with pytest.warns(ClinicalRangeWarning, match="laser.energy"):
        run = TreatmentChain(hot, stages=(A,)).run()
    assert any(w.field == "laser.energy" for w in run.warnings)


def test_stage_checks_become_warnings_json_and_report(scenario):
    from mtzsim.pipeline.chain import ModelWarning, check_field
    from mtzsim.report import render_report

    @dataclass(frozen=True)
    class NoIslands:
        median_island_distance: float = quantity("m", "median distance to intact skin")

    assert check_field(NoIslands(1e-4)) == []
    spec = StageSpec("field", "Treatment field", lambda: NoIslands(float("inf")), lambda sc, r: StageCall(),
                     checks=check_field)
    with pytest.warns(ModelWarning, match="no intact islands"):
        run = TreatmentChain(scenario, stages=(spec,)).run()
    assert "no intact islands" in run.to_dict()["notes"]["field"][0]
    assert "no intact islands" in render_report(run)
