"""``mtzsim sweep sweep.toml``: many scenarios on a local Dask cluster or a running scheduler, rows to Parquet."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from mtzsim.io.store import DEFAULT_DB


class SweepBar:
    """A rich progress bar over the scenarios of a sweep (``progress(done, total)``)."""

    def __init__(self, console):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

        self.bar = Progress("[bold]sweep", BarColumn(bar_width=36), MofNCompleteColumn(), TimeElapsedColumn(),
                            TimeRemainingColumn(), console=console, transient=False)
        self.task = None

    def __call__(self, done: int, total: int) -> None:
        if self.task is None:
            self.bar.start()
            self.task = self.bar.add_task("sweep", total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.task is not None:
            self.bar.stop()


def register(app: typer.Typer) -> None:
    """Add ``mtzsim sweep`` to the app."""

    @app.command("sweep")
    def sweep_command(
        sweep_file: str = typer.Argument(..., help="Sweep file: a scenario plus [sweep] (method, samples, seed) "
                                         "and [sweep.parameters], e.g. examples/sweeps/energy_density.toml.", show_default=False),
        scheduler: str = typer.Option(None, "--scheduler", help="Address of a running Dask scheduler "
                                      "(tcp://HOST:8786); default: a local cluster.", show_default=False),
        workers: int = typer.Option(None, "--workers", "-w", help="Local worker processes (one thread each); "
                                    "0 runs in this process [default: the number of CPUs].", show_default=False),
        out: Path = typer.Option(None, "--out", "-o", help="Sweep folder: parts/, sweep.parquet, sweep.toml "
                                 "[default: runs/sweep-<file name>].", show_default=False),
        resume: bool = typer.Option(True, "--resume/--no-resume", help="Compute only the scenarios whose rows "
                                    "are not in --out yet (--no-resume deletes the stored rows first)."),
        db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="Run registry (SQLite file)."),
        json_output: bool = typer.Option(False, "--json", help="Print a machine-readable summary."),
        no_progress: bool = typer.Option(False, "--no-progress", help="Hide the progress bar."),
    ) -> None:
        """Run a parameter sweep (grid, Latin hypercube or Sobol) through the chain; one Parquet row per scenario."""
        import warnings

        from rich.console import Console

        from mtzsim.errors import InputError
        from mtzsim.params.presets import ClinicalRangeWarning
        from mtzsim.pipeline import sweep as sw
        from mtzsim.pipeline.cache import default_cache_dir

        if workers is not None and workers < 0:
            raise InputError("--workers", f"expected 0 (serial, in this process) or more workers, got {workers}")
        most = 4 * (os.cpu_count() or 1)  # one process each: more than the cores only costs memory
        if workers is not None and workers > most:
            raise InputError("--workers", f"{workers} local worker processes on {os.cpu_count() or 1} CPUs; give at "
                                          f"most {most} (or --scheduler for a cluster)")
        spec = sw.load_sweep(sweep_file)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ClinicalRangeWarning)  # every row records its own
            points = sw.generate(spec)
        target = out if out is not None else Path("runs") / f"sweep-{Path(sweep_file).stem}"
        from mtzsim.interfaces.services import check_output_folder, open_registry

        check_output_folder(target, field_name="--out")  # the folder and the registry before the compute
        open_registry(db, field_name="--db").close()
        err = Console(stderr=True, highlight=False)
        show = not json_output and not no_progress and not os.environ.get("MTZSIM_NO_PROGRESS")
        bar = SweepBar(err) if show else None
        cache_dir = None if scheduler else str(default_cache_dir())
        try:
            with sw.open_executor(workers=workers, scheduler=scheduler, cache_dir=cache_dir) as executor:
                outcome = sw.run_sweep(spec, target, executor=executor, resume=resume,
                                       cache_dir=cache_dir if executor.workers == 0 else None, db=db,
                                       progress=bar, points=points)
        finally:
            if bar is not None:
                bar.close()
        summary = outcome.to_dict()
        if json_output:
            typer.echo(json.dumps(summary, indent=2))
            return
        typer.echo(f"✓ sweep {spec.name!r}: {outcome.n_scenarios} scenarios ({outcome.n_computed} computed, "
                   f"{outcome.n_stored_before} already stored) on {outcome.executor} in {outcome.seconds:.1f} s")
        typer.echo(f"  table:    {outcome.table}")
        typer.echo(f"  registry: {db}  (mtzsim runs show {outcome.run_id})")
