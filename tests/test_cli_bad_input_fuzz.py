"""Bad input found by a hostile-user fuzz of every command and endpoint (issue 12): each is refused with
exit code 2 (HTTP 422) and one message naming its field, before any model runs, and never hangs.

The models are replaced by sentinels: an invocation that reaches one let bad input through. Cases
that could hang when they regress (pint evaluating ``9**9**9``, quadratic regular expressions) run
under a deadline that fails the test instead.
"""

import contextlib
import json
import math
import signal
import socket
from pathlib import Path

import pytest
import uvicorn

import mtzsim.biology.healing as healing_module
import mtzsim.clinic.calibration as outcome_calibration
import mtzsim.clinic.comparators as comparators_module
import mtzsim.clinic.planner as planner_module
import mtzsim.clinic.sensitivity as sensitivity_module
import mtzsim.physics.mtz as mtz_package
import mtzsim.pipeline.sweep as sweep_module
from mtzsim.pipeline import chain
import mtzsim.verify.calibration as mtz_calibration
from mtzsim.errors import InputError
from mtzsim.io.scenario import parse_scenario
from mtzsim.params.presets import FLAGSHIP_SCENARIO
from mtzsim.units import parse_fraction, parse_quantity, parse_temperature
from test_fuzz_cli import invoke


class ReachedTheModel(Exception):
    """Raised by the sentinels: the edge let the invocation through to a model."""


@pytest.fixture(autouse=True)
def _sentinels(monkeypatch, tmp_path):
    def sentinel(*args, **kwargs):
        raise ReachedTheModel

    for module, name in ((mtz_package, "simulate_mtz"), (planner_module, "plan"), (comparators_module, "compare"),
                         (comparators_module, "calibrate_comparators"), (sensitivity_module, "sobol_indices"),
                         (healing_module, "simulate_healing"), (mtz_calibration, "fit"),
                         (outcome_calibration, "calibrate_outcome"), (sweep_module, "open_executor"),
                         (uvicorn, "run"), (chain.TreatmentChain, "run")):
        monkeypatch.setattr(module, name, sentinel)
    monkeypatch.setenv("MTZSIM_NO_PROGRESS", "1")
    monkeypatch.chdir(tmp_path)
    Path("good.toml").write_text(FLAGSHIP_SCENARIO, encoding="utf-8")
    Path("sweep.toml").write_text(FLAGSHIP_SCENARIO + '\n[sweep]\nmethod = "grid"\n[sweep.parameters]\n'
                                  '"laser.energy" = ["10mJ", "20mJ"]\n', encoding="utf-8")
    Path("afile").write_text("x", encoding="utf-8")
    Path("adir").mkdir()


@contextlib.contextmanager
def deadline(seconds=20):
    """Fail (instead of hanging) when the block runs longer than ``seconds`` (main thread, POSIX)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def refused(argv, field):
    """``mtzsim argv`` exits 2 naming ``field``, with no traceback and no model run."""
    try:
        with deadline():
            code, out, err = invoke(argv)
    except ReachedTheModel:
        pytest.fail(f"{argv}: bad input reached the model")
    assert code == 2, (argv, code, err)
    assert field in err, (argv, err)
    assert "Traceback" not in out + err
    return err


HUGE_INT = "9" * 400
LONG_UNIT = "1 " + "m" * 5000
PROC = Path("/proc").is_dir()


@pytest.mark.parametrize("argv, field", [
    # a unit without a number was read by pint as 1 unit (mtz ran with 1 mJ)
    (["mtz", "--energy", "mJ"], "--energy"),
    (["plan", "--scar", "boxcar", "--fitzpatrick", "3", "--depth", "mm"], "--depth"),
    # pint's expression evaluator: 9**9**9 ran for ever, 2**100000 and a 400-digit integer overflowed (traceback)
    (["mtz", "--energy", "9**9**9mJ"], "--energy"),
    (["mtz", "--energy", "2**100000 mJ"], "--energy"),
    (["mtz", "--energy", f"{HUGE_INT} mJ"], "--energy"),
    (["mtz", "--energy", "20 mJ + 5 mJ"], "--energy"),
    # texts whose parsing time grew with the square of their length (20,000 characters: 10 s)
    (["mtz", "--spot", LONG_UNIT], "--spot"),
    (["mtz", "--energy", "1" * 20000 + "x"], "--energy"),
    (["plan", "--scar", "boxcar", "--fitzpatrick", "3", "--max-pih", "1" * 20000 + "x"], "--max-pih"),
    (["mtz", "--cooling", "contact", "--coolant-temperature", "1" * 20000 + "x"], "--coolant-temperature"),
    # an implied pulse beyond MODEL_LIMITS laser.pulse (80 mJ / 1 mW = 80 s) reached the solver
    (["mtz", "--peak-power", "0.001W"], "--peak-power"),
    (["mtz", "--figure", ""], "--figure"),  # was silently ignored
    # plan's width had no upper bound (the web and the scenario refuse > 50 mm, MODEL_LIMITS scars.width)
    (["plan", "--scar", "boxcar", "--fitzpatrick", "3", "--width", "1km"], "--width"),
    (["plan", "--scar", "boxcar", "--fitzpatrick", "3", "--width", "60mm"], "--width"),
    # output paths were first written after the compute (a traceback after minutes)
    (["compare", "good.toml", "--report", "afile"], "--report"),
    (["compare", "good.toml", "--figure", "out.txt"], "--figure"),
    (["outcome", "good.toml", "--figures", "afile"], "--figures"),
    (["heal", "good.toml", "--out", "afile"], "--out"),
    (["sensitivity", "good.toml", "--n-base", "8", "--figure", "out.txt"], "--figure"),
    (["calibrate", "--out", "adir"], "--out"),
    (["calibrate", "--stage", "comparators", "--out", "afile/x.json"], "--out"),
    (["sweep", "sweep.toml", "--db", "adir"], "--db"),
    (["serve", "--runs-dir", "afile"], "--runs-dir"),
    # the web API refused these (sessions ≤ 10, top ≤ 20), the command line let them through
    (["plan", "--scar", "boxcar", "--fitzpatrick", "3", "--sessions", "1000"], "--sessions"),
    (["plan", "--scar", "boxcar", "--fitzpatrick", "3", "--top", "21"], "--top"),
    # values the model would have choked on after the MTZ ran
    (["sensitivity", "good.toml", "--n-base", str(2**40)], "--n-base"),
    (["sensitivity", "good.toml", "--n-base", "8", "--seed", "-1"], "--seed"),
    # options a stage ignored silently
    (["calibrate", "--stage", "healing", "--dry-absorption"], "--dry-absorption"),
    (["calibrate", "--stage", "outcome", "--no-loo"], "--loo"),
    (["calibrate", "--stage", "healing", "--out", "x.json"], "--out"),
    # an OverflowError from SQLite; a local cluster of 10**23 processes (it hung spawning them)
    (["runs", "list", "--limit", "9" * 23], "--limit"),
    (["sweep", "sweep.toml", "--workers", "9" * 23], "--workers"),
    # uvicorn exited 3 with its own message
    (["serve", "--host", "not a host!"], "--host"),
])
def test_bad_option_is_refused_naming_it(argv, field):
    refused(argv, field)


@pytest.mark.skipif(not PROC, reason="needs /proc")
@pytest.mark.parametrize("argv, field", [
    (["mtz", "--figure", "/proc/x.png"], "--figure"),  # os.access says yes to root on /proc
    (["compare", "good.toml", "--report", "/proc/x"], "--report"),
    (["calibrate", "--out", "/proc/x.json"], "--out"),
])
def test_unwritable_or_endless_paths_are_refused(argv, field):
    refused(argv, field)


def test_input_file_is_read_up_to_a_bound():
    """A scenario file was read whole: `mtzsim field /dev/zero` filled the memory."""
    Path("big.toml").write_bytes(b"#" * (9 * 2**20))
    err = refused(["field", "big.toml"], "scenario")
    assert "larger than" in err


def test_cache_clear_keeps_a_folder_of_other_pickles():
    """`cache clear --dir` deleted every *.pkl of any folder it was given (a user's model.pkl too)."""
    Path("adir/model.pkl").write_bytes(b"mine")
    Path("adir/mtz-0123abcd.pkl").write_bytes(b"cached")
    refused(["cache", "clear", "--dir", "adir"], "--dir")
    assert Path("adir/model.pkl").read_bytes() == b"mine" and Path("adir/mtz-0123abcd.pkl").exists()


@pytest.mark.parametrize("out", [".", "..", "repo"])
def test_force_never_replaces_the_working_folder_or_a_checkout(out):
    """`run --out . --force` renamed the working folder away and deleted it."""
    Path("repo/.git").mkdir(parents=True)
    Path("mine.txt").write_text("mine", encoding="utf-8")
    refused(["run", "good.toml", "--out", out, "--force", "--db", "adir/r.db"], "--out")
    assert Path("mine.txt").read_text(encoding="utf-8") == "mine" and Path("repo/.git").is_dir()


@pytest.mark.parametrize("argv", [["runs", "list", "--db", "afile"], ["run", "good.toml", "--db", "afile"]])
def test_a_short_text_file_is_no_registry(argv):
    """SQLite took the one-byte file for an empty database and overwrote it."""
    refused(argv, "--db")
    assert Path("afile").read_text(encoding="utf-8") == "x"


LONG_NAME = "m" * 300  # over NAME_MAX (255): Path.exists() raises OSError ENAMETOOLONG


@pytest.mark.parametrize("argv, field", [
    (["run", "good.toml", "--out", LONG_NAME, "--force"], "--out"),
    (["run", "good.toml", "--db", LONG_NAME], "--db"),
    (["runs", "list", "--db", LONG_NAME], "--db"),
    (["cache", "info", "--dir", LONG_NAME], "--dir"),
    (["field", "good.toml", "--out", LONG_NAME], "--out"),
    (["mtz", "--figure", LONG_NAME + ".png"], "--figure"),
])
def test_a_file_name_too_long_is_refused(argv, field):
    """A traceback (OSError: File name too long) from the first look at the path."""
    refused(argv, field)


def test_busy_port_is_refused():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        refused(["serve", "--port", str(busy.getsockname()[1])], "--port")


SCENARIOS = {
    # implied settings beyond MODEL_LIMITS: 80 mJ / 1 mW = 80 s pulse; 10000 J/cm² over a 3 mm spot = 707 J
    "laser.peak_power": FLAGSHIP_SCENARIO.replace('energy = "20mJ"', 'type = "co2"\nenergy = "80mJ"\nspot = "120um"\n'
                                                  'peak_power = "0.001W"').replace(
        'preset = "deep-fractional-co2-120um"', ""),
    "laser.fluence": FLAGSHIP_SCENARIO.replace('energy = "20mJ"', 'fluence = "10000J/cm2"\nspot = "3mm"'),
    "laser.energy": FLAGSHIP_SCENARIO.replace('energy = "20mJ"', 'energy = "mJ"'),
    "toml": FLAGSHIP_SCENARIO + "\n[cohort]\n" + "a" + ".b" * 20000 + " = 1\n",  # tomllib: 4 s, quadratic
    "cohort.a0": FLAGSHIP_SCENARIO + "\n[cohort]\n" + "".join(f"a{i} = 1\n" for i in range(5000)),  # each located
    "pattern.area": FLAGSHIP_SCENARIO.replace('area = "4mm x 4mm"', 'area = "4mm' + " " * 20000 + 'y"'),
}


@pytest.mark.parametrize("field", SCENARIOS)
def test_bad_scenario_is_refused_naming_the_field(field):
    Path("bad.toml").write_text(SCENARIOS[field], encoding="utf-8")
    refused(["field", "bad.toml", "--json"], field)


def test_sweep_range_is_not_evaluated_by_pint():
    """A sweep file's range went to pint's expression evaluator: 9**9**9mJ ran for ever."""
    Path("hang.toml").write_text(FLAGSHIP_SCENARIO + '\n[sweep]\nmethod = "lhs"\nsamples = 4\n[sweep.parameters]\n'
                                 '"laser.energy" = {low = "9**9**9mJ", high = "20mJ"}\n', encoding="utf-8")
    refused(["sweep", "hang.toml", "--workers", "0"], "sweep.parameters.laser.energy")


def test_scenario_with_a_byte_order_mark_is_read(monkeypatch):
    """Windows editors save UTF-8 with a BOM: it was 'malformed TOML (line 1)'."""
    Path("bom.toml").write_bytes(b"\xef\xbb\xbf" + FLAGSHIP_SCENARIO.encode())
    with pytest.raises(ReachedTheModel):
        invoke(["heal", "bom.toml"])


def test_mtz_domain_refusal_names_the_setting(monkeypatch):
    """A spot at the 5 µm limit needs a grid over the solver's cell budget: exit 2 naming the cell, not a
    traceback (field, heal, outcome and run go through the same edge)."""
    from mtzsim.physics.mtz.simulate import simulate_mtz

    monkeypatch.setattr(mtz_package, "simulate_mtz", simulate_mtz)  # the real solver: it refuses before any step
    Path("spot.toml").write_text('[laser]\ntype = "co2"\nenergy = "1mJ"\nspot = "5um"\n[pattern]\n'
                                 'density = "10%"\n', encoding="utf-8")
    refused(["heal", "spot.toml"], "numerics.mtz_cell")


@pytest.mark.parametrize("text, si", [("5um", 5e-6), ("120 um", 120e-6), ("0.12mm", 0.12e-3), ("10J/cm2", 1e5)])
def test_units_give_the_value_written(text, si):
    """'5um' was 4.9999999999999996e-06 m, refused as below the 5 µm limit (MODEL_LIMITS laser.spot):
    the nearest double to the decimal value written, exactly (1 J/cm² = 1e4 J/m²)."""
    kind = "fluence" if "J" in text else "length"
    assert parse_quantity(text, kind, "x") == si


@pytest.mark.parametrize("parse", [lambda t: parse_quantity(t, "energy", "f"), lambda t: parse_fraction(t, "f"),
                                   lambda t: parse_temperature(t, "f")])
def test_parsers_refuse_long_text_at_once(parse):
    with deadline(5), pytest.raises(InputError, match="characters long"):
        parse("1" * 100_000 + "x")


def test_scenario_parsing_is_bounded():
    with deadline(10), pytest.raises(InputError) as info:
        parse_scenario(FLAGSHIP_SCENARIO.replace('energy = "20mJ"', 'energy = "9**9**9mJ"'))
    assert info.value.field == "laser.energy"


# ---- web API -------------------------------------------------------------------------------------

PATIENT = {"fitzpatrick": 4, "scars": [{"type": "boxcar", "depth_mm": 0.4}]}


@pytest.fixture
def client(tmp_path):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from mtzsim.interfaces.web import create_app

    with TestClient(create_app(workers=1, queue=4, runs_dir=tmp_path / "runs", db=tmp_path / "r.sqlite"),
                    raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("url, body, field", [
    # JSON's NaN and Infinity (and 1e400, read as inf) were a 500: the error answer could not hold them
    ("/api/plan", b'{"fitzpatrick":4,"scars":[{"type":"boxcar","depth_mm":NaN}]}', "scars[0].depth_mm"),
    ("/api/plan", b'{"fitzpatrick":4,"scars":[{"type":"boxcar","width_mm":-Infinity}]}', "scars[0].width_mm"),
    ("/api/plan", b'{"fitzpatrick":4,"age":1e400,"scars":[{"type":"boxcar"}]}', "age"),
    ("/api/plan", b'{"fitzpatrick":4,"max_pih_pct":NaN,"scars":[{"type":"boxcar"}]}', "max_pih_pct"),
    ("/api/mtz", b'{"energy_mj":Infinity}', "energy_mj"),
    ("/api/mtz", b'{"cooling":"contact","coolant_temperature_c":NaN}', "coolant_temperature_c"),
    # lax types: true was skin type 1
    ("/api/plan", b'{"fitzpatrick":true,"scars":[{"type":"boxcar"}]}', "fitzpatrick"),
    ("/api/plan", b'{"fitzpatrick":4,"scars":[{"type":"boxcar","count":true}]}', "scars[0].count"),
    # FastAPI's 400 "There was an error parsing the body" named no field
    ("/api/plan", b"[" * 50_000 + b"]" * 50_000, "body"),
    # below MODEL_LIMITS laser.pulse (10 ns): reached the solver
    ("/api/mtz", b'{"pulse_ms":1e-9}', "pulse_ms"),
    ("/api/compare", json.dumps({"scenario": SCENARIOS["laser.energy"]}).encode(), "laser.energy"),
])
def test_web_bad_input_is_422_naming_the_field(client, url, body, field):
    r = client.post(url, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    d = r.json()
    assert field in d["detail"] and any(e["field"] == field for e in d["errors"]), d
    assert all(not isinstance(e.get("input"), float) or math.isfinite(e["input"]) for e in d["errors"])


def test_web_still_answers_404_and_405(client):
    assert client.get("/api/runs/nope").status_code == 404
    assert client.put("/api/plan", json=PATIENT).status_code == 405

