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
        """Fit the plume-shielding irradiance to ../shared/data/mtz_co2_calibration.csv (eCO2 120 µm rows)."""
        from mtzsim.calibration import fit, penetration_energy_argument, write_record

        def show(ip, cost):
            if not as_json:
                typer.echo(f"  I_p = {ip:.4g} W/m²   Σ log² error = {cost:.4f}")

        result = fit(progress=show)
        record = write_record(result) if write else None
        out = {
            "plume_irradiance_w_per_m2": result.plume_irradiance,
            "plume_irradiance_1sigma": [result.plume_irradiance_low, result.plume_irradiance_high],
            "rms_log_error": result.rms_log_error,
            "penetration_rows_energy_argument": penetration_energy_argument(),
            "written": record is not None,
        }
        if as_json:
            typer.echo(json.dumps(out, indent=2))
        else:
            typer.echo(
                f"I_p = {result.plume_irradiance:.4g} W/m² (1σ {result.plume_irradiance_low:.3g}–"
                f"{result.plume_irradiance_high:.3g}), rms log error {result.rms_log_error:.3f}"
            )
            typer.echo("1000 µm tip 'penetration' rows are not ablation: energy per penetrated volume "
                       + ", ".join(f"{k}: {v['energy_per_volume_j_per_cm3']:.0f} J/cm³" for k, v in out["penetration_rows_energy_argument"].items())
                       + f" < ablation enthalpy {next(iter(out['penetration_rows_energy_argument'].values()))['ablation_enthalpy_j_per_cm3']:.0f} J/cm³")
