"""Ablation and plume model of one microbeam: ablation temperature and shielding by the ejected mass.

Two mechanisms, each with its own physics and one bounded parameter:

* **Ablation temperature** T_abl: skin is a matrix-continuous tissue; its collagen matrix holds
  the vapour until the desiccated matrix is superheated and ruptures explosively, so tissue
  is ejected well above 100 °C (Welch et al. 1991: superheated tissue, subsurface temperature
  maximum; Vogel & Venugopalan 2003, sec. V.F). Bounds: 100 °C (water boils at 1 atm) to
  400 °C (Choi et al. 1999: radiometric surface temperatures approaching 400 °C during CO2
  skin resurfacing). A cell is ejected once its enthalpy reaches
  H_abl = ρc (T_boil − T_body) + ρ_w L + ρc_dry (T_abl − T_boil). Cells that dry out but
  stay below H_abl form the hot desiccated layer on the crater wall and floor (the eschar of
  Hantash 2007).
* **Plume shielding**: ejecta still in the beam path absorb the beam with the tissue's own
  absorption per mass: τ = f κ_λ M / (π w0²), κ_λ = µa(λ)/ρ of the dermis, M the mass ejected
  within the clearing time t_c = (crater depth + w0) / v_ej (the channel and the first beam
  radius of the jet above the mouth), f the condensed (droplet/fragment) fraction of the
  ejecta — vapour absorbs negligibly next to liquid water at 10.6 and 2.94 µm. It depends on
  the wavelength (κ_λ), the geometry (channel depth, beam area) and the ejected mass, and it
  is zero for a laser that ablates nothing (M = 0).

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
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from mtzsim.constants import T_BOIL

#: Literature bounds of the ablation temperature [K]: boiling at 1 atm; Choi et al. 1999's
#: highest radiometric surface temperature during CO2 resurfacing (≈ 400 °C).
ABLATION_TEMPERATURE_BOUNDS = (T_BOIL, 673.15)
#: Bounds of the condensed fraction of the ejecta [-] (a fraction).
CONDENSED_FRACTION_BOUNDS = (0.0, 1.0)
#: Speed at which ejecta clear the beam path [m/s]. Assumption: of the order of the ejecta
#: speeds of free-running (µs–ms) IR ablation plumes, tens of m/s (Vogel & Venugopalan 2003,
#: sec. VI.A.2 describe µs-pulse plumes); only the ratio f / v_ej enters a long pulse, so the
#: calibration fits f and this speed fixes its scale.
EJECTA_SPEED = 20.0


@dataclass(frozen=True)
class LossModel:
    """Ablation and plume parameters of :func:`mtzsim.physics.mtz.simulate_mtz` (SI).

    Parameters
    ----------
    ablation_temperature : float
        T_abl [K]: temperature of the desiccated matrix at ejection.
    condensed_fraction : float
        f [-]: fraction of the ejected mass that absorbs like tissue (droplets, fragments);
        0 switches plume shielding off.
    ejecta_speed : float
        v_ej [m/s]: speed at which the ejecta clear the beam path.
    ejection_delay : float
        [s] from a cell reaching H_abl to its removal. Assumption: 0 for ms pulses (ejection
        takes ~µs, ≪ the pulse); set it longer than the pulse for blow-off (thermally
        confined) pulses.
    source : str
        Where the numbers come from.
    """

    ablation_temperature: float = T_BOIL
    condensed_fraction: float = 0.0
    ejecta_speed: float = EJECTA_SPEED
    ejection_delay: float = 0.0
    source: str = "uncalibrated"

    def __post_init__(self):
        lo, hi = ABLATION_TEMPERATURE_BOUNDS
        if not lo <= self.ablation_temperature <= hi:
            raise ValueError(f"ablation_temperature {self.ablation_temperature:g} K outside its literature bounds "
                             f"[{lo:g}, {hi:g}] K")
        if not 0.0 <= self.condensed_fraction <= 1.0:
            raise ValueError(f"condensed_fraction must be a fraction, got {self.condensed_fraction!r}")
        if not (self.ejecta_speed > 0 and math.isfinite(self.ejecta_speed)):
            raise ValueError(f"ejecta_speed must be a positive speed, got {self.ejecta_speed!r}")
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
    def wall_fraction(self) -> float:
        """Legacy: no plume heat is returned to the walls (0)."""
        return 0.0

    @property
    def condensation_time(self) -> float:
        """Legacy: the walls are not held at 100 °C after the pulse (0 s)."""
        return 0.0

    def parameter_rows(self) -> list[tuple[str, str, str, str]]:
        """(name, value, kind, source) rows for a report's parameter table."""
        return [
            ("mtz.ablation_temperature", f"{self.ablation_temperature - 273.15:.4g} °C", "model", self.source),
            ("mtz.plume_condensed_fraction", f"{self.condensed_fraction:.3g}", "model", self.source),
            ("mtz.ejecta_speed", f"{self.ejecta_speed:.3g} m/s", "assumption", "EJECTA_SPEED (physics/mtz/losses.py)"),
            ("mtz.ejection_delay", f"{self.ejection_delay:.3g} s", "assumption", "0 for ms pulses"),
        ]


@lru_cache(maxsize=1)
def calibration_record() -> dict:
    """The fitted parameters with their uncertainty (params/data/mtz_calibration.json); {} if none."""
    try:
        text = resources.files("mtzsim.params.data").joinpath("mtz_calibration.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return json.loads(text)


def default_loss_model() -> LossModel:
    """The calibrated model (``mtzsim calibrate`` fits it), or the uncalibrated one if no record."""
    rec = calibration_record()
    p = rec.get("parameters", {})
    if "ablation_temperature_k" not in p:
        return LossModel(source="uncalibrated: no ablation-temperature fit in data/mtz_calibration.json")
    return LossModel(
        ablation_temperature=p["ablation_temperature_k"]["value"],
        condensed_fraction=p["condensed_fraction"]["value"],
        ejecta_speed=rec["fixed"]["ejecta_speed_m_per_s"],
        ejection_delay=rec["fixed"]["ejection_delay_s"],
        source=f"fitted by `mtzsim calibrate` (least squares) to mtz_co2_calibration.csv ({rec.get('date', '')}); "
        "data/mtz_calibration.json",
    )
