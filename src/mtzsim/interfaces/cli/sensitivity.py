"""`mtzsim sensitivity`: Sobol indices of improvement and PIH to every biological and device parameter."""

from __future__ import annotations

import json
from typing import Optional

import typer


#: Largest Saltelli base sample: N (D + 2) model runs of D parameters each are held in memory at
#: once (2**16: about a million runs, a few hundred MB; assumption: what a workstation holds).
MAX_N_BASE = 2**16


def register(app: typer.Typer) -> None:
    @app.command("sensitivity")
    def sensitivity_command(
        scenario: str = typer.Argument(..., help="scenario TOML file with [[scars]]"),
        n_base: int = typer.Option(512, "--n-base", help="Saltelli base sample (power of 2); runs = n_base × (parameters + 2)"),
        as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
        figure: Optional[str] = typer.Option(None, "--figure", help="write the Sobol bar chart (PNG)"),
        seed: int = typer.Option(1, min=0, help="sampling seed (0 or more)"),
    ) -> None:
        """Global Sobol sensitivity (SALib) of the outcome of a scenario."""
        from mtzsim.clinic.scenario import outcome_inputs
        from mtzsim.clinic.sensitivity import sobol_indices
        from mtzsim.errors import InputError
        from mtzsim.io.scenario import load_scenario

        if n_base < 8 or n_base & (n_base - 1) or n_base > MAX_N_BASE:
            raise InputError("--n-base", f"must be a power of 2 from 8 to {MAX_N_BASE}, got {n_base}")
        if figure is not None:  # checked before the compute
            from mtzsim.interfaces.services import check_figure_path

            check_figure_path(figure)
        from mtzsim.interfaces.services import named_field_errors

        sc = load_scenario(scenario)
        with named_field_errors():
            inp = outcome_inputs(sc)
        res = sobol_indices(inp.stimulus, inp.scars, interval=inp.interval, follow_up=inp.follow_up, n_base=n_base, seed=seed)
        if figure is not None:
            from mtzsim.report.figures_outcome import sobol_figure

            sobol_figure(res).savefig(figure, dpi=120, bbox_inches="tight")
        if as_json:
            typer.echo(json.dumps(res.to_dict()))
            return
        typer.echo(f"{res.n_runs} model runs; downtime not analysed (needs the healing stage)")
        for out, d in res.indices.items():
            typer.echo(f"{out}:")
            order = sorted(range(len(res.names)), key=lambda i: -d["ST"][i])
            for i in order:
                typer.echo(f"  {res.names[i]:24s} S1 {d['S1'][i]:+.3f} ± {d['S1_conf'][i]:.3f}   ST {d['ST'][i]:.3f} ± {d['ST_conf'][i]:.3f}")
