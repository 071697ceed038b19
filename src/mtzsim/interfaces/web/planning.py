"""Plan, compare, one MTZ and a plan's figures for the web API: the CLI's parsers and the clinic's functions.

Each function takes a validated request model (:mod:`.models`), converts its display units with the
same code as the command line (:func:`mtzsim.interfaces.cli.plan._parse_limits`,
:func:`mtzsim.interfaces.cli.compare.comparison_inputs`, :func:`mtzsim.params.presets.check_limit`),
calls the model and returns the JSON the CLI prints with ``--json``. User mistakes leave as
:class:`~mtzsim.errors.InputError` naming the request field (HTTP 422). They run in worker threads
(:mod:`.jobs`), never on the event loop.
"""

from __future__ import annotations

import dataclasses
import re

from mtzsim.errors import InputError
from mtzsim.interfaces.web.models import CompareRequest, DetailRequest, MtzRequest, PlanRequest

#: CLI option → field of :class:`~.models.PlanRequest` (the CLI's messages name its options).
_PLAN_FIELDS = {"--fitzpatrick": "fitzpatrick", "--max-downtime": "max_downtime_days", "--max-pih": "max_pih_pct",
                "--sessions": "sessions", "--modality": "modalities"}
_CORE_FIELD = re.compile(r"^([a-z_]+)(?: must|:)\s*(.*)$", re.S)


def _num(value: float, unit: str) -> str:
    return f"{value!r}{unit}"


def plan_inputs(req: PlanRequest):
    """Scars and SI limits of a plan request, through the CLI's parser (InputError naming the request field)."""
    scars = []
    limits = None
    for i, s in enumerate(req.scars):
        try:
            scar, md, mp, mods = _parse_limits_cli(
                s.type, None if s.depth_mm is None else _num(s.depth_mm, "mm"),
                None if s.width_mm is None else _num(s.width_mm, "mm"), req.fitzpatrick,
                None if req.max_downtime_days is None else _num(req.max_downtime_days, "d"), req.sessions,
                None if req.max_pih_pct is None else _num(req.max_pih_pct, "%"),
                "all" if req.modalities is None else ",".join(req.modalities))
        except InputError as exc:
            name = _PLAN_FIELDS.get(exc.field) or f"scars[{i}].{exc.field.removeprefix('--')}_mm"
            raise InputError(name, exc.message) from None
        scars.append(dataclasses.replace(scar, count=s.count))
        limits = (md, mp, mods)
    return tuple(scars), *limits


def _parse_limits_cli(*args):
    from mtzsim.interfaces.cli.plan import _parse_limits

    return _parse_limits(*args)


def run_plan(req: PlanRequest, *, cache=None) -> dict:
    """The JSON of ``mtzsim plan --json`` for the request (age and scar counts as given)."""
    from mtzsim.clinic.planner import plan

    scars, md, mp, mods = plan_inputs(req)
    with core_errors():
        res = plan(list(scars), fitzpatrick=req.fitzpatrick, max_downtime=md, max_pih=mp, max_sessions=req.sessions,
                   max_scarring=None if req.max_scarring_pct is None else req.max_scarring_pct / 100.0,
                   site=req.site, age=req.age, modalities=mods, top=req.top, cache=cache)
    return res.to_dict()


def run_detail(req: DetailRequest, *, cache=None) -> dict:
    """The chosen plan's wound, field spacing, healing against coverage and improvement course.

    The wound and the healing nodes are the physics table's (the same numbers the planner used);
    the course is :func:`mtzsim.clinic.outcome.predict_outcome` at the plan's settings.
    """
    from mtzsim.clinic import comparators as cmp
    from mtzsim.clinic import physics_table as pt
    from mtzsim.clinic.outcome import predict_outcome
    from mtzsim.constants import DAY

    scars, _md, _mp, mods = plan_inputs(req.plan)
    c = req.choice
    if c.modality not in mods:
        raise InputError("choice.modality", f"{c.modality!r} is not among the plan's modalities ({', '.join(mods)})")
    with core_errors():
        table = pt.build_physics_table(mods, size="full", cache=cache)
    energy = None if c.energy_mj is None else c.energy_mj * 1e-3
    length = None if c.needle_length_mm is None else c.needle_length_mm * 1e-3
    try:
        node = table.node(c.modality, energy, length, c.passes, c.stack,
                          None if c.spot_um is None else c.spot_um * 1e-6)
    except KeyError:
        raise InputError("choice", f"no physics node of {c.modality} at energy {c.energy_mj} mJ, needle length "
                                   f"{c.needle_length_mm} mm, spot {c.spot_um} um, {c.passes} pass(es) and a stack of "
                                   f"{c.stack}; choose a plan the planner returned") from None
    density = None if c.density_pct is None else c.density_pct / 100
    with core_errors():
        stim, cov, alone = cmp.session_dose(c.modality, node, density=density, passes=c.passes, kappa=cmp.kappa(),
                                            cache=cache)  # with the islands the scan's heat kills
        down, ery = node.healing_at(cov)
        sessions = 1 if c.modality == "co2_full_field" else c.sessions
        o = predict_outcome(stim, list(scars), cmp._Healing(down, ery), fitzpatrick=req.plan.fitzpatrick,
                            age=req.plan.age, sessions=sessions, interval=c.interval_weeks * 7 * DAY,
                            cohort_size=400, seed=1)
    od = o.to_dict()
    wound = {k + "_um": v * 1e6 for k, v in node.wound.items()
             if isinstance(v, float) and k in _WOUND_LENGTHS}
    return {"modality": c.modality, "wound": wound, "wound_depth_um": stim.wound_depth * 1e6,
            "coverage_pct": 100 * cov, "coverage_columns_pct": 100 * alone, "wounds_per_cm2": stim.mtzs_per_area * 1e-4,
            "passes": int(c.passes), "stack": int(c.stack),
            "healing": {"coverage_pct": [100 * v for v in node.coverage_nodes],
                        "downtime_days": [v / DAY for v in node.downtime],
                        "erythema_days": [v / DAY for v in node.erythema],
                        "reepithelialization_days": [v / DAY for v in node.reepithelialization],
                        "plan_downtime_days": down / DAY, "plan_erythema_days": ery / DAY},
            "course": od["course"], "improvement_mean": od["improvement_mean"], "improvement_ci": od["improvement_ci"],
            "pih_probability": od["pih_probability"],
            "units": "µm for lengths, days for healing, months and percent for the course"}


#: Zone extents of a wound (physics table nodes) shown in the cross-section [m].
_WOUND_LENGTHS = ("ablation_depth", "ablation_diameter", "coagulation_depth", "lethal_depth", "lethal_radius",
                  "heat_shock_depth", "heat_shock_radius", "spot", "depth", "surface_diameter", "basal_diameter")


def run_compare(req: CompareRequest, *, cache=None) -> dict:
    """The JSON of ``mtzsim compare SCENARIO --json --cohort N`` for a scenario given as text."""
    from mtzsim.clinic.comparators import compare
    from mtzsim.interfaces.cli.compare import comparison_inputs

    sc = parse_scenario_text(req.scenario)
    inp = comparison_inputs(sc)
    with core_errors():
        res = compare(inp["scars"], fitzpatrick=inp["fitzpatrick"], age=inp["age"], sessions=inp["sessions"],
                      interval=inp["interval"], follow_up=inp["follow_up"], sun_protection=inp["sun_protection"],
                      co2_settings=inp["co2_settings"], cohort_size=req.cohort, seed=inp["seed"], cache=cache)
    return res.to_dict()


def run_patient_compare(req: PlanRequest, *, cache=None) -> dict:
    """The request's modalities (default all) at their preset settings for its patient (the page's bars)."""
    from mtzsim.clinic.comparators import compare
    from mtzsim.constants import DAY

    scars, _md, _mp, mods = plan_inputs(req)
    with core_errors():
        res = compare(list(scars), fitzpatrick=req.fitzpatrick, age=req.age, sessions=req.sessions,
                      interval=28 * DAY, modalities=mods, cohort_size=400, seed=1, cache=cache)
    return res.to_dict()


def parse_scenario_text(text: str):
    """A scenario given as TOML text (InputError naming the field and line)."""
    from mtzsim.io.scenario import parse_scenario

    with core_errors():
        return parse_scenario(text, source="<web>")


def run_mtz(req: MtzRequest) -> dict:
    """The summary of ``mtzsim mtz --json`` for the request's beam (warnings included)."""
    import warnings

    from mtzsim.interfaces.cli.mtz import _clean, interval_keys
    from mtzsim.params import presets
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import simulate_mtz
    from mtzsim.physics.mtz.domain import LONGEST_PULSE
    from mtzsim.physics.mtz.source import default_numerics
    from mtzsim.units import format_number

    tau = None if req.pulse_ms is None else presets.check_limit("laser.pulse", req.pulse_ms * 1e-3, "pulse_ms")
    d = presets.check_limit("laser.spot", req.spot_um * 1e-6, "spot_um")
    with core_errors():
        # no pulse_ms: the regime of the device preset whose spot range holds the spot (as `mtzsim mtz`)
        pulse = {"pulse_duration": tau} if tau is not None else presets.default_pulse(req.laser, d)
        beam = make_beam(req.laser, energy=req.energy_mj * 1e-3, spot_diameter=d, stack=req.stack, **pulse)
    presets.check_beam_limits(beam, "energy_mj")
    if beam.pulse_duration > LONGEST_PULSE:  # minutes of explicit steps: not on a shared server
        if tau is not None:
            raise InputError("pulse_ms", f"{req.pulse_ms:g} ms is longer than the longest fractional pulse the server "
                                         f"simulates ({LONGEST_PULSE * 1e3:g} ms); use the command line for longer "
                                         "pulses")
        raise InputError("energy_mj", f"{req.energy_mj:g} mJ makes a pulse of {beam.pulse_duration * 1e3:.3g} ms at the "
                                      f"laser's default peak power, longer than the server simulates "
                                      f"({LONGEST_PULSE * 1e3:g} ms); give pulse_ms or use the command line")
    from mtzsim.constants import ZERO_CELSIUS
    from mtzsim.physics.mtz.surface_cooling import make_surface_cooling

    t_cool = None if req.coolant_temperature_c is None else req.coolant_temperature_c + ZERO_CELSIUS
    try:
        coolant = make_surface_cooling(req.cooling, t_cool, req.precool_s, req.laser)
    except InputError as exc:
        field = {"surface_cooling.temperature": "coolant_temperature_c", "surface_cooling.precool": "precool_s"}
        raise InputError(field.get(exc.field, "cooling"), exc.message) from None
    flag = {"laser.energy": "energy_mj", "laser.spot": "spot_um", "laser.stack": "stack"}
    range_warnings = [w for w in presets.clinical_warnings(
        laser=req.laser, preset=None, energy=beam.energy, spot=d, density=float("nan"), stack=req.stack, passes=1)
        if w.field in flag]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = simulate_mtz(beam, surface_cooling=coolant)
        except ValueError as exc:  # a model-domain refusal (spot too small, damage beyond the domain)
            from mtzsim.interfaces.services import mtz_domain_field

            raise InputError("spot_um" if mtz_domain_field(exc) == "laser.spot" else "energy_mj", str(exc)) from None
    summary = result.to_dict()
    summary["warnings"] = [f"{flag[w.field]}: {w.message}" for w in range_warnings] + [str(w.message) for w in caught]
    # the calibration intervals of `mtzsim mtz --json`; the pulse-regime span (three more MTZs) is left
    # to the command line
    summary.update(interval_keys(beam, cell=default_numerics(beam).cell, pulse_regime=False, surface_cooling=coolant,
                                 nominal=result))
    return _clean(summary, format_number)


class core_errors:
    """Turn a core ValueError into InputError: the ``.field`` of a :class:`mtzsim.errors.ModelDomainError`
    (a field too large, a refusal of the single-MTZ domain), or a message ``"name: ..."``."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if exc is None or isinstance(exc, InputError) or not isinstance(exc, ValueError):
            return False
        name = getattr(exc, "field", None)
        if isinstance(name, str) and name:
            raise InputError(name, getattr(exc, "message", None) or str(exc)) from None
        m = _CORE_FIELD.match(str(exc))
        if m:
            raise InputError(m.group(1), m.group(2) or str(exc)) from None
        return False
