"""The run service: outputs checked before the compute, folders written whole or not at all, registry row last.

Tolerances: ``pytest.approx``'s default (relative 1e-6) wherever a value has only passed through
unit conversions and arithmetic in float64 (rounding ~1e-16), never to hide a model error.
"""

import json
import os
import signal
import sqlite3
from dataclasses import dataclass

import pytest

from mtzsim.errors import InputError
from mtzsim.interfaces import services
from mtzsim.interfaces.services import run_scenario
from mtzsim.io.scenario import parse_scenario
from mtzsim.io.store import RunStore
from mtzsim.params.presets import FLAGSHIP_SCENARIO
from mtzsim.pipeline.chain import StageCall, StageSpec
from mtzsim.pipeline.contract import quantity


@dataclass(frozen=True)
class Depth:
    depth: float = quantity("m", "a depth", display="um")


CALLS = []


def depth_stage(energy):
    CALLS.append(energy)
    return Depth(energy * 1e-2)


def failing_stage(energy):
    raise RuntimeError("model diverged")


def interrupted_stage(energy):
    raise KeyboardInterrupt


def stages(fn=depth_stage):
    return (StageSpec("mtz", "Single MTZ", fn, lambda s, r: StageCall((s.beam().energy,))),)


@pytest.fixture
def scenario():
    return parse_scenario(FLAGSHIP_SCENARIO, source="flagship.toml")


def rows(db):
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("SELECT id FROM runs")]
    finally:
        con.close()


def test_a_run_writes_its_folder_and_one_row(scenario, tmp_path):
    out = tmp_path / "runs" / "a"  # a missing parent is created
    outcome = run_scenario(scenario, out, db=tmp_path / "r.db", stages=stages(), cache=False)
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "results.json", "scenario.toml"]
    assert rows(tmp_path / "r.db") == [outcome.run_id]
    results = json.loads((out / "results.json").read_text())
    assert results["run_id"] == outcome.run_id and results["stages"]["mtz"]["depth"] == pytest.approx(2e-4)
    assert not [p for p in (tmp_path / "runs").iterdir() if p.name.startswith(".")]  # no staging left


def test_existing_out_is_refused_before_any_compute(scenario, tmp_path):
    (tmp_path / "a").mkdir()
    CALLS.clear()
    with pytest.raises(InputError) as info:
        run_scenario(scenario, tmp_path / "a", db=tmp_path / "r.db", stages=stages(), cache=False,
                     field_names={"out": "--out"})
    assert info.value.field == "--out" and "--force" in info.value.message
    assert CALLS == []  # refused before the simulation


def test_force_replaces_the_folder(scenario, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "old.txt").write_text("old")
    run_scenario(scenario, tmp_path / "a", db=tmp_path / "r.db", stages=stages(), cache=False, force=True)
    assert not (tmp_path / "a" / "old.txt").exists() and (tmp_path / "a" / "report.html").is_file()


def test_out_that_is_a_file_or_under_a_file_is_refused(scenario, tmp_path):
    (tmp_path / "f").write_text("x")
    CALLS.clear()
    for out in (tmp_path / "f", tmp_path / "f" / "run"):
        with pytest.raises(InputError) as info:
            run_scenario(scenario, out, db=tmp_path / "r.db", stages=stages(), cache=False)
        assert info.value.field == "out"
    assert CALLS == []


def test_unwritable_parent_is_refused_before_any_compute(scenario, tmp_path, monkeypatch):
    def denied(*args, **kwargs):  # a read-only parent, injected (the tests may run as root)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(services.tempfile, "mkdtemp", denied)
    CALLS.clear()
    with pytest.raises(InputError, match="Permission denied"):
        run_scenario(scenario, tmp_path / "a", db=tmp_path / "r.db", stages=stages(), cache=False)
    assert CALLS == []


@pytest.mark.parametrize("fn, error", [(failing_stage, RuntimeError), (interrupted_stage, KeyboardInterrupt)])
def test_a_failed_or_interrupted_run_leaves_nothing(scenario, tmp_path, fn, error):
    with pytest.raises(error):
        run_scenario(scenario, tmp_path / "a", db=tmp_path / "r.db", stages=stages(fn), cache=False)
    assert list(tmp_path.iterdir()) == [tmp_path / "r.db"] or sorted(p.name for p in tmp_path.iterdir()) == [
        "r.db", "r.db-shm", "r.db-wal"]
    assert rows(tmp_path / "r.db") == []


def test_sigint_during_the_commit_is_held_until_the_run_is_stored(scenario, tmp_path, monkeypatch):
    insert = RunStore._insert

    def insert_then_ctrl_c(cur, run_id, payload, meta):
        insert(cur, run_id, payload, meta)
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C inside the transaction

    monkeypatch.setattr(RunStore, "_insert", staticmethod(insert_then_ctrl_c))
    stored = []
    with pytest.raises(KeyboardInterrupt):
        run_scenario(scenario, tmp_path / "a", db=tmp_path / "r.db", stages=stages(), cache=False,
                     on_stored=stored.append)
    assert rows(tmp_path / "r.db") == stored and (tmp_path / "a" / "report.html").is_file()


def test_stale_staging_folders_of_killed_runs_are_removed(scenario, tmp_path):
    stale = tmp_path / ".a.partial-999999999-xyz"  # no such process
    stale.mkdir()
    run_scenario(scenario, tmp_path / "a", db=tmp_path / "r.db", stages=stages(), cache=False)
    assert not stale.exists()


def test_report_and_json_list_what_the_run_used(tmp_path):
    """The real stages on a tiny forearm patch: tissue, numerics and scan defaults as used."""
    text = """
[laser]
preset = "deep-fractional-co2-120um"
energy = "5mJ"
[pattern]
area = "1mm x 1mm"
[patient]
site = "forearm"
[numerics]
field_resolution = "20um"
"""
    sc = parse_scenario(text, source="tiny.toml")
    outcome = run_scenario(sc, tmp_path / "a", db=tmp_path / "r.db")
    results = json.loads((tmp_path / "a" / "results.json").read_text())
    pattern = results["inputs"]["field"]["args"][1]
    # the scan left to PatternSpec's defaults: the 5 % density and the order actually used
    assert pattern["density"] == pytest.approx(0.05) and pattern["order"] in ("random", "raster", "interlaced")
    assert results["inputs"]["field"]["kwargs"]["resolution"] == pytest.approx(20e-6)
    sc_layer = next(layer for layer in results["inputs"]["mtz"]["kwargs"]["tissue"]["layers"] if layer["key"] == "sc")
    assert sc_layer["thickness"] == pytest.approx(22.6e-6)  # RamanSC2007 volar forearm
    page = (tmp_path / "a" / "report.html").read_text(encoding="utf-8")
    assert "forearm" in page and "22.6 µm" in page and "20 µm" in page
    assert outcome.run.mtz.ablation_depth > 0
