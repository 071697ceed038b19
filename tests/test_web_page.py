"""The planner page in a real headless Chromium (Debian's, driven by Playwright) against `mtzsim serve`.

Fill the form, get plans, click a Pareto point, see the figures, no console errors; screenshots at a
phone (390 × 844) and a desktop (1280 × 800) viewport, in the test's tmp folder (and as
docs/web-*.png when those are missing or ``MTZSIM_UPDATE_SCREENSHOTS=1``). Chromium comes from ``make chromium``
(``apt-get install chromium``); without it the test is skipped, except under ``CI=true`` where it fails.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
DOCS = Path(__file__).resolve().parents[1] / "docs"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
T_PLAN = int(__import__("os").environ.get("MTZSIM_T_PLAN", 240_000))  # [ms] a fresh cache builds the physics table first
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing on CI: `make chromium` (a prerequisite of `make test`) installs it",
                    pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (run `make chromium`)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("mtzsim.biology.healing")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`mtzsim serve` on a free loopback port, in its own process."""
    port = _free_port()
    work = tmp_path_factory.mktemp("serve")
    proc = subprocess.Popen([sys.executable, "-m", "mtzsim", "serve", "--port", str(port), "--workers", "2",
                             "--runs-dir", str(work / "runs")], cwd=work, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(f"mtzsim serve did not start: {proc.communicate()[0]}")
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _plan_and_pick(page, url, errors):
    page.goto(url + "/")
    assert "not medical advice" in page.locator("#disclaimer").inner_text().lower()
    page.select_option("#fitzpatrick", "4")
    page.fill("#age", "34")
    # scar rows: add one, remove it again, then set the first row
    rows = page.locator("#scars tbody tr")
    n = rows.count()
    page.click("#add-scar")
    assert rows.count() == n + 1
    rows.nth(n).locator("button.remove").click()
    assert rows.count() == n
    rows.nth(0).locator(".scar-type").select_option("boxcar")
    rows.nth(0).locator(".scar-depth").fill("0.4")
    rows.nth(0).locator(".scar-count").fill("10")
    page.fill("#max-downtime", "7")
    page.fill("#max-pih", "")
    page.fill("#sessions", "3")
    for box in page.locator("#modalities input[type=checkbox]").all():  # the physics table of one modality:
        box.set_checked(box.get_attribute("value") == "microneedling")  # seconds, not minutes, on a fresh cache
    page.click("#plan-button")
    page.wait_for_selector("#plans tbody tr", timeout=T_PLAN)
    page.wait_for_function("document.body.dataset.detail === 'plan 1'", timeout=T_PLAN)
    assert page.locator("#plans tbody tr").count() >= 1
    # the plans table carries each plan's closure scarring risk (clinic/scarring.py) in its last column
    assert "scarring" in page.locator("#plans thead").inner_text()
    assert page.locator("#plans tbody tr").first.locator("td").last.inner_text().endswith("%")
    assert "improvement" in page.locator("#summary").inner_text() or "candidate" in page.locator("#summary").inner_text()
    # click a Pareto point: plotly listens on its drag layer, so click at the point's position
    points = page.locator("#fig-pareto .scatterlayer .trace .points path.point")
    assert points.count() >= 1
    k = points.count() - 1
    page.locator("#fig-pareto").scroll_into_view_if_needed()  # the pointer must reach the point on screen
    box = points.nth(k).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)  # plotly picks the point under the pointer on hover, then reports the click
    page.wait_for_selector("#fig-pareto .hoverlayer .hovertext", timeout=10_000)
    assert "scarring" in page.locator("#fig-pareto .hoverlayer .hovertext").first.text_content()  # closure risk
    page.mouse.click(x, y)
    page.wait_for_function("document.body.dataset.detail && document.body.dataset.detail.startsWith('Pareto point')",
                           timeout=60_000)
    page.wait_for_function("document.body.dataset.compared === '1'", timeout=T_PLAN)
    page.wait_for_function("document.getElementById('progress').hidden", timeout=60_000)
    for fig in ("pareto", "section", "field", "healing", "course", "compare"):
        plot = page.locator(f"#fig-{fig} .main-svg").first
        assert plot.is_visible(), fig
    assert page.locator("#fig-section .scatterlayer .trace").count() >= 1  # the wound is drawn
    assert page.locator("#fig-field .shapelayer path").count() >= 1  # the wounds on the field map
    assert page.locator("#fig-course .scatterlayer .trace").count() == 1
    assert page.locator("#fig-compare .barlayer .trace").count() == 2
    assert page.locator("#error").is_hidden(), page.locator("#error").inner_text()
    assert not errors, errors


def test_planner_page_in_chromium(server, tmp_path):
    shots = {}
    with sync_api.sync_playwright() as p:
        for name, viewport in VIEWPORTS.items():
            profile = tmp_path / f"profile-{name}"  # a fresh user-data-dir per viewport
            ctx = p.chromium.launch_persistent_context(str(profile), executable_path=str(CHROMIUM), headless=True,
                                                       args=ARGS, viewport=viewport)
            try:
                page = ctx.new_page()
                errors = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                external = []
                page.on("request", lambda r: external.append(r.url) if not r.url.startswith((server, "data:")) else None)
                _plan_and_pick(page, server, errors)
                assert not external, f"requests off the server: {external}"
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= viewport["width"] + 1, f"{name}: the page scrolls sideways ({width} px)"
                shots[name] = tmp_path / f"web-{name}.png"
                page.screenshot(path=str(shots[name]), full_page=True)
            finally:
                ctx.close()
    for name, path in shots.items():
        assert path.stat().st_size > 20_000
        doc = DOCS / f"web-{name}.png"  # the README's copy: written when missing or asked for, so that a
        if not doc.exists() or os.environ.get("MTZSIM_UPDATE_SCREENSHOTS") == "1":  # test run leaves git clean
            DOCS.mkdir(exist_ok=True)
            shutil.copyfile(path, doc)
