"""Treatment scenarios: validated models of a scenario file (TOML), with units at the edge and presets.

A scenario says what is done to whom: the device and beam (``[laser]``), the scan
(``[pattern]``), the patient (``[patient]``), the scars (``[[scars]]``), the course of
sessions (``[course]``), aftercare (``[aftercare]``) and the virtual cohort
(``[cohort]``). Only ``[laser]`` is required; the other tables have defaults.

Quantities are strings with units (``"40mJ"``, ``"120um"``, ``"10%"``, ``"6weeks"``)
converted once here, by :mod:`mtzsim.units`, into SI floats: the validated models hold
SI values (m, s, J, W, Hz, fractions). Every error becomes one
:class:`~mtzsim.errors.InputError` that names the field (``laser.energy``,
``scars[2].depth``) and, when the text is known, its line in the file.

Examples
--------
>>> from mtzsim.io.scenario import parse_scenario
>>> s = parse_scenario('[laser]\\npreset = "deep-fractional-co2-120um"\\nenergy = "40mJ"\\n')
>>> round(s.beam().energy * 1e3, 6)
40.0
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from mtzsim.params import presets
from mtzsim.errors import InputError
from mtzsim.units import display, display_duration, parse_fraction, parse_quantity, parse_temperature

#: Laser types a scenario may name; the last two are accepted by the schema but not modelled yet.
LASER_TYPES = ("co2", "eryag", "erglass", "microneedling", "microneedle_rf")
NOT_MODELLED = ("microneedling", "microneedle_rf")

#: Hard limits [SI] shared with the command line: see :data:`mtzsim.params.presets.MODEL_LIMITS`.
LIMITS = presets.MODEL_LIMITS


#: Unit and kind of every resolved scenario value (``Scenario.to_dict()["resolved_si"]``), for
#: ``runs diff`` and the web form: key pattern → (SI unit, display unit, kind). Kinds as in
#: :data:`mtzsim.pipeline.contract.KINDS`; only ``"quantity"`` gets a relative change.
FIELD_UNITS: dict[str, tuple[str, str, str]] = {
    r"laser\.energy": ("J", "mJ", "quantity"),
    r"laser\.fluence": ("J/m2", "J/cm2", "quantity"),
    r"laser\.spot": ("m", "um", "quantity"),
    r"laser\.peak_power": ("W", "W", "quantity"),
    r"laser\.pulse": ("s", "ms", "quantity"),
    r"laser\.stack": ("1", "1", "count"),
    r"laser\.stack_delay": ("s", "ms", "quantity"),
    r"pattern\.density": ("1", "%", "quantity"),
    r"pattern\.spots_per_cm2": ("1/m2", "/cm2", "quantity"),
    r"pattern\.rep_rate": ("Hz", "Hz", "quantity"),
    r"pattern\.passes": ("1", "1", "count"),
    r"pattern\.pass_delay": ("s", "s", "quantity"),
    r"pattern\.(pass_offset|jitter)": ("1", "1", "quantity"),
    r"pattern\.area(\[\d+\])?": ("m", "mm", "quantity"),
    r"patient\.age": ("1", "1", "count"),
    r"scars\[\d+\]\.(width|depth)": ("m", "mm", "quantity"),
    r"scars\[\d+\]\.count|course\.sessions|cohort\.size": ("1", "1", "count"),
    r"course\.interval": ("s", "weeks", "quantity"),
    r"course\.follow_up": ("s", "months", "quantity"),
    r"numerics\.(mtz_cell|field_resolution)": ("m", "um", "quantity"),
    r"numerics\.field_cooling": ("s", "s", "quantity"),
    r"cooling\.temperature": ("K", "degC", "quantity"),
    r"cooling\.precool": ("s", "s", "quantity"),
}


def field_unit(key: str) -> tuple[str, str, str]:
    """(SI unit, display unit, kind) of a resolved scenario key; seeds, types and names are categories."""
    for pattern, info in FIELD_UNITS.items():
        if re.fullmatch(pattern, key):
            return info
    return ("", "", "category")


# ---------------------------------------------------------------------------------------
# Field types: strings with units in, SI floats out
# ---------------------------------------------------------------------------------------


def _fail(message: str, field: str | None = None) -> PydanticCustomError:
    ctx = {"msg": message}
    if field is not None:
        ctx["field"] = field
    return PydanticCustomError("mtzsim", "{msg}", ctx)


def _quantity(kind: str, *, allow_zero: bool = False):
    def convert(value: Any) -> float:
        try:
            si = parse_quantity(value, kind, "value")
        except InputError as exc:
            raise _fail(re.sub(r"\ba (?=(energy|area|areal|irradiance)\b)", "an ", exc.message)) from None
        if si < 0 or (si == 0 and not allow_zero):
            raise _fail(f"must be {'zero or more' if allow_zero else 'above zero'}, got {value!r}")
        return si

    return BeforeValidator(convert)


def _percent(*, upper: float = 1.0, allow_zero: bool = False):
    def convert(value: Any) -> float:
        try:
            frac = parse_fraction(value, "value")
        except InputError as exc:
            raise _fail(exc.message) from None
        if frac < 0 or (frac == 0 and not allow_zero):
            raise _fail(f"must be {'0 %' if allow_zero else 'above 0 %'} or more, got {value!r}")
        if frac > upper:
            raise _fail(f"{frac * 100:g} % is over {upper * 100:g} %; write a percentage up to {upper * 100:g} %")
        return frac

    return BeforeValidator(convert)


def _fraction_or_percent(upper: float, *, upper_open: bool = False):
    """A dimensionless fraction: ``"50%"`` or a plain number in [0, upper]."""

    def convert(value: Any) -> float:
        if isinstance(value, str):
            try:
                frac = parse_fraction(value, "value")
            except InputError as exc:
                raise _fail(exc.message) from None
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            frac = float(value)
        else:
            raise _fail(f"expected a fraction such as 0.5 or '50%', got {value!r}")
        too_high = frac >= upper if upper_open else frac > upper
        if not math.isfinite(frac) or frac < 0 or too_high:
            bound = f"[0, {upper:g})" if upper_open else f"[0, {upper:g}]"
            raise _fail(f"must be a fraction in {bound} (or a percentage), got {value!r}")
        return frac

    return BeforeValidator(convert)


def _whole(low: int, high: int | None = None, what: str = "whole number"):
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            shown = f"{value!r}"
            raise _fail(f"must be a {what} (a bare integer such as {low}), got {shown}")
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise _fail(f"must be a {what} {span}, got {value}")
        return value

    return BeforeValidator(convert)


def _area(value: Any) -> tuple[float, float]:
    """``"10mm x 10mm"`` → (0.01, 0.01) [m]; ``"1cm2"`` → a square of that area."""
    if not isinstance(value, str):
        raise _fail(f"expected a size such as '10mm x 10mm', got {value!r}")
    if len(value) > 64:  # the split below takes time growing with the square of the length
        raise _fail(f"{value[:24]!r}… is {len(value)} characters long; write e.g. '10mm x 10mm'")
    parts = re.split(r"\s*[x×X\*]\s*(?=[\d.+-])", value.strip())
    lo, hi, _, shown = LIMITS["pattern.area_side"]
    if len(parts) == 2:
        sides = []
        for part in parts:
            try:
                sides.append(parse_quantity(part, "length", "area"))
            except InputError as exc:
                raise _fail(f"{exc.message} (in {value!r}; write e.g. '10mm x 10mm')") from None
    elif len(parts) == 1:
        try:
            a = parse_quantity(value, "area", "area")
        except InputError:
            raise _fail(f"cannot read {value!r} as an area; write e.g. '10mm x 10mm' or '1cm2'") from None
        if not a > 0:
            raise _fail(f"must be above zero, got {value!r}")
        sides = [math.sqrt(a)] * 2
    else:
        raise _fail(f"cannot read {value!r} as an area; write e.g. '10mm x 10mm'")
    for side in sides:
        if not (lo <= side <= hi):
            raise _fail(f"each side must be from 10 µm to {shown}, got {value!r}")
    return (sides[0], sides[1])


Energy = Annotated[float, _quantity("energy")]
Fluence = Annotated[float, _quantity("fluence")]
Length = Annotated[float, _quantity("length")]
Power = Annotated[float, _quantity("power")]
Duration = Annotated[float, _quantity("time")]
DurationOrZero = Annotated[float, _quantity("time", allow_zero=True)]


def _temperature_value(value: Any) -> float:
    try:
        return parse_temperature(value, "value")
    except InputError as exc:
        raise _fail(exc.message) from None


Temperature = Annotated[float, BeforeValidator(_temperature_value)]
Frequency = Annotated[float, _quantity("frequency")]
Area = Annotated[tuple[float, float], BeforeValidator(_area)]


def _spots_per_area(value: Any) -> float:
    """``spots_per_cm2 = 100`` (the key carries the unit) or ``"100/cm2"`` → [1/m²]."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        si = float(value) * 1e4
    elif isinstance(value, str):
        try:
            si = parse_quantity(value, "areal_density", "value")
        except InputError as exc:
            raise _fail(exc.message) from None
    else:
        raise _fail(f"expected a number of spots per cm², such as 100, got {value!r}")
    if not math.isfinite(si) or si <= 0:
        raise _fail(f"must be a positive number of spots per cm², got {value!r}")
    return si


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_limits(section: str, model: BaseModel, names) -> None:
    for name in names:
        value = getattr(model, name)
        if value is None:
            continue
        lo, hi, _, shown = LIMITS[f"{section}.{name}"]
        if not (lo <= value <= hi):
            unit = LIMITS[f"{section}.{name}"][2]
            raise _fail(f"{_fmt_si(value, unit)} is beyond what mtzsim models ({shown})", name)


def _fmt_si(value: float, unit: str) -> str:
    """An SI value in the unit people use for it."""
    if unit == "m":
        return display(value, "m", "mm" if value >= 1e-3 else "um")
    if unit == "s":
        return _fmt_time(value)
    if unit == "J":
        return display(value, "J", "mJ")
    if unit == "J/m²":
        return display(value, "J/m2", "J/cm2")
    return f"{value:.4g} {unit}"


# ---------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------


class LaserSection(_Section):
    """``[laser]``: the device and its beam (SI after validation).

    ``preset`` names a device of :data:`mtzsim.params.presets.DEVICES`; its settings fill the
    keys the table does not give (energy or fluence, and pulse or peak power, count as
    one setting each).
    """

    type: Literal[LASER_TYPES] | None = None  # type: ignore[valid-type]
    preset: StrictStr | None = None
    energy: Energy | None = None  # [J] per microbeam (per pulse when stacked)
    fluence: Fluence | None = None  # [J/m²] mean fluence over the 1/e² spot
    spot: Length | None = None  # [m] 1/e² diameter
    peak_power: Power | None = None  # [W]
    pulse: Duration | None = None  # [s]
    stack: Annotated[int, _whole(1, 20)] = 1
    stack_delay: DurationOrZero | None = None  # [s]
    profile: Literal["gaussian", "tophat"] = "gaussian"

    @model_validator(mode="before")
    @classmethod
    def _merge_preset(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "preset" not in data:
            return data
        name = data["preset"]
        if not isinstance(name, str):
            raise _fail(f"expected the name of a device preset, got {name!r}", "preset")
        if name not in presets.DEVICES:
            raise _fail(f"unknown device preset {name!r}; choose one of {', '.join(presets.DEVICES)}", "preset")
        device = presets.DEVICES[name]
        merged: dict[str, Any] = {"type": device.laser, **device.settings}
        if "energy" in data or "fluence" in data:
            merged.pop("energy", None)
            merged.pop("fluence", None)
        if "pulse" in data or "peak_power" in data:
            merged.pop("pulse", None)
            merged.pop("peak_power", None)
        merged.update(data)
        if merged["type"] != device.laser:
            raise _fail(f"{merged['type']!r} contradicts preset {name!r}, a {device.laser} device", "type")
        return merged

    @model_validator(mode="after")
    def _complete(self) -> "LaserSection":
        if self.type is None:
            raise _fail(f"give the laser type ({', '.join(LASER_TYPES[:3])}) or a device preset", "type")
        if self.type in NOT_MODELLED:
            raise _fail(f"{self.type!r} is not modelled yet; mtzsim models co2, eryag and erglass lasers", "type")
        if self.energy is None and self.fluence is None:
            raise _fail("give the pulse energy (e.g. energy = '40mJ') or the fluence (e.g. fluence = '10J/cm2')",
                        "energy")
        if self.energy is not None and self.fluence is not None:
            raise _fail("give energy or fluence, not both", "fluence")
        if self.spot is None:
            raise _fail("give the spot diameter, e.g. spot = '120um'", "spot")
        if self.pulse is not None and self.peak_power is not None:
            raise _fail("give pulse or peak_power, not both", "peak_power")
        _check_limits("laser", self, ("energy", "fluence", "spot", "peak_power", "pulse", "stack_delay"))
        # what the given settings imply: the energy of a fluence over the spot, the pulse of a peak power
        implied = []
        if self.fluence is not None:
            implied.append(("fluence", "laser.energy", self.pulse_energy, "a pulse energy"))
        elif self.energy is not None:  # an energy into a small spot: its mean fluence E/(π w0²) bounds it
            implied.append(("energy", "laser.fluence", self.energy / (math.pi * (0.5 * self.spot) ** 2),
                            "a mean fluence E/(π w0²)"))
        if self.peak_power is not None:
            implied.append(("peak_power", "laser.pulse", self.pulse_energy / self.peak_power, "a pulse of E/P"))
        for name, limit, value, what in implied:
            lo, hi, unit, shown = LIMITS[limit]
            if not lo <= value <= hi:
                raise _fail(f"implies {what} = {_fmt_si(value, unit)}, beyond what mtzsim models ({shown})", name)
        return self

    @property
    def pulse_energy(self) -> float:
        """Energy per pulse [J], from the fluence where the table gives fluence."""
        if self.energy is not None:
            return self.energy
        return self.fluence * math.pi * (0.5 * self.spot) ** 2


class PatternSection(_Section):
    """``[pattern]``: the scan (SI). Keys left out take :class:`mtzsim.physics.pattern.PatternSpec` defaults."""

    density: Annotated[float, _percent(upper=1.0)] | None = None  # [-] area coverage per pass
    spots_per_cm2: Annotated[float, BeforeValidator(_spots_per_area)] | None = None  # stored in [1/m²]
    layout: Literal["grid", "hexagonal", "jittered"] | None = None
    order: Literal["raster", "random", "interlaced"] | None = None
    rep_rate: Frequency | None = None
    passes: Annotated[int, _whole(1, 100)] | None = None
    pass_delay: DurationOrZero | None = None
    pass_offset: Annotated[float, _fraction_or_percent(1.0)] | None = None
    jitter: Annotated[float, _fraction_or_percent(0.5, upper_open=True)] | None = None
    area: Area | None = None  # (width, height) [m]
    allow_overlap: StrictBool | None = None
    seed: Annotated[int, _whole(0, 2**63 - 1, "non-negative whole number")] | None = None

    @model_validator(mode="after")
    def _check(self) -> "PatternSection":
        if self.density is not None and self.spots_per_cm2 is not None:
            raise _fail("give density or spots_per_cm2, not both", "spots_per_cm2")
        _check_limits("pattern", self, ("rep_rate", "pass_delay"))
        return self


class PatientSection(_Section):
    """``[patient]``: skin type, age and treated site; ``preset`` names a patient of :data:`presets.PATIENTS`."""

    preset: StrictStr | None = None
    fitzpatrick: Annotated[int, _whole(1, 6, "Fitzpatrick skin type")] = 3
    age: Annotated[int, _whole(0, 120, "age in whole years")] = 30
    site: StrictStr = "cheek"

    @model_validator(mode="before")
    @classmethod
    def _merge_preset(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "preset" not in data:
            return data
        name = data["preset"]
        if not isinstance(name, str) or name not in presets.PATIENTS:
            raise _fail(f"unknown patient preset {name!r}; choose one of {', '.join(presets.PATIENTS)}", "preset")
        return {**presets.PATIENTS[name].settings, **data}

    @model_validator(mode="after")
    def _check(self) -> "PatientSection":
        try:
            presets.site_tissue(self.site)
        except ValueError as exc:
            raise _fail(str(exc), "site") from None
        return self


class ScarSection(_Section):
    """One ``[[scars]]`` table: a scar type present on the patient (Jacob et al. 2001)."""

    type: Literal["icepick", "boxcar", "rolling"]
    width: Length | None = None  # [m]; default by type (presets.SCAR_DEFAULTS)
    depth: Length | None = None  # [m]
    count: Annotated[int, _whole(1, 10_000)] = 1

    @model_validator(mode="after")
    def _check(self) -> "ScarSection":
        _check_limits("scars", self, ("width", "depth"))
        return self

    @property
    def resolved_width(self) -> float:
        """Width [m], the type's default where none is given."""
        return self.width if self.width is not None else presets.SCAR_DEFAULTS[self.type].width

    @property
    def resolved_depth(self) -> float:
        """Depth [m], the type's default where none is given."""
        return self.depth if self.depth is not None else presets.SCAR_DEFAULTS[self.type].depth


class CourseSection(_Section):
    """``[course]``: sessions, interval and follow-up (used by the remodeling and outcome stages)."""

    sessions: Annotated[int, _whole(1, 20)] = 1
    interval: Duration = 4 * 7 * 86400.0  # [s]
    follow_up: Duration = 6 * 30.4375 * 86400.0  # [s]

    @model_validator(mode="after")
    def _check(self) -> "CourseSection":
        _check_limits("course", self, ("interval", "follow_up"))
        return self


class AftercareItem(_Section):
    """One timed product of ``[[aftercare.schedule]]``: from ``start`` to ``end`` after the session
    (days; ``end`` defaults to the product's own window in ``params/data/aftercare.csv``)."""

    product: Literal[presets.AFTERCARE]  # type: ignore[valid-type]
    start: DurationOrZero = 0.0  # [s] after the session
    end: DurationOrZero | None = None  # [s] after the session

    @model_validator(mode="after")
    def _check(self) -> "AftercareItem":
        if self.end is not None and self.end < self.start:
            raise _fail(f"ends before it starts ({self.end / 86400:g} d < {self.start / 86400:g} d)", "end")
        return self


class AftercareSection(_Section):
    """``[aftercare]``: the post-treatment regimen (named in :data:`presets.AFTERCARE`), either as
    names with their default windows (``regimen``) or as a timed ``[[aftercare.schedule]]``."""

    regimen: list[Literal[presets.AFTERCARE]] = Field(default_factory=list)  # type: ignore[valid-type]
    schedule: list[AftercareItem] = Field(default_factory=list)


class CohortSection(_Section):
    """``[cohort]``: the virtual cohort for patient-level distributions."""

    size: Annotated[int, _whole(1, 1_000_000)] = 1
    seed: Annotated[int, _whole(0, 2**63 - 1, "non-negative whole number")] = 1


class NumericsSection(_Section):
    """``[numerics]``: grid and resolution options of the stages (defaults: the stage functions' own)."""

    mtz_cell: Length | None = None  # [m] grid spacing of the single-MTZ model
    field_resolution: Length | None = None  # [m] pixel of the field's maps
    field_cooling: DurationOrZero | None = None  # [s] time simulated after the last firing

    @model_validator(mode="after")
    def _check(self) -> "NumericsSection":
        _check_limits("numerics", self, ("mtz_cell", "field_resolution", "field_cooling"))
        return self


class CoolingSection(_Section):
    """``[cooling]``: a coolant on the skin surface during the microbeams (:mod:`mtzsim.physics.mtz.surface_cooling`).

    ``kind`` none (default: adiabatic surface), contact (a chilled sapphire window; h fitted to
    Anvari 1998, default 9 °C) or air (a cold-air stream; its temperature must be given);
    ``precool`` how long it is on the skin before the pulse.
    """

    kind: Literal["none", "contact", "air"] = "none"
    temperature: Temperature | None = None  # [K]
    precool: DurationOrZero = 1.0  # [s]

    @model_validator(mode="after")
    def _check(self) -> "CoolingSection":
        from mtzsim.physics.mtz.surface_cooling import make_surface_cooling

        try:
            make_surface_cooling(self.kind, self.temperature, self.precool)
        except InputError as exc:
            raise _fail(exc.message, exc.field.rpartition(".")[2]) from None
        return self


class Scenario(BaseModel):
    """A whole treatment scenario, validated, in SI.

    Build it from TOML with :func:`load_scenario` / :func:`parse_scenario`, or from a
    dict of the same shape with ``Scenario.model_validate(d)``. Quantities are written
    with units; the models hold SI floats.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: StrictStr | None = None
    description: StrictStr | None = None
    laser: LaserSection
    pattern: PatternSection = Field(default_factory=PatternSection)
    patient: PatientSection = Field(default_factory=PatientSection)
    scars: list[ScarSection] = Field(default_factory=list)
    course: CourseSection = Field(default_factory=CourseSection)
    aftercare: AftercareSection = Field(default_factory=AftercareSection)
    cohort: CohortSection = Field(default_factory=CohortSection)
    numerics: NumericsSection = Field(default_factory=NumericsSection)
    cooling: CoolingSection = Field(default_factory=CoolingSection)

    _raw: dict = PrivateAttr(default_factory=dict)
    _text: str | None = PrivateAttr(default=None)
    _source: str = PrivateAttr(default="<python>")

    @model_validator(mode="after")
    def _aftercare_within_follow_up(self) -> "Scenario":
        for i, item in enumerate(self.aftercare.schedule, start=1):
            if item.start > self.course.follow_up:
                raise _fail(f"starts on day {item.start / 86400:g}, after the follow-up "
                            f"({self.course.follow_up / 86400:g} d)", f"aftercare.schedule[{i}].start")
        return self

    @model_validator(mode="after")
    def _cooling_fits_the_laser(self) -> "Scenario":
        coolant = self.surface_cooling()
        if coolant is not None:
            try:
                coolant.check_laser(self.laser.type)
            except InputError as exc:
                raise _fail(exc.message, "cooling.kind") from None
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _keep_raw(cls, data: Any, handler):
        model = handler(data)
        if isinstance(data, dict) and not model._raw:
            model._raw = copy.deepcopy(data)
        return model

    # ---- what the file said ------------------------------------------------------
    @property
    def raw(self) -> dict:
        """The scenario as written (quantities as strings with units), before presets."""
        return copy.deepcopy(self._raw)

    @property
    def text(self) -> str | None:
        """The TOML text the scenario was parsed from, if any."""
        return self._text

    @property
    def source(self) -> str:
        """Where the scenario came from: a path, ``<string>`` or ``<python>``."""
        return self._source

    @property
    def name(self) -> str:
        """A short name: the title, else the file's stem."""
        if self.title:
            return self.title
        if self._source not in ("<string>", "<python>"):
            return Path(self._source).stem
        return "scenario"

    # ---- what the models need ------------------------------------------------------
    def beam(self):
        """The microbeam, :class:`mtzsim.physics.laser.Beam` (via :func:`mtzsim.physics.laser.make_beam`)."""
        from mtzsim.physics.laser import make_beam

        las = self.laser
        kwargs: dict[str, Any] = {
            "energy": las.energy,
            "fluence": las.fluence,
            "spot_diameter": las.spot,
            "pulse_duration": las.pulse,
            "peak_power": las.peak_power,
            "profile": las.profile,
            "stack": las.stack,
        }
        if las.stack_delay is not None:
            kwargs["stack_delay"] = las.stack_delay
        if las.pulse is None and las.peak_power is None:  # the regime of the device preset that holds the spot
            kwargs.update(presets.default_pulse(las.type, las.spot))
        try:
            return make_beam(las.type, **kwargs)
        except InputError as exc:
            raise self._located(exc, "laser") from None

    def pattern_spec(self):
        """The scan, :class:`mtzsim.physics.pattern.PatternSpec`; keys left out take its defaults."""
        from mtzsim.physics.pattern import PatternSpec

        p = self.pattern
        kwargs: dict[str, Any] = {"spot_diameter": self.laser.spot, "stack": 1}
        if p.density is not None:
            kwargs["density"] = p.density
        if p.spots_per_cm2 is not None:
            kwargs["density"] = None
            kwargs["spots_per_area"] = p.spots_per_cm2
        for name in ("layout", "order", "rep_rate", "passes", "pass_delay", "pass_offset", "jitter",
                     "allow_overlap", "seed"):
            value = getattr(p, name)
            if value is not None:
                kwargs[name] = value
        if p.area is not None:
            kwargs["width"], kwargs["height"] = p.area
        try:
            return PatternSpec(**kwargs)
        except InputError as exc:
            raise self._located(exc, "pattern") from None

    def tissue(self):
        """The skin of ``patient.site``, :class:`mtzsim.physics.tissue.Tissue` (see params/data/site_tissue.csv)."""
        from dataclasses import replace

        from mtzsim.physics.tissue import get_tissue

        site = presets.site_tissue(self.patient.site)  # the validator refused sites without data
        face = get_tissue("face")
        if site.tissue == face.name and any(
                layer.key == "sc" and layer.thickness == site.stratum_corneum for layer in face.layers):
            return face
        return replace(face.with_layer("sc", thickness=site.stratum_corneum), name=site.tissue)

    def surface_cooling(self):
        """The coolant on the skin surface (``[cooling]``), :class:`~mtzsim.physics.mtz.surface_cooling.SurfaceCooling` or None."""
        from mtzsim.physics.mtz.surface_cooling import make_surface_cooling

        c = self.cooling
        return make_surface_cooling(c.kind, c.temperature, c.precool)

    def mtz_numerics(self):
        """Grid options of the single MTZ, :class:`mtzsim.physics.mtz.Numerics` (``[numerics]``)."""
        from mtzsim.physics.mtz import Numerics, source

        if self.numerics.mtz_cell is None:
            return source.default_numerics(self.beam())  # 10 um for the 1.55 um map, else 5 um
        return Numerics(cell=self.numerics.mtz_cell)

    def field_options(self) -> dict:
        """Keyword options of :func:`mtzsim.physics.field.simulate_field` (``[numerics]``), defaults explicit."""
        import inspect

        from mtzsim.physics.field import simulate_field

        defaults = {k: p.default for k, p in inspect.signature(simulate_field).parameters.items()
                    if k in ("resolution", "cooling", "depths")}
        # an en-face map at the basal layer (the tissue's dermo-epidermal junction), where the healing
        # stage reads the wounds; the first map stays the epidermal one the field's summaries use
        basal = float(self.tissue().dermis_top)
        depths = tuple(defaults["depths"])
        if not any(abs(d - basal) < 1e-9 for d in depths):
            defaults["depths"] = (depths[0],) + tuple(sorted(depths[1:] + (basal,)))
        if self.numerics.field_resolution is not None:
            defaults["resolution"] = self.numerics.field_resolution
        if self.numerics.field_cooling is not None:
            defaults["cooling"] = self.numerics.field_cooling
        return defaults

    def warnings(self) -> list:
        """Settings outside clinical ranges: :class:`mtzsim.params.presets.RangeWarning` list (they still run)."""
        spec = self.pattern_spec()
        return presets.clinical_warnings(
            laser=self.laser.type,
            preset=self.laser.preset,
            energy=self.laser.pulse_energy,
            spot=self.laser.spot,
            density=spec.coverage,
            stack=self.laser.stack,
            passes=spec.passes,
            fitzpatrick=self.patient.fitzpatrick,
        )

    def parameters(self) -> list[dict]:
        """Every setting the scenario resolves to, with its value, origin and source.

        Returns
        -------
        list of dict
            ``{"name", "value", "origin", "source"}``; ``value`` is a display string with
            units; ``origin`` is ``"scenario"``, ``"preset <name>"`` or ``"default"``.
        """
        rows: list[dict] = []
        raw = self._raw if isinstance(self._raw, dict) else {}
        raw_laser = raw.get("laser", {}) if isinstance(raw.get("laser"), dict) else {}
        device = presets.DEVICES.get(self.laser.preset or "")
        beam = self.beam()

        def origin_laser(key: str) -> tuple[str, str]:
            if key in raw_laser:
                return "scenario", "user setting"
            if device is not None and (key in device.settings or key == "type"):
                return f"preset {device.name}", f"{device.source} [{device.reliability}]"
            return "default", "mtzsim.physics.laser defaults (assumptions stated there)"

        def add(name, value, origin_source):
            rows.append({"name": name, "value": value, "origin": origin_source[0], "source": origin_source[1]})

        add("laser.type", f"{beam.laser} ({display(beam.wavelength, 'm', 'um', digits=3)})", origin_laser("type"))
        if self.laser.preset:
            add("laser.preset", f"{self.laser.preset}: {device.title}",
                ("scenario", f"{device.source} [{device.reliability}]"
                 + (f" — assumption: {device.assumption}" if device.assumption else "")))
        if self.laser.fluence is not None:
            add("laser.fluence", display(self.laser.fluence, "J/m2", "J/cm2"), origin_laser("fluence"))
        add("laser.energy", display(beam.energy, "J", "mJ"), origin_laser("energy" if self.laser.energy else "fluence"))
        add("laser.spot", f"{display(beam.spot_diameter, 'm', 'um')} (1/e²)", origin_laser("spot"))
        add("laser.profile", beam.profile, origin_laser("profile"))
        regime = presets.default_pulse(beam.laser, beam.spot_diameter)
        if self.laser.pulse is not None:
            add("laser.pulse", _fmt_time(beam.pulse_duration), origin_laser("pulse"))
        elif self.laser.peak_power is None and "pulse_duration" in regime:
            matched = presets.device_for_spot(beam.laser, beam.spot_diameter)
            add("laser.pulse", _fmt_time(beam.pulse_duration),
                ("default", f"pulse regime of the device preset {matched.name}, whose spot range holds the spot "
                 "(params/data/pulse_regimes.csv)"))
        else:
            pw_origin = origin_laser("peak_power")
            if self.laser.peak_power is None:
                pw_origin = ("default", "mtzsim.physics.laser.DEFAULT_PEAK_POWER / DEFAULT_PULSE (params/data/pulse_regimes.csv)")
            add("laser.pulse", f"{_fmt_time(beam.pulse_duration)} (from peak power {beam.peak_power:.3g} W)",
                pw_origin)
        add("laser.stack", f"{beam.stack}", origin_laser("stack"))
        if beam.stack > 1:
            add("laser.stack_delay", _fmt_time(beam.stack_delay), origin_laser("stack_delay"))
        add("laser.peak_fluence", f"{display(beam.peak_fluence, 'J/m2', 'J/cm2', digits=3)} (derived)", ("derived", "2E/(π w0²)"))

        spec = self.pattern_spec()
        raw_pattern = raw.get("pattern", {}) if isinstance(raw.get("pattern"), dict) else {}

        def origin_pattern(*keys):
            if any(k in raw_pattern for k in keys):
                return "scenario", "user setting"
            return "default", "mtzsim.physics.pattern.PatternSpec defaults (conventions stated there)"

        if spec.density is not None:
            add("pattern.density", f"{display(spec.density, '1', '%', digits=3)} coverage per pass", origin_pattern("density"))
        else:
            add("pattern.spots_per_cm2", f"{display(spec.spots_per_area, '1/m2', '/cm2')} "
                f"({display(spec.coverage, '1', '%', digits=3)} coverage)", origin_pattern("spots_per_cm2"))
        add("pattern.pitch", f"{display(spec.pitch, 'm', 'um')} (derived)", ("derived", "lattice of the layout"))
        add("pattern.layout", spec.layout, origin_pattern("layout"))
        add("pattern.order", spec.order, origin_pattern("order"))
        add("pattern.rep_rate", f"{spec.rep_rate:g} Hz", origin_pattern("rep_rate"))
        add("pattern.passes", f"{spec.passes}", origin_pattern("passes"))
        if spec.passes > 1:
            add("pattern.pass_delay", _fmt_time(spec.pass_delay), origin_pattern("pass_delay"))
            add("pattern.pass_offset", f"{spec.pass_offset:g} pitch", origin_pattern("pass_offset"))
        if spec.layout == "jittered":
            add("pattern.jitter", f"{spec.jitter:g} pitch", origin_pattern("jitter"))
        add("pattern.area", f"{display(spec.width, 'm', 'mm', digits=3)} × {display(spec.height, 'm', 'mm', digits=3)}", origin_pattern("area"))
        add("pattern.allow_overlap", str(spec.allow_overlap).lower(), origin_pattern("allow_overlap"))
        add("pattern.seed", f"{spec.seed}", origin_pattern("seed"))

        raw_patient = raw.get("patient", {}) if isinstance(raw.get("patient"), dict) else {}
        pat_preset = presets.PATIENTS.get(self.patient.preset or "")
        for key, value in (("fitzpatrick", f"type {self.patient.fitzpatrick}"), ("age", f"{self.patient.age} y"),
                           ("site", self.patient.site)):
            if key in raw_patient:
                o = ("scenario", "user setting")
            elif pat_preset is not None:
                o = (f"preset {pat_preset.name}", f"assumption: {pat_preset.assumption}")
            else:
                o = ("default", "assumption: typical adult acne-scar patient")
            add(f"patient.{key}", value, o)
        if pat_preset is not None:
            add("patient.pih_risk", pat_preset.pih_note, ("preset " + pat_preset.name, pat_preset.source))
        for i, scar in enumerate(self.scars, start=1):
            d = presets.SCAR_DEFAULTS[scar.type]
            o_w = ("scenario", "user setting") if scar.width is not None else ("default", f"{d.source}; {d.assumption}")
            o_d = ("scenario", "user setting") if scar.depth is not None else ("default", f"{d.source}; {d.assumption}")
            add(f"scars[{i}].type", f"{scar.type} × {scar.count}", ("scenario", "Jacob 2001 classification"))
            add(f"scars[{i}].width", display(scar.resolved_width, "m", "mm", digits=3), o_w)
            add(f"scars[{i}].depth", display(scar.resolved_depth, "m", "mm", digits=3), o_d)
        raw_course = raw.get("course", {}) if isinstance(raw.get("course"), dict) else {}

        def o_course(k):
            return ("scenario", "user setting") if k in raw_course else ("default", "assumption")

        add("course.sessions", f"{self.course.sessions}", o_course("sessions"))
        add("course.interval", display(self.course.interval, "s", "weeks", digits=3), o_course("interval"))
        add("course.follow_up", display(self.course.follow_up, "s", "months", digits=3), o_course("follow_up"))
        if self.aftercare.regimen:
            add("aftercare.regimen", ", ".join(self.aftercare.regimen), ("scenario", "user setting"))
        coolant = self.surface_cooling()
        if coolant is not None:
            raw_cooling = raw.get("cooling", {}) if isinstance(raw.get("cooling"), dict) else {}
            src = {"contact": "h fitted to Anvari1998 (eq. 5.60, Incropera1996)",
                   "air": "h: forced gas convection, Incropera1996 Table 1.1 (geometric mean, assumption)"}[coolant.kind]
            add("cooling.kind", f"{coolant.kind}, h = {coolant.coefficient:.0f} W/(m² K)", ("scenario", src))
            add("cooling.temperature", display(coolant.temperature, "K", "degC", digits=3),
                ("scenario", "user setting") if "temperature" in raw_cooling
                else ("default", "middle of Anvari1998's 6–12 °C windows (assumption)"))
            add("cooling.precool", _fmt_time(coolant.precool),
                ("scenario", "user setting") if "precool" in raw_cooling
                else ("default", "1 s, Anvari1998's contact time (assumption)"))
        if self.cohort.size > 1:
            add("cohort.size", f"{self.cohort.size}", ("scenario", "user setting"))
            add("cohort.seed", f"{self.cohort.seed}", ("scenario", "user setting"))
        return rows

    def to_dict(self) -> dict:
        """JSON-able record: the scenario as written and resolved (SI)."""
        resolved = self.model_dump(mode="json")
        spec = self.pattern_spec()
        for key, value in resolved["pattern"].items():  # keys left out: the defaults the scan used
            if value is None and hasattr(spec, key):
                resolved["pattern"][key] = getattr(spec, key)
        if resolved["pattern"].get("spots_per_cm2") is None:
            resolved["pattern"]["spots_per_cm2"] = spec.spots_per_area  # [1/m²], as stored
        if resolved["pattern"].get("area") is None:
            resolved["pattern"]["area"] = [spec.width, spec.height]
        numerics = self.mtz_numerics()
        field = self.field_options()
        resolved["numerics"] = {"mtz_cell": numerics.cell, "field_resolution": field.get("resolution"),
                                "field_cooling": field.get("cooling")}
        beam = self.beam()
        for key, value in (("pulse", beam.pulse_duration), ("peak_power", beam.peak_power),
                           ("stack_delay", beam.stack_delay), ("energy", beam.energy)):
            if resolved["laser"].get(key) is None:
                resolved["laser"][key] = value
        return {
            "name": self.name,
            "source": self._source,
            "as_written": self.raw,
            "resolved_si": resolved,
        }

    # ---- errors --------------------------------------------------------------------
    def _located(self, exc: InputError, table: str) -> InputError:
        """Prefix a model's field name with its table and find its line in the text."""
        field = exc.field
        field = {
            "pattern.spot_diameter": "laser.spot",
            "pattern.stack": "laser.stack",
            "pattern.spots_per_area": "pattern.spots_per_cm2",
            "pattern.width": "pattern.area",
            "pattern.height": "pattern.area",
        }.get(field, field)
        if not field.startswith(("laser.", "pattern.", "patient.", "scars", "course.", "aftercare.", "cohort.", "numerics.")):
            field = f"{table}.{field}"
        line = None
        if self._text is not None:
            parts = field.split(".")
            line = _line_of(self._text, (parts[0], parts[-1]))
            if line is None and self._raw.get(parts[0], {}).get("preset") is not None:
                line = _line_of(self._text, (parts[0], "preset"))
        return InputError(field, exc.message, line=line)


def _fmt_time(seconds: float) -> str:
    return display_duration(seconds)


# ---------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------


def load_scenario(path) -> Scenario:
    """Read and validate a scenario file (TOML).

    Parameters
    ----------
    path : str or Path
        The ``.toml`` file.

    Raises
    ------
    InputError
        Unreadable file, malformed TOML or an invalid scenario; names the field and line.
    """
    path = Path(path)
    return parse_scenario(read_input_file(path, field="scenario", kind="scenario file"), source=str(path))


#: Largest input file read [bytes]: a scenario or sweep file is a few kB.
LARGEST_INPUT_FILE = 8 * 2**20


def read_input_file(path, *, field: str, kind: str) -> str:
    """The UTF-8 text of a user's input file (scenario, sweep); a byte-order mark (Windows editors) is dropped.

    Raises
    ------
    InputError
        Missing, a folder, larger than :data:`LARGEST_INPUT_FILE`, not UTF-8 or unreadable; names ``field``.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(LARGEST_INPUT_FILE + 1)  # never the whole of /dev/zero
        if len(data) > LARGEST_INPUT_FILE:
            raise InputError(field, f"{str(path)!r} is larger than {LARGEST_INPUT_FILE // 2**20} MiB; a {kind} "
                                    "is a few kB of text")
        return data.decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(field, f"no such file: {str(path)!r}") from None
    except IsADirectoryError:
        raise InputError(field, f"{str(path)!r} is a directory, not a {kind}") from None
    except UnicodeDecodeError:
        raise InputError(field, f"{str(path)!r} is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(field, f"cannot read {str(path)!r}: {exc.strerror or exc}") from None


#: Deepest dotted key read (``laser.energy = ...`` is one dot deep).
_DEEPEST_KEY = 32


def parse_scenario(text: str, *, source: str = "<string>") -> Scenario:
    """Validate a scenario given as TOML text.

    Parameters
    ----------
    text : str
        The TOML document.
    source : str, optional
        Where it came from, for messages and the report.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        One message naming the field (``laser.energy``) and, where known, the line.
    """
    if not isinstance(text, str):
        raise InputError("scenario", f"expected TOML text, got {type(text).__name__}")
    for number, line in enumerate(text.splitlines(), start=1):
        # tomllib's time grows with the square of a dotted key's depth (a.b.b.b… 20,000 deep: 4 s)
        if line.partition("=")[0].count(".") > _DEEPEST_KEY:
            raise InputError("toml", f"a key nested more than {_DEEPEST_KEY} levels deep; a scenario's keys "
                                     "are table.key", line=number)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(m.group(1)) if m else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message) or "malformed TOML"
        if m is None and "end of document" in message:
            line = text.count("\n") + 1
        raise InputError("toml", f"malformed TOML: {message}", line=line) from None
    except (ValueError, RecursionError) as exc:  # e.g. deeply nested arrays
        raise InputError("toml", f"malformed TOML: {exc}") from None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _to_input_error(exc, data, text) from None
    except RecursionError:
        raise InputError("scenario", "nested too deeply") from None
    scenario._raw = copy.deepcopy(data)
    scenario._text = text
    scenario._source = source
    # Build the beam and the scan now, so that a bad combination fails at load time.
    scenario.beam()
    try:
        scenario.pattern_spec()
    except ImportError:  # pattern model not installed: nothing more to check
        pass
    return scenario


# ---------------------------------------------------------------------------------------
# Errors: pydantic → one InputError naming the field and line
# ---------------------------------------------------------------------------------------

_TABLE_HINTS = {
    "laser": "the [laser] table (the device and beam)",
    "pattern": "the [pattern] table (the scan)",
    "patient": "the [patient] table",
    "scars": "[[scars]] tables (one per scar type)",
    "course": "the [course] table",
    "aftercare": "the [aftercare] table",
    "cohort": "the [cohort] table",
    "numerics": "the [numerics] table",
}


def _field_name(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "scenario"


def _known_keys(loc: tuple) -> list[str]:
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return []
        ann = info.annotation
        args = getattr(ann, "__args__", ())
        candidates = [ann, *args]
        nxt = None
        for c in candidates:
            if isinstance(c, type) and issubclass(c, BaseModel):
                nxt = c
            for cc in getattr(c, "__args__", ()):
                if isinstance(cc, type) and issubclass(cc, BaseModel):
                    nxt = cc
        if nxt is None:
            return []
        model = nxt
    return list(getattr(model, "model_fields", {}))


#: Validation errors of one file whose lines are looked up (the first problem is reported).
_ERRORS_LOCATED = 20


def _to_input_error(exc: ValidationError, data: dict, text: str | None) -> InputError:
    """The first problem in the file (lowest line) as one InputError.

    Of the first :data:`_ERRORS_LOCATED` errors only: each is looked up line by line in the text,
    and a file of thousands of unknown keys would take minutes.
    """
    errors = [_one_error(err, text) for err in exc.errors(include_url=False)[:_ERRORS_LOCATED]]
    return min(errors, key=lambda e: math.inf if e.line is None else e.line)


def _one_error(err: dict, text: str | None) -> InputError:
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "mtzsim" and "field" in ctx:
        loc = loc + (ctx["field"],)
    field = _field_name(loc)
    value = err.get("input")
    if kind == "mtzsim":
        message = str(ctx.get("msg", err.get("msg", "invalid")))
    elif kind == "missing":
        if len(loc) == 1 and loc[0] in _TABLE_HINTS:
            message = f"missing: a scenario needs {_TABLE_HINTS[loc[0]]}"
        else:
            message = "required but missing"
    elif kind == "extra_forbidden":
        known = _known_keys(loc[:-1])
        where = f"in [{_field_name(loc[:-1])}]" if len(loc) > 1 else "at the top level"
        message = f"unknown key {str(loc[-1])!r} {where}"
        if known:
            message += f"; known keys: {', '.join(known)}"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = f"must be a table, got {_shown(value)}"
        if field == "scars[1]" or re.fullmatch(r"scars\[\d+\]", field):
            message = f"each [[scars]] entry must be a table, got {_shown(value)}"
    elif kind == "list_type":
        message = f"must be a list, got {_shown(value)}"
        if field == "scars":
            message = "write one [[scars]] table per scar type (an array of tables)"
    elif kind == "literal_error":
        message = f"must be one of {ctx.get('expected', '?')}, got {_shown(value)}"
    elif kind in ("string_type", "str_type"):
        message = f"must be a string (text in quotes), got {_shown(value)}"
    elif kind in ("bool_type",):
        message = f"must be true or false, got {_shown(value)}"
    elif kind in ("int_type", "int_parsing", "int_from_float"):
        message = f"must be a whole number, got {_shown(value)}"
    elif kind == "frozen_instance":
        message = "cannot be changed"
    else:
        message = str(err.get("msg", "invalid value"))
    line = _line_for(text, loc) if text is not None else None
    return InputError(field, message, line=line)


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _line_for(text: str, loc: tuple) -> int | None:
    """Best line for an error at ``loc``: the key's line, else its table's header."""
    if not loc:
        return None
    table = loc[0]
    index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    rest = [p for p in loc[1:] if not isinstance(p, int)]
    key = rest[0] if rest else None
    if key is None and len(loc) == 1:
        # a top-level key or a table
        return _line_of(text, (None, table)) or _line_of(text, (table, None))
    if key is None:
        return _line_of(text, (table, None), index=index)
    return _line_of(text, (table, key), index=index) or _line_of(text, (table, None), index=index)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_\-\"'. ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')\s*(\.\s*[A-Za-z0-9_\-\"']+\s*)*=")


def _line_of(text: str, where: tuple, *, index: int | None = None) -> int | None:
    """1-based line of ``key`` in ``table`` (``(table, key)``); key None → the table header.

    ``(None, key)`` looks for a top-level key. ``index`` picks the n-th (0-based) array
    table ``[[table]]``. Also finds dotted keys (``laser.energy = ...``) and inline tables.
    """
    table, key = where
    current: str | None = None
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        head = _HEADER.match(line)
        if head:
            name = head.group(2).strip().strip("\"'")
            current = name
            seen[name] = seen.get(name, -1) + 1
            if key is None and name == table and (index is None or seen[name] == index):
                return number
            continue
        m = _KEY.match(line)
        if not m or key is None:
            continue
        lhs = line.split("=", 1)[0].strip()
        parts = [p.strip().strip("\"'") for p in lhs.split(".")]
        if table is None:
            if current is None and parts == [key]:
                return number
            continue
        in_table = current == table and (index is None or seen.get(table) == index)
        if in_table and parts[0] == key:
            return number
        if current is None and len(parts) >= 2 and parts[0] == table and parts[1] == key:
            return number
        if current is None and parts[0] == table and re.search(rf"[{{,]\s*{re.escape(key)}\s*=", line):
            return number
    return None


__all__ = [
    "LASER_TYPES",
    "NOT_MODELLED",
    "AftercareSection",
    "CohortSection",
    "CourseSection",
    "NumericsSection",
    "LaserSection",
    "PatientSection",
    "PatternSection",
    "Scenario",
    "ScarSection",
    "load_scenario",
    "parse_scenario",
]
