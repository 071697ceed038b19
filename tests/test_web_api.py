"""Web API: the plan equals the CLI's, bad input → 422 naming the field, 413, 429 + Retry-After, no paths, runs."""

import json
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from mtzsim.interfaces.web import create_app  # noqa: E402
from mtzsim.params.presets import FLAGSHIP_SCENARIO  # noqa: E402

PATIENT = {"fitzpatrick": 4, "scars": [{"type": "boxcar", "depth_mm": 0.4}], "max_downtime_days": 7,
           "sessions": 3, "modalities": ["microneedling"]}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    d = tmp_path_factory.mktemp("web")
    with TestClient(create_app(workers=2, queue=2, runs_dir=d / "runs", db=d / "runs.sqlite")) as c:
        yield c


def test_health(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    d = r.json()
    assert d["status"] == "ok" and d["workers"] == 2 and d["queue"] == 2 and d["admitted"] == 0


@pytest.mark.slow  # 41.8 s of the default run on 2 cores (2026-12-02 13:26, which took 10:17 in all)
def test_plan_json_equals_the_cli_json(client):
    pytest.importorskip("mtzsim.biology.healing")
    cli = subprocess.run([sys.executable, "-m", "mtzsim", "plan", "--scar", "boxcar", "--depth", "0.4mm",
                          "--fitzpatrick", "4", "--max-downtime", "7d", "--sessions", "3", "--modality",
                          "microneedling", "--json"], capture_output=True, text=True, timeout=600)
    assert cli.returncode == 0, cli.stderr
    r = client.post("/api/plan", json=PATIENT)
    assert r.status_code == 200, r.text
    assert r.json() == json.loads(cli.stdout)
    assert r.json()["plans"], "a 7-day limit leaves microneedling plans"


@pytest.mark.parametrize("change, field", [
    ({"scars": [{"type": "keloid", "depth_mm": 0.4}]}, "scars[0].type"),
    ({"scars": [{"type": "boxcar", "depth_mm": 0}]}, "scars[0].depth_mm"),
    ({"scars": [{"type": "boxcar", "depth_mm": 9}]}, "scars[0].depth_mm"),  # > 5 mm, MODEL_LIMITS scars.depth
    ({"scars": []}, "scars"),
    ({"fitzpatrick": 7}, "fitzpatrick"),
    ({"max_downtime_days": -1}, "max_downtime_days"),
    ({"max_pih_pct": -5}, "max_pih_pct"),
    ({"max_scarring_pct": 120}, "max_scarring_pct"),
    ({"sessions": 0}, "sessions"),
    ({"modalities": ["laser_magic"]}, "modalities[0]"),
    ({"site": "back"}, "site"),  # the physics table is built for facial sites only
    ({"max_downtime_days": 0, "max_pih_pct": 0}, "max_downtime_days"),  # contradictory limits (the CLI's rule)
    ({"path": "/etc/passwd"}, "path"),  # unknown fields are refused, not ignored
])
def test_plan_bad_input_is_422_naming_the_field(client, change, field):
    r = client.post("/api/plan", json={**PATIENT, **change})
    assert r.status_code == 422, r.text
    d = r.json()
    assert field in d["detail"] and any(e["field"] == field for e in d["errors"]), d


@pytest.mark.parametrize("url, body, field", [
    ("/api/mtz", {"energy_mj": 80, "spot_um": 1}, "spot_um"),  # below MODEL_LIMITS laser.spot (5 µm)
    ("/api/mtz", {"energy_mj": 5000}, "energy_mj"),  # 5 J into 120 µm: beyond MODEL_LIMITS laser.fluence
    ("/api/mtz", {"energy_mj": 6000, "spot_um": 6000}, "energy_mj"),  # above MODEL_LIMITS laser.energy (5 J)
    # 4 J at CO2's 30 W: a 133 ms pulse (a 1.5 mm spot, which no preset holds; a 3 mm one fires the full-field 1 ms)
    ("/api/mtz", {"energy_mj": 4000, "spot_um": 1500}, "energy_mj"),
    ("/api/mtz", {"laser": "ruby"}, "laser"),
    ("/api/mtz", {"pulse_ms": 500}, "pulse_ms"),  # longer than the server simulates (LONGEST_PULSE)
    ("/api/mtz", {"laser": "erglass", "energy_mj": 15, "cooling": "air"}, "coolant_temperature_c"),  # no air T
    ("/api/mtz", {"laser": "erglass", "energy_mj": 15, "coolant_temperature_c": 5}, "coolant_temperature_c"),
    ("/api/mtz", {"laser": "erglass", "energy_mj": 15, "cooling": "ice"}, "cooling"),
    ("/api/compare", {"scenario": "[laser]\nenergy = \"20 parsecs\"\n"}, "laser.energy"),
    ("/api/compare", {"scenario": "not toml ["}, "toml"),
    ("/api/run", {"scenario": FLAGSHIP_SCENARIO.replace('"20mJ"', '"-3mJ"')}, "laser.energy"),
])
def test_other_endpoints_bad_input_is_422_naming_the_field(client, url, body, field):
    r = client.post(url, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith(field) or field in r.json()["detail"], r.json()


def test_malformed_json_is_422(client):
    r = client.post("/api/plan", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["detail"]


def test_oversize_body_is_413(client):
    big = {"scenario": "# " + "x" * 400_000}
    r = client.post("/api/compare", json=big)
    assert r.status_code == 413 and "body" in r.json()["detail"]

    def chunks():  # streamed, no Content-Length: the limit counts what arrives
        for _ in range(40):
            yield b"x" * 10_000

    r = client.post("/api/compare", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_full_queue_is_429_with_retry_after_never_a_hung_request(tmp_path):
    release = threading.Event()
    app = create_app(workers=1, queue=1, retry_after=7, runs_dir=tmp_path / "runs", db=tmp_path / "r.sqlite")
    with TestClient(app) as c:
        slow = [app.state.pool.submit(release.wait, 30) for _ in range(2)]  # a slow fake job fills slot and queue
        try:
            t0 = time.perf_counter()
            r = c.post("/api/mtz", json={"energy_mj": 80})
            waited = time.perf_counter() - t0
            assert r.status_code == 429, r.text
            assert r.headers["retry-after"] == "7" and "busy" in r.json()["detail"]
            assert waited < 5.0  # answered at once, not after the slow jobs
            assert c.post("/api/run", json={"scenario": FLAGSHIP_SCENARIO}).status_code == 429
        finally:
            release.set()
        for f in slow:
            f.result(timeout=10)
        assert c.get("/api/health").json()["admitted"] == 0  # the slots come back


def test_openapi_has_the_endpoints_and_no_path_fields(client):
    schema = client.get("/openapi.json").json()
    for path in ("/api/health", "/api/plan", "/api/compare", "/api/mtz", "/api/run", "/api/runs/{run_id}"):
        assert path in schema["paths"], path
    names = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.get("properties", {}).items():
                names.append(k)
                assert v.get("format") not in ("path", "file-path", "binary"), k
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema["components"]["schemas"])
    assert "scenario" in names and "fitzpatrick" in names
    suspicious = [n for n in names if any(w in n.lower() for w in ("path", "dir", "file", "folder", "out", "db"))]
    assert not suspicious, suspicious


def test_run_poll_report(client, monkeypatch):
    from mtzsim.pipeline import chain

    monkeypatch.setattr(chain, "DEFAULT_STAGES", chain.DEFAULT_STAGES[:1])  # the real MTZ stage only: seconds
    r = client.post("/api/run", json={"scenario": FLAGSHIP_SCENARIO})
    assert r.status_code == 202, r.text
    rid = r.json()["id"]
    deadline = time.time() + 120
    while True:
        s = client.get(f"/api/runs/{rid}").json()
        if s["status"] in ("done", "failed") or time.time() > deadline:
            break
        time.sleep(0.2)
    assert s["status"] == "done", s
    assert s["report_url"] == f"/runs/{rid}/report" and "mtz" in s["summary"]["stages"]
    page = client.get(s["report_url"])
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert client.get("/api/runs/nope").status_code == 404


def test_page_and_plotly_are_local(client):
    html = client.get("/").text
    assert "/static/plotly.min.js" in html and "not medical advice" in html.lower()
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    for name in ("app.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    import re

    for text in (html, client.get("/static/app.js").text, client.get("/static/style.css").text):
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), "no external URL on the page"


@pytest.mark.slow  # 11.0 s of the default run on 2 cores (2026-12-02 13:26); the default run still took 8:49 with it at 14:32
def test_mtz_with_a_contact_window(client):
    r = client.post("/api/mtz", json={"laser": "erglass", "energy_mj": 15, "spot_um": 140, "cooling": "contact",
                                      "coolant_temperature_c": 5})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["surface_cooling"]["kind"] == "contact" and d["surface_cooling"]["temperature_c"] == 5.0
    assert d["energy_partition_mj"]["surface_cooling"] > 0.0 and abs(d["energy_balance_error"]) < 1e-6
