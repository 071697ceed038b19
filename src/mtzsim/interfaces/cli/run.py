"""``mtzsim run scenario.toml``: the whole chain, its files (results.json, fields.nc, report.html) and a registry row."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import typer

from mtzsim.errors import InputError
from mtzsim.io.store import DEFAULT_DB

#: Outputs written into the run folder.
RESULTS_JSON = "results.json"
FIELDS_NC = "fields.nc"
REPORT_HTML = "report.html"
SCENARIO_TOML = "scenario.toml"


def execute(
    scenario,
    *,
    out: Path | None,
    db: Path,
    json_output: bool = False,
    show_progress: bool = True,
) -> dict:
    """Run ``scenario`` through the chain, write its files, store it; return a summary dict.

    Order matters for consistency: the files are written first, the registry row last
    (one transaction), so a run killed at any point never leaves a half-written row.
    """
    from rich.console import Console

    from mtzsim.pipeline.chain import TreatmentChain
    from mtzsim.report import write_report
    from mtzsim.io.store import RunStore, new_run_id

    err = Console(stderr=True, highlight=False)
    for w in scenario.warnings():
        err.print(f"[yellow]mtzsim: warning:[/yellow] {w.field}: {w.message}", soft_wrap=True)

    store = RunStore(db, field="--db")
    try:
        run_id = new_run_id()
        while _has_run(store, run_id):
            run_id = new_run_id()
        if out is None:
            stem = Path(scenario.source).stem if scenario.source not in ("<string>", "<python>") else "scenario"
            out = Path("runs") / f"{stem}-{run_id}"
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise InputError("--out", f"{str(out)!r} is a file; give a folder")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError("--out", f"cannot create {str(out)!r}: {exc.strerror or exc}") from None

        chain = TreatmentChain(scenario)
        t0 = time.perf_counter()
        result = _run_with_progress(chain, err, show_progress and not json_output)
        result = result.with_run_id(run_id)

        files = {}
        if scenario.text is not None:
            (out / SCENARIO_TOML).write_text(scenario.text, encoding="utf-8")
            files["scenario"] = out / SCENARIO_TOML
        files["results"] = result.write_json(out / RESULTS_JSON)
        nc = result.write_netcdf(out / FIELDS_NC)
        if nc is not None:
            files["fields"] = nc
        files["report"] = write_report(result, out / REPORT_HTML, run_id=run_id)

        record = result.to_dict()
        store.add_run(
            scenario=record["scenario"],
            results=record["stages"],
            timings=record["timings_s"],
            version=result.version,
            name=scenario.name,
            source=scenario.source,
            scenario_toml=scenario.text,
            warnings=record["warnings"],
            skipped={},
            out_dir=str(out.resolve()),
            total_s=time.perf_counter() - t0,
            run_id=run_id,
            created_at=result.started_at,
        )
    finally:
        store.close()

    summary = {
        "run_id": run_id,
        "name": scenario.name,
        "out_dir": str(out),
        "files": {k: str(v) for k, v in files.items()},
        "db": str(db),
        "stages": list(result.stage_names),
        "warnings": [w.to_dict() for w in result.warnings],
        "timings_s": result.timings,
    }
    if json_output:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        _print_summary(summary, result)
    return summary


def _has_run(store, run_id: str) -> bool:
    try:
        store.get_run(run_id)
    except InputError:
        return False
    return True


def _run_with_progress(chain, console, show: bool):
    if not show:
        return chain.run()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [
        SpinnerColumn(),
        TextColumn("[bold]{task.description:<18}"),
        BarColumn(bar_width=32),
        MofNCompleteColumn(),
        TextColumn("stages"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console, transient=False) as bar:
        names = [s.name for s in chain.stages]
        titles = {s.name: s.title for s in chain.stages}
        task = bar.add_task("starting", total=len(names))

        def progress(stage: str, fraction: float, detail: str = "") -> None:
            done = names.index(stage) + fraction
            bar.update(task, description=titles[stage] if done < len(names) else "done", completed=done)

        return chain.run(progress=progress)


def _print_summary(summary: dict, result) -> None:
    from rich.console import Console

    out = Console(highlight=False, soft_wrap=True)
    total = sum(result.timings.values())
    out.print(f"[bold green]✓[/bold green] run [bold]{summary['run_id']}[/bold] — {summary['name']} "
              f"({len(summary['stages'])} stage{'s' if len(summary['stages']) != 1 else ''}, {total:.1f} s)")
    d = {name: r.to_dict() for name, r in result.results.items() if hasattr(r, "to_dict")}
    mtz = d.get("mtz")
    if mtz:
        out.print(f"  MTZ: crater {mtz.get('ablation_depth_um', float('nan')):.0f} µm deep, "
                  f"{mtz.get('ablation_diameter_um', float('nan')):.0f} µm wide; coagulation to "
                  f"{mtz.get('coagulation_depth_um', float('nan')):.0f} µm")
    field = d.get("field")
    if field and "coverage_treated" in field:
        out.print(f"  field: {field.get('n_mtz', '?')} MTZs, treated {100 * field['coverage_treated']:.1f} % of "
                  f"the area, bulk temperature up to {field.get('max_bulk_temperature_c', float('nan')):.1f} °C")
    for key in ("results", "fields", "report"):
        if key in summary["files"]:
            out.print(f"  {key + ':':9s}{summary['files'][key]}")
    out.print(f"  registry: {summary['db']}  (mtzsim runs show {summary['run_id']})")


def register(app: typer.Typer) -> None:
    """Add ``mtzsim run`` to the app."""

    @app.command("run")
    def run_command(
        scenario: str = typer.Argument(..., help="Scenario file (TOML), e.g. examples/deep_co2.toml.",
                                       show_default=False),
        out: Path = typer.Option(None, "--out", "-o", help="Folder for results.json, fields.nc and report.html "
                                 "[default: runs/<scenario>-<run id>].", show_default=False),
        db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="Run registry (SQLite file)."),
        json_output: bool = typer.Option(False, "--json", help="Print a machine-readable summary."),
        no_progress: bool = typer.Option(False, "--no-progress", help="Hide the progress bar."),
    ) -> None:
        """Run a scenario through every stage (MTZ → field → …); write results.json, fields.nc, report.html; store the run."""
        from mtzsim.io.scenario import load_scenario

        loaded = load_scenario(scenario)
        execute(loaded, out=out, db=db, json_output=json_output,
                show_progress=not no_progress and not os.environ.get("MTZSIM_NO_PROGRESS"))
        sys.stdout.flush()
