"""Fuzz campaign over the command line (issue 9): generated invocations of run, demo, field, runs, validate
and cache, and generated scenario files, run in-process. Every case must end with exit 0, 1 (a check
failed) or 2, never a traceback; every exit 2 names the field or option it refuses.

The chain's stages are replaced by fast fakes (the campaign tests the edge, not the physics);
1,200 cases in all, about a minute on one shared core.
"""

import contextlib
import io
import os
import re
import string
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtzsim.interfaces import cli
from mtzsim.params.presets import FLAGSHIP_SCENARIO
from mtzsim.pipeline import chain
from mtzsim.pipeline.contract import quantity
from test_scenario import malformed_dicts, mangled_text


@dataclass(frozen=True)
class FakeField:
    coverage_treated: float = quantity("1", "treated fraction", display="%")
    dataset: object = quantity("", "maps", kind="array", default=None)


def fake_stage(*args, **kwargs):
    ds = xr.Dataset({"zone": (("y", "x"), np.zeros((2, 2), np.int8))},
                    coords={"x": ("x", [0.0, 1e-5]), "y": ("y", [0.0, 1e-5])})
    return FakeField(0.1, ds)


FAKES = (chain.StageSpec("mtz", "Single MTZ", fake_stage, lambda s, r: chain.StageCall((s.beam(),))),
         chain.StageSpec("field", "Treatment field", fake_stage, lambda s, r: chain.StageCall((r["mtz"],)),
                         inputs=("mtz",)))

def fuzz_settings(n):
    return settings(max_examples=n, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
#: "mtzsim: error: <field>: ..." (ours) or typer's usage error naming the option or argument
OUR_ERROR = re.compile(r"^mtzsim: error: (\S+?)(?: \(line \d+\))?: \S", re.M)
USAGE_ERROR = re.compile(r"(No such option|Invalid value|Missing (argument|option)|requires an argument|"
                         r"Got unexpected extra argument|No such command|is not a valid)", re.I)


@pytest.fixture(autouse=True)
def _fakes_and_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(chain, "DEFAULT_STAGES", FAKES)
    monkeypatch.setenv("MTZSIM_NO_PROGRESS", "1")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.toml").write_text(FLAGSHIP_SCENARIO, encoding="utf-8")


def invoke(argv):
    """``mtzsim argv`` in this process: (exit code, stdout, stderr). Any other exception fails the test."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli.main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        else:
            code = 0
    return code, out.getvalue(), err.getvalue()


def check(argv, code, out, err):
    assert "Traceback" not in out + err, (argv, err)
    assert code in (0, 1, 2), (argv, code, err)
    if code == 2:
        m = OUR_ERROR.search(err)
        assert m or USAGE_ERROR.search(err), (argv, err)


_text = st.text(string.ascii_letters + string.digits + "-_./ %µ", max_size=12)
_quantity = st.one_of(_text, st.sampled_from(["10um", "0um", "-5um", "1m", "10mJ", "nan um", "1e9um", "5 µm"]))
_ids = st.one_of(_text, st.sampled_from(["", "abcd", "ffffffff", "a", "%", "_"]))
_db = st.sampled_from(["r.sqlite", "sub/r.sqlite", ".", "good.toml", "missing/dir/r.db"])


@st.composite
def invocations(draw):
    """argv of one command, mixing valid and bad arguments."""
    command = draw(st.sampled_from(["run", "demo", "field", "runs", "validate", "cache", "bogus"]))
    if command == "run":
        argv = ["run", draw(st.sampled_from(["good.toml", "missing.toml", ".", ""]))]
        if draw(st.booleans()):
            argv += ["--out", draw(st.sampled_from(["o1", "good.toml", "a/b/c", "o1"]))]
        if draw(st.booleans()):
            argv += ["--db", draw(_db)]
        argv += draw(st.lists(st.sampled_from(["--json", "--force", "--no-cache", "--no-progress", "--bogus"]),
                              max_size=2))
    elif command == "demo":
        argv = ["demo", "--out", draw(st.sampled_from(["d1", "good.toml", "d1"])),
                *draw(st.lists(st.sampled_from(["--force", "--no-progress", "--db=r.sqlite"]), max_size=2))]
    elif command == "field":
        argv = ["field", draw(st.sampled_from(["good.toml", "missing.toml"])), "--json"]
        if draw(st.booleans()):
            argv += ["--resolution", draw(_quantity)]
    elif command == "runs":
        sub = draw(st.sampled_from(["list", "show", "diff", "nope"]))
        argv = ["runs", sub]
        if sub in ("show", "diff"):
            argv += [draw(_ids) for _ in range(1 if sub == "show" else 2)]
        if sub == "list" and draw(st.booleans()):
            argv += ["--limit", draw(st.sampled_from(["0", "-1", "3", "x"]))]
        if draw(st.booleans()):
            argv += ["--db", draw(_db)]
    elif command == "validate":
        argv = ["validate", "--model", draw(st.one_of(_text, st.just("damage"))), "--json"]
    elif command == "cache":
        argv = ["cache", draw(st.sampled_from(["info", "clear", "nope"])), "--dir",
                draw(st.sampled_from(["c", "good.toml", "c/d"]))]
    else:
        argv = [draw(_text)]
    return argv


from mtzsim.verify.validation import MODELS  # noqa: E402  (the models validate knows)


@pytest.mark.slow  # 19.0 s of the default run on 2 cores (2026-12-02 13:26); the default run still took 8:49 with it at 14:32
@fuzz_settings(500)
@given(argv=invocations())
def test_generated_invocations(argv):
    code, out, err = invoke(argv)
    check(argv, code, out, err)
    if argv[:2] == ["validate", "--model"] and argv[2] not in MODELS:
        assert code == 2 and "--model" in err and "known models" in err


@pytest.mark.slow  # 43.7 s of the default run on 2 cores (2026-12-02 13:26, which took 10:17 in all)
@fuzz_settings(700)
@given(text=st.one_of(malformed_dicts(), mangled_text(), st.text(max_size=60)),
       command=st.sampled_from(["run", "field"]))
def test_generated_scenario_files(text, command):
    with tempfile.TemporaryDirectory(dir=".") as folder:
        path = Path(folder) / "s.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        argv = [command, str(path), "--json"] + (["--out", str(Path(folder) / "out"), "--db",
                                                   str(Path(folder) / "r.db")] if command == "run" else [])
        code, out, err = invoke(argv)
    check(argv, code, out, err)
    assert code in (0, 2), (argv, err)  # a scenario runs or is refused with the field named


def test_an_existing_out_is_refused_and_force_replaces(tmp_path):
    assert invoke(["run", "good.toml", "--out", "o"])[0] == 0
    code, _, err = invoke(["run", "good.toml", "--out", "o"])
    assert code == 2 and "--out" in err and "--force" in err
    assert invoke(["run", "good.toml", "--out", "o", "--force"])[0] == 0
    assert len([p for p in tmp_path.iterdir() if p.name.startswith(".o")]) == 0  # no staging left behind
