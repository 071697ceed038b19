"""`mtzsim outcome` and `mtzsim sensitivity` on the command line, and bad input (exit 2, field named)."""

import json
import subprocess
import sys

import pytest

SCENARIO = """
[laser]
type = "co2"
energy = "15mJ"
spot = "120um"
peak_power = "30W"
[pattern]
density = "10%"
[patient]
fitzpatrick = 4
age = 28
[[scars]]
type = "boxcar"
width = "3mm"
depth = "0.4mm"
count = 8
[[scars]]
type = "icepick"
count = 10
[course]
sessions = 3
interval = "6weeks"
follow_up = "6months"
[aftercare]
regimen = ["sunscreen"]
[cohort]
size = 400
seed = 2
"""


def run(*args):
    return subprocess.run([sys.executable, "-m", "mtzsim", *args], capture_output=True, text=True, timeout=300)


def test_outcome_json(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(SCENARIO)
    p = run("outcome", str(f), "--json", "--figures", str(tmp_path))
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    for key in ("improvement_mean", "improvement_ci", "quartile_shares", "gb_grade_change", "pih_probability",
                "pih_interval", "downtime_days", "per_scar_type", "course"):
        assert key in d
    assert len(d["quartile_shares"]) == 4
    assert set(d["per_scar_type"]) == {"boxcar_shallow", "icepick"}
    assert all("improvement_mean" in v for v in d["per_scar_type"].values())
    assert len(d["course"]["month"]) == len(d["course"]["improvement_mean"]) > 6
    assert d["cohort_size"] == 400
    assert (tmp_path / "outcome.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    "old, new, field",
    [
        ('type = "icepick"', 'type = "pitted"', "scars[2].type"),
        ('depth = "0.4mm"', 'depth = "0mm"', "scars[1].depth"),
        ("fitzpatrick = 4", "fitzpatrick = 7", "patient.fitzpatrick"),
        ("size = 400", "size = 0", "cohort.size"),
        ('interval = "6weeks"', 'interval = "-6weeks"', "course.interval"),
    ],
)
def test_bad_input_exit_2(tmp_path, old, new, field):
    f = tmp_path / "bad.toml"
    assert old in SCENARIO
    f.write_text(SCENARIO.replace(old, new))
    p = run("outcome", str(f), "--json")
    assert p.returncode == 2, p.stderr
    assert field in p.stderr and "Traceback" not in p.stderr


def test_no_scars_named(tmp_path):
    f = tmp_path / "noscar.toml"
    f.write_text('[laser]\ntype = "co2"\nenergy = "15mJ"\nspot = "120um"\n')
    p = run("outcome", str(f))
    assert p.returncode == 2 and "scars" in p.stderr


@pytest.mark.slow  # 11.7 s of the default run on 2 cores (2026-12-02 13:26, which took 10:17 in all)
def test_sensitivity_cli(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(SCENARIO)
    fig = tmp_path / "sobol.png"
    p = run("sensitivity", str(f), "--n-base", "16", "--json", "--figure", str(fig))
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert set(d["indices"]) == {"improvement", "pih_probability"}
    assert d["n_runs"] == 16 * (len(d["parameters"]) + 2)
    assert fig.stat().st_size > 10_000
    p = run("sensitivity", str(f), "--n-base", "10")
    assert p.returncode == 2 and "--n-base" in p.stderr
