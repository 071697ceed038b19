"""`mtzsim calibrate`: refit a stage's model to its data (the MTZ plume and ablation, the healing rates, the outcome posterior)."""

from __future__ import annotations

import json
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("calibrate")
    def calibrate_command(
        stage: str = typer.Option("mtz", "--stage", help="mtz | healing | outcome | comparators | downstream"),
        out: Optional[str] = typer.Option(None, "--out", help="write the calibration record (JSON) to this file "
                                          "[outcome: default the packaged params/data/outcome_posterior.json; comparators: default "
                                          "the packaged params/data/comparator_calibration.json]"),
        loo: Optional[bool] = typer.Option(None, "--loo/--no-loo", help="mtz: leave-one-out refits (about 8 more "
                                           "fits) [default: loo]"),
        as_json: bool = typer.Option(False, "--json", help="print the calibration record as JSON"),
        dry_absorption: Optional[bool] = typer.Option(
            None, "--dry-absorption/--no-dry-absorption",
            help="mtz: fit the desiccated matrix's absorption ratio κ at 10.6 um with the plume fractions, on the CO2 "
                 "rows and the CW residual-damage rows [default: the adopted fit's choice]"),
        wall_optics: Optional[bool] = typer.Option(
            None, "--wall-optics/--no-wall-optics",
            help="mtz: trace the light the crater walls reflect (--wall-optics) or keep only the normal-incidence "
                 "Fresnel loss (--no-wall-optics), a fixed setting recorded in the record's 'fixed' "
                 "[default: the adopted fit's choice]"),
        wall_roughness: Optional[bool] = typer.Option(
            None, "--wall-roughness/--no-wall-roughness",
            help="mtz: fit the traced crater walls' rms roughness (a rough wall reflects specularly only "
                 "exp(-(4 pi sigma cos theta / lambda)^2) of its Fresnel reflectance) as a fourth parameter; needs "
                 "--wall-optics and --dry-absorption [default: the adopted fit's choice]"),
    ) -> None:
        """Least-squares fit of the plume fractions and the desiccated matrix's absorption ratio κ to the CO2 MTZ data (minutes on 2 cores).

        ``--stage outcome`` re-runs the outcome posterior (emcee, about 5 min on one core, ≥ 50
        autocorrelation times) and writes it; ``--stage healing`` re-runs the healing fits and prints
        them beside the packaged values; ``--stage comparators`` refits the comparator efficacies κ
        (thermal, mechanical) on the single-arm comparator studies and writes the record (under a
        minute once the preset physics nodes are cached). ``--stage downstream`` re-runs, in order, every
        calibration that reads the MTZ physics after it changed: the outcome posterior, then the
        comparator κ (which reads the posterior), both written to the packaged files (about 6 min).
        """
        from mtzsim.errors import InputError

        stages = ("mtz", "healing", "outcome", "comparators", "downstream")
        if stage not in stages:
            raise InputError("--stage", f"unknown stage {stage!r}; choose mtz, healing, outcome, comparators or "
                                        "downstream")
        if stage != "mtz":  # options of the MTZ fit only: refused, not silently ignored
            for flag, value in (("--loo/--no-loo", loo), ("--dry-absorption/--no-dry-absorption", dry_absorption),
                                ("--wall-optics/--no-wall-optics", wall_optics),
                                ("--wall-roughness/--no-wall-roughness", wall_roughness)):
                if value is not None:
                    raise InputError(flag, f"sets the MTZ fit; --stage {stage} does not read it")
        if out is not None and stage == "healing":
            raise InputError("--out", "--stage healing prints the fits and writes nothing; copy them into "
                                      "params/data/healing_parameters.csv to adopt them")
        if out is not None and stage == "downstream":
            raise InputError("--out", "--stage downstream writes the packaged records (each stage reads the "
                                      "one before); run the stages one by one to write elsewhere")
        if out is not None:  # checked before the fit (minutes)
            from mtzsim.interfaces.services import check_output_file

            check_output_file(out, field_name="--out", make_folder=True)
        if stage == "outcome":
            _outcome(out, as_json)
            return
        if stage == "healing":
            _healing(as_json)
            return
        if stage == "comparators":
            _comparators(out, as_json)
            return
        if stage == "downstream":
            _outcome(None, as_json)
            _comparators(None, as_json)
            return
        from mtzsim.verify.calibration import DRY_ABSORPTION, WALL_OPTICS, WALL_ROUGHNESS, fit, record, write_record

        dry = DRY_ABSORPTION if dry_absorption is None else dry_absorption
        walls = WALL_OPTICS if wall_optics is None else wall_optics
        rough = (WALL_ROUGHNESS and walls) if wall_roughness is None else wall_roughness
        if rough and not walls:
            raise InputError("--wall-roughness", "the roughness belongs to the traced walls: add --wall-optics")
        if rough and not dry:
            raise InputError("--wall-roughness", "the roughness fit extends the dry-absorption fit: add --dry-absorption")

        def show(x, cost):
            if not as_json:
                typer.echo(f"  phi_near = {10**x[0]:.3g}  phi = {10**x[1]:.3g}" + (f"  kappa = {10**x[2]:.3g}" if dry else "")
                           + (f"  sigma = {10**x[3]:.3g} um" if rough else "") + f"   chi2 {cost:.3f}")

        result = fit(progress=show, loo=True if loo is None else loo, dry_absorption=dry, wall_optics=walls,
                     wall_roughness=rough)
        rec = write_record(result, out) if out else record(result)
        if as_json:
            typer.echo(json.dumps(rec, indent=2))
            return
        p = rec["parameters"]
        typer.echo(", ".join(f"{k} = {v['value']:.3f} ± {v['sigma']:.3f}" + (" (at its bound)" if v.get("at_bound") else "")
                             for k, v in p.items()) + f", chi2 {rec['cost_chi2']:.3f}")
        if "profile_crossings_sigma" in rec:
            typer.echo("1 sigma profiled on the cost: along the Jacobian's principal axes it rose by one at "
                       + ", ".join(f"{lo:.2f} / {hi:.2f}" for lo, hi in rec["profile_crossings_sigma"])
                       + " of the linearised sigma (covariance_jacobian kept in the record)")
        if out:
            typer.echo(f"record written to {out}; copy it to src/mtzsim/params/data/mtz_calibration.json to adopt it")


def _outcome(out: Optional[str], as_json: bool) -> None:
    from mtzsim.clinic.calibration import calibrate_outcome, posterior_summary

    post = calibrate_outcome(out)
    summary = posterior_summary(post)
    if as_json:
        typer.echo(json.dumps({"meta": post["meta"], "summary": summary}, indent=2))
        return
    for key, (mean, sd) in summary.items():
        typer.echo(f"  {key:32s} {mean:.4g} ± {sd:.2g}")
    typer.echo(f"posterior written to {out or 'the packaged params/data/outcome_posterior.json'}")


def _healing(as_json: bool) -> None:
    from mtzsim.biology.healing_calibration import calibrate

    fitted = calibrate()
    rows = {k: (list(v) if isinstance(v, tuple) else v) for k, v in fitted.items()}
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for key, value in rows.items():
        typer.echo(f"  {key:20s} {value}")
    typer.echo("SI values; params/data/healing_parameters.csv holds the adopted ones (copy them there to adopt)")


def _comparators(out: Optional[str], as_json: bool) -> None:
    import sys

    from mtzsim.clinic.comparators import calibrate_comparators, write_comparator_calibration

    def bar(stage, fraction, detail=""):
        if not as_json and sys.stderr.isatty():
            sys.stderr.write(f"\r{stage:12s} [{'#' * int(30 * fraction):30s}] {detail[:30]:30s}")
            if fraction >= 1.0:
                sys.stderr.write("\n")

    rec = calibrate_comparators(progress=bar)
    path = write_comparator_calibration(rec, out)
    if as_json:
        typer.echo(json.dumps(rec, indent=2))
        return
    for name, k in rec["kappa"].items():
        lo, hi = rec["kappa_95"][name]
        typer.echo(f"  kappa_{name:11s} {k:.3g}  (95 % {lo:.3g}–{hi:.3g})")
    for r in rec["rows"]:
        typer.echo(f"  {r['role']:10s} {r['key']:30s} observed {r['observed']:.3g}  predicted {r['predicted']:.3g}")
    typer.echo(f"record written to {path} ({rec['seconds']:.0f} s)")
