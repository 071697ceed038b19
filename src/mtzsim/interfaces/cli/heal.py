"""`mtzsim heal`: the treated field of a scenario heals — closure, crusts, barrier, erythema, downtime."""

from __future__ import annotations

import json
from typing import Optional

import typer

from mtzsim.constants import DAY  # noqa: E402  [s]


def parse_aftercare_option(text: str, follow_up: float | None):
    """``occlusive@0-3,prp@0`` → events (name, start [s], end [s]); errors name ``--aftercare``."""
    from mtzsim.biology import aftercare as ac
    from mtzsim.errors import InputError

    items = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, _, when = part.partition("@")
        if not when:
            items.append(name)
            continue
        lo, _, hi = when.replace("d", "").partition("-")
        try:
            start = float(lo) * DAY
            end = float(hi) * DAY if hi else start
        except ValueError:
            raise InputError("--aftercare", f"expected name@START-END in days, such as occlusive@0-3, got {part!r}")
        items.append((name, start, end))
    try:
        return ac.build_schedule(items, follow_up=follow_up)
    except ValueError as exc:
        raise InputError("--aftercare", str(exc)) from None


def register(app: typer.Typer) -> None:
    @app.command("heal")
    def heal_command(
        scenario: str = typer.Argument(..., help="scenario TOML file ([laser], [pattern], [patient], [aftercare])"),
        as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
        out: Optional[str] = typer.Option(None, "--out", help="write healing figures, healing.json and fields.nc"),
        aftercare: Optional[str] = typer.Option(
            None, "--aftercare", help="timed regimen replacing [aftercare], e.g. 'occlusive@0-3,prp@0,sunscreen@0-90'"),
        days: float = typer.Option(28.0, "--days", help="days simulated after the treatment"),
        surrogate: bool = typer.Option(False, "--surrogate", help="distance-transform closure (fast)"),
    ) -> None:
        """Heal the treated field: re-epithelialisation, crusts and MENDs, TEWL, erythema, downtime."""
        from mtzsim.biology import aftercare as ac
        from mtzsim.errors import InputError
        from mtzsim.io.scenario import load_scenario

        if not (0 < days <= 365):
            raise InputError("--days", f"must be between 0 and 365 days, got {days!r}")
        if out is not None:  # checked before the compute
            from mtzsim.interfaces.services import check_output_folder

            check_output_folder(out, field_name="--out")
        sc = load_scenario(scenario)
        follow_up = sc.course.follow_up
        if aftercare is not None:
            events = parse_aftercare_option(aftercare, follow_up)
        else:
            try:
                events = ac.build_schedule(list(sc.aftercare.regimen), follow_up=follow_up)
            except ValueError as exc:
                raise InputError("aftercare.regimen", str(exc)) from None
        site = sc.patient.site
        # the engines are imported once the input is known to be good: a bad option is refused without them
        from mtzsim.biology.healing import simulate_healing, wound_map_from_field
        from mtzsim.interfaces.services import named_field_errors
        from mtzsim.physics.field import simulate_field
        from mtzsim.physics.mtz import simulate_mtz

        with named_field_errors():
            mtz = simulate_mtz(sc.beam(), surface_cooling=sc.surface_cooling())
            field = simulate_field(mtz, sc.pattern_spec())
        wm = wound_map_from_field(field)
        try:
            result = simulate_healing(wm, site=site, aftercare=events, days=days, surrogate=surrogate)
        except ValueError as exc:
            raise InputError("patient.site" if "site" in str(exc) else "scenario", str(exc)) from None
        summary = result.to_dict()
        if out is not None:
            import pathlib

            from mtzsim.report.figures_healing import save_healing_figures

            folder = pathlib.Path(out)
            save_healing_figures(result, folder)
            result.to_dataset().to_netcdf(folder / "fields.nc", group="healing", engine="h5netcdf", mode="w")
            (folder / "healing.json").write_text(json.dumps(summary, indent=2))
        if as_json:
            typer.echo(json.dumps(summary))
        else:
            for key, value in summary.items():
                typer.echo(f"{key:32s} {value}")
