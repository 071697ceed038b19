"""`mtzsim outcome`: scar improvement, grades and risks of a scenario over a virtual cohort."""

from __future__ import annotations

import json
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("outcome")
    def outcome_command(
        scenario: str = typer.Argument(..., help="scenario TOML file ([laser], [pattern], [patient], [[scars]], [course], [aftercare], [cohort])"),
        as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
        cohort: Optional[int] = typer.Option(None, "--cohort", help="virtual patients (overrides [cohort].size; default 2000 when the scenario has 1)"),
        figures: Optional[str] = typer.Option(None, "--figures", help="write the outcome figures to this folder"),
    ) -> None:
        """Predict improvement (per scar type and overall), quartile shares, Goodman-Baron change, PIH, erythema and HSV risk."""
        from mtzsim.clinic.outcome import predict_outcome
        from mtzsim.clinic.scenario import outcome_inputs
        from mtzsim.errors import InputError
        from mtzsim.io.scenario import load_scenario

        sc = load_scenario(scenario)
        if cohort is not None and not 1 <= cohort <= 1_000_000:
            raise InputError("--cohort", f"must be a whole number from 1 to 1000000, got {cohort}")
        if figures is not None:  # checked before the compute
            from mtzsim.interfaces.services import check_output_folder

            check_output_folder(figures, field_name="--figures")
        from mtzsim.interfaces.services import named_field_errors

        with named_field_errors():
            inp = outcome_inputs(sc)
        size = cohort if cohort is not None else (inp.cohort_size if inp.cohort_size > 1 else 2000)
        res = predict_outcome(inp.stimulus, inp.scars, None, fitzpatrick=inp.fitzpatrick, age=inp.age,
                              sessions=inp.sessions, interval=inp.interval, follow_up=inp.follow_up,
                              sun_protection=inp.sun_protection, antiviral=inp.antiviral, cohort_size=size, seed=inp.seed)
        d = res.to_dict()
        if figures is not None:
            import pathlib

            from mtzsim.report.figures_outcome import save_outcome_figures

            save_outcome_figures(res, pathlib.Path(figures))
        if as_json:
            typer.echo(json.dumps(d))
            return
        typer.echo(f"improvement      {d['improvement_mean']:.1f} % (95 % CI of the mean {d['improvement_ci'][0]:.1f}–{d['improvement_ci'][1]:.1f} %; "
                   f"patients {d['improvement_interval'][0]:.0f}–{d['improvement_interval'][1]:.0f} %)")
        q = d["quartile_shares"]
        typer.echo(f"quartiles        <25 %: {q[0]:.0f} %   25–50 %: {q[1]:.0f} %   50–75 %: {q[2]:.0f} %   ≥75 %: {q[3]:.0f} %")
        for k, v in d["per_scar_type"].items():
            typer.echo(f"  {k:15s} {v['improvement_mean']:.1f} %")
        typer.echo(f"Goodman–Baron    grade change {d['gb_grade_change']:+.2f}, "
                   f"{d['gb_improved_share']:.0f} % of patients at least one grade down")
        typer.echo(f"PIH              {d['pih_probability']:.1f} % (95 % {d['pih_interval'][0]:.1f}–{d['pih_interval'][1]:.1f} %)")
        typer.echo(f"erythema > 8 wk  {d['prolonged_erythema_probability']:.1f} %    HSV {d['hsv_probability']:.1f} %    "
                   f"fibrotic state {d['scarring_probability']:.2f} %")
        typer.echo("downtime         " + ("not computed (needs the healing stage)" if d["downtime_days"] is None
                                          else f"{d['downtime_days']:.1f} d"))
