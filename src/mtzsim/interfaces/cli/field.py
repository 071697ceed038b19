"""`mtzsim field`: a treated field of many MTZs from a scenario file."""

from __future__ import annotations

import json
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("field")
    def field_command(
        scenario: str = typer.Argument(..., help="scenario TOML file ([laser] and [pattern] tables)"),
        as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
        out: Optional[str] = typer.Option(None, "--out", help="write field figures and field.nc to this folder"),
        resolution: str = typer.Option("10um", help="en-face map resolution, e.g. 10um"),
    ) -> None:
        """Simulate the scan: damage maps, coverage, islands of intact skin, bulk heating."""
        from mtzsim.errors import InputError
        from mtzsim.physics.field import simulate_field
        from mtzsim.physics.mtz import simulate_mtz
        from mtzsim.io.scenario import load_scenario
        from mtzsim.units import parse_quantity

        res = parse_quantity(resolution, "length", "--resolution")
        if not 1e-6 <= res <= 200e-6:
            raise InputError("--resolution", f"must be between 1um and 200um, got {resolution!r}")
        sc = load_scenario(scenario)
        mtz = simulate_mtz(sc.beam())
        result = simulate_field(mtz, sc.pattern_spec(), resolution=res)
        summary = result.to_dict()
        if out is not None:
            import pathlib

            from mtzsim.report.figures_field import save_field_figures

            folder = pathlib.Path(out)
            folder.mkdir(parents=True, exist_ok=True)
            save_field_figures(result, folder)
            result.dataset.to_netcdf(folder / "field.nc", engine="h5netcdf")
            (folder / "field.json").write_text(json.dumps(summary, indent=2))
        if as_json:
            typer.echo(json.dumps(summary))
        else:
            for key, value in summary.items():
                typer.echo(f"{key:32s} {value}")
