"""Laser devices and beams: wavelength, pulse energy, spot, profile, pulse timing."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mtzsim.errors import InputError

#: Laser types mtzsim knows, with their wavelength [m].
WAVELENGTHS = {
    "co2": 10.6e-6,  # CO2 laser line
    "eryag": 2.94e-6,  # Er:YAG
    "erglass": 1.55e-6,  # Er:glass (non-ablative fractional)
}

#: Default peak power [W] where the user gives neither pulse duration nor power (τ = E / P).
#: CO2 (assumption): the 30 W of the investigational CO2 device of Hantash 2007
#: (data/mtz_co2_calibration.csv); no MTZ geometry row reports a pulse duration.
#: Er:glass 1.55 µm: "The Fraxel Laser is a 30 watt, diode pumped, 1,550nm erbium fiber laser"
#: (RahmanAlamDover, params/data/references.csv), the device class of Bedi 2007 and Chan 2007; that
#: each MTZ pulse runs at the rated power is the assumption (params/data/pulse_regimes.csv: 15–30 W).
#: Until 2026-12-01 a fixed 3 ms pulse (unsourced) stood for it: 0.17–2.3 ms at 5–70 mJ now.
DEFAULT_PEAK_POWER = {"co2": 30.0, "erglass": 30.0}

#: Default pulse duration [s] for the other lasers. Assumption (no source in the
#: project's data): Er:YAG fractional short pulse 250 µs.
DEFAULT_PULSE = {"eryag": 250e-6}


@dataclass(frozen=True)
class Beam:
    """One microbeam of a fractional laser, in SI units.

    Parameters
    ----------
    laser : str
        ``"co2"``, ``"eryag"`` or ``"erglass"``.
    energy : float
        Pulse energy per microbeam [J] (per pulse when stacked).
    spot_diameter : float
        1/e² spot diameter [m] for a Gaussian beam; full diameter for top-hat.
    pulse_duration : float
        Duration of one pulse [s] (rectangular in time).
    profile : str
        ``"gaussian"`` or ``"tophat"``.
    stack : int
        Pulses fired on the same spot.
    stack_delay : float
        Time from the end of one stacked pulse to the start of the next [s].
    """

    laser: str
    energy: float
    spot_diameter: float
    pulse_duration: float
    profile: str = "gaussian"
    stack: int = 1
    stack_delay: float = 1e-3
    wavelength: float = field(init=False)

    def __post_init__(self):
        if self.laser not in WAVELENGTHS:
            raise InputError("laser", f"unknown laser {self.laser!r}; choose one of {', '.join(WAVELENGTHS)}")
        for name in ("energy", "spot_diameter", "pulse_duration"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise InputError(name, f"must be a positive finite number, got {value!r}")
        if self.profile not in ("gaussian", "tophat"):
            raise InputError("profile", f"must be 'gaussian' or 'tophat', got {self.profile!r}")
        if not (isinstance(self.stack, int) and 1 <= self.stack <= 20):
            raise InputError("stack", f"must be a whole number from 1 to 20, got {self.stack!r}")
        if not (math.isfinite(self.stack_delay) and self.stack_delay >= 0):
            raise InputError("stack_delay", f"must be a non-negative time, got {self.stack_delay!r}")
        object.__setattr__(self, "wavelength", WAVELENGTHS[self.laser])

    @property
    def radius(self) -> float:
        """1/e² radius w0 [m] (Gaussian) or radius (top-hat)."""
        return 0.5 * self.spot_diameter

    @property
    def peak_power(self) -> float:
        """Power during the pulse [W]."""
        return self.energy / self.pulse_duration

    @property
    def mean_fluence(self) -> float:
        """Energy over the nominal spot area π w0² [J/m²]."""
        return self.energy / (math.pi * self.radius**2)

    @property
    def peak_fluence(self) -> float:
        """Fluence on the beam axis [J/m²]: 2E/(π w0²) for a Gaussian."""
        return self.mean_fluence * (2.0 if self.profile == "gaussian" else 1.0)

    @property
    def rayleigh_range(self) -> float:
        """Rayleigh range z_R = π w0² / λ [m] of an ideal (M² = 1) Gaussian beam."""
        return math.pi * self.radius**2 / self.wavelength

    @property
    def total_duration(self) -> float:
        """From the first pulse's start to the last pulse's end [s]."""
        return self.stack * self.pulse_duration + (self.stack - 1) * self.stack_delay

    def pulse_starts(self) -> list[float]:
        """Start time of each stacked pulse [s]."""
        return [i * (self.pulse_duration + self.stack_delay) for i in range(self.stack)]

    def radial_profile(self, r):
        """Fraction of the pulse energy per unit area at radius r [1/m²]; integrates to 1."""
        import numpy as np

        r = np.asarray(r, dtype=float)
        w = self.radius
        if self.profile == "gaussian":
            return 2.0 / (math.pi * w**2) * np.exp(-2.0 * r**2 / w**2)
        return np.where(r <= w, 1.0 / (math.pi * w**2), 0.0)


def make_beam(
    laser: str,
    *,
    energy: float | None = None,
    fluence: float | None = None,
    spot_diameter: float,
    pulse_duration: float | None = None,
    peak_power: float | None = None,
    profile: str = "gaussian",
    stack: int = 1,
    stack_delay: float = 1e-3,
) -> Beam:
    """Build a :class:`Beam` from what a user knows (SI inputs).

    Energy or mean fluence (E = F π w0²); pulse duration or peak power (τ = E / P);
    with neither, the laser's default peak power or pulse duration.
    """
    if laser not in WAVELENGTHS:
        raise InputError("laser", f"unknown laser {laser!r}; choose one of {', '.join(WAVELENGTHS)}")
    if not (math.isfinite(spot_diameter) and spot_diameter > 0):
        raise InputError("spot", f"must be a positive length, got {spot_diameter!r}")
    if (energy is None) == (fluence is None):
        raise InputError("energy", "give exactly one of energy or fluence")
    if fluence is not None:
        if not (math.isfinite(fluence) and fluence > 0):
            raise InputError("fluence", f"must be a positive fluence, got {fluence!r}")
        energy = fluence * math.pi * (0.5 * spot_diameter) ** 2
    if not (math.isfinite(energy) and energy > 0):
        raise InputError("energy", f"must be a positive energy, got {energy!r}")
    if pulse_duration is not None and peak_power is not None:
        raise InputError("pulse", "give pulse duration or peak power, not both")
    if peak_power is not None:
        if not (math.isfinite(peak_power) and peak_power > 0):
            raise InputError("peak_power", f"must be a positive power, got {peak_power!r}")
        pulse_duration = energy / peak_power
    if pulse_duration is None:
        if laser in DEFAULT_PEAK_POWER:
            pulse_duration = energy / DEFAULT_PEAK_POWER[laser]
        else:
            pulse_duration = DEFAULT_PULSE[laser]
    if not (math.isfinite(pulse_duration) and pulse_duration > 0):
        raise InputError("pulse", f"must be a positive duration, got {pulse_duration!r}")
    return Beam(
        laser=laser,
        energy=energy,
        spot_diameter=spot_diameter,
        pulse_duration=pulse_duration,
        profile=profile,
        stack=stack,
        stack_delay=stack_delay,
    )


def make_pulse_train(laser: str, *, repetition_rate: float, pulses: int, **beam) -> Beam:
    """A :class:`Beam` of ``pulses`` pulses on one spot at ``repetition_rate`` [Hz] (SI inputs).

    The other keywords are those of :func:`make_beam` (energy or fluence, spot_diameter, pulse
    duration or peak power, profile). The gap after each pulse is 1/f − τ: the simulation
    carries the residual heat, the desiccated tissue and the crater of each pulse into the next
    (:func:`mtzsim.physics.mtz.simulate_mtz`; gaps longer than a few hundred explicit steps
    are stepped implicitly, :mod:`mtzsim.physics.mtz.pulse`). A full-field Er:YAG pass at
    1–15 Hz: ``make_pulse_train("eryag", repetition_rate=10.0, pulses=3, fluence=8e4,
    spot_diameter=3e-3, pulse_duration=250e-6, profile="tophat")``.

    Raises
    ------
    InputError
        A rate that leaves no gap between pulses (1/f ≤ τ), or a non-positive rate.
    """
    if not (isinstance(repetition_rate, (int, float)) and math.isfinite(repetition_rate) and repetition_rate > 0):
        raise InputError("repetition_rate", f"must be a positive frequency, got {repetition_rate!r}")
    one = make_beam(laser, stack=1, **beam)
    gap = 1.0 / repetition_rate - one.pulse_duration
    if gap <= 0.0:
        raise InputError("repetition_rate", f"{repetition_rate:g} Hz leaves no time between pulses of "
                         f"{one.pulse_duration:g} s")
    return make_beam(laser, stack=pulses, stack_delay=gap, **beam)
