// mtzsim planner page: the form → POST /api/plan → table, Pareto front; a chosen plan → POST /api/plan/detail.
"use strict";

const state = { request: null, answer: null, rows: [], chosen: -1, detailSeq: 0 };
const CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["toImage", "sendDataToCloud"],
                 displayModeBar: window.innerWidth >= 700 ? "hover" : false };  // no tool bar over the titles on a phone
const NAMES = {
  co2_fractional: "fractional CO₂", co2_full_field: "full-field CO₂", eryag_fractional: "fractional Er:YAG",
  eryag_full_field: "full-field Er:YAG",
  erglass_nonablative: "1.55 µm non-ablative", microneedling: "microneedling", microneedle_rf: "microneedle RF",
};

function $(id) { return document.getElementById(id); }

function addScar(type = "boxcar", depth = 0.4, count = 5) {
  const tr = document.createElement("tr");
  tr.innerHTML = `
    <td><select class="scar-type" aria-label="scar type">
      <option value="icepick">icepick</option><option value="boxcar">boxcar</option><option value="rolling">rolling</option>
    </select></td>
    <td><input class="scar-depth" type="number" min="0.01" max="5" step="any" aria-label="depth in mm"></td>
    <td><input class="scar-count" type="number" min="1" max="1000" step="1" aria-label="count"></td>
    <td><button type="button" class="remove" aria-label="remove this scar type">×</button></td>`;
  tr.querySelector(".scar-type").value = type;
  tr.querySelector(".scar-depth").value = depth;
  tr.querySelector(".scar-count").value = count;
  tr.querySelector(".remove").addEventListener("click", () => {
    if ($("scars").tBodies[0].rows.length > 1) tr.remove();
  });
  $("scars").tBodies[0].appendChild(tr);
}

function numberOrNull(id) {
  const v = $(id).value.trim();
  return v === "" ? null : Number(v);
}

function readForm() {
  const scars = [...$("scars").tBodies[0].rows].map((tr) => ({
    type: tr.querySelector(".scar-type").value,
    depth_mm: Number(tr.querySelector(".scar-depth").value),
    count: Number(tr.querySelector(".scar-count").value),
  }));
  const modalities = [...$("modalities").querySelectorAll("input:checked")].map((x) => x.value);
  return {
    fitzpatrick: Number($("fitzpatrick").value), site: $("site").value, age: Number($("age").value), scars,
    max_downtime_days: numberOrNull("max-downtime"), max_pih_pct: numberOrNull("max-pih"),
    max_scarring_pct: numberOrNull("max-scarring"),
    sessions: Number($("sessions").value), modalities: modalities.length ? modalities : null,
  };
}

let busy = 0, busyStart = 0, busyTimer = null;
function working(text) {
  busy += 1;
  if (busy === 1) {
    busyStart = performance.now();
    $("progress").hidden = false;
    busyTimer = setInterval(() => {
      $("progress-text").textContent = `${$("progress").dataset.text} ${((performance.now() - busyStart) / 1000).toFixed(0)} s`;
    }, 250);
  }
  $("progress").dataset.text = text;
  $("progress-text").textContent = text;
}
function done() {
  busy = Math.max(0, busy - 1);
  if (busy === 0) { $("progress").hidden = true; clearInterval(busyTimer); }
}

function showError(text) { $("error").textContent = text; $("error").hidden = !text; }

async function post(url, body) {
  for (;;) {
    const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (r.status === 429) {  // the server is busy: wait as it asks, then retry
      const wait = Number(r.headers.get("retry-after") || "2");
      await new Promise((ok) => setTimeout(ok, 1000 * wait));
      continue;
    }
    const data = await r.json();
    if (!r.ok) throw new Error(data.detail || `HTTP ${r.status}`);
    return data;
  }
}

const pct = (v) => (v === null || v === undefined ? "—" : `${v.toFixed(0)} %`);
const interval = (ci) => (ci && ci[0] !== null ? ` (${ci[0].toFixed(0)}–${ci[1].toFixed(0)})` : "");
function settingsText(s) {
  const parts = [];
  if (s.energy_mj !== undefined) parts.push(`${s.energy_mj} mJ`);
  if (s.energy_per_pin_mj !== undefined) parts.push(`${s.energy_per_pin_mj} mJ/pin`);
  if (s.spot_um !== undefined) parts.push(`spot ${s.spot_um} µm`);
  if (s.needle_length_mm !== undefined) parts.push(`needles ${s.needle_length_mm} mm`);
  if (s.density_pct !== undefined) parts.push(`density ${s.density_pct} %`);
  if (s.stack !== undefined && s.stack > 1) parts.push(`${s.stack} pulses stacked`);
  parts.push(`${s.passes} pass${s.passes > 1 ? "es" : ""}`);
  if (s.sessions !== undefined) parts.push(`${s.sessions} session${s.sessions > 1 ? "s" : ""}`);
  if (s.interval_weeks !== undefined && s.sessions > 1) parts.push(`every ${s.interval_weeks} wk`);
  return parts.join(", ");
}

async function onPlan(ev) {
  ev.preventDefault();
  showError("");
  const req = readForm();
  working("planning: simulating every candidate setting…");
  try {
    const answer = await post("/api/plan", req);
    state.request = req;
    state.answer = answer;
    renderPlans(answer);
    compareModalities(req);
  } catch (e) {
    showError(e.message);
  } finally {
    done();
  }
}

function renderPlans(a) {
  $("results").hidden = false;
  const feasible = a.plans.length > 0;
  state.rows = feasible ? a.plans : a.nearest;
  $("summary").textContent = feasible
    ? `${a.candidates} candidate settings, ${a.feasible} meet the limits. Best ${a.plans.length} by expected improvement:`
    : `No feasible plan — ${a.reason}. The settings that break the limits least:`;
  const body = $("plans").tBodies[0];
  body.innerHTML = "";
  state.rows.forEach((p, i) => {
    const tr = document.createElement("tr");
    tr.dataset.index = i;
    tr.innerHTML = `<td>${i + 1}</td><td>${NAMES[p.modality] || p.modality}</td><td>${settingsText(p.settings)}</td>
      <td>${pct(p.improvement_mean)}${interval(p.improvement_ci)}</td><td>${p.downtime_days.toFixed(1)} d</td>
      <td>${pct(p.pih_probability)}${interval(p.pih_interval)}</td><td>${p.closure_scarring_risk.toFixed(1)} %</td>`;
    tr.addEventListener("click", () => choose(p, `plan ${i + 1}`));
    body.appendChild(tr);
  });
  renderPareto(a.pareto);
  if (state.rows.length) choose(state.rows[0], "plan 1");
}

function renderPareto(front) {
  const trace = {
    type: "scatter", mode: "markers", x: front.map((p) => p.downtime_days), y: front.map((p) => p.improvement_mean),
    customdata: front.map((_, i) => i),
    text: front.map((p) => `${NAMES[p.modality] || p.modality}<br>${settingsText(p.settings)}<br>PIH ${pct(p.pih_probability)}` +
      `<br>scarring ${p.closure_scarring_risk.toFixed(1)} % (closure ${p.closure_days.toFixed(1)} d)`),
    hovertemplate: "%{text}<br>improvement %{y:.0f} %<br>downtime %{x:.1f} d<extra></extra>",
    marker: { size: 12, color: front.map((p) => p.pih_probability), colorscale: "YlOrRd", showscale: true,
              colorbar: { title: { text: "PIH %" }, thickness: 12 }, line: { width: 1, color: "#333" } },
  };
  const layout = { title: { text: "Pareto front" }, margin: { l: 50, r: 10, t: 40, b: 45 },
                   xaxis: { title: { text: "downtime per session [days]" } },
                   yaxis: { title: { text: "expected improvement [%]" } }, showlegend: false };
  Plotly.react("fig-pareto", [trace], layout, CONFIG).then((gd) => {
    gd.removeAllListeners && gd.removeAllListeners("plotly_click");
    gd.on("plotly_click", (ev) => {
      const i = ev.points[0].customdata;
      choose(front[i], `Pareto point ${i + 1}`);
    });
  });
}

async function choose(p, label) {
  document.querySelectorAll("#plans tbody tr").forEach((tr) => {
    tr.classList.toggle("chosen", state.rows[Number(tr.dataset.index)] === p);
  });
  $("why").textContent = p.why ? `Why ${label}: ${p.why}` : `${label}: ${NAMES[p.modality] || p.modality}, ${settingsText(p.settings)}.`;
  $("fig-pareto").dataset.chosen = label;
  const s = p.settings;
  const choice = {
    modality: p.modality, energy_mj: s.energy_mj ?? s.energy_per_pin_mj ?? null,
    needle_length_mm: s.needle_length_mm ?? null, density_pct: s.density_pct ?? null, passes: s.passes,
    stack: s.stack ?? 1, spot_um: s.spot_um ?? null, sessions: s.sessions ?? 1, interval_weeks: s.interval_weeks ?? 4,
  };
  const seq = ++state.detailSeq;
  working("computing the chosen plan's figures…");
  try {
    const d = await post("/api/plan/detail", { plan: state.request, choice });
    if (seq !== state.detailSeq) return;  // a newer choice is on its way
    renderSection(d);
    renderField(d);
    renderHealing(d);
    renderCourse(d);
    document.body.dataset.detail = label;
  } catch (e) {
    showError(e.message);
  } finally {
    done();
  }
}

function ellipse(cx, rx, ry, n = 40) {  // lower half of an ellipse from the surface (y = 0, depth down)
  const x = [], y = [];
  for (let k = 0; k <= n; k++) {
    const t = Math.PI * k / n;
    x.push(cx + rx * Math.cos(t));
    y.push(-ry * Math.sin(t));
  }
  return { x, y };
}

function renderSection(d) {
  const w = d.wound, traces = [];
  const zone = (name, r, depth, color) => {
    if (!(r > 0 && depth > 0)) return;
    const e = ellipse(0, r, depth);
    traces.push({ type: "scatter", mode: "lines", x: e.x, y: e.y, fill: "toself", name, line: { color }, fillcolor: color + "66" });
  };
  if (w.ablation_depth_um !== undefined) {  // a laser MTZ: heat shock ⊃ lethal ⊃ coagulation ⊃ crater
    zone("heat shock", w.heat_shock_radius_um, w.heat_shock_depth_um, "#f2b134");
    zone("lethal", w.lethal_radius_um, w.lethal_depth_um, "#e4572e");
    // the node gives the coagulation depth only: drawn as a layer of even thickness around the crater
    const a = w.ablation_diameter_um / 2, coag = w.coagulation_depth_um - w.ablation_depth_um;
    zone("coagulation", Math.min(w.lethal_radius_um, a + Math.max(coag, 0)), w.coagulation_depth_um, "#a23b72");
    zone("crater", w.ablation_diameter_um / 2, w.ablation_depth_um, "#222222");
  } else if (w.depth_um !== undefined) {  // a needle channel: surface to basal diameter over its depth
    const a = w.surface_diameter_um / 2, b = (w.basal_diameter_um || 0) / 2;
    traces.push({ type: "scatter", mode: "lines", name: "channel", fill: "toself", line: { color: "#a23b72" },
                  fillcolor: "#a23b7266", x: [-a, a, Math.max(b, 2), 0, -Math.max(b, 2), -a],
                  y: [0, 0, -w.depth_um * 0.7, -w.depth_um, -w.depth_um * 0.7, 0] });
  }
  const depth = Math.max(300, d.wound_depth_um * 1.3, ...(traces.flatMap((t) => t.y.map((v) => -v))));
  const layout = { title: { text: `${NAMES[d.modality] || d.modality}: wound ${d.wound_depth_um.toFixed(0)} µm deep` },
                   margin: { l: 55, r: 10, t: 40, b: 45 }, legend: { orientation: "h", y: -0.25 },
                   xaxis: { title: { text: "radius [µm]" }, zeroline: false },
                   yaxis: { title: { text: "depth [µm]" }, range: [-depth, 20], scaleanchor: "x" },
                   shapes: [{ type: "line", x0: -depth, x1: depth, y0: 0, y1: 0, line: { color: "#8d6e63", width: 2 } }] };
  Plotly.react("fig-section", traces, layout, CONFIG);
}

function renderField(d) {
  const side = 2000;  // µm
  const w = d.wound;
  const diam = w.lethal_radius_um ? 2 * w.lethal_radius_um : (w.surface_diameter_um || w.spot_um || 100);
  const shapes = [];
  if (d.coverage_pct >= 99) {
    shapes.push({ type: "rect", x0: 0, y0: 0, x1: side, y1: side, fillcolor: "#e4572e88", line: { width: 0 } });
  } else if (d.wounds_per_cm2 > 0) {
    const pitch = 1e4 / Math.sqrt(d.wounds_per_cm2);  // µm between wounds, all passes together
    for (let x = pitch / 2; x < side && shapes.length < 2500; x += pitch) {
      for (let y = pitch / 2; y < side && shapes.length < 2500; y += pitch) {
        shapes.push({ type: "circle", x0: x - diam / 2, x1: x + diam / 2, y0: y - diam / 2, y1: y + diam / 2,
                      fillcolor: "#e4572e99", line: { width: 0 } });
      }
    }
  }
  const heat = d.coverage_pct - d.coverage_columns_pct >= 0.5
    ? ` (columns ${d.coverage_columns_pct.toFixed(0)} %, the rest islands the scan's heat kills)` : "";
  const layout = { title: { text: `${Math.round(d.wounds_per_cm2)} wounds/cm², coverage ${d.coverage_pct.toFixed(0)} %${heat}` },
                   margin: { l: 50, r: 10, t: 40, b: 45 }, shapes,
                   xaxis: { range: [0, side], title: { text: "x [µm]" }, constrain: "domain" },
                   yaxis: { range: [0, side], title: { text: "y [µm]" }, scaleanchor: "x" } };
  Plotly.react("fig-field", [{ type: "scatter", x: [], y: [], mode: "markers" }], layout, CONFIG);
}

function renderHealing(d) {
  const h = d.healing, c = h.coverage_pct;
  const traces = [
    { type: "scatter", mode: "lines+markers", name: "downtime", x: c, y: h.downtime_days },
    { type: "scatter", mode: "lines+markers", name: "erythema", x: c, y: h.erythema_days },
    { type: "scatter", mode: "lines+markers", name: "re-epithelialisation", x: c, y: h.reepithelialization_days },
    { type: "scatter", mode: "markers", name: "this plan", x: [d.coverage_pct], y: [h.plan_downtime_days],
      marker: { size: 14, symbol: "star", color: "#222" } },
  ];
  const layout = { title: { text: "Healing against coverage" }, margin: { l: 50, r: 10, t: 40, b: 45 },
                   legend: { orientation: "h", y: -0.3 }, xaxis: { title: { text: "wound coverage per session [%]" } },
                   yaxis: { title: { text: "days" }, rangemode: "tozero" } };
  Plotly.react("fig-healing", traces, layout, CONFIG);
}

function renderCourse(d) {
  const c = d.course;
  const layout = { title: { text: `Improvement: ${pct(d.improvement_mean)}${interval(d.improvement_ci)} at follow-up` },
                   margin: { l: 50, r: 10, t: 40, b: 45 }, showlegend: false,
                   xaxis: { title: { text: "months from the first session" } },
                   yaxis: { title: { text: "mean improvement [%]" }, rangemode: "tozero" } };
  Plotly.react("fig-course", [{ type: "scatter", mode: "lines", x: c.month, y: c.improvement_mean, line: { width: 3 } }],
               layout, CONFIG);
}

async function compareModalities(req) {
  working("comparing the modalities at their preset settings…");
  try {
    const d = await post("/api/plan/compare", req);
    const keys = Object.keys(d.modalities), m = keys.map((k) => d.modalities[k]);
    const names = keys.map((k) => NAMES[k] || k);
    const traces = [
      { type: "bar", name: "improvement [%]", offsetgroup: 1, x: names, y: m.map((v) => v.improvement_mean),
        error_y: { type: "data", symmetric: false, array: m.map((v) => v.improvement_ci[1] - v.improvement_mean),
                   arrayminus: m.map((v) => v.improvement_mean - v.improvement_ci[0]) } },
      { type: "bar", name: "downtime [days]", offsetgroup: 2, x: names, y: m.map((v) => v.downtime_days), yaxis: "y2" },
    ];
    const layout = { title: { text: "Modalities at preset settings" }, barmode: "group", margin: { l: 50, r: 50, t: 40, b: 90 },
                     legend: { orientation: "h", y: -0.45 }, yaxis: { title: { text: "improvement [%]" } },
                     yaxis2: { title: { text: "downtime [d]" }, overlaying: "y", side: "right" } };
    await Plotly.react("fig-compare", traces, layout, CONFIG);
    document.body.dataset.compared = "1";
  } catch (e) {
    showError(e.message);
  } finally {
    done();
  }
}

addScar("boxcar", 0.4, 8);
addScar("rolling", 0.3, 4);
$("add-scar").addEventListener("click", () => addScar());
$("plan-form").addEventListener("submit", onPlan);
