"""The HTML report of a run: one self-contained file (CSS inline, figures embedded as PNG).

It shows the scenario with units, warnings for settings outside clinical ranges, the
key numbers, the figures of every stage (MTZ cross-section, en-face field and its
cross-section, bulk temperature, islands), the numbers behind them, a table of every
parameter the run used (read from the stage calls recorded in the run, not from module
defaults) with its source, timings, version and run id. What each stage shows (lead, figures,
key numbers) comes from its :class:`mtzsim.pipeline.chain.StageSpec`. No web fonts, scripts, CDNs or external assets: it works offline.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import html
import importlib
import io
import math
import platform
from importlib import resources
from pathlib import Path

from mtzsim import __version__
from mtzsim.io.serialise import field_metadata, result_to_dict, write_text_atomic
from mtzsim.units import display, display_duration, format_number

#: Legacy unit suffixes of ``to_dict()`` keys, read only for results whose fields have no
#: unit metadata yet (see :func:`mtzsim.io.serialise.field_metadata`), longest first.
_SUFFIXES = [
    ("_j_per_cm2", "J/cm²"),
    ("_w_per_cm2", "W/cm²"),
    ("_per_cm2", "/cm²"),
    ("_per_mm2", "/mm²"),
    ("_um2", "µm²"),
    ("_mm2", "mm²"),
    ("_cm2", "cm²"),
    ("_um", "µm"),
    ("_mm", "mm"),
    ("_cm", "cm"),
    ("_mj", "mJ"),
    ("_ms", "ms"),
    ("_us", "µs"),
    ("_s", "s"),
    ("_h", "h"),
    ("_d", "days"),
    ("_c", "°C"),
    ("_k", "K"),
    ("_pct", "%"),
    ("_percent", "%"),
    ("_w", "W"),
    ("_hz", "Hz"),
    ("_j", "J"),
]

_WORDS = {"mtz": "MTZ", "mtzs": "MTZs", "hsp": "HSP", "hsp70": "HSP70", "pct": "%", "um": "µm", "nc": "netCDF",
          "n": "number of", "pih": "PIH", "tewl": "TEWL", "co2": "CO2"}


def render_report(run, *, run_id: str | None = None) -> str:
    """The report of a :class:`mtzsim.pipeline.chain.ChainResult` as one HTML string.

    Parameters
    ----------
    run : ChainResult
        What :meth:`mtzsim.pipeline.chain.TreatmentChain.run` returned.
    run_id : str, optional
        Registry id of the run (default ``run.run_id``).
    """
    run_id = run_id or getattr(run, "run_id", None) or "—"
    scenario = run.scenario
    title = scenario.name
    created = getattr(run, "started_at", None) or _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    parts: list[str] = []
    nav = [("summary", "Summary"), ("scenario", "Scenario")]
    for name in run.titles:
        nav.append((f"stage-{name}", run.titles[name]))
    nav += [("parameters", "Parameters & sources"), ("run", "Run")]

    parts.append(_summary(run))
    parts.append(_scenario_section(scenario))
    for name, stage_title in run.titles.items():
        parts.append(_stage_section(run, name, stage_title))
    parts.append(_parameters_section(run))
    parts.append(_run_section(run, run_id, created))

    toc = "".join(f'<a href="#{a}">{_e(b)}</a>' for a, b in nav)
    return _page(
        head_title=f"mtzsim report — {title}", title=title,
        sub=f"""mtzsim {_e(run.version)} · run <code>{_e(run_id)}</code> · {_e(_when(created))} ·
scenario <code>{_e(scenario.source)}</code>""",
        body=f"""<nav class="toc">{toc}</nav>
{''.join(parts)}""",
        footer=f"""Made by <b>mtzsim {_e(run.version)}</b> — a simulator of fractional laser treatment of atrophic acne
scars, for research and education. Not a medical device; its numbers are model predictions with the
limits stated in the README, not clinical advice.""")


def _page(*, head_title: str, title: str, sub: str, body: str, footer: str) -> str:
    """A self-contained report page: inline CSS, the title band with the disclaimer, ``body``, ``footer``.

    ``sub`` (the line under the title), ``body`` and ``footer`` are HTML; the titles are text.
    """
    css = resources.files("mtzsim.report").joinpath("report.css").read_text(encoding="utf-8")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mtzsim {_e(__version__)}">
<title>{_e(head_title)}</title>
<style>
{css}
</style>
</head>
<body>
<header class="top"><div class="page">
<h1>{_e(title)}</h1>
<div class="sub">{sub}</div>
<div class="badge">Research and education tool — not a medical device. Not for treatment decisions.</div>
</div></header>
<div class="page">
{body}
<footer>{footer}</footer>
</div>
</body>
</html>
"""


def write_report(run, path, *, run_id: str | None = None) -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8) and return the path."""
    return write_text_atomic(Path(path), render_report(run, run_id=run_id))


# ---------------------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------------------


def _summary(run) -> str:
    cards = []
    beam = run.scenario.beam()
    cards.append(_kpi("Laser", f"{beam.laser.upper() if beam.laser == 'co2' else _laser_name(beam.laser)}",
                      f"{display(beam.wavelength, 'm', 'um', digits=3)} wavelength", accent=False))
    cards.append(_kpi("Pulse energy", format_number(beam.energy * 1e3, 3), f"{display(beam.spot_diameter, 'm', 'um', digits=3)} spot, "
                      f"{display_duration(beam.pulse_duration)} pulse", unit="mJ"))
    for rec in run.records:
        for h in rec.spec.highlights:
            shown = key_number(rec.result, h.key)
            if shown is not None:
                cards.append(_kpi(h.label, shown[0], h.hint, unit=shown[1], accent=rec.name == "mtz"))
    warn = _warnings_html(run)
    skipped = ""
    return f"""<section class="card" id="summary">
<h2>Summary</h2>
<p class="lead">The key numbers of this run. Depths and widths are model values in living skin; a fixed
biopsy shrinks them (simulation ≈ 21 % deeper and ≈ 12 % wider than histology, Marqa &amp; Mordon 2014).</p>
{warn}{skipped}
<div class="kpis">{''.join(cards)}</div>
</section>"""


def _warnings_html(run) -> str:
    from mtzsim.io.serialise import stage_notes

    notes = "".join(f"<li><b>{_e(run.titles.get(k, k))}</b>: {_e(n)}</li>" for k, ns in stage_notes(run).items()
                    for n in ns)
    notes = (f'<div class="notice warn"><b>Read with care:</b><ul>{notes}</ul></div>' if notes else "")
    return notes + _range_warnings_html(run)


def _range_warnings_html(run) -> str:
    if not run.warnings:
        return ('<div class="notice ok"><b>All settings are inside the clinical ranges</b> of the device class '
                "(see the parameter table for the sources).</div>")
    items = "".join(
        f"<li><code>{_e(w.field)}</code>: {_e(w.message)}"
        + (f' <span class="src">[{_e(w.source)}]</span>' if getattr(w, "source", "") else "")
        + "</li>"
        for w in run.warnings
    )
    return (f'<div class="notice warn"><b>{len(run.warnings)} setting{"s" if len(run.warnings) > 1 else ""} '
            f"outside clinical ranges.</b> The run went ahead; read these results with care.<ul>{items}</ul></div>")


def _scenario_section(scenario) -> str:
    text = scenario.text
    if text is None:
        import json

        text = json.dumps(scenario.raw, indent=2, ensure_ascii=False)
    rows = "".join(
        f'<tr><td class="key">{_e(p["name"])}</td><td>{_e(p["value"])}</td>'
        f"<td>{_origin(p['origin'])}</td></tr>"
        for p in scenario.parameters()
    )
    return f"""<section class="card" id="scenario">
<h2>Scenario</h2>
<p class="lead">As written (left) and as mtzsim resolved it, presets and defaults included (right). Sources
of each value are in <a href="#parameters">Parameters &amp; sources</a>.</p>
<div class="two-col">
<div><pre>{_e(text.strip())}</pre></div>
<div class="scroll"><table><thead><tr><th>Setting</th><th>Value</th><th>From</th></tr></thead>
<tbody>{rows}</tbody></table></div>
</div>
</section>"""


def _stage_section(run, name: str, title: str) -> str:
    rec = run.record(name)
    if rec.spec.section is not None:
        return rec.spec.section(run, rec.spec)
    result = rec.result
    figs = [_figure_html(f.module, f.function, result, f.title, f.caption, f.size) for f in rec.spec.figures]
    table = _numbers_table(result)
    if len(figs) == 1:
        # one figure: the figure and its numbers side by side
        body = (f'<div class="two-col wide-left"><div>{figs[0]}</div>'
                f'<div class="scroll">{table}</div></div>')
    else:
        grid = f'<div class="grid2">{"".join(figs)}</div>' if figs else ""
        body = f'{grid}<details><summary>All numbers of this stage</summary>{table}</details>'
    lead = rec.spec.lead
    if name == "mtz" and getattr(result, "ablation_depth", None) == 0:
        lead += " No tissue was ablated at these settings: a non-ablative (coagulation-only) MTZ."
    how = " (from the result cache)" if rec.source.startswith("cache") else ""
    tline = f" Computed in {display_duration(rec.seconds)}{how}." if rec.source != "given" else ""
    return f"""<section class="card" id="stage-{_e(name)}">
<h2>{_e(title)}</h2>
<p class="lead">{_e(lead)}{_e(tline)}</p>
{body}
</section>"""


def _parameters_section(run) -> str:
    from mtzsim.params.references import cited

    rows = []
    for p in run.scenario.parameters():
        rows.append((p["name"], p["value"], p["origin"], p["source"]))
    rows.extend(_model_parameters(run))
    body = "".join(
        f'<tr><td class="key">{_e(n)}</td><td>{_e(v)}</td><td>{_origin(o)}</td><td class="src">{_e(s)}</td></tr>'
        for n, v, o, s in rows
    )
    refs = "".join(f"<li><b>{_e(k)}</b>: {_e(v)}</li>" for k, v in cited(s for *_, s in rows).items())
    return f"""<section class="card" id="parameters">
<h2>Parameters &amp; sources</h2>
<p class="lead">Every parameter this run used, where it came from and its source (reliability A: primary
measurement; B: summary or secondary; C: sanity range only). An <i>assumption</i> says what no source
supports, and why. The references follow the table.</p>
<div class="boxed"><table><thead><tr><th>Parameter</th><th>Value</th><th>From</th><th>Source</th></tr></thead>
<tbody>{body}</tbody></table></div>
<h3>References</h3>
<ul class="refs">{refs}</ul>
</section>"""


def _run_section(run, run_id: str, created: str) -> str:
    rows = [("Run id", run_id), ("Started", _when(created)), ("mtzsim version", run.version),
            ("Scenario file", run.scenario.source),
            ("Python", platform.python_version()), ("Platform", platform.platform(terse=True))]
    for name, seconds in run.timings.items():
        rows.append((f"Time: {run.titles.get(name, name)}", _time(seconds)))
    rows.append(("Time: total", _time(run.total_time)))
    body = "".join(f"<tr><td>{_e(a)}</td><td>{_e(b)}</td></tr>" for a, b in rows)
    return f"""<section class="card" id="run">
<h2>Run</h2>
<table><tbody>{body}</tbody></table>
</section>"""


# ---------------------------------------------------------------------------------------
# pieces
# ---------------------------------------------------------------------------------------


def _figure_html(module: str, func: str, result, title: str, caption: str, size) -> str:
    png = render_figure(module, func, result, size=size)
    b64 = base64.b64encode(png).decode("ascii")
    return (f'<figure><img alt="{_e(title)}" src="data:image/png;base64,{b64}">'
            f"<figcaption><b>{_e(title)}.</b> {_e(caption)}</figcaption></figure>")


def render_figure(module: str, func: str, result, *, size=(6.4, 4.4), dpi: int = 130) -> bytes:
    """PNG bytes of ``module.func(result, ax=ax)`` drawn on a figure of ``size`` [in]."""
    fn = getattr(importlib.import_module(module), func)
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    out = fn(result, ax=ax)
    out_fig = getattr(out, "figure", None) if out is not None else None
    if out is not None and hasattr(out, "savefig"):
        out_fig = out
    if out_fig is not None and out_fig is not fig and hasattr(out_fig, "savefig"):
        fig = out_fig
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def _numbers_table(result) -> str:
    """Every number of a stage result with its unit: from the field metadata, else the legacy dict."""
    rows = []
    meta = field_metadata(result)
    if meta is not None:
        for name, m in meta.items():
            value = getattr(result, name)
            if m["kind"] in ("array", "result", "table") or hasattr(value, "dims"):
                continue
            if m["kind"] == "quantity" and isinstance(value, (int, float)) and not isinstance(value, bool):
                shown = display(value, m["unit"], m["display"])
                text, _, unit = shown.partition(" ")
            else:
                text, unit = str(value), ""
            rows.append(f'<tr><td title="{_e(m["doc"])}">{_e(_label(name))}</td><td class="num">{_e(text)}</td>'
                        f"<td>{_e(unit)}</td></tr>")
    else:
        flat = _flatten(result_to_dict(result))
        for key, value in flat.items():
            if isinstance(value, list):
                value = f"{len(value)} values" if len(value) > 8 else ", ".join(format_number(v, 3) for v in value)
                unit = ""
            elif isinstance(value, bool) or not isinstance(value, (int, float)):
                value, unit = str(value), ""
            else:
                segments = key.split(".")
                value, unit = _value_unit(segments[-1], value)
                if not unit and len(segments) > 1:  # unit on the parent: energy_partition_mj.delivered
                    value, unit = _value_unit(segments[-2], flat[key])
            rows.append(f'<tr><td>{_e(_label(key))}</td><td class="num">{_e(str(value))}</td><td>{_e(unit)}</td></tr>')
    return f'<table><thead><tr><th>Quantity</th><th style="text-align:right">Value</th><th>Unit</th></tr></thead>' \
           f'<tbody>{"".join(rows)}</tbody></table>'


def key_number(result, key: str):
    """``(value, unit)`` of a key number, or None when the result does not have it."""
    meta = field_metadata(result)
    if meta is not None:
        if key not in meta:
            return None
        value = getattr(result, key)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        text, _, unit = display(value, meta[key]["unit"], meta[key]["display"], digits=3).partition(" ")
        return text, unit
    d = result_to_dict(result)
    for k, v in d.items():
        if (k == key or k.startswith(key + "_")) and isinstance(v, (int, float)) and not isinstance(v, bool):
            return _value_unit(k, v)
    return None


def _model_parameters(run) -> list[tuple[str, str, str, str]]:
    """The model parameters the run used, with their pedigree, read from the recorded stage calls."""
    rows: list[tuple[str, str, str, str]] = []
    if "mtz" in run and run.record("mtz").call is not None:
        call = run.record("mtz").call
        tissue = call.kwargs.get("tissue")
        if tissue is not None and hasattr(tissue, "layers"):
            for layer in tissue.layers:
                thick = "semi-infinite" if not math.isfinite(layer.thickness) else display(layer.thickness, "m", "um")
                value = (f"{thick}; k {format_number(layer.conductivity, 3)} W/(m·K); "
                         f"c {format_number(layer.specific_heat)} J/(kg·K); ρ {format_number(layer.density)} kg/m³; "
                         f"water {display(layer.water_fraction, '1', '%', digits=3)}; "
                         f"perfusion {format_number(layer.perfusion)} /s")
                src = layer.source + (f" [{layer.reliability}]" if layer.reliability else "")
                if layer.assumption:
                    src += f" — assumption: {layer.assumption}"
                rows.append((f"tissue.{layer.key}", value, "model", src))
            rows.append(("tissue.body_temperature", display(tissue.body_temperature, "K", "degC", digits=3), "model",
                         "assumption: 37 °C core (params/data/constants.csv)"))
        from mtzsim.params.presets import site_tissue

        site = site_tissue(run.scenario.patient.site)
        rows.append(("tissue.site", f"{site.site} → {site.tissue} skin, stratum corneum "
                     f"{display(site.stratum_corneum, 'm', 'um', digits=3)}", "model",
                     site.source + (f" — assumption: {site.assumption}" if site.assumption else "")))
        loss = call.kwargs.get("losses")
        if loss is not None and dataclasses.is_dataclass(loss):  # every coefficient of the loss model used
            source = str(getattr(loss, "source", ""))
            for f in dataclasses.fields(loss):
                if f.name != "source":
                    rows.append((f"mtz.losses.{f.name}", _coefficient(f.name, getattr(loss, f.name)), "model", source))
        numerics = call.kwargs.get("numerics")
        if numerics is not None:
            rows.append(("mtz.numerics.cell", display(numerics.cell, "m", "um"), "model",
                         "grid spacing of the single-MTZ model ([numerics] mtz_cell)"))
        from mtzsim.physics import damage

        mtz = importlib.import_module("mtzsim.physics.mtz")
        for key in getattr(mtz, "PROCESSES", ()):
            p = damage.ARRHENIUS[key]
            src = p.source + (f" [{p.reliability}]" if p.reliability else "")
            if p.assumption:
                src += f" — assumption: {p.assumption}"
            rows.append((f"damage.{key}", f"A = {p.A:.3e} /s; Ea = {format_number(p.Ea / 1e3)} kJ/mol", "model", src))
        edge = getattr(mtz, "HISTOLOGY_EDGE_PROCESS", None)
        if edge is not None:
            rows.append(("mtz.histology_edge", str(edge), "model",
                         "Arrhenius set compared with the histological coagulation edge, chosen by `mtzsim calibrate`"))
        shrink = (getattr(mtz, "HISTOLOGY_DEPTH_SHRINK", None), getattr(mtz, "HISTOLOGY_WIDTH_SHRINK", None))
        if None not in shrink:
            rows.append(("mtz.histology_shrink", f"depth ÷ {format_number(shrink[0])}, width ÷ "
                         f"{format_number(shrink[1])}", "model", "MarqaMordon2014 [A (for the correction factor)]"))
    if "field" in run and run.record("field").call is not None:
        for k, v in run.record("field").call.kwargs.items():
            shown = display(v, "m", "um") if k == "resolution" else (display_duration(v) if k == "cooling" else str(v))
            rows.append((f"field.{k}", shown, "model", "[numerics] or the default of simulate_field"))
    for rec in run.records:
        params = getattr(rec.result, "parameters", None)
        if callable(params):
            params = params()
        if isinstance(params, list):
            for p in params:
                if isinstance(p, dict) and "name" in p:
                    rows.append((f"{rec.name}.{p['name']}", str(p.get("value", "")), "model", str(p.get("source", ""))))
    return rows


def _coefficient(name: str, value) -> str:
    """A model coefficient with the unit its name implies (SI names of the loss model)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if not math.isfinite(value):
        return "∞ (off)" if value > 0 else str(value)
    if name.endswith("irradiance"):
        return display(value, "W/m2", "W/cm2")
    if name.endswith(("time", "delay")):
        return display_duration(value)
    if name.endswith("temperature"):
        return display(value, "K", "degC")
    return format_number(value)


def _kpi(label: str, value: str, hint: str = "", *, unit: str = "", accent: bool = False) -> str:
    u = f'<span class="unit">{_e(unit)}</span>' if unit else ""
    return (f'<div class="kpi{" accent" if accent else ""}"><div class="label">{_e(label)}</div>'
            f'<div class="value">{_e(value)}{u}</div><div class="hint">{_e(hint)}</div></div>')


def _origin(origin: str) -> str:
    kind = origin.split(" ", 1)[0]
    kind = kind if kind in ("scenario", "preset", "default", "derived", "model") else "default"
    return f'<span class="origin {kind}">{_e(origin)}</span>'


def _value_unit(key: str, value) -> tuple[str, str]:
    for suffix, unit in _SUFFIXES:
        if key.endswith(suffix):
            if unit == "s" and isinstance(value, (int, float)) and 0 < abs(value) < 1:
                return (_num(value * 1e3), "ms") if abs(value) >= 1e-3 else (_num(value * 1e6), "µs")
            return _num(value), unit
    if key.startswith("coverage") or key.endswith("_fraction") or key in ("fraction", "area_contraction"):
        if isinstance(value, (int, float)) and 0 <= value <= 1:
            return _num(value * 100), "%"
    return _num(value), ""


def _label(key: str) -> str:
    parts = []
    for segment in key.split("."):
        base = segment
        for suffix, _ in _SUFFIXES:
            if base.endswith(suffix) and len(base) > len(suffix):
                base = base[: -len(suffix)]
                break
        words = [_WORDS.get(w, w) for w in base.split("_")]
        parts.append(" ".join(words))
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


def _num(value) -> str:
    return format_number(value, 3)


def _time(seconds: float) -> str:
    return display_duration(seconds)


def _when(iso: str) -> str:
    try:
        t = _dt.datetime.fromisoformat(iso)
        return t.strftime("%Y-%m-%d %H:%M UTC")
    except (TypeError, ValueError):
        return str(iso)


def _laser_name(laser: str) -> str:
    return {"co2": "CO2", "eryag": "Er:YAG", "erglass": "Er:glass"}.get(laser, laser)


def _flatten(d, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict):
            out.update(_flatten(v, key))
        else:
            out[key] = v
    return out


def _e(text) -> str:
    return html.escape(str(text), quote=True)


__all__ = ["key_number", "render_figure", "render_report", "write_report"]


# ---------------------------------------------------------------------------------------
# modality comparison (mtzsim compare --report)
# ---------------------------------------------------------------------------------------


def comparison_section(res) -> str:
    """The modality comparison as one report section: side-by-side figure, numbers, calibration, limits.

    Parameters
    ----------
    res : ComparisonResult
        :func:`mtzsim.clinic.comparators.compare`.
    """
    from mtzsim.clinic.comparators import load_comparator_calibration
    from mtzsim.report.figures_compare import LABELS, comparison_figure

    fig = comparison_figure(res)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, facecolor="white")
    import matplotlib.pyplot as plt

    plt.close(fig)
    b64 = base64.b64encode(buf.getvalue()).decode("ascii")
    d = res.to_dict()
    rows = []
    for name, v in d["modalities"].items():
        ci = v["improvement_ci"]
        pci = v["pih_interval"]
        settings = ", ".join(f"{_label(k)} {format_number(x, 3) if isinstance(x, float) else x}"
                             for k, x in v["settings"].items())
        rows.append(f"<tr><td class=\"key\">{_e(LABELS.get(name, name).replace('-' + chr(10), '').replace(chr(10), ' '))}</td>"
                    f"<td>{v['improvement_mean']:.0f} % ({ci[0]:.0f}–{ci[1]:.0f})</td>"
                    f"<td>{v['downtime_days']:.1f} d</td><td>{v['pih_probability']:.0f} % ({pci[0]:.0f}–{pci[1]:.0f})</td>"
                    f"<td>{v['closure_scarring_risk']:.1f} % ({v['closure_days']:.1f} d)</td>"
                    f"<td>{v['wound_depth_um']:.0f} µm</td><td>{_e(settings)}</td></tr>")
    cal = load_comparator_calibration()
    kap = "".join(f"<li>κ<sub>{_e(n)}</sub> = {cal['kappa'][n]:.3g} (95 % {cal['kappa_95'][n][0]:.3g}–"
                  f"{cal['kappa_95'][n][1]:.3g}): {_e(cal['parameters'][n])}</li>" for n in cal["kappa"])
    val = "".join(f"<tr><td>{_e(r['key'])}</td><td>{_e(r['role'])}</td><td>{_e(r['modality'])}</td>"
                  f"<td>{_e(r['metric'])}</td><td>{r['observed']:.3g}</td><td>{r['predicted']:.3g}</td></tr>"
                  for r in cal["rows"])
    return f"""<section class="card" id="comparison">
<h2>Modality comparison</h2>
<p class="lead">The same patient and scars through every modality at its preset settings, each simulated
through the same chain (physics → wound → healing → remodeling → outcome): Fitzpatrick {res.fitzpatrick},
{res.sessions} sessions (full-field CO2: one). Bars: mean improvement with the 95 % interval of the mean,
downtime per session from the healing stage, PIH over the course with its 95 % interval.</p>
<figure><img alt="modality comparison" src="data:image/png;base64,{b64}">
<figcaption><b>Side by side.</b> {_e(res.note)}</figcaption></figure>
<div class="scroll"><table><thead><tr><th>Modality</th><th>Improvement</th><th>Downtime</th><th>PIH</th>
<th>Scarring risk (closure)</th><th>Wound depth</th><th>Settings</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>
<p>Scarring risk: the hypertrophic scarring risk of one session's wound from the time it takes to close (95 %
re-epithelialisation), by the law fitted to burn cohorts (Cubison 2006; mtzsim/clinic/scarring.py). Below 10
days of closure it extrapolates a bin where no scar was seen, so there it is an upper bound.</p>
<h3>Comparator calibration</h3>
<p>Fitted on single-arm studies only ({_e(cal['method'])}); head-to-head trials are not used. The
efficacy of a wound made under an intact epidermis, per wounded volume, relative to the ablative MTZ of
the CO2 calibration:</p><ul>{kap}</ul>
<div class="scroll"><table><thead><tr><th>Study</th><th>Role</th><th>Modality</th><th>Metric</th>
<th>Observed</th><th>Predicted</th></tr></thead><tbody>{val}</tbody></table></div>
<div class="notice warn"><b>Read with care:</b> the orderings follow single-arm data mapped onto one
scale (assumptions per row, listed in <code>params/data/comparator_calibration.json</code>); PIH is driven
by thermal injury of the epidermis only, so PIH after dermal-only injury (insulated RF pins) is not
modelled.</div>
</section>"""


def render_comparison_report(res, *, title: str = "Modality comparison", source: str = "") -> str:
    """A self-contained HTML page holding :func:`comparison_section` (CSS inline, figure embedded)."""
    created = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    return _page(
        head_title=f"mtzsim — {title}", title=title,
        sub=f"mtzsim {_e(__version__)} · {_e(_when(created))}"
            + (' · scenario <code>' + _e(source) + '</code>' if source else ''),
        body=comparison_section(res),
        footer=f"""Made by <b>mtzsim {_e(__version__)}</b>. Model predictions with the limits stated in the README,
not clinical advice.""")


def write_comparison_report(res, directory, *, source: str = "") -> Path:
    """Write ``comparison.html`` (and ``comparison.json``) into ``directory``; return the HTML path."""
    import json

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "comparison.json", json.dumps(res.to_dict(), indent=1))
    return write_text_atomic(out / "comparison.html", render_comparison_report(res, source=source))
