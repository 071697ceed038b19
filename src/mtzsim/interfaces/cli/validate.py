"""`mtzsim validate`: every literature case of every model, with prediction, measurement, error, tolerance."""

from __future__ import annotations

import json
from typing import List, Optional

import typer


def register(app: typer.Typer) -> None:
    """Add ``mtzsim validate`` to the app."""

    @app.command("validate")
    def validate_command(
        model: Optional[List[str]] = typer.Option(None, help="only these models (mtz, damage, healing, outcome, comparators)"),
        as_json: bool = typer.Option(False, "--json", help="print the cases as a JSON list"),
        figure: Optional[str] = typer.Option(None, help="write every case's deviation in units of its tolerance "
                                                        "to this figure (png, pdf, svg)"),
        bands: bool = typer.Option(False, "--parameter-bands",
                                   help="also run the MTZ cases at the MTZ calibration's ±2σ parameter points (one "
                                   "process each, about a minute more on 2 cores) and show each case's band and "
                                   "whether its measurement lies in it"),
    ) -> None:
        """Compare every model with its literature cases; exit code 1 if any case fails."""
        from mtzsim.errors import InputError
        from mtzsim.verify import validation

        if figure is not None:
            from mtzsim.interfaces.services import check_figure_path

            check_figure_path(figure)
        try:
            outcomes = validation.run_all(set(model) if model else None)
        except ValueError as exc:
            if model and set(model) - set(validation.MODELS):
                raise InputError("--model", str(exc)) from None
            raise
        band = {}
        if bands and any(o.case.model == "mtz" for o in outcomes):
            band = validation.parameter_bands(2.0, names={o.case.name for o in outcomes if o.case.model == "mtz"})

        def band_text(c) -> str:
            if c.name not in band:
                return ""
            low, high = band[c.name]
            if low == high:
                return "not moved by the fitted parameters"
            return f"{low:.4g}–{high:.4g} {c.unit} ({'reaches' if validation.band_reaches(c, band[c.name]) else 'MISSES'} the tolerance)"

        if as_json:
            rows = []
            for o in outcomes:
                d = o.to_dict()
                if o.case.name in band:
                    d["parameter_band"] = list(band[o.case.name])
                    d["band_reaches_tolerance"] = validation.band_reaches(o.case, band[o.case.name])
                rows.append(d)
            typer.echo(json.dumps(rows, indent=2))
        else:
            from rich.console import Console
            from rich.table import Table

            table = Table(title="mtzsim validate")
            columns = ("case", "role", "predicted", "measured", "error", "tolerance", "", "source")
            for col in columns + (("2σ parameter band",) if band else ()):
                table.add_column(col, overflow="fold")
            for o in outcomes:
                c = o.case
                if c.kind == "greater":
                    tol = f"≥ {c.measured:g}"
                elif c.kind == "factor":
                    tol = f"×{c.tolerance:g} band"
                elif c.kind == "absolute":
                    tol = f"±{c.tolerance:g} {c.unit}"
                else:
                    tol = f"±{c.tolerance*100:.0f} %"
                status = "[green]pass[/]" if o.passed else "[red]FAIL[/]"
                table.add_row(c.name, validation.role(c), f"{o.predicted:.4g} {c.unit}", f"{c.measured:g} {c.unit}",
                              f"{o.error:+.3g} {c.unit}" if c.kind == "absolute" else f"{o.error*100:+.1f} %", tol, status,
                              c.source, *((band_text(c),) if band else ()))
            Console(width=220 if band else 200).print(table)
            failed = sum(not o.passed for o in outcomes)
            roles = [validation.role(o.case) for o in outcomes]
            typer.echo(f"{len(outcomes) - failed} passed, {failed} failed "
                       f"(fitted {roles.count('fitted')}, LOO {roles.count('LOO')}, held out {roles.count('held out')}; "
                       "role: fitted = used in a fit, LOO = predicted by the fit without it, held out = in no fit)")
            moved = [o for o in outcomes if o.case.name in band and band[o.case.name][0] != band[o.case.name][1]]
            if moved:
                reach = sum(validation.band_reaches(o.case, band[o.case.name]) for o in moved)
                typer.echo(f"{reach} of {len(moved)} MTZ cases the fitted parameters move reach their tolerance "
                           "within the 2σ parameter band (the MTZ calibration's uncertainty, ±2σ along each "
                           "principal axis); the others are missed by more than it")
        if figure is not None:
            from mtzsim.report.figures_validate import save_validation_figure

            path = save_validation_figure(outcomes, figure)
            typer.echo(f"figure written to {path}", err=as_json)
        if any(not o.passed for o in outcomes):
            raise typer.Exit(1)
