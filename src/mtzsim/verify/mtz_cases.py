"""Single-MTZ validation cases beyond the calibration rows: leave-one-out, held-out Er:YAG data, the CO2 threshold.

:func:`register` adds them to :data:`mtzsim.verify.validation.CASES` (``mtzsim validate`` lists
them under the model ``mtz``):

* held out: the calibration rows the fit leaves out (the 1000 µm tip, see
  :data:`mtzsim.verify.calibration.HELD_OUT`), predicted at the optimum;
* leave-one-out: each calibration number predicted by the fit without it (read from the
  calibration record, where ``mtzsim calibrate`` stored the refits; not fitted to that number);
* residual thermal damage below a CW CO2 crater (Walsh et al. 1989, 100 ± 15 µm; the scanned-CW
  porcine study of 1997, ~120 µm), each at two assumed exposures
  (:data:`mtzsim.verify.calibration.CW_EXPOSURES`): fitted when the adopted calibration record
  fitted the row, held out otherwise;
* held out (never fitted): Walsh et al. 1989's heat of ablation of a CW CO2 cut, 4.8 kJ/cm³ (mass loss), as the
  incident energy per ablated volume at the same two assumed exposures
  (:func:`mtzsim.verify.calibration.cw_heat_of_ablation`, ±35 %): the bound on what the plume, the walls and
  conduction together take from a CW beam;
* held out (never fitted): Walsh & Deutsch 1989's 540 µg/J specific ablation of skin by Er:YAG
  (±25 %, issue 8) and Hibst & Kaufmann 1991's ≈ 6 µm per J/cm² Er:YAG depth slope (±35 %).
  The slope is the axis depth per the fluence that reaches the axis, 2 E / (π w0²) for the model's
  Gaussian beam: a depth–fluence law relates the depth at a point to the local fluence there, and
  the abstract states neither the spot nor the profile (eryag_ablation.csv). For a uniform beam
  the two readings coincide; dividing the axis depth of a Gaussian beam by its mean fluence
  E / (π w0²) doubles the slope. Walsh & Deutsch's 540 µg/J gives the same local slope, about
  5 µm per J/cm² at a tissue density near 1.1 g/cm³. Measured 2026-11-30 with the plume venting
  at the crater's mouth: 4.58 µm per J/cm² (−24 %); per mean fluence 9.17 (+53 %). Until
  2026-11-30 the case used the mean fluence and read 7.33 (+22 %) with the vent at one beam radius,
  only because the 16 J/cm² crater was then shielded, which bent the depth–fluence law away from
  the linear one Hibst & Kaufmann measured (tests/test_mtz_trends.py).
* held out (never fitted): the clinical CO2 ablation threshold, ~5 J/cm² for pulses under ~1 ms (a rule of
  thumb of reliability C, :data:`CO2_THRESHOLD`), found by :func:`ablation_threshold_fluence`.
* held out (never fitted): the 1.54 µm minimum-visible-lesion ED50 of porcine skin in vivo at 24 h
  (params/data/erglass_visible_lesion_thresholds.csv: 20 / 8.1 / 7.4 J/cm² for 600 µs pulses on 0.7 / 1 / 5 mm
  spots, 6.1 J/cm² for a 31 ns pulse on a 5 mm top-hat), found by :func:`necrosis_threshold_fluence`: the
  wide-beam, sub-ablative regime of the 1.55 µm engine (Monte Carlo light, no crater), and how the threshold
  depends on the spot.

References
----------
.. [1] Walsh JT Jr, Deutsch TF. Lasers Surg Med 9 (1989) 327–337. doi:10.1002/lsm.1900090404
.. [2] Hibst R, Kaufmann R. Effects of laser parameters on pulsed Er-YAG laser skin ablation.
   Lasers Med Sci 6 (1991) 391–397. doi:10.1007/BF02042461
.. [3] SkinDiseaseCare (textbook excerpt "Ablative laser skin resurfacing") and SknClinics (a clinic page that
   attributes the ~5 J/cm² threshold to R. R. Anderson): params/data/references.csv.
.. [4] Visible lesion thresholds with pulse duration, spot size dependency, and model predictions for 1.54-µm,
   near-infrared laser pulses penetrating porcine skin. J Biomed Opt 11 (2006) 024001 (MVL1540Porcine2006).
.. [5] Henriques FC Jr. Studies of thermal injury V (1947): the transepidermal-necrosis integral
   (params/data/arrhenius.csv ``skin_necrosis``), fitted to Moritz & Henriques' threshold burns.
"""

from __future__ import annotations

import math
from functools import lru_cache



@lru_cache(maxsize=None)
def _eryag(fluence: float):
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import Numerics, simulate_mtz

    return simulate_mtz(make_beam("eryag", fluence=fluence, spot_diameter=250e-6),
                        numerics=Numerics(cell=2e-6, cooling_time=0.3))


def ablation_threshold_fluence(laser: str, spot: float, pulse_duration: float, *, losses=None, tissue="face",
                               numerics=None, rtol: float = 0.01) -> float:
    """Lowest mean fluence E / (π w0²) [J/m²] of one pulse that ejects tissue (a crater deeper than 0).

    Bisection in log energy between a pulse that ablates nothing and one that ablates, to a relative
    width ``rtol``; returns the upper end (the lowest energy tried that ablates). The mean over the 1/e²
    spot is the clinical "energy density" (energy / spot area); a Gaussian beam's centre carries twice it.

    Raises
    ------
    ValueError
        No ablation at 100 J/cm² mean fluence, or ablation already at 0.01 J/cm².
    """
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import simulate_mtz

    area = math.pi * (0.5 * spot) ** 2

    def ablates(fluence):
        beam = make_beam(laser, energy=fluence * area, spot_diameter=spot, pulse_duration=pulse_duration)
        return simulate_mtz(beam, losses=losses, tissue=tissue, numerics=numerics).ablation_depth > 0

    return lowest_fluence(ablates, (1e2, 1e6), rtol,  # 0.01 and 100 J/cm²
                          f"no ablation threshold of {laser} between 0.01 and 100 J/cm2 "
                          f"({spot*1e6:g} um spot, {pulse_duration*1e6:g} us pulse)")


def lowest_fluence(effect, bracket, rtol: float, message: str) -> float:
    """Lowest fluence [J/m²] at which ``effect(fluence)`` holds, by bisection in the logarithm inside ``bracket``.

    Stops when the interval's relative width is ``rtol`` and returns its upper end (the lowest fluence tried
    that gives the effect). ``effect`` must be monotone: false below a threshold, true above it.

    Raises
    ------
    ValueError
        ``message``, when the effect already holds at the bottom of the bracket or not at its top.
    """
    lo, hi = bracket
    if effect(lo) or not effect(hi):
        raise ValueError(message)
    while hi / lo > 1.0 + rtol:
        mid = math.sqrt(lo * hi)
        if effect(mid):
            hi = mid
        else:
            lo = mid
    return hi


#: Radius [m] of the central disk of the basal layer whose Henriques integral decides a visible lesion: the median
#: over its cells, so that the Monte Carlo noise of the few smallest cells on the axis does not (assumption: 50 µm,
#: five 10 µm cells, a tenth of the narrowest spot of the data).
NECROSIS_DISK = 50e-6


def basal_necrosis(result, tissue="face", radius: float = NECROSIS_DISK) -> float:
    """Henriques' transepidermal-necrosis integral Ω at the basal layer under the beam's centre [-].

    The median of Ω (``skin_necrosis``, :mod:`mtzsim.physics.damage`) over the cells of the last row of
    the viable epidermis (the row whose centre lies just above the dermo-epidermal junction) within
    ``radius`` of the axis. Ω ≥ 1 there is transepidermal necrosis, Moritz & Henriques' endpoint of
    a visible burn.
    """
    import numpy as np

    from mtzsim.physics.tissue import get_tissue

    ds = result.dataset
    if ds is None or "omega_skin_necrosis" not in ds:
        raise ValueError("the MTZ result carries no skin-necrosis field (dataset missing)")
    junction = get_tissue(tissue).dermis_top
    z = ds["z"].values
    above = np.flatnonzero(z < junction)
    if above.size == 0:
        raise ValueError(f"the grid has no cell above the dermo-epidermal junction ({junction*1e6:g} um)")
    r = ds["r"].values
    inner = r <= max(radius, r[0])
    omega = ds["omega_skin_necrosis"].values[inner, above[-1]]
    return float(np.median(omega))


def necrosis_threshold_fluence(laser: str, spot: float, pulse_duration: float, *, profile: str = "gaussian",
                               tissue="face", numerics=None, rtol: float = 0.05,
                               bracket=(1e4, 1e6)) -> float:
    """Lowest mean fluence E / (π w0²) [J/m²] of one pulse that kills the basal layer under the beam's centre.

    The criterion is :func:`basal_necrosis` ≥ 1 (transepidermal necrosis: a visible lesion). Bisection
    in log energy to a relative width ``rtol`` inside ``bracket`` (default 1–100 J/cm²); returns the
    upper end (the lowest energy tried that injures). For a top-hat the mean fluence is the fluence
    everywhere on the spot; a Gaussian beam's centre carries twice it.

    Raises
    ------
    ValueError
        No necrosis at the top of the bracket, or necrosis already at its bottom.
    """
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import simulate_mtz

    area = math.pi * (0.5 * spot) ** 2

    def injures(fluence):
        beam = make_beam(laser, energy=fluence * area, spot_diameter=spot, pulse_duration=pulse_duration,
                         profile=profile)
        return basal_necrosis(simulate_mtz(beam, tissue=tissue, numerics=numerics), tissue) >= 1.0

    return lowest_fluence(injures, bracket, rtol,
                          f"no necrosis threshold of {laser} between {bracket[0]/1e4:g} and {bracket[1]/1e4:g} J/cm2 "
                          f"({spot*1e6:g} um {profile} spot, {pulse_duration*1e6:g} us pulse)")


def visible_lesion_rows() -> list[dict]:
    """The rows of params/data/erglass_visible_lesion_thresholds.csv (1.54 µm MVL ED50, porcine skin)."""
    from mtzsim.params import tables

    return tables.rows("erglass_visible_lesion_thresholds.csv")


@lru_cache(maxsize=None)
def _visible_lesion_threshold(spot: float, pulse_duration: float, profile: str) -> float:
    return necrosis_threshold_fluence("erglass", spot, pulse_duration, profile=profile)


def _register_visible_lesions(case) -> None:
    for row in visible_lesion_rows():
        if row["role"] != "held_out":
            continue
        spot = float(row["spot_um"]) * 1e-6
        tau = float(row["pulse_duration_us"]) * 1e-6
        prof = row["profile"]
        label = f"{tau*1e3:g} ms" if tau >= 1e-4 else f"{tau*1e9:g} ns"
        case(name=f"1.54 um visible-lesion ED50 (24 h, porcine skin): {label}, {spot*1e3:g} mm {prof}", model="mtz",
             quantity="lowest mean fluence that kills the basal layer", unit="J/cm2",
             measured=float(row["ed50_j_per_cm2"]), tolerance=float(row["tolerance"]), kind=row["kind"],
             source=f"{row['source']} (held out)", fitted=False,
             note=(f"one pulse on the face layers (the data: {row['tissue']}); Henriques' transepidermal-necrosis "
                   f"integral >= 1 at the basal layer (median over r <= {NECROSIS_DISK*1e6:g} um) read as the visible "
                   "lesion; the model's 1.55 um water absorption for 1.54 um; mean fluence E / (pi w0^2), the spot as "
                   f"the 1/e2 diameter; {row['tolerance_reason']}"))(
            lambda s=spot, t=tau, p=prof: _visible_lesion_threshold(s, t, p) / 1e4)


#: The clinical CO2 ablation threshold (SkinDiseaseCare; SknClinics, reliability C, ../shared/data/ablation.csv):
#: "Energy densities of approximately 5 J/cm2 must be applied in order to achieve tissue ablation", with
#: "tissue dwell times shorter than the thermal relaxation time ... (about 1 ms)". Evaluated as one 1 ms pulse on
#: a 3 mm spot (assumption: the full-field preset's scanned spot; the threshold of a wide, thermally confined
#: beam does not depend on the spot) as the mean fluence E / (π w0²); tolerance a factor of 2 (assumption:
#: "approximately", a rule of thumb of reliability C; whether the source means the mean or the peak of the
#: beam is not stated, and the peak is twice the mean for a Gaussian beam).
CO2_THRESHOLD = dict(spot=3e-3, pulse_duration=1e-3, measured=5.0, tolerance=2.0)


@lru_cache(maxsize=None)
def _co2_threshold() -> float:
    c = CO2_THRESHOLD
    return ablation_threshold_fluence("co2", c["spot"], c["pulse_duration"])


@lru_cache(maxsize=None)
def _cw_runs(key: str) -> tuple:
    from mtzsim.verify.calibration import cw_runs

    return cw_runs(key)


def _cw(key: str) -> tuple[float, ...]:
    from mtzsim.verify.calibration import cw_residual_damage

    return cw_residual_damage(key, runs=_cw_runs(key))


#: Name and source of each CW residual-damage row (params/data/mtz_cw_residual_damage.csv).
CW_CASES = {
    "walsh_cw": ("Walsh et al. 1989: residual damage below a CW CO2 cut", "Walsh1989CW (100 +- 15 um above "
                 "13 kW/cm2, guinea-pig skin)"),
    "burn_scanned_cw": ("Scanned CW CO2 1997: residual damage at the crater centre", "JBurnCareRehabil1997 (~120 um, "
                        "porcine dermis, independent of dwell and irradiance)"),
}


def _register_cw(rec: dict, case) -> None:
    """One case per assumed exposure of each CW row (:data:`mtzsim.verify.calibration.CW_EXPOSURES`):
    fitted when the adopted record fitted the row, held out otherwise."""
    from mtzsim.verify.calibration import CW_EXPOSURES, CW_RESIDUAL_DAMAGE, CW_TOLERANCE

    fitted_rows = set(rec.get("predictions_vs_data", {})) - set(rec.get("held_out", []))
    for key, (name, source) in CW_CASES.items():
        for i, (spot, power, dwell) in enumerate(CW_EXPOSURES[key]):
            irr = power / (math.pi * (0.5 * spot * 100.0) ** 2) / 1e3
            case(name=f"{name}, {power:g} W {dwell*1e3:g} ms", model="mtz",
                 quantity="H&E collagen edge below the crater floor", unit="um",
                 measured=CW_RESIDUAL_DAMAGE[key] * 1e6, tolerance=CW_TOLERANCE, source=source,
                 fitted=f"residual_damage_{key}" in fitted_rows,
                 note=f"stationary CW exposure (assumed): {spot*1e6:g} um 1/e2 spot, {power:g} W for {dwell*1e3:g} ms, "
                 f"mean irradiance {irr:.0f} kW/cm2; tolerance as the rows of unreported pulse regime")(
                lambda k=key, j=i: _cw(k)[j] * 1e6)


def _cw_heat(key: str) -> tuple[float, ...]:
    from mtzsim.verify.calibration import cw_heat_of_ablation

    return cw_heat_of_ablation(key, runs=_cw_runs(key))


def _register_cw_heat(case) -> None:
    """Walsh et al. 1989's heat of ablation of a CW CO2 cut (4.8 kJ/cm³, mass loss), held out, at each assumed
    exposure of the Walsh row (:data:`mtzsim.verify.calibration.CW_EXPOSURES`): incident energy over ablated
    volume (:func:`mtzsim.verify.calibration.cw_heat_of_ablation`). It bounds what the plume, the walls and
    conduction take together from a CW beam: with none of them the model's exposure would remove a volume at its
    ablation enthalpy alone."""
    from mtzsim.verify.calibration import CW_EXPOSURES, CW_HEAT_OF_ABLATION, CW_TOLERANCE

    for key, measured in CW_HEAT_OF_ABLATION.items():
        for i, (spot, power, dwell) in enumerate(CW_EXPOSURES[key]):
            case(name=f"Walsh et al. 1989: heat of ablation of a CW CO2 cut, {power:g} W {dwell*1e3:g} ms", model="mtz",
                 quantity="incident energy per ablated volume", unit="kJ/cm3", measured=measured / 1e9,
                 tolerance=CW_TOLERANCE, source=f"Walsh1989CW ({measured / 1e9:g} kJ/cm3 by mass loss, guinea-pig skin, "
                 "0.2-800 kW/cm2; held out)", fitted=False,
                 note=f"stationary CW exposure (assumed, as the residual-damage case): {spot*1e6:g} um 1/e2 spot, "
                 f"{power:g} W for {dwell*1e3:g} ms; Walsh cut with a moving beam, whose kerf is open along the "
                 "cut; tolerance as the rows of unreported pulse regime")(
                lambda k=key, j=i: _cw_heat(k)[j] / 1e9)


def register() -> None:
    """Add the leave-one-out and held-out cases to the validation registry (once: a registry that
    already holds them is left as it is)."""
    from mtzsim.physics.mtz import calibration_record
    from mtzsim.verify.validation import CASES, case

    if any(c.model == "mtz" and c.name.startswith("leave-one-out: ") for c in CASES):
        return

    rec = calibration_record()
    for key, row in rec.get("leave_one_out", {}).items():
        kind = rec["predictions_vs_data"][key]["kind"]
        tol = rec["predictions_vs_data"][key]["tolerance"]
        k = 1.0 if "ratio" in key else 1e6  # shown in µm, as the data table's rows
        case(name=f"leave-one-out: {key}", model="mtz", quantity=key.replace("_", " "), unit="-" if "ratio" in key else "um",
             measured=row["data"] * k, tolerance=0.0 if kind == "greater" else tol, kind=kind,
             source=f"mtz_co2_calibration.csv; refit without this number ({rec.get('date', '')}, coarse grid "
             f"{rec['grid_fit']['cell_m']*1e6:g} um)", fitted=False,
             note="prediction stored by `mtzsim calibrate`")(lambda v=row["model"] * k: v)
    _register_cw(rec, case)
    _register_cw_heat(case)
    # the data table (validation_cases.csv) or the CW cases already list a held-out row with the same
    # measurement: once is enough
    in_table = {(c.unit, round(c.measured, 6)) for c in CASES if c.model == "mtz" and not c.fitted}
    for key in rec.get("held_out", []):
        row = rec["check_predictions_vs_data"].get(key) or rec["predictions_vs_data"][key]
        if ("um", round(row["data"] * 1e6, 6)) in in_table:
            continue
        case(name=f"held out of the fit: {key}", model="mtz", quantity=key.replace("_", " "), unit="um",
             measured=row["data"] * 1e6, tolerance=row["tolerance"], kind=row["kind"],
             source=f"mtz_co2_calibration.csv; predicted by the fit without it ({rec.get('date', '')})", fitted=False,
             note="prediction stored by `mtzsim calibrate` (check grid)")(lambda v=row["model"] * 1e6: v)
    case(name="Walsh & Deutsch 1989: Er:YAG specific ablation of skin, 8 J/cm2", model="mtz",
         quantity="ablated mass per energy", unit="ug/J", measured=540.0, tolerance=0.25,
         source="WalshDeutsch1989 (guinea-pig skin, normal-spiking Er:YAG; held out)", fitted=False,
         note="250 um spot, 250 us pulse (assumed), calibrated plume")(lambda: _eryag(8e4).specific_ablation * 1e9)
    c = CO2_THRESHOLD
    case(name="CO2 ablation threshold, 1 ms pulse (clinical rule of thumb)", model="mtz",
         quantity="lowest mean fluence that ablates", unit="J/cm2", measured=c["measured"], tolerance=c["tolerance"],
         kind="factor", source="SkinDiseaseCare; SknClinics (~5 J/cm2, attributed to R. R. Anderson; reliability C; "
         "held out)", fitted=False,
         note=f"one {c['pulse_duration']*1e3:g} ms pulse on a {c['spot']*1e3:g} mm spot (assumed), mean fluence "
         "E / (pi w0^2); the centre of the Gaussian beam carries twice it; calibrated model")(
        lambda: _co2_threshold() / 1e4)
    case(name="Hibst & Kaufmann 1991: Er:YAG depth per fluence, 4-16 J/cm2", model="mtz",
         quantity="crater depth slope", unit="um/(J/cm2)", measured=6.0, tolerance=0.35,
         source="Hibst1991 Lasers Med Sci 6:391 (about 6 um per J/cm2 at high exposure; held out)", fitted=False,
         note="(d(16) - d(4)) / 24 J/cm2: mean fluences 4 and 16 J/cm2, axis fluence twice that; calibrated plume")(
        lambda: (_eryag(16e4).ablation_depth - _eryag(4e4).ablation_depth) * 1e6 / 24.0)
    _register_visible_lesions(case)
