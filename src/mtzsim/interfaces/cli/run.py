"""``mtzsim run scenario.toml``: the whole chain through the run service, with a progress bar and a summary."""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

import typer

from mtzsim.io.store import DEFAULT_DB

#: How the run service's fields are called on the command line.
FIELD_NAMES = {"out": "--out", "db": "--db"}

#: Run ids stored by this process (``mtzsim.interfaces.cli.main`` exits 0 on a later interrupt).
STORED: list[str] = []


class RichProgress:
    """The :class:`mtzsim.pipeline.progress.Progress` of the command line: one rich bar over the stages."""

    def __init__(self, stages, console):
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.names = [s.name for s in stages]
        self.titles = {s.name: s.title for s in stages}
        self.bar = Progress(SpinnerColumn(), TextColumn("[bold]{task.description:<18}"), BarColumn(bar_width=32),
                            TextColumn("{task.fields[detail]:<14}"), TimeElapsedColumn(), console=console,
                            transient=False)
        self.task = self.bar.add_task("starting", total=len(self.names), detail="")

    def __enter__(self):
        return self  # the bar appears with the first report: refusals before the compute print alone

    def __exit__(self, *exc):
        if self.started:
            self.bar.stop()

    started = False

    def __call__(self, stage: str, fraction: float, detail: str = "") -> None:
        if not self.started:
            self.started = True
            self.bar.start()
        done = self.names.index(stage) + fraction
        last = done >= len(self.names)
        self.bar.update(self.task, completed=done, description="done" if last else self.titles[stage],
                        detail=detail[:14])


def execute(scenario, *, out: Path | None, db: Path, force: bool = False, json_output: bool = False,
            show_progress: bool = True, use_cache: bool = True) -> dict:
    """Run ``scenario`` through :func:`mtzsim.interfaces.services.run_scenario`; print and return a summary.

    An interrupt after the registry commit exits 0 (the run is stored); before it, the staging
    folder is removed and the interrupt goes on (exit 130 from :func:`mtzsim.interfaces.cli.main`).
    """
    from contextlib import nullcontext

    from rich.console import Console

    from mtzsim.interfaces.services import run_scenario
    from mtzsim.params.presets import ClinicalRangeWarning
    from mtzsim.pipeline import chain

    err = Console(stderr=True, highlight=False)
    for w in scenario.warnings():
        err.print(f"[yellow]mtzsim: warning:[/yellow] {w.field}: {w.message}", soft_wrap=True)
    stored: list[str] = []

    def on_stored(run_id: str) -> None:
        stored.append(run_id)
        STORED.append(run_id)

    bar = RichProgress(chain.DEFAULT_STAGES, err) if show_progress and not json_output else None
    previous = None
    try:
        with bar if bar is not None else nullcontext(), warnings.catch_warnings():
            warnings.simplefilter("ignore", ClinicalRangeWarning)  # printed above, once
            warnings.simplefilter("ignore", chain.ModelWarning)  # printed with the summary
            outcome = run_scenario(scenario, out, db=db, force=force, progress=bar, cache=use_cache,
                                   on_stored=on_stored, field_names=FIELD_NAMES)
        previous = _hold_interrupts()  # the run is stored: a Ctrl-C from here on changes nothing
        for stage, notes in outcome.run.notes.items():
            for note in notes:
                err.print(f"[yellow]mtzsim: warning:[/yellow] {stage}: {note}", soft_wrap=True)
        summary = _summary(outcome)
        if json_output:
            typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        else:
            _print_summary(summary, outcome.run)
        sys.stdout.flush()
    except KeyboardInterrupt:
        if not stored:
            raise
        typer.echo(f"mtzsim: interrupted after run {stored[0]} was stored (mtzsim runs show {stored[0]})", err=True)
        raise typer.Exit(0) from None
    finally:
        _restore_interrupts(previous)
    return summary


def _hold_interrupts():
    """Swallow SIGINT (main thread only); returns the previous handler for :func:`_restore_interrupts`."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, lambda signum, frame: None)


def _restore_interrupts(previous) -> None:
    import signal

    if previous is not None:
        signal.signal(signal.SIGINT, previous)


def _summary(outcome) -> dict:
    run = outcome.run
    return {
        "run_id": outcome.run_id,
        "name": run.scenario.name,
        "out_dir": str(outcome.out_dir),
        "files": {k: str(v) for k, v in outcome.files.items()},
        "db": str(outcome.db),
        "stages": list(run.stage_names),
        "sources": {rec.name: rec.source for rec in run.records},
        "warnings": [w.to_dict() for w in run.warnings],
        "notes": {k: list(v) for k, v in run.notes.items()},
        "timings_s": run.timings,
    }


def _print_summary(summary: dict, run) -> None:
    from rich.console import Console

    from mtzsim.report.html import key_number
    from mtzsim.units import display_duration

    out = Console(highlight=False, soft_wrap=True)
    n = len(summary["stages"])
    out.print(f"[bold green]✓[/bold green] run [bold]{summary['run_id']}[/bold] — {summary['name']} "
              f"({n} stage{'s' if n != 1 else ''}, {display_duration(run.total_time)})")
    for rec in run.records:  # the first key numbers of each stage, as the report's summary shows them
        shown = []
        for h in rec.spec.highlights[:4]:
            value = key_number(rec.result, h.key)
            if value is not None:
                shown.append(f"{h.label} {value[0]}{(' ' + value[1]) if value[1] else ''}")
        cached = " (from the cache)" if rec.source.startswith("cache") else ""
        out.print(f"  {rec.spec.title}{cached}: " + ("; ".join(shown) or "done"))
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
                                 "[default: runs/<scenario>-<run id>]; must not exist unless --force.",
                                 show_default=False),
        force: bool = typer.Option(False, "--force", help="Replace the --out folder if it exists."),
        db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="Run registry (SQLite file)."),
        json_output: bool = typer.Option(False, "--json", help="Print a machine-readable summary."),
        no_progress: bool = typer.Option(False, "--no-progress", help="Hide the progress bar."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Compute every stage (do not use the result cache)."),
    ) -> None:
        """Run a scenario through every stage (MTZ → field → …); write results.json, fields.nc, report.html; store the run."""
        from mtzsim.io.scenario import load_scenario

        loaded = load_scenario(scenario)
        execute(loaded, out=out, db=db, force=force, json_output=json_output,
                show_progress=not no_progress and not os.environ.get("MTZSIM_NO_PROGRESS"), use_cache=not no_cache)
