"""`mtzsim plan`: settings that meet a patient's limits, ranked, with the Pareto front (exit 0 even when none is feasible)."""

from __future__ import annotations

import json
from typing import Optional

import typer

from mtzsim.params.presets import PLAN_MAX_SESSIONS, PLAN_MAX_TOP


def _parse_limits(scar, depth, width, fitzpatrick, max_downtime, sessions, max_pih, modality):
    """User text → SI limits; every error names its option (InputError, exit 2)."""
    from mtzsim.clinic.physics_table import MODALITIES
    from mtzsim.clinic.scars import Scar, classify
    from mtzsim.errors import InputError
    from mtzsim.params.presets import SCAR_DEFAULTS, check_limit
    from mtzsim.units import parse_fraction, parse_quantity

    if scar not in ("icepick", "boxcar", "rolling"):
        raise InputError("--scar", f"unknown scar type {scar!r}; expected icepick, boxcar or rolling")
    d = parse_quantity(depth, "length", "--depth") if depth is not None else SCAR_DEFAULTS[scar].depth
    if not d > 0:
        raise InputError("--depth", f"must be a positive depth such as '0.4mm', got {depth!r}")
    if d > 5e-3:
        raise InputError("--depth", f"{depth!r} is deeper than any atrophic acne scar (≤ 5 mm)")
    w = parse_quantity(width, "length", "--width") if width is not None else SCAR_DEFAULTS[scar].width
    if not w > 0:
        raise InputError("--width", f"must be a positive width such as '3mm', got {width!r}")
    check_limit("scars.width", w, "--width")
    if not 1 <= fitzpatrick <= 6:
        raise InputError("--fitzpatrick", f"must be a skin type from 1 to 6, got {fitzpatrick}")
    md = None
    if max_downtime is not None:
        md = parse_quantity(max_downtime, "time", "--max-downtime")
        if md < 0:
            raise InputError("--max-downtime", f"must not be negative, got {max_downtime!r}")
    mp = None
    if max_pih is not None:
        mp = parse_fraction(max_pih, "--max-pih")
        if not 0 <= mp <= 1:
            raise InputError("--max-pih", f"must be from 0 % to 100 %, got {max_pih!r}")
    if not 1 <= sessions <= PLAN_MAX_SESSIONS:
        raise InputError("--sessions", f"must be from 1 to {PLAN_MAX_SESSIONS}, got {sessions}")
    if md is not None and mp is not None and md == 0 and mp == 0:
        raise InputError("--max-downtime", "0 d downtime together with 0 % PIH excludes every treatment "
                                           "(contradictory limits)")
    mods = MODALITIES if modality == "all" else tuple(m.strip() for m in modality.split(","))
    for m in mods:
        if m not in MODALITIES:
            raise InputError("--modality", f"unknown modality {m!r}; expected one of {', '.join(MODALITIES)} or all")
    return Scar(classify(scar, d), w, d, 1), md, mp, mods


def parse_scarring_limit(text: str | None, field: str):
    """The scarring-risk limit [-] from a percentage such as '5%', or None for 'none' (InputError naming ``field``)."""
    from mtzsim.errors import InputError
    from mtzsim.units import parse_fraction

    if text is None or text.strip().lower() == "none":
        return None
    v = parse_fraction(text, field)
    if not 0 <= v <= 1:
        raise InputError(field, f"must be from 0 % to 100 % or 'none', got {text!r}")
    return v


def register(app: typer.Typer) -> None:
    @app.command("plan")
    def plan_command(
        scar: str = typer.Option(..., "--scar", help="scar type: icepick, boxcar or rolling"),
        depth: Optional[str] = typer.Option(None, "--depth", help="scar depth, e.g. 0.4mm (default: the type's)"),
        width: Optional[str] = typer.Option(None, "--width", help="scar width, e.g. 3mm (default: the type's)"),
        fitzpatrick: int = typer.Option(..., "--fitzpatrick", help="skin type 1-6"),
        max_downtime: Optional[str] = typer.Option(None, "--max-downtime", help="longest downtime per session, e.g. 7d"),
        sessions: int = typer.Option(3, "--sessions", help="most sessions the patient accepts"),
        max_pih: Optional[str] = typer.Option(None, "--max-pih", help="highest PIH probability over the course, e.g. 20%"),
        max_scarring: str = typer.Option("5%", "--max-scarring", help="highest hypertrophic scarring risk of one "
                                         "session's wound, from its closure time (burn cohorts), e.g. 5%; 'none' for "
                                         "no limit"),
        modality: str = typer.Option("all", "--modality", help="co2_fractional, co2_full_field, eryag_fractional, "
                                     "eryag_full_field, erglass_nonablative, microneedling, microneedle_rf (comma list) or all"),
        top: int = typer.Option(5, "--top", help="plans in the shortlist"),
        site: str = typer.Option("cheek", "--site", help="treated facial site: cheek, forehead, temple, chin, "
                                 "perioral, nose or jawline (the healing differs; the wound physics does not)"),
        field_check: bool = typer.Option(False, "--field-check", help="run the field engine on a 1 cm tile of each "
                                         "returned fractional-laser plan: heat build-up, the open basal layer, and "
                                         "whether living basal layer survives between the columns (seconds to half "
                                         "a minute per plan)"),
        as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
    ) -> None:
        """Plan a course: feasible settings ranked by expected improvement, the Pareto front, and why."""
        import sys

        from mtzsim.clinic.planner import plan
        from mtzsim.errors import InputError

        s, md, mp, mods = _parse_limits(scar, depth, width, fitzpatrick, max_downtime, sessions, max_pih, modality)
        ms = parse_scarring_limit(max_scarring, "--max-scarring")
        if not 1 <= top <= PLAN_MAX_TOP:
            raise InputError("--top", f"must be from 1 to {PLAN_MAX_TOP}, got {top}")
        from mtzsim.clinic.physics_table import check_site

        try:
            check_site(site)
        except ValueError as exc:
            raise InputError("--site", str(exc).removeprefix("site: ")) from None

        def bar(stage, fraction, detail=""):
            if not as_json and sys.stderr.isatty():
                sys.stderr.write(f"\r{stage:14s} [{'#' * int(30 * fraction):30s}] {detail[:40]:40s}")
                if fraction >= 1.0:
                    sys.stderr.write("\n")

        res = plan([s], fitzpatrick=fitzpatrick, max_downtime=md, max_pih=mp, max_sessions=sessions,
                   max_scarring=ms, modalities=mods, top=top, site=site, progress=bar, field_check=field_check,
                   workers=None)  # the table's scan heat on every core when it is built
        d = res.to_dict()
        if as_json:
            typer.echo(json.dumps(d))
            return
        typer.echo(f"{d['candidates']} candidate settings, {d['feasible']} meet the limits ({d['table']})")
        if d["reason"]:
            typer.echo(f"no feasible plan: {d['reason']}")
            for p in d["nearest"]:
                typer.echo(f"  nearest  {p['modality']:20s} {p['settings']}  downtime {p['downtime_days']:.1f} d  "
                           f"PIH {p['pih_probability']:.0f} %  scarring {p['closure_scarring_risk']:.1f} %  "
                           f"excess {p['violation']:.2f}")
            return
        for i, p in enumerate(d["plans"], 1):
            typer.echo(f"{i}. {p['modality']:20s} {p['settings']}")
            typer.echo(f"   improvement {p['improvement_mean']:.0f} % (95 % {p['improvement_ci'][0]:.0f}–"
                       f"{p['improvement_ci'][1]:.0f} %)  downtime {p['downtime_days']:.1f} d  PIH "
                       f"{p['pih_probability']:.0f} % (95 % {p['pih_interval'][0]:.0f}–{p['pih_interval'][1]:.0f} %)  "
                       f"scarring {p['closure_scarring_risk']:.1f} % (closure {p['closure_days']:.1f} d)")
            if p["field_check"] is not None:
                from mtzsim.clinic.field_check import describe

                typer.echo(f"   {describe(p['field_check'], p['coverage_pct'])}")
            typer.echo(f"   why: {p['why']}")
        typer.echo(f"Pareto front: {len(d['pareto'])} plans (improvement ↑, downtime ↓, PIH ↓)")
