"""Ablation and plume model of one microbeam: ablation temperature and shielding by the ejected mass.

Six mechanisms, each with its own physics and one or two bounded parameters:

* **Ablation temperature** T_abl: skin is a matrix-continuous tissue; its collagen matrix holds
  the vapour until the desiccated matrix is superheated and ruptures explosively, so tissue
  is ejected well above 100 °C (Welch et al. 1991: superheated tissue, subsurface temperature
  maximum; Vogel & Venugopalan 2003, sec. V.F). Bounds: 100 °C (water boils at 1 atm) to
  400 °C (Choi et al. 1999: radiometric surface temperatures approaching 400 °C during CO2
  skin resurfacing). A cell is ejected once its enthalpy reaches
  H_abl = ρc (T_boil − T_body) + ρ_w L + ρc_dry (T_abl − T_boil). Cells that dry out but
  stay below H_abl form the hot desiccated layer on the crater wall and floor (the eschar of
  Hantash 2007).
* **Confined superheating** (``vaporised_fraction`` f_v): at CO2 and Er:YAG heating rates
  (~10⁸ K/s) the water of a matrix-continuous tissue does not boil at 100 °C: the collagen
  matrix confines it, so it stays liquid at its saturation pressure while it heats (confined
  boiling, Vogel & Venugopalan 2003 sec. V.E) until the matrix ruptures and the superheated
  liquid is ejected by a phase explosion, mostly as droplets, with only part of its water
  vaporised (sec. V.D; partial vaporisation of pulsed mid-infrared ablation, J Appl Phys 78
  (1995) 564). The ablation enthalpy is then H_abl = ρc (T_abl − T_body) + f_v ρ_w L, below the
  full-vaporisation enthalpy for f_v < 1. Bounds: 0 (pure phase explosion) to 1 (all the water
  vaporised: Walsh & Deutsch 1989's 540 µg/J for free-running Er:YAG on skin is close to that
  limit). Cells left below H_abl are liquid up to T_abl and cool as liquid (their water still
  confined); they form the hot wall layer. Off (None: boiling at 100 °C, the dry matrix heated to
  T_abl) for the scattering 1.55 µm beam, which heats ~10³ times slower and boils normally
  (sec. V.C). Fitted (:mod:`mtzsim.verify.calibration`).
* **Plume shielding**: condensed ejecta (droplets, fragments) in the channel absorb the beam
  with the tissue's own absorption coefficient µa(λ) (vapour absorbs negligibly next to liquid
  water at 10.6 and 2.94 µm). Mass conservation in the channel: a mass flux ṁ/A = ρ v_f (v_f
  the speed of the ablation front) moving at speed u(z) fills a volume fraction v_f / u(z) of
  it, and τ = µa ∫ v_f / u dz over the channel. The ejecta are driven by the recoil of the
  ablation: the recoil pressure scales with the square of the ablation mass flux and the
  liquid is expelled at a Bernoulli speed u ∝ √(p/ρ) ∝ v_f (Vogel & Venugopalan 2003, sec.
  V.E, recoil-induced material expulsion), so v_f / u does not depend on the irradiance and
  shielding per unit energy does not grow with it (a constant ejecta speed would make it grow
  with the ablation rate). The walls confine the ejecta only below the top radius of the
  crater: ejecta leaving through the crater's mouth, of radius a (the crater's own radius at
  the surface, measured as it grows: ``vent_reference`` "mouth"), spread sideways within about
  one mouth radius, as a free jet does from its orifice (assumption: ``vent_length`` = 1), so a
  crater shallower than its mouth radius (a wide tip, an Er:YAG pulse) vents freely and is not
  shielded; the shielding depends on the crater's aspect ratio, c/a = d/a − 1. (Stage 2 used the
  beam radius w0 for a, ``vent_reference`` "beam"; the mouth of a Gaussian beam's crater grows
  with the fluence beyond w0, and the calibration fits better with it, χ² 4.28 vs 4.66, see
  docs/mtz_calibration_notes.md.)
  In the confined depth c = max(d − a, 0) the flow accelerates over about one channel radius
  (assumption: ``acceleration_length`` = 1 w0, the length over which a pressure-driven flow out
  of a channel reaches its exit speed); there the ejecta are slow and dense (fraction φ_near),
  above it they move at their exit speed (fraction φ = v_f / u_exit):
  τ = µa (φ_near min(c, w0) + φ max(c − w0, 0)) on the axis once the pulse has ejected mass; zero
  before and for a laser that ablates nothing. Above the mouth the jet expands freely and is not
  counted. The ejecta fill the channel's cross-section, so each ray crosses them only down to the
  point where it meets the crater profile: a ray that strikes the tapering wall above the floor
  crosses only the ejecta above that depth, and the wings of a Gaussian beam that fall outside
  the crater's mouth cross none (:func:`mtzsim._kernels.axisym.plume_transmission`; until
  2026-11-30 the axis's τ attenuated the whole beam, wings included, which kept the mouth of a
  CO2 crater narrower than the fluence at its rim could cut). φ_near and φ are fitted (bounded
  10⁻⁴–1, volume fractions).
* **Wall heating by the ejecta** (``wall_fraction`` η): the condensed ejecta that absorb the
  beam in the channel are expelled along the crater wall by the recoil (Vogel & Venugopalan
  2003, sec. V.E); Zweig et al. (1990) traced the lateral damage along pulsed-laser incisions to
  hot ablation products lining the wall. A fraction η of the beam power the ejecta absorb is
  given to the lateral wall of the crater (the same flux per unit area on every row from the
  surface to the floor, into its first solid cell) while the laser fires; the rest leaves with
  the plume. η is bounded 0–1 by energy conservation; its own term in the energy partition
  (``wall_heating``). Not in the calibrated model (η = 0): fitted with the other parameters on
  2026-11-30 it was not identified (0.75 ± 2.6) and at that value the flux erodes the top of the
  crater to 790 µm diameter at 80 mJ / 120 µm, a width no data bound (see
  docs/mtz_calibration_notes.md).

* **What the ejecta can absorb** (``ejecta_capacity`` C, J per kg of ablated tissue): condensed ejecta absorb
  the beam only until they are gasified, and water vapour is nearly transparent at 10.6 µm, so the plume and
  wall terms of one pulse together never exceed C × the mass it has ejected; where the fractions' Beer–Lambert
  shielding would take more, the ejecta are thinned to what is left of that budget
  (:func:`mtzsim._kernels.axisym._pulse_phase`). A physical bound, not a fit knob (:func:`ejecta_gasification_bound`): wet
  fragments of dermis take at most their water's latent heat, w × 2.26 MJ/kg (IAPWS-95, constants.csv; w = 0.65
  in the reticular dermis, 0.70 in the papillary, an assumption of skin_layers.csv), plus heating and pyrolysis
  of their dry matrix, (1 − w) × (1.5 kJ/(kg K) × 350 K + 0.21–0.43 MJ/kg; assumptions: the dry-matrix heat
  capacity of constants.csv, heating from T_abl = 250 °C to 600 °C, and the heat of pyrolysis of biomass,
  VanDeVelden2010 in references.csv, for collagen): C ≈ 1.72–1.80 MJ/kg (reticular) to 1.80–1.87 MJ/kg
  (papillary). Char that is not
  gasified could take more (not bounded here). 0 (default): no limit. Not in the calibrated model (docs/mtz_calibration_notes.md:
  the adopted plume takes 3.9, 5.3 and 8.4 MJ/kg of the tissue it ejects at 80, 160 and 380 mJ on the 120 µm
  spot, above the bound).

* **Absorption of the desiccated matrix** (``dry_absorption`` κ): water is the absorber at 10.6 and
  2.94 µm (Welch et al. 1991), so a cell that has lost its water may absorb less than wet tissue:
  µa (κ + (1 − κ) w), w the fraction of its water the cell still holds
  (:func:`mtzsim.physics.mtz.pulse.water_left`), κ the dry/wet ratio at one laser's wavelength
  (``dry_absorption_laser``), bounded [0, 1]. A transparent eschar lets the beam through to the wet
  tissue under the crater and thickens the coagulated margin there (CW CO2: ~100 µm, Walsh et al.
  1989). κ belongs to the collagen-bearing layers it was fitted in: subcutaneous fat keeps 1, its lipid
  absorbing at 10.6 µm itself (Ross et al. 1997: 250 cm⁻¹, more than its water gives;
  :data:`mtzsim.physics.mtz.pulse.KEEP_WET_ABSORPTION_LAYERS`). The class default is 1 (a dry cell absorbs as wet
  tissue); the calibrated model fits κ at 10.6 µm with the plume fractions (κ = 0.077 since 2026-12-01, with the crater walls untraced,
  :mod:`mtzsim.verify.calibration`). Never applied to the scattering 1.55 µm beam, whose map
  already absorbs in proportion to the water left.

References
----------
.. [1] Vogel A, Venugopalan V. Mechanisms of pulsed laser ablation of biological tissues.
   Chem Rev 103 (2003) 577–644. doi:10.1021/cr010379n
.. [2] Welch AJ et al. Laser thermal ablation. Photochem Photobiol 53 (1991) 815–823.
   doi:10.1111/j.1751-1097.1991.tb09896.x
.. [3] Choi B, Chan EK, Barton JK, Thomsen SL, Welch AJ. Thermographic and histological
   evaluation of laser skin resurfacing scans. IEEE JSTQE 5 (1999) 1116–1126.
.. [4] Walsh JT Jr, Deutsch TF. Er:YAG laser ablation of tissue: measurement of ablation rates.
   Lasers Surg Med 9 (1989) 327–337. doi:10.1002/lsm.1900090404
.. [5] Zweig AD, Meierhofer B, Müller OM, et al. Lateral thermal damage along pulsed laser
   incisions. Lasers Surg Med 10 (1990) 262–274. doi:10.1002/lsm.1900100309
.. [6] Ross EV, Domankevitz Y, Anderson RR. Effects of heterogeneous absorption of laser radiation in biotissue
   ablation: characterization of ablation of fat with a pulsed CO2 laser. Lasers Surg Med 21 (1997) 59–64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from mtzsim.constants import T_BOIL, ZERO_CELSIUS
from mtzsim.params import tables

#: Literature bounds of the ablation temperature [K]: boiling at 1 atm; Choi et al. 1999's
#: highest radiometric surface temperature during CO2 resurfacing (≈ 400 °C).
ABLATION_TEMPERATURE_BOUNDS = (T_BOIL, 673.15)
#: Bounds of the channel fractions φ_near, φ = v_f / u filled by condensed ejecta [-]: volume fractions.
EJECTA_FRACTION_BOUNDS = (1e-4, 1.0)
#: Bounds of the vaporised fraction f_v of confined superheating [-]: 0 (pure phase explosion:
#: the superheated liquid is ejected as droplets, Vogel & Venugopalan 2003 sec. V.D) to 1 (all
#: the water vaporised, the normal-boiling limit; Walsh & Deutsch 1989's Er:YAG specific ablation).
VAPORISED_FRACTION_BOUNDS = (0.0, 1.0)
#: Bounds of the vent length [radii of its reference, the crater's mouth or the beam]: 0 (the walls
#: confine the ejecta from the surface) to 2 (a free plume spreads sideways within about one to two
#: radii of its source).
VENT_LENGTH_BOUNDS = (0.0, 2.0)
#: What the vent length is measured in: the crater's own mouth radius, or the beam's radius w0.
VENT_REFERENCES = ("mouth", "beam")
#: Bounds of the crater walls' rms roughness σ [m] (assumption: no source measures the relief of an
#: ablated wall): from optically smooth at 10.6 µm (σ = 0.1 µm keeps ≥ 98 % of R specular at any
#: incidence) to 30 µm, the order of the eschar and coagulated lining of the walls (tens of µm,
#: Hantash 2007; the residual damage of ms CO2 pulses, Walsh 1989), beyond which only rays within a
#: few degrees of grazing stay specular.
WALL_ROUGHNESS_BOUNDS = (0.1e-6, 30e-6)


@dataclass(frozen=True)
class LossModel:
    """Ablation and plume parameters of :func:`mtzsim.physics.mtz.simulate_mtz` (SI).

    Parameters
    ----------
    ablation_temperature : float
        T_abl [K]: temperature of the desiccated matrix at ejection.
    near_fraction : float
        φ_near [-]: volume fraction of the channel filled by condensed ejecta in the
        acceleration zone next to the floor.
    ejecta_fraction : float
        φ [-]: volume fraction filled beyond it (ablation-front speed over ejecta exit speed);
        both 0 switch plume shielding off.
    acceleration_length : float
        Length of the acceleration zone in beam radii [-] (assumption: 1).
    vent_length : float
        Top of the crater where the walls do not confine the ejecta, in radii of
        ``vent_reference`` [-] (assumption: 1).
    vent_reference : str
        ``"mouth"``: the crater's own radius at the surface, as it grows (default);
        ``"beam"``: the beam's 1/e² radius w0 (the stage-2 rule).
    ejection_delay : float
        [s] from a cell reaching H_abl to its removal. Assumption: 0 for ms pulses (ejection
        takes ~µs, ≪ the pulse); set it longer than the pulse for blow-off (thermally
        confined) pulses.
    wall_fraction : float
        η [-]: fraction of the beam power the ejecta absorb in the confined channel that they
        give to its wall and floor (hot ejecta flowing along the wall); the rest leaves with
        the plume. 0–1 (energy conservation).
    ejecta_capacity : float
        C [J/kg]: the energy the ejecta of one kg of ablated tissue can take from the beam before they are
        gasified; the plume and wall terms of a pulse never exceed C × its ejected mass (module docstring).
        0 (default): no limit. Non-negative and finite.
    vaporised_fraction : float or None
        f_v [-]: confined superheating. None (default): the water boils at 100 °C and the dry
        matrix is superheated to T_abl. A number in [0, 1]: the tissue matrix holds its water
        as liquid above 100 °C up to T_abl, where the fraction f_v of it vaporises and the cell
        is ejected (H_abl = ρc (T_abl − T_body) + f_v ρ_w L; :func:`mtzsim.physics.mtz.pulse.material`).
        Only for beams absorbed in columns (CO2, Er:YAG), not the scattering 1.55 µm beam.
    boiling_time : float
        τ_v [s]: boiling that takes time (not in the calibrated model: 0, equilibrium boiling). With
        τ_v > 0 (and ``vaporised_fraction`` set) a wet cell heats as superheated liquid on the levels of
        confined superheating and is ejected at their H_abl if it gets there within τ_v of passing the
        boiling point; a cell that stays above the boiling point longer flashes (its enthalpy kept, its
        water boiling at 100 °C), dries, and is ejected as desiccated matrix at T_abl (the default
        path). Short exposures then eject wet tissue (low threshold, thin margin), long ones leave the
        weakly absorbing desiccated lining (Vogel & Venugopalan 2003, sec. V.C–F: normal boiling needs
        nucleation and vapour escape, which take time; phase explosion when heating outruns them).
        A probe that switches whole exposures puts the switch between 1 and 2.7 ms of pulse; per cell,
        where a cell at the ablation front heats in microseconds whatever the pulse, the least-squares
        fits put τ_v near 0.1 ms (docs/mtz_calibration_notes.md, the boiling-time bullets). Those fits
        need f_v ≈ 0.15, which the held-out Er:YAG data refute: the same loss model removes 881 / 853 µg/J
        at 8 / 16 J/cm² (250 µm spot), against Walsh & Deutsch's 540 µg/J ± 25 % (the record: 556 / 543),
        as long as a crater shallower than its mouth radius vents freely (a plume above it taking 39 % of the
        Er:YAG pulse would reconcile them; no such fraction is in the package data).
        Non-negative; ``inf``: pure superheating during the pulse. Beams absorbed in columns only.
    dry_absorption : float
        κ [-]: absorption coefficient of the desiccated matrix over that of the wet tissue at
        the wavelength of ``dry_absorption_laser`` (water is the absorber at 10.6 µm, Welch et
        al. 1991): a cell absorbs µa (κ + (1 − κ) w), w the fraction of its water it still holds.
        Bounded [0, 1] (dry matrix absorbs no more than the wet tissue that holds it). 1
        (default): a drying cell absorbs as wet tissue.
    dry_absorption_laser : str
        The laser whose wavelength κ belongs to (default ``"co2"``); other lasers keep κ = 1.
        Never applied to the scattering 1.55 µm map, whose cells already absorb in proportion
        to the water they hold.
    wall_optics : bool
        True (default): the light the crater profile reflects is traced (incidence set by its
        slope, specular bounces absorbed in the walls it strikes). False: every column's light
        meets the profile as at normal incidence — the flat-surface Fresnel loss R(0°) leaves the
        skin, no redirection by the walls. The walls' reflections converge on the axis; the light
        they bring there is spread over the focus's diffraction-limited width (the Airy radius
        0.61 λ / sin α, :func:`mtzsim._kernels.axisym.spread_radius`), which makes the trace
        grid-converged; it is not the adopted model (docs/mtz_calibration_notes.md). Beams
        absorbed in columns only.
    wall_roughness : float
        σ [m]: rms height of the crater walls, for the traced walls (``wall_optics`` True). A wall of
        rms roughness σ reflects specularly only exp(−(4π σ cos θ / λ)²) of its Fresnel reflectance
        (Davies 1954; Beckmann & Spizzichino 1963): grazing rays stay guided down the channel, steeper
        ones are scattered diffusely and absorbed in the wall they strike (the surface row's diffuse
        light leaves the skin; :func:`mtzsim._kernels.axisym.deposit_beam`). 0 (default): optically
        smooth walls. Ablated walls are lined by a desiccated, charred layer (Hantash 2007, eschar)
        whose relief no source in the data measures: σ is a bounded fit parameter
        (:data:`WALL_ROUGHNESS_BOUNDS`).
    water_temperature : bool
        True (default): water's absorption follows each cell's temperature where a sourced
        coefficient exists (2.94 µm: −0.48 % per K of the 25 °C value, Röttgers et al. 2014, carried
        to 100 °C; :func:`mtzsim.physics.tissue.water_absorption_temperature`); False: the 25 °C
        table value at every temperature. Beams absorbed in columns only.
    source : str
        Where the numbers come from.
    """

    ablation_temperature: float = T_BOIL
    near_fraction: float = 0.0
    ejecta_fraction: float = 0.0
    acceleration_length: float = 1.0
    vent_length: float = 1.0
    ejection_delay: float = 0.0
    wall_fraction: float = 0.0
    ejecta_capacity: float = 0.0
    vaporised_fraction: float | None = None
    boiling_time: float = 0.0
    vent_reference: str = "mouth"
    dry_absorption: float = 1.0
    dry_absorption_laser: str = "co2"
    wall_optics: bool = True
    water_temperature: bool = True
    wall_roughness: float = 0.0
    source: str = "uncalibrated"

    def __post_init__(self):
        lo, hi = ABLATION_TEMPERATURE_BOUNDS
        if not lo <= self.ablation_temperature <= hi:
            raise ValueError(f"ablation_temperature {self.ablation_temperature:g} K outside its literature bounds "
                             f"[{lo:g}, {hi:g}] K")
        for name in ("near_fraction", "ejecta_fraction", "wall_fraction"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be a fraction, got {getattr(self, name)!r}")
        if not (self.ejecta_capacity >= 0 and math.isfinite(self.ejecta_capacity)):
            raise ValueError(f"ejecta_capacity must be a non-negative energy per mass, got {self.ejecta_capacity!r}")
        if self.vaporised_fraction is not None and not 0.0 <= self.vaporised_fraction <= 1.0:
            raise ValueError(f"vaporised_fraction must be a fraction or None, got {self.vaporised_fraction!r}")
        if not self.boiling_time >= 0:
            raise ValueError(f"boiling_time must be a non-negative time, got {self.boiling_time!r}")
        if self.boiling_time > 0 and self.vaporised_fraction is None:
            raise ValueError("boiling_time > 0 needs the vaporised_fraction f_v of the superheated path")
        for name in ("acceleration_length", "vent_length"):
            if not (getattr(self, name) >= 0 and math.isfinite(getattr(self, name))):
                raise ValueError(f"{name} must be a non-negative number of radii, got {getattr(self, name)!r}")
        if self.vent_reference not in VENT_REFERENCES:
            raise ValueError(f"vent_reference must be one of {', '.join(VENT_REFERENCES)}, got {self.vent_reference!r}")
        if not 0.0 <= self.dry_absorption <= 1.0:
            raise ValueError(f"dry_absorption must be a ratio in [0, 1], got {self.dry_absorption!r}")
        if self.dry_absorption_laser not in ("co2", "eryag"):
            raise ValueError(f"dry_absorption_laser must be 'co2' or 'eryag' (a beam absorbed in columns), "
                             f"got {self.dry_absorption_laser!r}")
        for name in ("wall_optics", "water_temperature"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        lo, hi = WALL_ROUGHNESS_BOUNDS
        if not (math.isfinite(self.wall_roughness) and (self.wall_roughness == 0.0 or lo <= self.wall_roughness <= hi)):
            raise ValueError(f"wall_roughness must be 0 (smooth) or within [{lo:g}, {hi:g}] m, got {self.wall_roughness!r}")
        if not self.ejection_delay >= 0:
            raise ValueError(f"ejection_delay must not be negative, got {self.ejection_delay!r}")

    # Names the stage-1 report (report/html.py) reads; the plume is no longer an irradiance
    # law and the walls are no longer held at 100 °C. Kept until the report lists
    # :func:`parameter_rows` instead.
    @property
    def plume_irradiance(self) -> float:
        """Legacy: no irradiance-scale plume law any more (∞)."""
        return math.inf

    @property
    def condensation_time(self) -> float:
        """Legacy: the walls are not held at 100 °C after the pulse (0 s)."""
        return 0.0

    def parameter_rows(self) -> list[tuple[str, str, str, str]]:
        """(name, value, kind, source) rows for a report's parameter table."""
        return [
            ("mtz.ablation_temperature", f"{self.ablation_temperature - ZERO_CELSIUS:.4g} °C", "model", self.source),
            ("mtz.vaporised_fraction", "boiling at 100 °C" if self.vaporised_fraction is None
             else f"{self.vaporised_fraction:.3g}", "model", self.source),
            ("mtz.boiling_time", f"{self.boiling_time * 1e3:.3g} ms" if self.boiling_time else "0 (equilibrium boiling)",
             "model" if self.boiling_time else "assumption",
             self.source if self.boiling_time else "0: not in the calibrated model (docs/mtz_calibration_notes.md, the "
             "boiling-time probe)"),
            ("mtz.plume_near_fraction", f"{self.near_fraction:.3g}", "model", self.source),
            ("mtz.plume_ejecta_fraction", f"{self.ejecta_fraction:.3g}", "model", self.source),
            ("mtz.plume_wall_fraction", f"{self.wall_fraction:.3g}", "model" if self.wall_fraction else "assumption",
             self.source if self.wall_fraction else "0: not identified by the calibration data (docs/mtz_calibration_notes.md)"),
            ("mtz.plume_acceleration_length", f"{self.acceleration_length:.3g} w0", "assumption",
             "flow out of a channel reaches its exit speed within about one radius"),
            ("mtz.plume_vent_length", f"{self.vent_length:.3g} " + ("mouth radii" if self.vent_reference == "mouth"
                                                                   else "w0"), "assumption",
             "ejecta spread freely within about one radius of the crater mouth"),
            ("mtz.ejection_delay", f"{self.ejection_delay:.3g} s", "assumption", "0 for ms pulses"),
            ("mtz.ejecta_capacity", f"{self.ejecta_capacity / 1e6:.3g} MJ/kg" if self.ejecta_capacity else "no limit",
             "model" if self.ejecta_capacity else "assumption",
             self.source if self.ejecta_capacity else "0: the plume is not held to what its ejecta can absorb "
             "(docs/mtz_calibration_notes.md)"),
            (f"mtz.dry_absorption_{self.dry_absorption_laser}", f"{self.dry_absorption:.3g}",
             "model" if self.dry_absorption < 1.0 else "assumption",
             self.source if self.dry_absorption < 1.0 else "1: a desiccated cell absorbs as wet tissue"),
            ("mtz.wall_optics", "traced" if self.wall_optics else "normal incidence", "assumption",
             "specular Fresnel reflection at the crater walls, traced geometrically" if self.wall_optics
             else "flat-surface Fresnel loss only: the traced mirror walls guide too much light down the channel "
             "(refit chi2 70.9 vs 4.57, docs/mtz_calibration_notes.md)"),
            ("mtz.wall_roughness", f"{self.wall_roughness * 1e6:.3g} um", "model" if self.wall_roughness else "assumption",
             self.source if self.wall_roughness else "0: optically smooth walls"),
            ("mtz.water_temperature", "µa(T) at 2.94 um" if self.water_temperature else "25 °C µa", "model"
             if self.water_temperature else "assumption", "Rottgers2014 (-0.48 %/K of the 25 °C value at 2.94 um; "
             "0-30 °C measured, carried to 100 °C: assumption)" if self.water_temperature
             else "room-temperature absorption at every temperature"),
        ]

    def dry_absorption_for(self, laser: str) -> float:
        """κ of a laser (:attr:`dry_absorption` for ``dry_absorption_laser``, 1 for any other)."""
        return self.dry_absorption if laser == self.dry_absorption_laser else 1.0


@lru_cache(maxsize=1)
def calibration_record() -> dict:
    """The fitted parameters with their uncertainty (params/data/mtz_calibration.json); {} if none."""
    try:
        return tables.load_json("mtz_calibration.json")
    except FileNotFoundError:
        return {}


#: The parameters :mod:`mtzsim.verify.calibration` fits (the names of a record's ``parameters``): name →
#: (the :class:`LossModel` field it sets, the field's value from the fitted one). Fractions, κ and σ are
#: fitted as log10 (σ in µm), which keeps them positive.
FITTED_PARAMETERS = {
    "log10_near_fraction": ("near_fraction", lambda v: 10.0 ** v),
    "log10_ejecta_fraction": ("ejecta_fraction", lambda v: 10.0 ** v),
    "vaporised_fraction": ("vaporised_fraction", float),
    "log10_dry_absorption_co2": ("dry_absorption", lambda v: 10.0 ** v),
    "log10_wall_roughness_um": ("wall_roughness", lambda v: 1e-6 * 10.0 ** v),
    "wall_fraction": ("wall_fraction", float),
    "vent_length_w0": ("vent_length", float),
    "log10_ejecta_capacity_mj_per_kg": ("ejecta_capacity", lambda v: 1e6 * 10.0 ** v),
    "log10_boiling_time_ms": ("boiling_time", lambda v: 1e-3 * 10.0 ** v),
}


def ejecta_gasification_bound(layer, ablation_temperature: float) -> tuple[float, float]:
    """What one kg of tissue of ``layer`` ejected at ``ablation_temperature`` [K] can absorb before it is gasified [J/kg].

    (low, high) = w L + (1 − w) (c_dry (T_end − T_abl) + h_pyr), w the layer's water fraction, L water's latent
    heat, c_dry the dry matrix's heat capacity, T_end the temperature where pyrolysis of the matrix is counted
    complete (assumption), h_pyr the heat of pyrolysis, low and high (constants.csv; module docstring, "What the
    ejecta can absorb"). The bound of :attr:`LossModel.ejecta_capacity`.
    """
    from mtzsim.physics.tissue import constants

    v = constants()
    w = float(layer.water_fraction)
    heat = v["dry_matrix_specific_heat"] * max(v["pyrolysis_end_temperature"] - float(ablation_temperature), 0.0)
    return tuple(w * v["water_latent_heat"] + (1.0 - w) * (heat + v[k])
                 for k in ("pyrolysis_heat_low", "pyrolysis_heat_high"))


def fitted_fields(values) -> dict:
    """:class:`LossModel` keywords of fitted parameter values (name → value, :data:`FITTED_PARAMETERS`);
    names that set no field are left out."""
    return {FITTED_PARAMETERS[k][0]: FITTED_PARAMETERS[k][1](float(v)) for k, v in values.items()
            if k in FITTED_PARAMETERS}


#: Fitted parameter values that replace the record's in :func:`default_loss_model` (name → value), or None.
#: Set only through :func:`use_fitted_parameters`, in a worker process that runs the models at one point of
#: the calibration's uncertainty (:func:`mtzsim.verify.validation.parameter_bands`).
_FITTED_OVERRIDE: dict | None = None


def use_fitted_parameters(values: dict | None) -> None:
    """Make :func:`default_loss_model` use these fitted values instead of the record's, in this process.

    For a process that evaluates the models at one point of the calibration's uncertainty (the
    in-process caches of earlier results would otherwise mix the points: call it first, in a fresh
    process). ``values``: name → value of :data:`FITTED_PARAMETERS`, the record's names; None restores
    the record.

    Raises
    ------
    ValueError
        A name that is not one of the record's fitted parameters.
    """
    global _FITTED_OVERRIDE
    if values is not None:
        unknown = sorted(set(values) - set(calibration_record().get("parameters", {})))
        if unknown:
            raise ValueError(f"not fitted parameters of data/mtz_calibration.json: {', '.join(unknown)}")
        values = {k: float(v) for k, v in values.items()}
    _FITTED_OVERRIDE = values


def default_loss_model() -> LossModel:
    """The calibrated model (``mtzsim calibrate`` fits it), or the uncalibrated one if no record.

    The record's fixed settings, overridden by its fitted parameters (:func:`fitted_fields`), or by the
    values :func:`use_fitted_parameters` set in this process.
    """
    rec = calibration_record()
    p = rec.get("parameters", {})
    if "log10_near_fraction" not in p:
        return LossModel(source="uncalibrated: no ablation-temperature fit in data/mtz_calibration.json")
    fixed = rec["fixed"]
    kw = dict(ablation_temperature=fixed["ablation_temperature_k"], ejection_delay=fixed["ejection_delay_s"],
              wall_fraction=fixed.get("wall_fraction", 0.0), ejecta_capacity=fixed.get("ejecta_capacity_j_per_kg", 0.0),
              boiling_time=fixed.get("boiling_time_s", 0.0),
              vent_length=fixed.get("vent_length", fixed.get("vent_length_w0", 1.0)),
              vent_reference=fixed.get("vent_reference", "beam"), dry_absorption=fixed.get("dry_absorption_co2", 1.0),
              wall_optics=bool(fixed.get("wall_optics", True)),
              source=f"fitted by `mtzsim calibrate` (least squares) to mtz_co2_calibration.csv ({rec.get('date', '')}); "
              "data/mtz_calibration.json")
    values = {name: entry["value"] for name, entry in p.items()}
    if _FITTED_OVERRIDE is not None:
        values.update(_FITTED_OVERRIDE)
        kw["source"] = f"{kw['source']}, at {', '.join(f'{k} = {v:.4g}' for k, v in _FITTED_OVERRIDE.items())}"
    kw.update(fitted_fields(values))
    return LossModel(**kw)
