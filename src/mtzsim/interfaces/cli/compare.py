"""`mtzsim compare`: the scenario's patient and scars through every modality at its preset settings."""

from __future__ import annotations

import json
from typing import Optional

import typer


def comparison_inputs(sc) -> dict:
    """Scars, patient, course and the scenario's own fractional CO2 device, from a loaded scenario (SI)."""
    import math

    from mtzsim.clinic.scars import Scar, classify
    from mtzsim.errors import InputError
    from mtzsim.physics.laser import DEFAULT_PEAK_POWER

    if not sc.scars:
        raise InputError("scars", "the comparison needs at least one [[scars]] table (type, width, depth, count)")
    scars = []
    for i, s in enumerate(sc.scars, start=1):
        try:
            scars.append(Scar(classify(s.type, s.resolved_depth), s.resolved_width, s.resolved_depth, s.count))
        except ValueError as exc:
            raise InputError(f"scars[{i}]", str(exc)) from None
    beam = sc.beam()
    co2 = None
    if beam.laser == "co2":
        spec = sc.pattern_spec()
        co2 = {"energy": beam.energy, "spot": beam.spot_diameter, "passes": int(spec.passes), "stack": int(beam.stack),
               "density": min(1.0, spec.areal_density * math.pi * beam.spot_diameter**2 / 4)}
        if not math.isclose(beam.pulse_duration, beam.energy / DEFAULT_PEAK_POWER["co2"], rel_tol=1e-9):
            co2["pulse_duration"] = beam.pulse_duration  # the scenario's own pulse regime
    regimen = set(sc.aftercare.regimen)
    return {"scars": tuple(scars), "fitzpatrick": int(sc.patient.fitzpatrick), "age": float(sc.patient.age),
            "sessions": int(sc.course.sessions), "interval": float(sc.course.interval),
            "follow_up": float(sc.course.follow_up), "sun_protection": bool(regimen & {"sunscreen", "sun_avoidance"}),
            "co2_settings": co2, "seed": int(sc.cohort.seed)}


def register(app: typer.Typer) -> None:
    @app.command("compare")
    def compare_command(
        scenario: str = typer.Argument(..., help="scenario TOML file ([laser], [pattern], [patient], [[scars]], [course])"),
        as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
        cohort: int = typer.Option(1000, "--cohort", help="virtual patients per modality"),
        figure: Optional[str] = typer.Option(None, "--figure", help="write the side-by-side figure (PNG) here"),
        report: Optional[str] = typer.Option(None, "--report", help="write comparison.html (figure, numbers, "
                                             "calibration) and comparison.json into this folder"),
        field_check: bool = typer.Option(False, "--field-check", help="run the field engine on a 1 cm tile of each "
                                         "fractional laser at its preset: the open basal layer with the scan's heat "
                                         "against the table's (seconds to half a minute each)"),
    ) -> None:
        """Every modality (fractional and full-field CO2, Er:YAG, 1.55 µm, microneedling, MNRF) for the scenario's patient."""
        from mtzsim.clinic.comparators import compare
        from mtzsim.errors import InputError
        from mtzsim.io.scenario import load_scenario

        if not 10 <= cohort <= 1_000_000:
            raise InputError("--cohort", f"must be a whole number from 10 to 1000000, got {cohort}")
        from mtzsim.interfaces.services import check_figure_path, check_output_folder

        if figure is not None:  # checked before the compute (the figure writer makes a missing folder)
            check_figure_path(figure, make_folder=True)
        if report is not None:
            check_output_folder(report, field_name="--report")
        sc = load_scenario(scenario)
        inp = comparison_inputs(sc)
        res = compare(inp["scars"], fitzpatrick=inp["fitzpatrick"], age=inp["age"], sessions=inp["sessions"],
                      interval=inp["interval"], follow_up=inp["follow_up"], sun_protection=inp["sun_protection"],
                      co2_settings=inp["co2_settings"], cohort_size=cohort, seed=inp["seed"], field_check=field_check)
        if figure is not None:
            from mtzsim.report.figures_compare import save_comparison_figure

            save_comparison_figure(res, figure)
        if report is not None:
            from mtzsim.report.html import write_comparison_report

            path = write_comparison_report(res, report, source=str(scenario))
            if not as_json:
                typer.echo(f"report written to {path}")
        d = res.to_dict()
        if as_json:
            typer.echo(json.dumps(d))
            return
        typer.echo(f"{'modality':22s} {'improvement':>14s} {'downtime':>9s} {'PIH':>6s} {'scarring':>9s}  settings")
        for k, v in d["modalities"].items():
            typer.echo(f"{k:22s} {v['improvement_mean']:6.0f} % ({v['improvement_ci'][0]:.0f}–{v['improvement_ci'][1]:.0f})"
                       f" {v['downtime_days']:7.1f} d {v['pih_probability']:5.0f} % {v['closure_scarring_risk']:7.1f} %  "
                       f"{v['settings']}")
            if v["field_check"] is not None:
                from mtzsim.clinic.field_check import describe

                typer.echo(f"{'':22s} {describe(v['field_check'], v['coverage_pct'])}")
        typer.echo(f"κ (efficacy of wounds under an intact epidermis per MTZ volume): thermal {d['kappa']['thermal']:.3g}, "
                   f"mechanical {d['kappa']['mechanical']:.3g}; {d['note']}")
