"""``mtzsim field``: a treated field of many MTZs from a scenario file (the chain's MTZ and field stages)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Optional

import typer


def _with_resolution(spec, resolution: float):
    """``spec`` whose call takes this map resolution [m] instead of the scenario's."""
    from mtzsim.pipeline.chain import StageCall

    def prepare(scenario, results):
        call = spec.prepare(scenario, results)
        return StageCall(call.args, {**call.kwargs, "resolution": resolution})

    return replace(spec, prepare=prepare)


def register(app: typer.Typer) -> None:
    """Add ``mtzsim field`` to the app."""

    @app.command("field")
    def field_command(
        scenario: str = typer.Argument(..., help="scenario TOML file ([laser] and [pattern] tables)"),
        as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
        out: Optional[Path] = typer.Option(None, "--out", help="write the field figures (PNG) and field.nc "
                                           "(CF netCDF) into this folder"),
        resolution: Optional[str] = typer.Option(None, help="en-face map resolution, e.g. 10um "
                                                 "[default: the scenario's numerics.field_resolution, else 10um]"),
        no_cache: bool = typer.Option(False, "--no-cache", help="compute the MTZ and the field again"),
    ) -> None:
        """Simulate the scan: damage maps, coverage, islands of intact skin, bulk heating."""
        from mtzsim.errors import InputError
        from mtzsim.io.scenario import LIMITS, load_scenario
        from mtzsim.io.serialise import cf_dataset, result_to_dict
        from mtzsim.pipeline import chain
        from mtzsim.pipeline.cache import default_cache
        from mtzsim.units import parse_quantity

        stages = tuple(s for s in chain.DEFAULT_STAGES if s.name in ("mtz", "field"))
        if resolution is not None:
            res = parse_quantity(resolution, "length", "--resolution")
            lo, hi, _, shown = LIMITS["numerics.field_resolution"]
            if not lo <= res <= hi:
                raise InputError("--resolution", f"must be from {shown}, got {resolution!r}")
            stages = tuple(_with_resolution(s, res) if s.name == "field" else s for s in stages)
        if out is not None:  # checked before the compute
            from mtzsim.interfaces.services import check_output_folder

            check_output_folder(out, field_name="--out")
        sc = load_scenario(scenario)
        from mtzsim.interfaces.services import named_field_errors

        with named_field_errors():
            run = chain.TreatmentChain(sc, stages=stages, cache=None if no_cache else default_cache()).run()
        result = run.field
        summary = result_to_dict(result)
        if out is not None:
            from mtzsim.io.serialise import write_text_atomic
            from mtzsim.report.figures_field import save_field_figures

            save_field_figures(result, out)
            cf_dataset(result.dataset, stage="field", version=run.version).to_netcdf(out / "field.nc",
                                                                                     engine="h5netcdf")
            write_text_atomic(out / "field.json", json.dumps(summary, indent=2, allow_nan=False))
        if as_json:
            typer.echo(json.dumps(summary, allow_nan=False))
        else:
            for key, value in summary.items():
                typer.echo(f"{key:32s} {value}")
