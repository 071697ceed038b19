"""Named presets for typical devices and patients, clinical ranges, and the flagship scenario.

A device preset fills the ``[laser]`` table of a scenario with the settings of a
generic device class (no brand names; specifications from the sources in
the project's data tables); a patient preset fills ``[patient]``. Every number says where it
comes from: ``source`` and ``reliability`` (A/B/C: primary measurement / summary or secondary source / sanity range only) or
``assumption`` with the reason where no source in the project's data supports it.

Clinical ranges are the settings seen in the sources for each device class. A setting
outside them still runs; the scenario reports a :class:`RangeWarning` in the report and
on stderr.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

from mtzsim.params import tables

# ---------------------------------------------------------------------------------------
# Devices
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClinicalRange:
    """Range of one setting seen in clinical use [SI], with its pedigree.

    ``low`` or ``high`` may be ``None`` for a one-sided range; ``unit`` and ``scale``
    say how the report shows the numbers (value_shown = value_SI * scale).
    """

    low: float | None
    high: float | None
    unit: str
    scale: float
    source: str = ""
    reliability: str = ""
    assumption: str = ""

    def contains(self, value: float) -> bool:
        """Whether ``value`` [SI] lies inside the range (bounds included)."""
        if self.low is not None and value < self.low * (1 - 1e-9):
            return False
        if self.high is not None and value > self.high * (1 + 1e-9):
            return False
        return True

    def describe(self) -> str:
        """The range in display units, e.g. ``"5–160 mJ"``."""
        lo = None if self.low is None else f"{self.low * self.scale:g}"
        hi = None if self.high is None else f"{self.high * self.scale:g}"
        if lo is not None and hi is not None:
            return f"{lo}–{hi} {self.unit}"
        if lo is not None:
            return f"≥ {lo} {self.unit}"
        return f"≤ {hi} {self.unit}"


@dataclass(frozen=True)
class FocusOptics:
    """How a device's microbeam is focused into the skin (used by the 1.55 µm Monte Carlo light).

    A focused beam conserves its beam parameter product: waist radius w0 and 1/e² far-field
    half-angle θ in tissue obey w0 θ = M² λ / (π n) (Siegman, *Lasers*, 1986, ch. 17), so the
    cone of a beam of given spot follows from its beam quality M² unless ``half_angle`` is set.

    Parameters
    ----------
    focus_depth : float
        Depth of the beam waist below the surface, in tissue [m].
    half_angle : float or None
        1/e² far-field half-angle of the converging beam in tissue [rad]; None: from
        ``beam_quality`` and the spot (:meth:`cone_half_angle`).
    focus_depth_range, half_angle_range : tuple of float
        Plausible range of each value [m], [rad] (what a sensitivity check should span).
    source, assumption : str
        Pedigree.
    beam_quality : float
        M² [-] of the beam (1: diffraction-limited Gaussian).
    beam_quality_range : tuple of float
        Plausible range of M² [-].
    """

    focus_depth: float
    half_angle: float | None
    focus_depth_range: tuple
    half_angle_range: tuple
    source: str = ""
    assumption: str = ""
    beam_quality: float = 1.0
    beam_quality_range: tuple = (1.0, 1.0)

    def cone_half_angle(self, waist_radius: float, wavelength: float, refractive_index: float) -> float:
        """1/e² half-angle in tissue [rad]: ``half_angle``, or M² λ / (π n w0) [-]."""
        if self.half_angle is not None:
            return float(self.half_angle)
        return beam_cone(waist_radius, wavelength, refractive_index, self.beam_quality)


def beam_cone(waist_radius: float, wavelength: float, refractive_index: float, beam_quality: float = 1.0) -> float:
    """1/e² far-field half-angle [rad] of a beam of waist radius w0 [m] and quality M² in a medium of index n.

    θ = M² λ / (π n w0): the beam parameter product of a Gaussian beam (M² = 1) times its
    quality factor (Siegman, *Lasers*, University Science Books 1986, ch. 17; ISO 11146).
    """
    if not (waist_radius > 0 and wavelength > 0 and refractive_index > 0 and beam_quality >= 1.0):
        raise ValueError("beam_cone needs a positive waist, wavelength and index and M² >= 1")
    return beam_quality * wavelength / (math.pi * refractive_index * waist_radius)


@dataclass(frozen=True)
class DevicePreset:
    """A generic fractional device: the ``[laser]`` settings it stands for and its ranges.

    Parameters
    ----------
    name : str
        Preset name used in scenario files (``preset = "deep-fractional-co2-120um"``).
    title : str
        One line for people.
    laser : str
        ``"co2"``, ``"eryag"`` or ``"erglass"``.
    settings : mapping
        Default ``[laser]`` keys with units (``spot``, ``energy``, ``peak_power`` or
        ``pulse``, ``profile``); the scenario's own keys override them.
    ranges : mapping
        :class:`ClinicalRange` per setting: ``energy`` [J], ``spot`` [m], ``density`` [-],
        ``stack`` [-], ``passes`` [-].
    source, reliability, assumption : str
        Pedigree of the preset as a whole; each range carries its own.
    """

    name: str
    title: str
    laser: str
    settings: MappingProxyType
    ranges: MappingProxyType
    source: str
    reliability: str
    assumption: str = ""
    notes: str = ""
    optics: FocusOptics | None = None


def _device(name, title, laser, settings, ranges, **kw) -> DevicePreset:
    return DevicePreset(
        name=name,
        title=title,
        laser=laser,
        settings=MappingProxyType(dict(settings)),
        ranges=MappingProxyType(dict(ranges)),
        **kw,
    )


_MJ = 1e-3
_UM = 1e-6

#: Focusing of the 1.55 µm microbeam (Monte Carlo light source). Clinical 1.55 µm hand pieces focus
#: each microbeam below the surface (Manstein et al. 2004, Lasers Surg Med 34:426, describe a
#: focused beam; Khan et al. 2005, Lasers Surg Med 36:270, focused a 1.5 µm beam into the dermis),
#: but no source read by the project states the focal depth, the numerical aperture or the beam
#: quality of a device. The cone is not free: a beam focused to the preset's 140 µm 1/e² spot
#: keeps its beam parameter product, θ = M² λ / (π n w0) (:func:`beam_cone`). The devices are
#: Er-doped fibre lasers (FiberFraxel2008: "two 1,550-nm Er-doped fiber lasers (Fraxel SR750 and
#: SR1500)", Dermatol Surg 2008 34(11), abstract); M² = 1 (diffraction-limited, θ = 5 mrad in tissue) is the assumption
#: for a fibre laser, and then the waist's Rayleigh range in tissue (π n w0² / λ ≈ 14 mm) makes
#: the focal depth irrelevant over the skin. The earlier assumption, a 0.2 rad cone at the
#: 140 µm waist, needs M² ≈ 40 (a multimode beam): it is kept as the upper end of the M² range.
#: The H&E interval over M² 1–40, focal depth 0–600 µm, the two dermal scattering sources and
#: dermal g 0.87–0.92 is in benchmarks/README.md ("1.55 µm MTZ"); nothing ablates anywhere in it.
ERGLASS_OPTICS = FocusOptics(
    focus_depth=300 * _UM,
    half_angle=None,
    focus_depth_range=(0.0, 600 * _UM),
    half_angle_range=(0.005, 0.2),
    source="Manstein2004; Khan2005 (focused microbeams, values not stated); FiberFraxel2008 (fibre lasers); "
    "Siegman1986 (beam parameter product)",
    assumption="focal depth 300 µm (range 0–600 µm) and beam quality M² = 1 (range 1–40: a diffraction-limited "
    "fibre-laser beam up to the 0.2 rad cone of the earlier assumption) are assumptions: no source read gives "
    "the focusing optics or the beam quality of a 1.55 µm device",
    beam_quality=1.0,
    beam_quality_range=(1.0, 40.0),
)

#: Density (area coverage) range of ablative fractional CO2 for acne scars.
_CO2_DENSITY = ClinicalRange(
    0.05,
    0.25,
    "%",
    100.0,
    source="Yuan2014",
    reliability="A (clinical)",
    assumption="Yuan 2014 compared 10 % and 20 % (Deep FX, acne scars; adverse effects more evident "
    "at 20 %); the 5–25 % band around them is an assumption",
)
_STACK = ClinicalRange(
    1, 3, "pulses", 1.0, assumption="stacks above 3 are rare in the clinical reports read; no source gives a limit"
)
_PASSES = ClinicalRange(
    1, 4, "passes", 1.0, assumption="1–4 passes per session is the usual practice; no source in the project's data"
)

_FULL_FIELD_DENSITY = ClinicalRange(1.0, 1.0, "%", 100.0, assumption="full field: each pass covers all the treated skin")
_FULL_FIELD_STACK = ClinicalRange(1, 1, "pulses", 1.0,
                                  assumption="a full-field pass places adjacent spots; depth comes from passes, not stacks")

DEVICES: MappingProxyType = MappingProxyType(
    {
        p.name: p
        for p in (
            _device(
                "deep-fractional-co2-120um",
                "Deep ablative fractional CO2, 120 µm microbeam",
                "co2",
                {"spot": "120um", "energy": "20mJ", "peak_power": "30W", "profile": "gaussian"},
                {
                    "energy": ClinicalRange(
                        5 * _MJ,
                        160 * _MJ,
                        "mJ",
                        1e3,
                        source="Hantash2007; eCO2SpotSize",
                        reliability="A (abstract)",
                        assumption="union of the two devices: 5–40 mJ (Hantash 2007, 30 W, 120 µm 1/e² spot) "
                        "and 80–160 mJ (eCO2 120 µm tip)",
                    ),
                    "spot": ClinicalRange(100 * _UM, 150 * _UM, "µm", 1e6, source="Hantash2007; eCO2SpotSize",
                                          reliability="A (abstract)",
                                          assumption="both devices use 120 µm; ±25 % tolerated"),
                    "density": _CO2_DENSITY,
                    "stack": _STACK,
                    "passes": _PASSES,
                },
                source="Hantash2007; eCO2SpotSize (data/mtz_co2_calibration.csv)",
                reliability="A (abstract)",
                assumption="default energy 20 mJ: middle of the Hantash 2007 sweep; peak power 30 W is the "
                "Hantash 2007 device (no MTZ row reports a pulse duration)",
                notes="The device of Hantash 2007 (investigational 30 W CO2, 120 µm 1/e² spot, 5–40 mJ per MTZ) "
                "and the eCO2 120 µm tip (80 and 160 mJ: 520 and 900 µm deep).",
            ),
            _device(
                "superficial-fractional-co2-1000um",
                "Superficial ablative fractional CO2, 1000 µm wide spot",
                "co2",
                {"spot": "1000um", "energy": "100mJ", "peak_power": "30W", "profile": "gaussian"},
                {
                    "energy": ClinicalRange(60 * _MJ, 220 * _MJ, "mJ", 1e3, source="eCO2SpotSize",
                                            reliability="A (abstract)"),
                    "spot": ClinicalRange(800 * _UM, 1200 * _UM, "µm", 1e6, source="eCO2SpotSize",
                                          reliability="A (abstract)", assumption="1000 µm tip; ±20 % tolerated"),
                    "density": _CO2_DENSITY,
                    "stack": _STACK,
                    "passes": _PASSES,
                },
                source="eCO2SpotSize (data/mtz_co2_calibration.csv)",
                reliability="A (abstract)",
                assumption="peak power 30 W as the 120 µm device (the eCO2 abstract gives no power or pulse "
                "duration); default energy 100 mJ inside the reported 60–220 mJ sweep",
                notes="eCO2 1000 µm tip: ~125–150 µm deep over the whole 60–220 mJ sweep; its 'penetration' rows "
                "need less energy per volume than boiling the water takes, so they are not ablation targets.",
            ),
            _device(
                "fullfield-co2-10600nm",
                "Full-field (non-fractional) CO2 (10.6 µm), scanned 3 mm spots",
                "co2",
                {"spot": "3mm", "energy": "600mJ", "pulse": "1ms", "profile": "gaussian"},
                {
                    "energy": ClinicalRange(0.3, 1.0, "mJ", 1e3,
                                            assumption="0.3–1 J per 3 mm spot (4–14 J/cm² mean fluence), the "
                                            "full-field comparator's grid (mtzsim.clinic.physics_table); the "
                                            "project's data give no full-field CO2 device setting"),
                    "spot": ClinicalRange(2e-3, 6e-3, "mm", 1e3,
                                          assumption="wide spots of scanned resurfacing handpieces, 3 mm the "
                                          "comparator's; 2–6 mm (the full-field Er:YAG preset's 6 mm as the upper "
                                          "end) is an assumption: no source in the project's data"),
                    "density": _FULL_FIELD_DENSITY,
                    "stack": _FULL_FIELD_STACK,
                    "passes": ClinicalRange(1, 1, "passes", 1.0, source="CO2vsErYAG", reliability="A (abstract)",
                                            assumption="the single-pass full-field CO2 arm of CO2vsErYAG"),
                },
                source="CO2vsErYAG (outcomes only); SkinDiseaseCare; ArchDermatol1996 (pulse bound)",
                reliability="C",
                assumption="no full-field CO2 device's settings are in the project's data: 3 mm Gaussian spots of "
                "0.6 J in 1 ms pulses, the full-field comparator's preset (mtzsim.clinic.comparators, "
                "physics_table.FULL_FIELD_CO2_PULSE): resurfacing lasers keep the tissue dwell under the ~1 ms "
                "thermal relaxation time of the CO2-absorbing layer (SkinDiseaseCare; ArchDermatol1996)",
                notes="The full-field CO2 arm of the modality comparison as a device: one 3 mm spot per pulse, "
                "100 % coverage, one pass. At 0.6 J on 3 mm (8.5 J/cm² mean) the adopted MTZ record does not "
                "ablate (its single-pulse threshold is 10.5 J/cm²); the wound is a coagulated layer.",
            ),
            _device(
                "fractional-eryag-2940nm",
                "Ablative fractional Er:YAG (2.94 µm), 250 µm microbeam",
                "eryag",
                {"spot": "250um", "energy": "10mJ", "pulse": "250us", "profile": "gaussian"},
                {
                    "energy": ClinicalRange(1 * _MJ, 40 * _MJ, "mJ", 1e3,
                                            assumption="typical of fractional Er:YAG handpieces; no source in "
                                            "the project's data"),
                    "spot": ClinicalRange(100 * _UM, 500 * _UM, "µm", 1e6,
                                          assumption="typical fractional Er:YAG microbeams; no source in "
                                          "the project's data"),
                    "density": ClinicalRange(0.05, 0.30, "%", 100.0,
                                             assumption="as ablative CO2, a little wider; no source in "
                                             "the project's data"),
                    "stack": ClinicalRange(1, 10, "pulses", 1.0,
                                           assumption="Er:YAG removes little per pulse, so deep channels "
                                           "stack pulses; no source in the project's data"),
                    "passes": _PASSES,
                },
                source="WalshDeutsch1989 (ablation physics only)",
                reliability="C",
                assumption="no Er:YAG fractional device data in the project's data: spot 250 µm, 10 mJ and 250 µs "
                "(mtzsim.physics.laser.DEFAULT_PULSE) are typical values, not a sourced device",
            ),
            _device(
                "nonablative-fractional-1550nm",
                "Non-ablative fractional Er:glass (1.55 µm), 140 µm microbeam",
                "erglass",
                {"spot": "140um", "energy": "15mJ", "peak_power": "30W", "profile": "gaussian"},
                {
                    "energy": ClinicalRange(5 * _MJ, 40 * _MJ, "mJ", 1e3, source="MarqaMordon2014; Chan2007",
                                            reliability="A",
                                            assumption="5–40 mJ simulated by Marqa & Mordon 2014 after Bedi 2007; "
                                            "Chan 2007 used 6–20 mJ clinically"),
                    "spot": ClinicalRange(100 * _UM, 200 * _UM, "µm", 1e6,
                                          assumption="typical 1.55 µm microbeams; no source in the project's data"),
                    "density": ClinicalRange(0.05, 0.40, "%", 100.0,
                                             assumption="non-ablative treatments use higher coverage; no source "
                                             "in the project's data gives it as area fraction"),
                    "stack": ClinicalRange(1, 1, "pulses", 1.0, assumption="1.55 µm scanners do not stack"),
                    "passes": ClinicalRange(1, 10, "passes", 1.0,
                                            assumption="non-ablative treatments build density over many passes"),
                },
                source="MarqaMordon2014; Chan2007; Laubach2006; RahmanAlamDover",
                reliability="B",
                optics=ERGLASS_OPTICS,
                assumption="spot 140 µm is a typical value, not sourced; the energy range is sourced. Peak power "
                "30 W: the Fraxel laser is a '30 watt' erbium fibre laser (RahmanAlamDover), each MTZ pulse taken "
                "at that power (0.5 ms at 15 mJ, 1.3 ms at 40 mJ; params/data/pulse_regimes.csv: 15–30 W). Until "
                "2026-12-01 a fixed 3 ms stood in for the then unsourced regime: at 15 / 40 / 70 mJ the H&E depth "
                "is 388 / 587 / 711 µm at 30 W against 380 / 579 / 702 µm at 3 ms, and nothing ablates either way "
                "(water-limited absorption)",
            ),
            _device(
                "fullfield-eryag-2940nm",
                "Full-field (non-fractional) Er:YAG (2.94 µm), 6 mm spot",
                "eryag",
                {"spot": "6mm", "energy": "400mJ", "pulse": "300us", "profile": "gaussian"},
                {
                    "energy": ClinicalRange(0.4, 1.5, "mJ", 1e3, source="ErYAGminimal2008; KaufmannHibst1996",
                                            reliability="A (abstract)",
                                            assumption="from ErYAGminimal2008's minimally ablative 400 mJ to the "
                                            "1.5 J per pulse of Kaufmann & Hibst 1996's clinical Er:YAG laser"),
                    "spot": ClinicalRange(3e-3, 6e-3, "mm", 1e3, source="ErYAGminimal2008",
                                          assumption="6 mm is ErYAGminimal2008's; 3 mm (the scanned spots of the "
                                          "full-field CO2 comparator) as the smaller end is an assumption"),
                    "density": _FULL_FIELD_DENSITY,
                    "stack": _FULL_FIELD_STACK,
                    "passes": ClinicalRange(1, 4, "passes", 1.0,
                                            assumption="CO2vsErYAG's long-pulsed Er:YAG arm used multiple passes "
                                            "(count not in the data); 1–4 is the usual practice"),
                },
                source="ErYAGminimal2008; KaufmannHibst1996",
                reliability="B",
                assumption="the 6 mm spot, 400 mJ and 300 us of ErYAGminimal2008's minimally ablative full-face "
                "treatment of acne scars in Asian skin (FST IV-V); a Gaussian profile as the other presets "
                "(the handpiece's profile is not in the data)",
            ),
        )
    }
)

@dataclass(frozen=True)
class PulseRegime:
    """Peak power or pulse duration of a device preset [SI], with the range where no source states it.

    Parameters
    ----------
    quantity : str
        ``"peak_power"`` [W] or ``"pulse_duration"`` [s]: the one the preset fixes (the other
        follows from the pulse energy, τ = E / P).
    value : float
        The preset's value [W or s].
    low, high : float
        Range a prediction should span [W or s]; ``low == high`` where a source states the value.
    source, reliability, assumption : str
        Pedigree (params/data/pulse_regimes.csv).
    """

    quantity: str
    value: float
    low: float
    high: float
    source: str = ""
    reliability: str = ""
    assumption: str = ""

    def __post_init__(self):
        if self.quantity not in ("peak_power", "pulse_duration"):
            raise ValueError(f"pulse regime quantity must be peak_power or pulse_duration, got {self.quantity!r}")
        if not (0 < self.low <= self.value <= self.high):
            raise ValueError(f"pulse regime needs 0 < low <= value <= high, got {self.low}, {self.value}, {self.high}")

    @property
    def uncertain(self) -> bool:
        """Whether the range is wider than the value (the source does not state it)."""
        return self.high > self.low

    def nodes(self, n: int = 3) -> list[float]:
        """``n`` values spanning [low, high] evenly in the logarithm (ends included; n = 1: the value)."""
        import math

        if n == 1 or not self.uncertain:
            return [self.value]
        lo, hi = math.log(self.low), math.log(self.high)
        return [math.exp(lo + (hi - lo) * i / (n - 1)) for i in range(n)]


def _read_pulse_regimes() -> MappingProxyType:
    return MappingProxyType({
        r["preset"]: PulseRegime(r["quantity"], float(r["value"]), float(r["low"]), float(r["high"]), r["source"],
                                 r["reliability"], r["assumption"])
        for r in tables.rows("pulse_regimes.csv")
    })


#: Pulse regime of each device preset (params/data/pulse_regimes.csv), by preset name.
PULSE_REGIMES: MappingProxyType = _read_pulse_regimes()


def pulse_regime(preset: str) -> PulseRegime:
    """The :class:`PulseRegime` of a device preset (KeyError for an unknown preset)."""
    return PULSE_REGIMES[preset]


def device_for_spot(laser: str, spot: float) -> "DevicePreset | None":
    """The device preset of ``laser`` whose clinical spot range holds ``spot`` [m] (the first in DEVICES), or None."""
    for device in DEVICES.values():
        if device.laser == laser and "spot" in device.ranges and device.ranges["spot"].contains(spot):
            return device
    return None


def default_pulse(laser: str, spot: float) -> dict:
    """The pulse of a beam whose user set neither duration nor peak power, as keyword arguments of
    :func:`mtzsim.physics.laser.make_beam`: the pulse regime of the device preset whose spot range holds
    ``spot`` [m] (:func:`device_for_spot`), ``{"peak_power": P}`` or ``{"pulse_duration": τ}``; ``{}`` where no
    preset holds the spot (make_beam's laser defaults). A 3 mm CO2 spot fires the full-field preset's 1 ms pulse,
    not the fractional 30 W (20 ms at 0.6 J); a 6 mm Er:YAG spot the full-field preset's 300 µs."""
    device = device_for_spot(laser, spot)
    if device is None:
        return {}
    regime = PULSE_REGIMES[device.name]
    return {regime.quantity: regime.value}


#: Clinical ranges by laser type where the scenario names no device preset.
LASER_RANGES: MappingProxyType = MappingProxyType(
    {
        "co2": MappingProxyType(
            {
                "energy": ClinicalRange(
                    5 * _MJ, 220 * _MJ, "mJ", 1e3, source="Hantash2007; eCO2SpotSize", reliability="A (abstract)",
                    assumption="lowest and highest energies of the fractional CO2 rows in mtz_co2_calibration.csv",
                ),
                "spot": ClinicalRange(100 * _UM, 1200 * _UM, "µm", 1e6, source="Hantash2007; eCO2SpotSize",
                                      reliability="A (abstract)"),
                "density": _CO2_DENSITY,
                "stack": _STACK,
                "passes": _PASSES,
            }
        ),
        "eryag": DEVICES["fractional-eryag-2940nm"].ranges,
        "erglass": DEVICES["nonablative-fractional-1550nm"].ranges,
    }
)


# ---------------------------------------------------------------------------------------
# Patients and scars
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientPreset:
    """A typical patient by Fitzpatrick skin type; ``settings`` fill ``[patient]``."""

    name: str
    title: str
    settings: MappingProxyType
    pih_note: str
    source: str
    assumption: str = ""


_PIH = {
    1: "very low PIH risk (no data in the project's data for type I)",
    2: "low PIH risk (no data in the project's data for type II)",
    3: "moderate PIH risk; full-field resurfacing gave PIH in ~40 % of mixed-type patients (CO2vsErYAG)",
    4: "high PIH risk: mild PIH in 92 % of type IV subjects over 3 sessions (Manuskiatti2010), 0/7 after one "
    "low-density pass (Tan2008)",
    5: "high PIH risk: 45 % after full-face Er:YAG in types III–V (ErYAGAsians2014); 0/7 after one "
    "low-density fractional pass in types IV–V (Tan2008)",
    6: "highest PIH risk (no fractional data in the project's data for type VI; extrapolated from types IV–V)",
}

PATIENTS: MappingProxyType = MappingProxyType(
    {
        f"fitzpatrick-{n}": PatientPreset(
            name=f"fitzpatrick-{n}",
            title=f"Adult, Fitzpatrick skin type {'I II III IV V VI'.split()[n - 1]}, cheek",
            settings=MappingProxyType({"fitzpatrick": n, "age": 30, "site": "cheek"}),
            pih_note=_PIH[n],
            source="Manuskiatti2010; Tan2008; Chan2007; ErYAGAsians2014; CO2vsErYAG",
            assumption="age 30 and cheek are typical of acne-scar cohorts (not sourced)",
        )
        for n in range(1, 7)
    }
)


@dataclass(frozen=True)
class ScarDefault:
    """Default morphology of a scar type [m] (Jacob et al. 2001 via Fabbrocini 2010)."""

    type: str
    width: float
    depth: float
    source: str
    assumption: str


SCAR_DEFAULTS: MappingProxyType = MappingProxyType(
    {
        "icepick": ScarDefault(
            "icepick", 1.0e-3, 1.0e-3, "Fabbrocini2010 (Jacob 2001)",
            "width 1 mm inside the '< 2 mm' of Jacob; depth 1 mm: Jacob gives only 'deep dermis or subcutis'",
        ),
        "boxcar": ScarDefault(
            "boxcar", 2.5e-3, 0.3e-3, "Fabbrocini2010 (Jacob 2001)",
            "midpoints of the Jacob ranges: width 1.5–4.0 mm, shallow depth 0.1–0.5 mm",
        ),
        "rolling": ScarDefault(
            "rolling", 5.0e-3, 0.3e-3, "Fabbrocini2010 (Jacob 2001)",
            "width 5 mm at Jacob's 'wider than 4–5 mm'; depth 0.3 mm: Jacob gives no depth",
        ),
    }
)

#: Sites of the face and body a scenario may name.
SITES = ("cheek", "forehead", "temple", "chin", "perioral", "nose", "jawline", "neck", "chest", "back", "forearm")


@dataclass(frozen=True)
class SiteTissue:
    """The skin model of a treated site: named tissue and stratum corneum thickness [m], with pedigree."""

    site: str
    tissue: str
    stratum_corneum: float
    source: str
    reliability: str
    assumption: str = ""


def _read_sites() -> MappingProxyType:
    return MappingProxyType({
        r["site"]: SiteTissue(r["site"], r["tissue"], float(r["stratum_corneum_um"]) * 1e-6, r["source"],
                              r["reliability"], r["assumption"])
        for r in tables.rows("site_tissue.csv")
    })


#: Sites with skin data (params/data/site_tissue.csv); the others of :data:`SITES` are refused.
SITE_TISSUES: MappingProxyType = _read_sites()


def site_tissue(site: str) -> SiteTissue:
    """The skin model of ``site``.

    Raises
    ------
    ValueError
        A site in :data:`SITES` for which the project has no skin data (neck, chest, back),
        or an unknown site.
    """
    if site in SITE_TISSUES:
        return SITE_TISSUES[site]
    if site in SITES:
        raise ValueError(f"no skin-layer data for the {site} in mtzsim (its layers differ from the face); "
                         f"sites with data: {', '.join(SITE_TISSUES)}")
    raise ValueError(f"unknown site {site!r}; choose one of {', '.join(SITE_TISSUES)}")

#: Aftercare regimens a scenario may list (the healing stage gives them their effects).
AFTERCARE = (
    "occlusive",
    "sunscreen",
    "sun_avoidance",
    "beta_glucan",
    "hyaluronic_acid",
    "prp",
    "antiviral",
    "barrier_cream",
    "emollient",
)


# ---------------------------------------------------------------------------------------
# Hard limits of the models (one set for scenario files and the command line)
# ---------------------------------------------------------------------------------------

#: Most sessions a patient may accept and most plans shown by the planner, on the command line and in
#: the web API alike (assumption: fractional courses run 1-6 sessions in the project's data; 10 leaves
#: room, and the planner caps each modality at its own maximum anyway).
PLAN_MAX_SESSIONS = 10
PLAN_MAX_TOP = 20

#: Hard limits [SI]: beyond them a value is refused (exit 2), in scenario files and on the command
#: line alike. They are not clinical ranges (those only warn, see :func:`clinical_warnings`) but
#: sanity bounds past which the models make no sense. name → (low, high, SI unit, shown).
#: ``laser.spot`` and ``laser.energy`` hold full-field beams as well as microbeams: fractional microbeams
#: are 0.1–1.3 mm in the project's data, a full-field Er:YAG handpiece 6 mm at 400 mJ (ErYAGminimal2008)
#: and Kaufmann & Hibst 1996's clinical Er:YAG laser delivers up to 1.5 J per pulse; 10 mm and 5 J leave
#: room above them (assumption). What the axisymmetric solver cannot hold it refuses itself, naming
#: ``laser.energy`` (damage beyond its deepest or widest domain, :mod:`mtzsim.physics.mtz.domain`).
MODEL_LIMITS: MappingProxyType = MappingProxyType({
    "laser.energy": (0.0, 5.0, "J", "5J"),
    "laser.fluence": (0.0, 1e8, "J/m²", "10000J/cm2"),
    "laser.spot": (5e-6, 10e-3, "m", "5um to 10mm"),
    "laser.peak_power": (0.0, 1e4, "W", "10kW"),
    "laser.pulse": (1e-8, 1.0, "s", "1s"),
    "laser.stack_delay": (0.0, 10.0, "s", "10s"),
    "laser.stack": (1, 20, "1", "1 to 20"),
    "pattern.rep_rate": (0.0, 1e6, "Hz", "1MHz"),
    "pattern.pass_delay": (0.0, 3600.0, "s", "1h"),
    "pattern.area_side": (1e-5, 0.1, "m", "10cm"),
    "scars.width": (0.0, 0.05, "m", "50mm"),
    "scars.depth": (0.0, 5e-3, "m", "5mm"),
    "course.interval": (86400.0, 366 * 86400.0, "s", "1 day to 1 year"),
    "course.follow_up": (0.0, 10 * 366 * 86400.0, "s", "10 years"),
    "numerics.mtz_cell": (0.5e-6, 50e-6, "m", "0.5um to 50um"),
    "numerics.field_resolution": (1e-6, 200e-6, "m", "1um to 200um"),
    "numerics.field_cooling": (0.0, 60.0, "s", "60s"),
})


def limits(name: str) -> tuple[float, float, str, str]:
    """The hard limits of a setting: ``(low, high, SI unit, shown)``; e.g. ``limits("laser.spot")``.

    Raises
    ------
    KeyError
        No limits for ``name``.
    """
    return MODEL_LIMITS[name]


def check_limit(name: str, value: float, field: str | None = None) -> float:
    """``value`` [SI] if it lies within :func:`limits`; else InputError naming ``field`` (default ``name``).

    The command line calls it with its flag: ``check_limit("laser.spot", d, "--spot")``.
    """
    from mtzsim.errors import InputError

    lo, hi, unit, shown = MODEL_LIMITS[name]
    if not (lo <= value <= hi):
        raise InputError(field or name, f"{value:g} {unit} is beyond what mtzsim models ({shown})")
    return value


def check_beam_limits(beam, energy_field: str) -> None:
    """A beam's pulse energy and mean fluence E/(π w0²) within :data:`MODEL_LIMITS`, else InputError naming
    ``energy_field`` (the energy limit holds full-field beams; the fluence limit keeps a microbeam's energy
    to what its spot can take: 1.1 J into 120 µm)."""
    from mtzsim.errors import InputError

    check_limit("laser.energy", beam.energy, energy_field)
    lo, hi, unit, shown = MODEL_LIMITS["laser.fluence"]
    if not lo <= beam.mean_fluence <= hi:
        raise InputError(energy_field, f"{beam.energy:g} J over a {beam.spot_diameter * 1e6:g} um spot is a mean "
                                       f"fluence of {beam.mean_fluence * 1e-4:.4g} J/cm2, beyond what mtzsim models "
                                       f"({shown})")


# ---------------------------------------------------------------------------------------
# Warnings for settings outside clinical ranges
# ---------------------------------------------------------------------------------------


class ClinicalRangeWarning(UserWarning):
    """Issued (:mod:`warnings`) by the chain for a setting outside the clinical range; the run goes ahead."""


@dataclass(frozen=True)
class RangeWarning:
    """A setting outside the clinical range: it runs, and the report says so."""

    field: str
    message: str
    source: str = ""

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    def to_dict(self) -> dict:
        return {"field": self.field, "message": self.message, "source": self.source}


def clinical_warnings(
    *,
    laser: str,
    preset: str | None,
    energy: float,
    spot: float,
    density: float,
    stack: int,
    passes: int,
    fitzpatrick: int | None = None,
) -> list[RangeWarning]:
    """Settings outside the clinical ranges of the device class (all inputs SI).

    Returns one :class:`RangeWarning` per setting out of range, plus a pigmentation
    warning for dark skin types at high coverage (Chan 2007: PIH 12.4 % at high density
    vs 7.1 % at low density, n.s.; Manuskiatti 2010: 92 % of type IV subjects).
    """
    ranges = DEVICES[preset].ranges if preset in DEVICES else LASER_RANGES.get(laser, {})
    where = f"preset {preset}" if preset in DEVICES else f"{laser} devices"
    if preset not in DEVICES and "spot" in ranges and not ranges["spot"].contains(spot):
        # a spot outside the laser's microbeams (a full-field beam): the ranges of the device whose spots hold it
        match = device_for_spot(laser, spot)
        if match is not None:
            ranges, where = match.ranges, f"preset {match.name}"
    out: list[RangeWarning] = []
    checks = [
        ("laser.energy", "energy", energy, 1e3, "mJ", "energy per microbeam"),
        ("laser.spot", "spot", spot, 1e6, "µm", "spot"),
        ("pattern.density", "density", density, 100.0, "%", "coverage per pass"),
        ("laser.stack", "stack", stack, 1.0, "", "stack"),
        ("pattern.passes", "passes", passes, 1.0, "", "passes"),
    ]
    for field_name, key, value, scale, unit, what in checks:
        rng = ranges.get(key)
        if rng is None or rng.contains(value):
            continue
        shown = f"{value * scale:.3g}{(' ' + unit) if unit else ''}"
        src = rng.source or "assumption"
        out.append(
            RangeWarning(
                field_name,
                f"{what} {shown} is outside the clinical range {rng.describe()} of {where}; it runs, "
                "but the models are not checked there",
                src,
            )
        )
    if fitzpatrick is not None and fitzpatrick >= 4 and density > 0.15:
        out.append(
            RangeWarning(
                "pattern.density",
                f"coverage {density * 100:.3g} % on Fitzpatrick type {fitzpatrick}: dark skin types have more "
                "post-inflammatory hyperpigmentation at high density; consider lower density and more sessions",
                "Chan2007; Manuskiatti2010",
            )
        )
    return out


# ---------------------------------------------------------------------------------------
# The flagship scenario (what `mtzsim demo` runs)
# ---------------------------------------------------------------------------------------

FLAGSHIP_NAME = "deep_co2_boxcar"

#: Deep fractional CO2 on a patient with boxcar scars; identical to examples/deep_co2.toml.
FLAGSHIP_SCENARIO = """\
# Deep fractional CO2 on boxcar acne scars: the flagship scenario of mtzsim (`mtzsim demo`).
title = "Deep fractional CO2 (120 µm) on boxcar acne scars"

[laser]
preset = "deep-fractional-co2-120um"   # Hantash 2007 device class: 30 W, 120 µm 1/e² spot
energy = "20mJ"                        # Yuan 2014 split-face trial: 20 mJ at 10 % density

[pattern]
density = "10%"
layout = "hexagonal"
order = "random"
rep_rate = "250Hz"
passes = 1
area = "4mm x 4mm"
seed = 1

[patient]
preset = "fitzpatrick-3"
age = 28
site = "cheek"

[[scars]]
type = "boxcar"
width = "3mm"
depth = "0.4mm"
count = 12

[course]
sessions = 3
interval = "6weeks"     # Majid & Imran 2014: 3-4 sessions at 6-week intervals
follow_up = "6months"

[aftercare]
regimen = ["occlusive", "sunscreen"]
"""


__all__ = [
    "PLAN_MAX_SESSIONS",
    "PLAN_MAX_TOP",
    "ERGLASS_OPTICS",
    "FocusOptics",
    "AFTERCARE",
    "DEVICES",
    "FLAGSHIP_NAME",
    "FLAGSHIP_SCENARIO",
    "LASER_RANGES",
    "PATIENTS",
    "SCAR_DEFAULTS",
    "SITES",
    "ClinicalRange",
    "DevicePreset",
    "PatientPreset",
    "PULSE_REGIMES",
    "default_pulse",
    "device_for_spot",
    "PulseRegime",
    "RangeWarning",
    "ScarDefault",
    "clinical_warnings",
    "pulse_regime",
]
