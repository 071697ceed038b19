"""`mtzsim calibrate`: refit the single-MTZ loss model to the CO2 MTZ geometry data."""

from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    @app.command("calibrate")
    def calibrate_command(
        write: bool = typer.Option(True, help="write the fitted values to the package's data/mtz_calibration.json"),
        as_json: bool = typer.Option(False, "--json", help="print the calibration record as JSON"),
    ) -> None:
        """Fit plume shielding, wall condensation time and the histology edge to ../shared/data/mtz_co2_calibration.csv (about 5 minutes)."""
        from mtzsim.verify.calibration import fit, penetration_energy_argument, write_record

        def show(ip, tau, costs):
            if not as_json:
                typer.echo(f"  I_p = {ip:.4g} W/m²  τ_c = {tau*1e3:.0f} ms   " + ", ".join(f"{k} {v:.4f}" for k, v in costs.items()))

        result = fit(progress=show)
        record = write_record(result) if write else None
        out = {
            "histology_edge_process": result.edge,
            "edge_candidates_best_cost": result.edge_costs,
            "plume_irradiance_w_per_m2": result.plume_irradiance,
            "plume_irradiance_1sigma": list(result.plume_irradiance_range),
            "condensation_time_s": result.condensation_time,
            "condensation_time_1sigma": list(result.condensation_time_range),
            "cost": result.cost,
            "islands_checks": result.islands_checks,
            "predictions_vs_data": {k: {"model": m, "data": d} for k, (m, d) in result.predictions.items()},
            "penetration_rows_energy_argument": penetration_energy_argument(),
            "written": record is not None,
        }
        if as_json:
            typer.echo(json.dumps(out, indent=2))
        else:
            typer.echo(
                f"edge {result.edge} (best costs: "
                + ", ".join(f"{k} {v:.3f}" for k, v in result.edge_costs.items())
                + f"); I_p = {result.plume_irradiance:.4g} W/m² (range {result.plume_irradiance_range[0]:.3g}–"
                f"{result.plume_irradiance_range[1]:.3g}), τ_c = {result.condensation_time*1e3:.0f} ms (range "
                f"{result.condensation_time_range[0]*1e3:.0f}–{result.condensation_time_range[1]*1e3:.0f} ms), cost {result.cost:.4f}"
            )
            for k, (m, d) in result.predictions.items():
                typer.echo(f"  {k:34s} model {m:10.4g}   data {d:10.4g}   {100*(m/d-1):+6.1f} %")
            typer.echo("1000 µm tip 'penetration' rows are not ablation: energy per penetrated volume "
                       + ", ".join(f"{k}: {v['energy_per_volume_j_per_cm3']:.0f} J/cm³" for k, v in out["penetration_rows_energy_argument"].items())
                       + f" < ablation enthalpy {next(iter(out['penetration_rows_energy_argument'].values()))['ablation_enthalpy_j_per_cm3']:.0f} J/cm³")
