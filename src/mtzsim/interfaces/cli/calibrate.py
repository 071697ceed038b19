"""`mtzsim calibrate`: refit the single-MTZ ablation and plume model to the CO2 MTZ geometry data."""

from __future__ import annotations

import json
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("calibrate")
    def calibrate_command(
        out: Optional[str] = typer.Option(None, "--out", help="write the calibration record (JSON) to this file"),
        loo: bool = typer.Option(True, help="leave-one-out refits (about 8 more fits)"),
        as_json: bool = typer.Option(False, "--json", help="print the calibration record as JSON"),
    ) -> None:
        """Least-squares fit of the ablation temperature and the ejecta clearing speed to the CO2 MTZ data (minutes on 2 cores)."""
        from mtzsim.verify.calibration import fit, record, write_record

        def show(x, cost):
            if not as_json:
                typer.echo(f"  phi_near = {10**x[0]:.3g}  phi = {10**x[1]:.3g}   chi2 {cost:.3f}")

        result = fit(progress=show, loo=loo)
        rec = write_record(result, out) if out else record(result)
        if as_json:
            typer.echo(json.dumps(rec, indent=2))
            return
        p = rec["parameters"]
        typer.echo(f"log10 phi_near = {p['log10_near_fraction']['value']:.3f} ± {p['log10_near_fraction']['sigma']:.3f}, "
                   f"log10 phi = {p['log10_ejecta_fraction']['value']:.3f} ± {p['log10_ejecta_fraction']['sigma']:.3f}, "
                   f"chi2 {rec['cost_chi2']:.3f}")
        if out:
            typer.echo(f"record written to {out}; copy it to src/mtzsim/params/data/mtz_calibration.json to adopt it")
