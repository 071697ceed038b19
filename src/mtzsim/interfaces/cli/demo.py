"""``mtzsim demo``: the flagship scenario end to end (deep fractional CO2 on boxcar scars)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from mtzsim.io.store import DEFAULT_DB


def register(app: typer.Typer) -> None:
    """Add ``mtzsim demo`` to the app."""

    @app.command("demo")
    def demo_command(
        out: Path = typer.Option(Path("mtzsim-demo"), "--out", "-o", help="Folder for the demo's files; must not "
                                 "exist unless --force."),
        force: bool = typer.Option(False, "--force", help="Replace the --out folder if it exists."),
        db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="Run registry (SQLite file)."),
        no_progress: bool = typer.Option(False, "--no-progress", help="Hide the progress bar."),
    ) -> None:
        """Run the flagship scenario (deep fractional CO2, 120 µm, 20 mJ, on boxcar scars) and write its report."""
        from mtzsim.interfaces.cli.run import execute
        from mtzsim.interfaces.services import OUTPUT_FILES
        from mtzsim.io.scenario import parse_scenario
        from mtzsim.params.presets import FLAGSHIP_NAME, FLAGSHIP_SCENARIO

        scenario = parse_scenario(FLAGSHIP_SCENARIO, source=f"{FLAGSHIP_NAME}.toml")
        typer.echo(f"mtzsim demo: {scenario.name}")
        summary = execute(scenario, out=out, db=db, force=force,
                          show_progress=not no_progress and not os.environ.get("MTZSIM_NO_PROGRESS"))
        report = (Path(summary["out_dir"]) / OUTPUT_FILES["report"]).resolve()
        typer.echo("")
        typer.echo(f"Report: {report}")
        typer.echo(f"Open it in a browser: {report.as_uri()}")
