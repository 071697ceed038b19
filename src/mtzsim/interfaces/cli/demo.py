"""``mtzsim demo``: the flagship scenario end to end (deep fractional CO2 on boxcar scars)."""

from __future__ import annotations

from pathlib import Path

import typer

from mtzsim.io.store import DEFAULT_DB


def register(app: typer.Typer) -> None:
    """Add ``mtzsim demo`` to the app."""

    @app.command("demo")
    def demo_command(
        out: Path = typer.Option(Path("mtzsim-demo"), "--out", "-o", help="Folder for the demo's files."),
        db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="Run registry (SQLite file)."),
        no_progress: bool = typer.Option(False, "--no-progress", help="Hide the progress bar."),
    ) -> None:
        """Run the flagship scenario (deep fractional CO2, 120 µm, 20 mJ, on boxcar scars) and write its report."""
        from mtzsim.interfaces.cli.run import REPORT_HTML, execute
        from mtzsim.params.presets import FLAGSHIP_NAME, FLAGSHIP_SCENARIO
        from mtzsim.io.scenario import parse_scenario

        scenario = parse_scenario(FLAGSHIP_SCENARIO, source=f"{FLAGSHIP_NAME}.toml")
        typer.echo(f"mtzsim demo: {scenario.name}")
        summary = execute(scenario, out=out, db=db, show_progress=not no_progress)
        report = (Path(summary["out_dir"]) / REPORT_HTML).resolve()
        typer.echo("")
        typer.echo(f"Report: {report}")
        typer.echo(f"Open it in a browser: {report.as_uri()}")
