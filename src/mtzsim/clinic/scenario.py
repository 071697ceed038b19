"""From a validated scenario to the outcome stage's inputs (physics stimulus, scars, course)."""

from __future__ import annotations

from dataclasses import dataclass

from mtzsim.clinic.scars import Scar, classify
from mtzsim.errors import InputError


@dataclass(frozen=True)
class OutcomeInputs:
    """What :func:`mtzsim.clinic.outcome.predict_outcome` needs, read from a scenario (SI)."""

    stimulus: object
    scars: tuple
    fitzpatrick: int
    age: float
    sessions: int
    interval: float
    follow_up: float
    sun_protection: bool
    antiviral: bool
    cohort_size: int
    seed: int


def outcome_inputs(sc, *, mtz=None, field=None) -> OutcomeInputs:
    """Run the MTZ physics once (unless given) and collect the outcome stage's inputs.

    Raises
    ------
    InputError
        When the scenario lacks what the outcome needs (no ``[[scars]]``), naming the field.
    """
    from mtzsim.clinic.stimulus import treatment_stimulus
    from mtzsim.physics.mtz import simulate_mtz

    if not sc.scars:
        raise InputError("scars", "the outcome needs at least one [[scars]] table (type, width, depth, count)")
    scars = []
    for i, s in enumerate(sc.scars, start=1):
        depth, width = s.resolved_depth, s.resolved_width
        try:
            scars.append(Scar(classify(s.type, depth), width, depth, s.count))
        except ValueError as exc:
            raise InputError(f"scars[{i}]", str(exc)) from None
    if sc.cohort.size < 1:
        raise InputError("cohort.size", f"must be at least 1, got {sc.cohort.size}")
    spec = sc.pattern_spec()
    mtz = (simulate_mtz(sc.beam(), tissue=sc.tissue(), numerics=sc.mtz_numerics(), surface_cooling=sc.surface_cooling())
           if mtz is None else mtz)
    stim = treatment_stimulus(mtz, spec.areal_density, passes=spec.passes, field=field)
    regimen = set(sc.aftercare.regimen)
    return OutcomeInputs(
        stimulus=stim, scars=tuple(scars), fitzpatrick=int(sc.patient.fitzpatrick), age=float(sc.patient.age),
        sessions=int(sc.course.sessions), interval=float(sc.course.interval), follow_up=float(sc.course.follow_up),
        sun_protection=bool(regimen & {"sunscreen", "sun_avoidance"}), antiviral="antiviral" in regimen,
        cohort_size=int(sc.cohort.size), seed=int(sc.cohort.seed),
    )
