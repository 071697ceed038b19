"""Run registry: whole runs in one transaction, short unique ids, list/show/diff.

Tolerances: ``pytest.approx``'s default (relative 1e-6) wherever a value has only passed through
unit conversions and arithmetic in float64 (rounding ~1e-16), never to hide a model error.
"""

import sqlite3

import pytest

from mtzsim.errors import InputError
from mtzsim.io.store import RunStore


def add(store, energy=40.0, depth=500.0, **kw):
    return store.add_run(
        scenario={"name": "s", "resolved_si": {"laser": {"energy": energy * 1e-3}}},
        results={"mtz": {"ablation_depth_um": depth, "laser": "co2"}, "field": {"n_mtz": 10}},
        timings={"mtz": 1.5, "field": 2.5},
        version="0.1.0",
        name="test run",
        **kw,
    )


def test_add_get_list(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as store:
        run_id = add(store, warnings=[{"field": "laser.energy", "message": "high"}])
        assert len(run_id) == 8
        run = store.get_run(run_id)
        assert run["results"]["mtz"]["ablation_depth_um"] == 500.0
        assert list(run["results"]) == ["mtz", "field"]  # stage order kept
        assert run["timings"] == {"mtz": 1.5, "field": 2.5}
        assert run["total_s"] == pytest.approx(4.0)
        assert run["warnings"][0]["field"] == "laser.energy"
        listed = store.list_runs()
        assert listed[0]["id"] == run_id and listed[0]["stages"] == ["mtz", "field"] and listed[0]["warnings"] == 1
        assert store.integrity_check() == "ok"


def test_ids_are_short_and_unique(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as store:
        ids = {add(store) for _ in range(300)}
        assert len(ids) == 300 and len(store.list_runs()) == 300
        assert all(len(i) == 8 for i in ids)


def test_prefix_lookup_and_errors(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as store:
        run_id = add(store, run_id="abcd1234")
        add(store, run_id="abcd9999")
        assert store.get_run("abcd1")["id"] == run_id
        with pytest.raises(InputError, match="matches 2 runs"):
            store.get_run("abcd")
        with pytest.raises(InputError, match="no run"):
            store.get_run("ffff0000")
        with pytest.raises(InputError, match="already"):
            add(store, run_id="abcd1234")


def test_diff_runs(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as store:
        a, b = add(store, energy=40, depth=500), add(store, energy=80, depth=900)
        diff = store.diff_runs(a, b)
        scen = {r["key"]: r for r in diff["scenario"]}
        assert scen["laser.energy"]["change"] == pytest.approx(1.0)
        res = {r["key"]: r for r in diff["results"]}
        assert res["mtz.ablation_depth_um"]["change"] == pytest.approx(0.8)
        assert "field.n_mtz" not in res and diff["version"] is None


def test_failed_write_leaves_no_partial_run(tmp_path, monkeypatch):
    with RunStore(tmp_path / "runs.sqlite") as store:
        keep = add(store)

        insert = RunStore._insert

        def boom(cur, run_id, payload, meta):
            insert(cur, run_id, payload, meta)  # the rows are written, then the process "dies"
            raise RuntimeError("killed inside the transaction")

        monkeypatch.setattr(RunStore, "_insert", staticmethod(boom))
        with pytest.raises(RuntimeError):
            add(store)
        assert [r["id"] for r in store.list_runs()] == [keep]
    con = sqlite3.connect(tmp_path / "runs.sqlite")
    assert con.execute("SELECT count(*) FROM results").fetchone()[0] == 2  # only the kept run's stages
    assert con.execute("SELECT count(*) FROM results WHERE run_id NOT IN (SELECT id FROM runs)").fetchone()[0] == 0


def test_delete_run(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as store:
        a, b = add(store), add(store)
        store.delete_run(a)
        assert [r["id"] for r in store.list_runs()] == [b]


def test_bad_paths_are_input_errors(tmp_path):
    with pytest.raises(InputError) as info:
        RunStore(tmp_path)
    assert info.value.field == "db"  # the library's name; the CLI passes field="--db"
    with pytest.raises(InputError) as info:
        RunStore(tmp_path, field="--db")
    assert info.value.field == "--db"
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match="not an mtzsim run registry"):
        RunStore(junk)


def test_diff_shows_display_units_and_no_relative_change_of_seeds_or_counts(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as store:
        def one(energy, seed, passes, depth):
            return store.add_run(
                scenario={"resolved_si": {"laser": {"energy": energy}, "pattern": {"seed": seed, "passes": passes}}},
                results={"mtz": {"ablation_depth_um": depth}}, timings={}, version="0")

        a, b = one(0.02, 1, 1, 500.0), one(0.03, 7, 3, 600.0)
        rows = {r["key"]: r for d in store.diff_runs(a, b).values() if isinstance(d, list) for r in d}
    energy = rows["laser.energy"]
    assert (energy["a_shown"], energy["b_shown"]) == ("20 mJ", "30 mJ") and energy["change"] == pytest.approx(0.5)
    seed = rows["pattern.seed"]
    assert seed["kind"] == "category" and "change" not in seed and "delta" not in seed  # a seed has no "% change"
    assert rows["pattern.passes"]["delta"] == 2 and "change" not in rows["pattern.passes"]
    assert rows["mtz.ablation_depth_um"]["unit"] == "µm" and rows["mtz.ablation_depth_um"]["change"] == pytest.approx(0.2)
