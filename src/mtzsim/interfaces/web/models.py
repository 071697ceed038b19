"""Request models of the web API: every field bounded, named with its display unit, and no file paths.

Numbers arrive in display units whose unit is in the name (``depth_mm``, ``max_downtime_days``);
:mod:`.planning` converts them through the same parsers as the command line (``mtzsim plan``), so
the API and the CLI refuse and accept the same values. No field takes a file-system path: scenario
files come as text, and every output folder is chosen by the server.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mtzsim.clinic.physics_table import MODALITIES
from mtzsim.params.presets import MODEL_LIMITS, SITES
from mtzsim.params.presets import PLAN_MAX_SESSIONS, PLAN_MAX_TOP

Modality = Literal[MODALITIES]  # type: ignore[valid-type]
ScarType = Literal["icepick", "boxcar", "rolling"]
#: Largest scenario text [characters]; a scenario file is a few kB.
MAX_SCENARIO_CHARS = 100_000
_DEPTH_MAX_MM = MODEL_LIMITS["scars.depth"][1] * 1e3  # 5 mm: deeper than any atrophic scar
_WIDTH_MAX_MM = MODEL_LIMITS["scars.width"][1] * 1e3


class _Request(BaseModel):
    # strict: a JSON true is no skin type 1 and "4" no number; no NaN, Infinity or 1e400 (read as inf)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class ScarIn(_Request):
    """One scar type of the patient (``mtzsim plan --scar --depth --width``)."""

    type: ScarType = Field(description="scar type: icepick, boxcar or rolling")
    depth_mm: float | None = Field(None, gt=0, le=_DEPTH_MAX_MM, description="depth [mm] (default: the type's)")
    width_mm: float | None = Field(None, gt=0, le=_WIDTH_MAX_MM, description="width [mm] (default: the type's)")
    count: int = Field(1, ge=1, le=1000, description="scars of this type")


class PlanRequest(_Request):
    """A patient, their scars and limits: the inputs of ``mtzsim plan``."""

    fitzpatrick: int = Field(ge=1, le=6, description="Fitzpatrick skin type 1-6")
    site: Literal[SITES] = Field("cheek", description="treated site (the planner covers the facial sites with healing data)")  # type: ignore[valid-type]
    age: float = Field(30.0, ge=12, le=100, description="age [years]")
    scars: list[ScarIn] = Field(min_length=1, max_length=10, description="the patient's scar types")
    max_downtime_days: float | None = Field(None, ge=0, le=365, description="longest downtime per session [d]")
    max_pih_pct: float | None = Field(None, ge=0, le=100, description="highest PIH probability over the course [%]")
    max_scarring_pct: float | None = Field(5.0, ge=0, le=100, description="highest hypertrophic scarring risk of one "
                                           "session's wound, from its closure time [%] (null: no limit)")
    sessions: int = Field(3, ge=1, le=PLAN_MAX_SESSIONS, description="most sessions the patient accepts")
    modalities: list[Modality] | None = Field(None, min_length=1, max_length=len(MODALITIES),
                                              description="modalities to consider (default all)")
    top: int = Field(5, ge=1, le=PLAN_MAX_TOP, description="plans in the shortlist")


class PlanChoice(_Request):
    """One plan of a plan answer, by its modality and settings (display units)."""

    modality: Modality
    energy_mj: float | None = Field(None, gt=0, le=MODEL_LIMITS["laser.energy"][1] * 1e3,
                                    description="pulse energy per microbeam, or per pin for RF [mJ]")
    needle_length_mm: float | None = Field(None, gt=0, le=5, description="needle length [mm]")
    density_pct: float | None = Field(None, gt=0, le=100, description="spot density [%]")
    passes: int = Field(1, ge=1, le=20)
    stack: int = Field(1, ge=1, le=20, description="pulses stacked on one microbeam spot (fractional lasers)")
    spot_um: float | None = Field(None, gt=0, le=MODEL_LIMITS["laser.spot"][1] * 1e6,
                                  description="a laser's spot (tip) [um]; default the modality's first")
    sessions: int = Field(1, ge=1, le=PLAN_MAX_SESSIONS)
    interval_weeks: float = Field(4, ge=1, le=52, description="weeks between sessions")


class DetailRequest(_Request):
    """The figures of one plan: the patient (as for the plan) and the chosen plan."""

    plan: PlanRequest
    choice: PlanChoice


class CompareRequest(_Request):
    """A scenario (TOML text, not a path) through every modality at its preset settings (``mtzsim compare``)."""

    scenario: str = Field(min_length=1, max_length=MAX_SCENARIO_CHARS,
                          description="the scenario as TOML text ([laser], [pattern], [patient], [[scars]], [course])")
    cohort: int = Field(1000, ge=10, le=20_000, description="virtual patients per modality")


class MtzRequest(_Request):
    """One microbeam in skin (``mtzsim mtz --json``)."""

    laser: Literal["co2", "eryag", "erglass"] = "co2"
    energy_mj: float = Field(80.0, gt=0, le=MODEL_LIMITS["laser.energy"][1] * 1e3,
                             description="pulse energy per microbeam [mJ]")
    spot_um: float = Field(120.0, ge=MODEL_LIMITS["laser.spot"][0] * 1e6, le=MODEL_LIMITS["laser.spot"][1] * 1e6,
                           description="1/e² spot diameter [µm]")
    pulse_ms: float | None = Field(None, gt=0, le=MODEL_LIMITS["laser.pulse"][1] * 1e3,
                                   description="pulse duration [ms] (default: the laser's)")
    stack: int = Field(1, ge=MODEL_LIMITS["laser.stack"][0], le=MODEL_LIMITS["laser.stack"][1])
    cooling: Literal["none", "contact", "air"] = Field(
        "none", description="coolant on the skin surface (contact: sapphire window, h fitted to Anvari 1998; air: "
                            "cold-air stream)")
    coolant_temperature_c: float | None = Field(None, ge=-30.0, le=37.0,
                                                description="coolant temperature [°C] (contact default 9; air: required)")
    precool_s: float = Field(1.0, ge=0.0, le=60.0, description="time the coolant is on the skin before the pulse [s]")


class RunRequest(_Request):
    """A scenario (TOML text) run through the whole chain in the background; its folder is the server's."""

    scenario: str = Field(min_length=1, max_length=MAX_SCENARIO_CHARS, description="the scenario as TOML text")
