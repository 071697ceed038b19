"""Sweeps: sweep files, generated scenarios, the same numbers at any worker count, resumable Parquet parts.

The physics is kept tiny (1 mm × 1 mm, 10 µm MTZ cells, 20 µm field pixels, MTZ and field
stages only) so that a 200-scenario sweep takes seconds: 4 densities × 50 ages repeat the same 4
fields, which the result cache computes once each. Equality is exact (``pyarrow.Table.equals``):
the same deterministic code on the same inputs must give the same bits on any worker.
"""

import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from mtzsim.errors import InputError
from mtzsim.interfaces import cli as cli_module
from mtzsim.io import sweep_store
from mtzsim.pipeline import sweep as sw

BASE = """
title = "tiny sweep"
[laser]
preset = "deep-fractional-co2-120um"
energy = "10mJ"
[pattern]
density = "5%"
area = "1mm x 1mm"
seed = 1
[numerics]
mtz_cell = "10um"
field_resolution = "20um"
"""

GRID_200 = BASE + """
[sweep]
method = "grid"
stages = ["mtz", "field"]
[sweep.parameters]
"pattern.density" = ["5%", "8%", "12%", "16%"]
"patient.age" = [AGES]
""".replace("AGES", ", ".join(str(a) for a in range(20, 70)))


def table_without_run_columns(path):
    return sweep_store.read_result(path).drop_columns(list(sw.RUN_COLUMNS))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def grid_spec():
    return sw.parse_sweep(GRID_200, source="grid200.toml")


@pytest.fixture(scope="module")
def serial_table(grid_spec, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "sweep"
    outcome = sw.run_sweep(grid_spec, out, cache_dir=str(tmp_path_factory.mktemp("cache-serial")))
    assert outcome.n_scenarios == 200 and outcome.n_computed == 200
    return out


@pytest.fixture(scope="module")
def local_cluster(tmp_path_factory):
    with sw.open_executor(workers=2, cache_dir=str(tmp_path_factory.mktemp("cache-cluster"))) as executor:
        yield executor


# ---- the sweep file ----------------------------------------------------------------------


def test_grid_is_every_combination_in_order(grid_spec):
    points = sw.generate(grid_spec)
    assert len(points) == 4 * 50
    assert [p.index for p in points] == list(range(200))
    # first parameter slowest (itertools.product order); the values read back from the validated scenario
    assert points[0].inputs == {"in.pattern.density": 0.05, "in.patient.age": 20}
    assert points[51].inputs == {"in.pattern.density": 0.08, "in.patient.age": 21}
    assert len({p.input_hash for p in points}) == 200


@pytest.mark.parametrize("method, n", [("lhs", 40), ("sobol", 32)])
def test_ranges_are_sampled_in_si_and_read_back_exactly(method, n):
    text = BASE + f"""
[sweep]
method = "{method}"
samples = {n}
seed = 3
[sweep.parameters]
"laser.energy" = {{low = "10mJ", high = "40mJ"}}
"pattern.density" = {{low = "5%", high = "20%"}}
"patient.age" = {{low = 20, high = 60}}
"""
    spec = sw.parse_sweep(text)
    points = sw.generate(spec)
    assert len(points) == n
    energy = np.array([p.inputs["in.laser.energy"] for p in points])
    density = np.array([p.inputs["in.pattern.density"] for p in points])
    age = np.array([p.inputs["in.patient.age"] for p in points])
    assert energy.min() >= 10e-3 and energy.max() < 40e-3
    assert density.min() >= 0.05 and density.max() < 0.20 + 1e-15
    assert set(age) <= set(range(20, 61))
    # the scenario holds the very float that was drawn ("0.0123 J" written back in SI, read as is)
    u = np.array(sw.unit_points(spec))
    assert np.array_equal(energy, 10e-3 + u[:, 0] * (40e-3 - 10e-3))
    # seeded: the same file gives the same points
    assert [p.input_hash for p in sw.generate(sw.parse_sweep(text))] == [p.input_hash for p in points]
    if method == "lhs":  # Latin hypercube (McKay 1979): each of the n strata of each axis holds one point
        for column in u.T:
            assert sorted(np.floor(column * n).astype(int)) == list(range(n))


def test_sweep_over_a_scar_field():
    text = BASE + """
[[scars]]
type = "boxcar"
[sweep]
[sweep.parameters]
"scars[0].depth" = ["0.2mm", "0.4mm"]
"""
    points = sw.generate(sw.parse_sweep(text))
    assert [p.inputs["in.scars[0].depth"] for p in points] == [pytest.approx(0.2e-3), pytest.approx(0.4e-3)]


def test_sweep_over_the_coolant():
    # [cooling] is a scenario table like the others: its temperature swept as a range in °C (an offset unit)
    ranged = BASE + """
[cooling]
kind = "air"
temperature = "5degC"
[sweep]
method = "lhs"
samples = 8
[sweep.parameters]
"cooling.temperature" = {low = "-10degC", high = "10degC"}
"""
    temps = [p.inputs["in.cooling.temperature"] for p in sw.generate(sw.parse_sweep(ranged))]
    # a Latin hypercube puts one sample in each eighth of the range, in kelvin
    assert sorted(int((t - 263.15) / 2.5) for t in temps) == list(range(8))


@pytest.mark.parametrize("sweep, field", [
    ('[sweep]\nmethod = "montecarlo"\n[sweep.parameters]\n"laser.energy" = ["10mJ"]', "sweep.method"),
    ('[sweep]\n[sweep.parameters]\n"laser.energi" = ["10mJ"]', "sweep.parameters.laser.energi"),
    ('[sweep]\n[sweep.parameters]\n"lazer.energy" = ["10mJ"]', "sweep.parameters.lazer.energy"),
    ('[sweep]\n[sweep.parameters]\n"laser.energy" = ["10mm"]', "sweep.parameters.laser.energy"),
    ('[sweep]\n[sweep.parameters]\n"pattern.density" = ["5%", "150%"]', "sweep.parameters.pattern.density"),
    ('[sweep]\n[sweep.parameters]\n"scars[3].depth" = ["1mm"]', "sweep.parameters.scars[3].depth"),
    ('[sweep]\n[sweep.parameters]\n"laser.energy" = "10mJ"', "sweep.parameters.laser.energy"),
    ('[sweep]\nmethod = "lhs"\nsamples = 10\n[sweep.parameters]\n"laser.energy" = ["10mJ"]',
     "sweep.parameters.laser.energy"),
    ('[sweep]\nmethod = "lhs"\nsamples = 10\n[sweep.parameters]\n"laser.energy" = {low = "40mJ", high = "10mJ"}',
     "sweep.parameters.laser.energy"),
    ('[sweep]\nmethod = "lhs"\nsamples = 10\n[sweep.parameters]\n"laser.energy" = {low = "1mJ", high = "9kJ"}',
     "sweep.parameters.laser.energy"),
    ('[sweep]\nmethod = "sobol"\nsamples = 10\n[sweep.parameters]\n"laser.energy" = {low = "1mJ", high = "9mJ"}',
     "sweep.samples"),
    ('[sweep]\nmethod = "lhs"\nsamples = 10\n[sweep.parameters]\n"laser.energy" = {low = "mJ", high = "9mJ"}',
     "sweep.parameters.laser.energy"),  # a unit without a number is not 1 of it
    ('[sweep]\nstages = ["field"]\n[sweep.parameters]\n"laser.energy" = ["10mJ"]', "sweep.stages"),
    ('[sweep]\nmethod = "grid"\n', "sweep.parameters"),
    ("", "sweep"),
])
def test_bad_sweep_files_name_the_field(sweep, field):
    with pytest.raises(InputError) as info:
        sw.generate(sw.parse_sweep(BASE + sweep))
    assert info.value.field == field


def test_cli_bad_sweep_file_exits_2_naming_the_field(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(BASE + '[sweep]\n[sweep.parameters]\n"laser.energy" = ["10mJ", "10 parsecs"]\n')
    monkeypatch.setattr(sys, "argv", ["mtzsim", "sweep", str(bad), "--workers", "0", "--out", str(tmp_path / "o")])
    with pytest.raises(SystemExit) as info:
        cli_module.main()
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "sweep.parameters.laser.energy" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()  # refused before anything ran


# ---- the same numbers at any worker count ----------------------------------------------------


def test_two_local_workers_give_the_serial_numbers(grid_spec, serial_table, local_cluster, tmp_path):
    outcome = sw.run_sweep(grid_spec, tmp_path / "two", executor=local_cluster, batch=25)
    assert outcome.workers == 2 and outcome.n_computed == 200
    two = sweep_store.read_result(tmp_path / "two")
    assert len(set(two.column("run.worker").to_pylist())) == 2  # both workers took part
    assert len(sweep_store.part_paths(tmp_path / "two")) == 8  # 200 rows / 25 per part
    assert table_without_run_columns(tmp_path / "two").equals(table_without_run_columns(serial_table))
    units = sweep_store.column_units(two)
    assert units["in.pattern.density"] == "1" and units["out.mtz.ablation_depth"] == "m"
    assert units["out.field.max_bulk_temperature"] == "K"
    # the physics did vary with density: more MTZs per area at a higher density
    n = two.column("out.field.n_mtz").to_pylist()
    assert n[0] < n[-1]


def test_cohort_chunks_on_workers_equal_one_draw(local_cluster):
    from mtzsim.clinic.cohort import concat, draw_patients, population_for
    from mtzsim.clinic.scars import Scar

    pop = population_for(4, 35.0, [Scar("boxcar_deep", 3e-3, 0.4e-3, 5), Scar("icepick", 1e-3, 0.8e-3, 3)])
    whole = draw_patients(pop, 23, seed=11)
    for executor in (None, local_cluster):
        chunks = sw.map_cohort(pop, 23, 11, executor, chunk=5)
        joined = concat(chunks)
        for name in ("index", "fitzpatrick", "age", "z_gain", "z_feedback", "scar_weight", "depth", "hits_u", "draw"):
            assert np.array_equal(getattr(joined, name), getattr(whole, name)), name


def test_map_scenarios_matches_the_sweep_rows(grid_spec, serial_table, local_cluster):
    points = sw.generate(grid_spec)[:3]
    records = sw.map_scenarios([p.data for p in points], local_cluster, stages=("mtz", "field"))
    table = sweep_store.read_result(serial_table).to_pylist()
    for p, rec in zip(points, records):
        for key, value in rec["outputs"].items():
            assert table[p.index][key] == value or (math.isnan(value) and math.isnan(table[p.index][key]))


# ---- resumable ---------------------------------------------------------------------------------


def test_killed_sweep_resumes_with_only_the_missing_rows(tmp_path):
    # 12 densities × 5 ages: 12 distinct fields computed, 5 rows per part
    text = BASE + """
[sweep]
method = "grid"
stages = ["mtz", "field"]
batch = 5
[sweep.parameters]
"pattern.density" = [DENSITIES]
"patient.age" = [20, 30, 40, 50, 60]
""".replace("DENSITIES", ", ".join(f'"{d}%"' for d in range(5, 17)))
    path = tmp_path / "kill.toml"
    path.write_text(text)
    out = tmp_path / "out"
    env = {**os.environ, "MTZSIM_CACHE_DIR": str(tmp_path / "cache"), "NUMBA_NUM_THREADS": "1",
           "MTZSIM_NO_PROGRESS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "mtzsim", "sweep", str(path), "--workers", "0", "--out", str(out),
                             "--db", str(tmp_path / "reg.sqlite")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not sweep_store.part_paths(out) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    stored = sweep_store.stored_hashes(out)
    assert 0 < len(stored) < 60, "the sweep must be killed after its first part and before its end"
    assert not (out / sweep_store.RESULT).exists()
    spec = sw.parse_sweep(text)
    outcome = sw.run_sweep(spec, out, cache_dir=str(tmp_path / "cache"))
    assert outcome.n_stored_before == len(stored)
    assert outcome.n_computed == 60 - len(stored)
    # the resumed table equals an uninterrupted run (same cache: the same bits)
    fresh = sw.run_sweep(spec, tmp_path / "fresh", cache_dir=str(tmp_path / "cache"))
    assert fresh.n_computed == 60
    assert table_without_run_columns(out).equals(table_without_run_columns(tmp_path / "fresh"))
    # and a third run computes nothing
    assert sw.run_sweep(spec, out, cache_dir=str(tmp_path / "cache")).n_computed == 0
    # --no-resume starts afresh
    assert sw.run_sweep(spec, out, cache_dir=str(tmp_path / "cache"), resume=False).n_computed == 60


def test_cli_sweep_writes_parquet_and_one_registry_row(tmp_path, monkeypatch, capsys):
    from mtzsim.io.store import RunStore

    path = tmp_path / "s.toml"
    path.write_text(BASE + '[sweep]\nstages = ["mtz", "field"]\n[sweep.parameters]\n"patient.age" = [20, 30, 40]\n')
    monkeypatch.setenv("MTZSIM_NO_PROGRESS", "1")
    db = tmp_path / "reg.sqlite"
    monkeypatch.setattr(sys, "argv", ["mtzsim", "sweep", str(path), "--workers", "0", "--out", str(tmp_path / "o"),
                                      "--db", str(db), "--json"])
    with pytest.raises(SystemExit) as info:
        cli_module.main()
    assert info.value.code in (0, None)
    import json

    summary = json.loads(capsys.readouterr().out)
    assert summary["n_scenarios"] == 3 and summary["n_computed"] == 3
    assert pq.read_table(tmp_path / "o" / "sweep.parquet").num_rows == 3
    assert (tmp_path / "o" / "sweep.toml").read_text() == path.read_text()
    with RunStore(db) as store:
        assert store.has_run(summary["run_id"])


# ---- a separately started scheduler and worker ---------------------------------------------------
# About 20-24 s on 2 shared cores: slow since 2026-12-02 (the default run had reached 10:17 of its 10 minutes);
# the two local workers above keep the distributed path in the default run.


@pytest.mark.slow  # 24.0 s of the default run on 2 cores (2026-12-02 13:26, which took 10:17 in all)
def test_external_scheduler_and_worker_give_the_serial_numbers(grid_spec, serial_table, tmp_path):
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "MTZSIM_CACHE_DIR": str(tmp_path / "cache")}
    dask = str(Path(sys.executable).with_name("dask"))
    procs = []
    try:
        procs.append(subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                       "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        procs.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                                       "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(1, timeout=120)
        with sw.open_executor(scheduler=address) as executor:
            outcome = sw.run_sweep(grid_spec, tmp_path / "ext", executor=executor)
        assert outcome.n_computed == 200 and outcome.executor == address
        assert table_without_run_columns(tmp_path / "ext").equals(table_without_run_columns(serial_table))
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_unreachable_scheduler_is_an_input_error():
    with pytest.raises(InputError) as info:
        with sw.open_executor(scheduler=f"tcp://127.0.0.1:{free_port()}", timeout="2s"):
            pass
    assert info.value.field == "--scheduler"


@pytest.mark.slow
def test_full_chain_with_scars_on_two_workers_equals_serial(tmp_path):
    # every default stage (healing and outcome too); slow: each process compiles the healing kernels
    text = BASE + """
[[scars]]
type = "boxcar"
count = 4
[sweep]
[sweep.parameters]
"patient.fitzpatrick" = [2, 5]
"patient.age" = [25, 45]
"""
    spec = sw.parse_sweep(text)
    serial = sw.run_sweep(spec, tmp_path / "serial", cache_dir=str(tmp_path / "cache"))
    with sw.open_executor(workers=2, cache_dir=str(tmp_path / "cache")) as executor:
        sw.run_sweep(spec, tmp_path / "two", executor=executor)
    assert serial.n_computed == 4
    table = sweep_store.read_result(tmp_path / "serial")
    names = table.column_names
    assert any(c.startswith("out.healing.") for c in names) and any(c.startswith("out.outcome.") for c in names)
    assert table_without_run_columns(tmp_path / "two").equals(table_without_run_columns(tmp_path / "serial"))


@pytest.mark.parametrize("extra, field", [(["--workers", "-1"], "--workers"), (["--out", "afile"], "--out")])
def test_cli_bad_options_exit_2_naming_the_option(extra, field, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("not a folder")
    (tmp_path / "s.toml").write_text(BASE + '[sweep]\n[sweep.parameters]\n"patient.age" = [20]\n')
    monkeypatch.setattr(sys, "argv", ["mtzsim", "sweep", "s.toml", "--workers", "0", *extra])
    with pytest.raises(SystemExit) as info:
        cli_module.main()
    err = capsys.readouterr().err
    assert info.value.code == 2 and field in err and "Traceback" not in err


from hypothesis import given, settings, strategies as st  # noqa: E402

_paths = st.sampled_from(["laser.energy", "laser.spot", "pattern.density", "pattern.passes", "patient.age",
                          "patient.site", "numerics.mtz_cell", "laser", "x.y", "scars[0].depth", "laser.preset",
                          "course.sessions", "pattern.area"])
_values = st.one_of(st.sampled_from(["10mJ", "5%", "120um", "0mJ", "-1mJ", "1e9J", "cheek", "nose", "10mm x 10mm",
                                     "nan mJ", "", "200%", "3"]), st.integers(-3, 200), st.floats(allow_nan=True),
                    st.booleans())


@settings(max_examples=60, deadline=None)
@given(method=st.sampled_from(["grid", "lhs", "sobol", "other"]), samples=st.one_of(st.none(), st.integers(-2, 9)),
       params=st.dictionaries(_paths, st.one_of(st.lists(_values, max_size=3),
                                                st.fixed_dictionaries({"low": _values, "high": _values}), _values),
                              max_size=3))
def test_any_sweep_table_gives_points_or_one_input_error(method, samples, params):
    import json

    lines = ["[sweep]", f'method = "{method}"']
    if samples is not None:
        lines.append(f"samples = {samples}")
    lines.append("[sweep.parameters]")
    for path, spec in params.items():
        lines.append(f"{json.dumps(path)} = {_toml(spec)}")
    try:
        points = sw.generate(sw.parse_sweep(BASE + "\n".join(lines) + "\n"))
    except InputError as exc:
        assert exc.field.startswith(("sweep", "toml", "laser", "pattern", "patient", "numerics", "course"))
    else:
        assert points and all(set(p.values) == set(params) for p in points)


def _toml(value) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value == float("inf") else "-inf" if value == float("-inf")
                                             else repr(value))
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def test_example_sweep_file_generates_its_grid():
    example = Path(__file__).resolve().parents[1] / "examples" / "sweeps" / "energy_density.toml"
    points = sw.generate(sw.load_sweep(example))
    assert len(points) == 3 * 4
    # pint's mJ → J: rtol 1e-12 covers the float rounding of the conversion
    assert sorted({p.inputs["in.laser.energy"] for p in points}) == pytest.approx([10e-3, 20e-3, 30e-3], rel=1e-12)
