"""The HTML report of a run: one self-contained file (CSS inline, figures embedded as PNG).

It shows the scenario with units, warnings for settings outside clinical ranges, the
key numbers, the figures of every stage (MTZ cross-section, en-face field and its
cross-section, bulk temperature, islands), the numbers behind them, a table of every
parameter used with its source, timings, version and run id. A figure whose function
is missing or fails shows a "not available" box instead; the report never crashes on it.
No web fonts, scripts, CDNs or external assets: it works offline.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import importlib
import io
import math
import platform
from importlib import resources
from pathlib import Path

from mtzsim import __version__

#: Figures per stage: (module, function, title, caption, figure size [in]).
#: Each function is ``fn(result, ax=None)`` and draws on ``ax``.
FIGURES: dict[str, list[tuple[str, str, str, str, tuple[float, float]]]] = {
    "mtz": [
        (
            "mtzsim.report.figures_mtz",
            "plot_mtz_section",
            "MTZ cross-section",
            "One microbeam in skin (axisymmetric model, mirrored): the ablated crater, the coagulated "
            "wall (collagen Ω ≥ 1), the lethal zone and the heat-shock zone (HSP70 induction).",
            (5.4, 4.6),
        ),
    ],
    "field": [
        (
            "mtzsim.report.figures_field",
            "plot_enface",
            "En-face damage map",
            "The treated area seen from above: every MTZ of the scan, coloured by damage zone.",
            (5.2, 4.6),
        ),
        (
            "mtzsim.report.figures_field",
            "plot_cross_section",
            "Cross-section of the field",
            "A vertical cut through a row of MTZs: crater, coagulation and heat-shock zones side by side.",
            (5.2, 4.6),
        ),
        (
            "mtzsim.report.figures_field",
            "plot_bulk_temperature",
            "Bulk temperature",
            "Mean temperature of the treated skin during and after the scan (heat accumulation).",
            (5.2, 3.7),
        ),
        (
            "mtzsim.report.figures_field",
            "plot_island_histogram",
            "Islands of intact skin",
            "Distance from each point of intact skin to the nearest MTZ: the reservoirs that heal the wounds.",
            (5.2, 3.7),
        ),
    ],
}

#: Key numbers shown as cards: stage → [(key in to_dict, label, hint)].
HIGHLIGHTS: dict[str, list[tuple[str, str, str]]] = {
    "mtz": [
        ("ablation_depth_um", "Crater depth", "vaporised column"),
        ("ablation_diameter_um", "Crater width", "at the surface"),
        ("coagulation_depth_um", "Coagulation depth", "collagen Ω ≥ 1"),
        ("coagulation_thickness_um", "Coagulated wall", "lateral thickness"),
        ("heat_shock_depth_um", "Heat-shock depth", "HSP70 induced"),
        ("peak_temperature_c", "Peak temperature", "remaining tissue"),
    ],
    "field": [
        ("n_mtz", "MTZs", "in the treated area"),
        ("coverage_treated", "Treated area", "ablated, coagulated or lethal"),
        ("coverage_ablated", "Ablated area", "open micro-wounds, en face"),
        ("max_bulk_temperature_c", "Peak bulk temperature", "heat accumulation"),
        ("median_island_distance_um", "Median distance to intact skin", "islands that heal"),
        ("area_contraction", "Immediate contraction", "collagen shrinkage"),
    ],
}

#: Unit suffixes of result keys → the unit shown (longest first).
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

    css = resources.files("mtzsim.report").joinpath("report.css").read_text(encoding="utf-8")
    toc = "".join(f'<a href="#{a}">{_e(b)}</a>' for a, b in nav)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mtzsim {_e(__version__)}">
<title>mtzsim report — {_e(title)}</title>
<style>
{css}
</style>
</head>
<body>
<header class="top"><div class="page">
<h1>{_e(title)}</h1>
<div class="sub">mtzsim {_e(run.version)} · run <code>{_e(run_id)}</code> · {_e(_when(created))} ·
scenario <code>{_e(scenario.source)}</code></div>
<div class="badge">Research and education tool — not a medical device. Not for treatment decisions.</div>
</div></header>
<div class="page">
<nav class="toc">{toc}</nav>
{''.join(parts)}
<footer>Made by <b>mtzsim {_e(run.version)}</b> — a simulator of fractional laser treatment of atrophic acne
scars, for research and education. Not a medical device; its numbers are model predictions with the
limits stated in the README, not clinical advice.</footer>
</div>
</body>
</html>
"""


def write_report(run, path, *, run_id: str | None = None) -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    path.write_text(render_report(run, run_id=run_id), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------------------


def _summary(run) -> str:
    cards = []
    beam = run.scenario.beam()
    cards.append(_kpi("Laser", f"{beam.laser.upper() if beam.laser == 'co2' else _laser_name(beam.laser)}",
                      f"{beam.wavelength * 1e6:.3g} µm wavelength", accent=False))
    cards.append(_kpi("Pulse energy", _num(beam.energy * 1e3), f"{beam.spot_diameter * 1e6:.0f} µm spot, "
                      f"{_time(beam.pulse_duration)} pulse", unit="mJ"))
    for stage, keys in HIGHLIGHTS.items():
        result = run.results.get(stage)
        if result is None:
            continue
        d = _as_dict(result)
        seen_labels = set()
        for key, label, hint in keys:
            if key in d and isinstance(d[key], (int, float)) and label not in seen_labels:
                seen_labels.add(label)
                value, unit = _value_unit(key, d[key])
                cards.append(_kpi(label, value, hint, unit=unit, accent=stage == "mtz"))
    warn = _warnings_html(run)
    skipped = ""
    if run.skipped:
        items = "".join(f"<li><b>{_e(run.titles.get(k, k))}</b>: {_e(v)}</li>" for k, v in run.skipped.items())
        skipped = (f'<div class="notice na" style="text-align:left;padding:12px 16px">Stages not run in this '
                   f"version:<ul>{items}</ul></div>")
    return f"""<section class="card" id="summary">
<h2>Summary</h2>
<p class="lead">The key numbers of this run. Depths and widths are model values in living skin; a fixed
biopsy shrinks them (simulation ≈ 21 % deeper and ≈ 12 % wider than histology, Marqa &amp; Mordon 2014).</p>
{warn}{skipped}
<div class="kpis">{''.join(cards)}</div>
</section>"""


def _warnings_html(run) -> str:
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
    result = run.results.get(name)
    if result is None:
        reason = run.skipped.get(name, "not run")
        return f"""<section class="card" id="stage-{_e(name)}">
<h2>{_e(title)}</h2>
<div class="notice na"><b>{_e(title)}: not available</b><br>{_e(reason)}</div>
</section>"""
    figs = []
    for module, func, ftitle, caption, size in FIGURES.get(name, []):
        figs.append(_figure_html(module, func, result, ftitle, caption, size))
    d = _as_dict(result)
    table = _numbers_table(d)
    if len(figs) == 1:
        # one figure: the figure and its numbers side by side
        body = (f'<div class="two-col wide-left"><div>{figs[0]}</div>'
                f'<div class="scroll">{table}</div></div>')
    else:
        grid = f'<div class="grid2">{"".join(figs)}</div>' if figs else ""
        body = (f'{grid}<details><summary>All numbers of this stage ({len(_flatten(d))})</summary>'
                f"{table}</details>")
    lead = {
        "mtz": "One microbeam: ablation by the enthalpy method with plume shielding, Pennes bioheat conduction "
        "and Arrhenius damage (collagen coagulation, cell death, heat-shock induction).",
        "field": "The whole scan: the single-MTZ response superposed over every pulse in firing order, "
        "with heat accumulating between neighbours; damage integrated on the summed temperature.",
    }.get(name, "")
    if name == "mtz" and d.get("ablation_depth_um") == 0:
        lead += " No tissue was ablated at these settings: a non-ablative (coagulation-only) MTZ."
    timing = run.timings.get(name)
    tline = f" Computed in {_time(timing)}." if timing is not None else ""
    return f"""<section class="card" id="stage-{_e(name)}">
<h2>{_e(title)}</h2>
<p class="lead">{_e(lead)}{_e(tline)}</p>
{body}
</section>"""


def _parameters_section(run) -> str:
    rows = []
    for p in run.scenario.parameters():
        rows.append((p["name"], p["value"], p["origin"], p["source"]))
    rows.extend(_model_parameters(run))
    body = "".join(
        f'<tr><td class="key">{_e(n)}</td><td>{_e(v)}</td><td>{_origin(o)}</td><td class="src">{_e(s)}</td></tr>'
        for n, v, o, s in rows
    )
    return f"""<section class="card" id="parameters">
<h2>Parameters &amp; sources</h2>
<p class="lead">Every parameter used, where it came from and its source. Source keys are those of
<code>shared/data/README.md</code> (reliability A: primary measurement; B: summary or secondary; C: sanity
range only). An <i>assumption</i> says what no source supports, and why.</p>
<div class="boxed"><table><thead><tr><th>Parameter</th><th>Value</th><th>From</th><th>Source</th></tr></thead>
<tbody>{body}</tbody></table></div>
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
    png, why = render_figure(module, func, result, size=size)
    if png is None:
        return (f'<figure><div class="notice na"><b>{_e(title)}: not available</b><br>'
                f"<small>{_e(why)}</small></div></figure>")
    b64 = base64.b64encode(png).decode("ascii")
    return (f'<figure><img alt="{_e(title)}" src="data:image/png;base64,{b64}">'
            f"<figcaption><b>{_e(title)}.</b> {_e(caption)}</figcaption></figure>")


def render_figure(module: str, func: str, result, *, size=(6.4, 4.4), dpi: int = 130):
    """PNG bytes of ``module.func(result, ax=ax)``, or ``(None, reason)`` when not available.

    Never raises: a missing module or function, or an error while drawing, gives the
    reason instead (the report shows a "not available" box).
    """
    try:
        fn = getattr(importlib.import_module(module), func)
    except ImportError:
        return None, f"the figure module {module} is not built yet"
    except AttributeError:
        return None, f"{module}.{func} is not built yet"
    try:
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
        return buf.getvalue(), ""
    except Exception as exc:  # a figure must never break the report
        return None, f"drawing failed: {type(exc).__name__}: {exc}"


def _numbers_table(d: dict) -> str:
    flat = _flatten(d)
    rows = []
    for key, value in flat.items():
        if isinstance(value, list):
            value = f"{len(value)} values" if len(value) > 8 else ", ".join(_num(v) for v in value)
            unit = ""
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            value, unit = _e(str(value)), ""
            rows.append(f'<tr><td>{_e(_label(key))}</td><td class="num">{value}</td><td>{unit}</td></tr>')
            continue
        else:
            segments = key.split(".")
            value, unit = _value_unit(segments[-1], value)
            if not unit and len(segments) > 1:  # unit on the parent: energy_partition_mj.delivered
                value, unit = _value_unit(segments[-2], flat[key])
        rows.append(f'<tr><td>{_e(_label(key))}</td><td class="num">{_e(str(value))}</td><td>{_e(unit)}</td></tr>')
    return f'<table><thead><tr><th>Quantity</th><th style="text-align:right">Value</th><th>Unit</th></tr></thead>' \
           f'<tbody>{"".join(rows)}</tbody></table>'


def _model_parameters(run) -> list[tuple[str, str, str, str]]:
    """Model parameters with their pedigree: tissue layers, damage kinetics, stage-given ones."""
    rows: list[tuple[str, str, str, str]] = []
    try:
        from mtzsim.physics.tissue import constants, get_tissue

        tissue = get_tissue("face")
        for layer in tissue.layers:
            thick = "semi-infinite" if not math.isfinite(layer.thickness) else f"{layer.thickness * 1e6:.4g} µm"
            value = (f"{thick}; k {layer.conductivity:.3g} W/(m·K); c {layer.specific_heat:.4g} J/(kg·K); "
                     f"ρ {layer.density:.4g} kg/m³; water {layer.water_fraction * 100:.0f} %; "
                     f"perfusion {layer.perfusion:g} /s")
            src = layer.source + (f" [{layer.reliability}]" if layer.reliability else "")
            if layer.assumption:
                src += f" — assumption: {layer.assumption}"
            rows.append((f"tissue.{layer.key}", value, "model", src))
        c = constants()
        if "body_temperature" in c:
            rows.append(("tissue.body_temperature", f"{c['body_temperature'] - 273.15:.1f} °C", "model",
                         "assumption: 37 °C core (data/constants.csv)"))
    except Exception:  # model data not available: nothing to list
        pass
    try:
        from mtzsim.physics import damage

        processes = getattr(importlib.import_module("mtzsim.physics.mtz"), "PROCESSES", tuple(damage.ARRHENIUS))
        for key in processes:
            p = damage.ARRHENIUS.get(key)
            if p is None:
                continue
            src = p.source + (f" [{p.reliability}]" if p.reliability else "")
            if p.assumption:
                src += f" — assumption: {p.assumption}"
            rows.append((f"damage.{key}", f"A = {p.A:.3e} /s; Ea = {p.Ea / 1e3:.4g} kJ/mol", "model", src))
    except Exception:
        pass
    try:
        mtz = importlib.import_module("mtzsim.physics.mtz")
        loss = mtz.default_loss_model()
        rows.append(("mtz.plume_irradiance", "∞ (no shielding)" if not math.isfinite(loss.plume_irradiance)
                     else f"{loss.plume_irradiance * 1e-4:.4g} W/cm²", "model", loss.source))
        rows.append(("mtz.wall_fraction", f"{loss.wall_fraction:.3g}", "model", loss.source))
        rows.append(("mtz.condensation_time", "∞" if not math.isfinite(loss.condensation_time)
                     else f"{loss.condensation_time * 1e3:.4g} ms", "model", loss.source))
        rows.append(("mtz.histology_edge", mtz.HISTOLOGY_EDGE_PROCESS, "model",
                     "Arrhenius set compared with the histological coagulation edge, chosen by `mtzsim calibrate`"))
        rows.append(("mtz.histology_shrink", f"depth ÷ {mtz.HISTOLOGY_DEPTH_SHRINK:g}, width ÷ "
                     f"{mtz.HISTOLOGY_WIDTH_SHRINK:g}", "model", "MarqaMordon2014 [A (for the correction factor)]"))
    except Exception:
        pass
    for name, result in run.results.items():
        params = getattr(result, "parameters", None)
        if callable(params):
            try:
                params = params()
            except Exception:
                params = None
        if params is None:
            params = _as_dict(result).get("parameters")
        if isinstance(params, list):
            for p in params:
                if isinstance(p, dict) and "name" in p:
                    rows.append((f"{name}.{p['name']}", str(p.get("value", "")), "model", str(p.get("source", ""))))
    return rows


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
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u2009")
    if not isinstance(value, float):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return str(value)
    if not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    a = abs(value)
    if a >= 1e6 or a < 1e-3:
        return f"{value:.3e}"
    if a >= 100:
        return f"{value:,.0f}".replace(",", "\u2009")
    return f"{value:.3g}"


def _time(seconds: float) -> str:
    if seconds is None:
        return "—"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def _when(iso: str) -> str:
    try:
        t = _dt.datetime.fromisoformat(iso)
        return t.strftime("%Y-%m-%d %H:%M UTC")
    except (TypeError, ValueError):
        return str(iso)


def _laser_name(laser: str) -> str:
    return {"co2": "CO2", "eryag": "Er:YAG", "erglass": "Er:glass"}.get(laser, laser)


def _as_dict(result) -> dict:
    if isinstance(result, dict):
        return result
    to_dict = getattr(result, "to_dict", None)
    if callable(to_dict):
        try:
            d = to_dict()
        except Exception:
            return {}
        return d if isinstance(d, dict) else {}
    return {}


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


__all__ = ["FIGURES", "HIGHLIGHTS", "render_figure", "render_report", "write_report"]
