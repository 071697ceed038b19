"""Held-out MTZ validation cases from the literature beyond the calibration data: H&E depths at a stated energy and spot.

:func:`register` adds each row of ``params/data/mtz_literature_validation.csv`` whose ``role`` is
``held_out`` to :data:`mtzsim.verify.validation.CASES` under the model ``mtz``, never fitted:
no calibration reads this table (``mtzsim calibrate`` fits the mtz_co2_calibration.csv rows copied
into params/data/validation_cases.csv and the CW rows only; tests/test_literature_cases.py holds the
two apart). Rows whose ``role`` is ``sanity`` (a measurement without the energy or spot needed to
build a beam) stay in the table as ranges or quoted qualitative statements.

The model side: :func:`mtzsim.physics.mtz.simulate_mtz` on ``make_beam(laser, energy, spot)``,
H&E view with Marqa & Mordon's shrinkage correction (:func:`mtzsim.physics.histology.histology_view`:
depth / 1.21, width / 1.12). Where the source states no pulse, the laser's default regime is used
(``mtzsim.physics.laser.DEFAULT_PEAK_POWER`` / ``DEFAULT_PULSE``: 30 W for CO2, 250 µs for
Er:YAG, 30 W for 1.55 µm (the Fraxel's rated power, RahmanAlamDover); params/data/pulse_regimes.csv gives the ranges); where it states
no spot, the spot of the laser's device preset (:data:`PRESET_FOR_LASER`). Each case's note says
which of these it assumes. One MTZ per (laser, energy, spot, pulse), cached.

The rows so far (searched 2026-11-30, see the table's ``location`` column): the eCO2 300 µm tip
sweep end points (100 and 180 mJ; ablation and total coagulation depth) of the same abstract whose
120 and 1000 µm tip rows are in the calibration data: a spot between the two calibrated tips.

Search of 2026-12-01 (issue 8 item 7; queries and results in the branch's report): residual thermal
damage of CO2 10.6 µm vs pulse duration, fractional CO2 depth per energy (UltraPulse, Fraxel re:pair,
SmartXide DOT, Hantash's ex vivo paper), fractional Er:YAG and 1.55 µm per energy. The retrieved pages
(abstracts and reviews) state few µm values at a beam that can be built: three held-out rows, the
laser channel depths of an ablative fractional CO2 sweep in swine (37, 190, 380 mJ per channel:
~300, ~1400, ~2100 µm; doi:10.1002/lsm.22102; spot and pulse not stated, the preset's 120 µm and
30 W assumed). Seven ``sanity`` rows record what they do state about the ``residual_damage`` quantity:
a pig-skin study of pulse duration (0.25–10 ms: more thermal damage above 1 ms), Reinisch 1997 (100 µs pulsed
< CW), Green 1992 (85 ± 15 µm under pulsed-CO2 middermal wounds in swine, pulse not stated),
Wheeland 1990 (superpulse: two-thirds less edge necrosis than CW), a 5 µs vs 0.2 s CW incision
study, and two reviews' CW ranges (0.2–2 mm, 0.5–1 mm); one more (Kist, fractional Er:YAG) records
that a device's nominal depth setting is not a measured depth, one (a swine PDT study) gives ~1850 µm
channels from stacked 3 ms, 91.6 mJ pulses (a 30.5 W peak power), one (fractional Er:YAG, porcine skin)
says the pulse duration sets the extent of thermal alteration and the energy the depth, and two
(fractional Er:YAG stacked pulses) give a 6–47 µm coagulation lining and depth growing with the
logarithm of the total energy, the lining with the total energy; one (Deep FX in vivo) finds
15 mJ double pulses as deep as 30 mJ single pulses in the face; one gives the 1,540 nm Lux1540
half (425–525 µm at 15 and 30 mJ, Yucatan pig) of the FiberFraxel2008 abstract. A sanity row with an empty
``measured_um`` is qualitative (its note quotes the statement).

References
----------
.. [1] eCO2SpotSize: Depth of eCO2 fractional resurfacing with 3 different spot sizes on facial skin
   in vivo (Lutronic eCO2; abstract). params/data/references.csv.
.. [2] Marqa MF, Mordon S. J Cosmet Laser Ther 16 (2014) 57–65 (shrinkage correction).
.. [3] CO2PulseDurationPigSkin, Reinisch1997, Green1992, Wheeland1990, HeatTemplatesCO2, Campolmi2012,
   SkinDiseaseCare, Walsh1989CW, KistErYAGFractional, AFXLChannelDepthSwine, AFXLStackedPDTSwine,
   FractionalErYAGDeliveryPulseDuration, AFXLErYAGMethotrexate, MTXLaserDeliveryThesis2016,
   OniDeepFXDoublePulse, FiberFraxel2008:
   params/data/references.csv.
"""

from __future__ import annotations

from functools import lru_cache

from mtzsim.params import tables

#: Device preset whose spot stands in where a row states none (params/presets.py DEVICES).
PRESET_FOR_LASER = {
    "co2": "deep-fractional-co2-120um",
    "eryag": "fractional-eryag-2940nm",
    "erglass": "nonablative-fractional-1550nm",
}

#: Quantity column: a key of :func:`mtzsim.physics.histology.histology_view`, or ``residual_damage``
#: (H&E coagulation depth − crater depth: the collagen margin under the crater floor; see :func:`quantity_value`).
QUANTITIES = ("ablation_depth", "coagulation_depth", "ablation_diameter", "lesion_width", "residual_damage")

#: Comparison kinds a held-out row may use (those :func:`mtzsim.verify.validation.evaluate` knows).
KINDS = ("two-sided", "greater", "factor")

#: ``role`` values of the table: registered as held-out cases, or kept as a sanity range only.
ROLES = ("held_out", "sanity")


def rows() -> list[dict]:
    """The rows of ``mtz_literature_validation.csv``."""
    return tables.rows("mtz_literature_validation.csv")


def preset_spot(laser: str) -> float:
    """Spot [m] of the laser's device preset (the stand-in where a source states none)."""
    from mtzsim.params.presets import DEVICES
    from mtzsim.units import parse_quantity

    return parse_quantity(DEVICES[PRESET_FOR_LASER[laser]].settings["spot"], "length", "spot")


def beam_inputs(row: dict) -> tuple[dict, list[str]]:
    """``make_beam`` keywords [SI] of a held-out row, and the assumptions made for what it does not state.

    Raises
    ------
    ValueError
        A row without an energy, or with an unknown laser or quantity.
    """
    laser = row["laser"]
    if laser not in PRESET_FOR_LASER:
        raise ValueError(f"mtz_literature_validation.csv: unknown laser {laser!r} in row {row['key']!r}")
    if row["quantity"] not in QUANTITIES:
        raise ValueError(f"mtz_literature_validation.csv: unknown quantity {row['quantity']!r} in row {row['key']!r}")
    if not row["energy_mj"]:
        raise ValueError(f"mtz_literature_validation.csv: held-out row {row['key']!r} needs an energy")
    assumed = []
    kw = {"energy": float(row["energy_mj"]) * 1e-3}
    if row["spot_um"]:
        kw["spot_diameter"] = float(row["spot_um"]) * 1e-6
    else:
        kw["spot_diameter"] = preset_spot(laser)
        assumed.append(f"spot not stated: {kw['spot_diameter'] * 1e6:g} um of the {PRESET_FOR_LASER[laser]} preset")
    if row["peak_power_w"]:
        kw["peak_power"] = float(row["peak_power_w"])
    elif row["pulse_duration_us"]:
        kw["pulse_duration"] = float(row["pulse_duration_us"]) * 1e-6
    else:
        from mtzsim.physics.laser import DEFAULT_PEAK_POWER, DEFAULT_PULSE

        if laser in DEFAULT_PEAK_POWER:
            assumed.append(f"pulse not stated: peak power {DEFAULT_PEAK_POWER[laser]:g} W (laser default)")
        else:
            assumed.append(f"pulse not stated: {DEFAULT_PULSE[laser] * 1e6:g} us (laser default)")
    return kw, assumed


@lru_cache(maxsize=None)
def _histology(laser: str, energy: float, spot: float, peak_power: float | None, pulse: float | None) -> dict:
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import histology_view, simulate_mtz

    return histology_view(simulate_mtz(make_beam(laser, energy=energy, spot_diameter=spot, peak_power=peak_power,
                                                 pulse_duration=pulse)))


def quantity_value(hist: dict, quantity: str) -> float:
    """A row's quantity [m] from a :func:`~mtzsim.physics.histology.histology_view` dict.

    ``residual_damage`` is the residual thermal damage of the ablation literature (Walsh 1989; Green
    1992): the coagulated margin below the crater, ``coagulation_depth - ablation_depth``, both the
    deepest points of their H&E edges (on the beam axis for a Gaussian beam; the whole coagulation
    depth where no crater forms). The other quantities are the dict's own keys.

    Raises
    ------
    ValueError
        An unknown quantity.
    """
    if quantity == "residual_damage":
        return hist["coagulation_depth"] - hist["ablation_depth"]
    if quantity not in QUANTITIES:
        raise ValueError(f"unknown MTZ literature quantity {quantity!r}; choose one of {', '.join(QUANTITIES)}")
    return hist[quantity]


def case_name(row: dict) -> str:
    """Name of a row's case in ``mtzsim validate``."""
    spot = f"{row['spot_um']} um" if row["spot_um"] else "preset spot"
    return f"{row['source']} {row['laser']} {spot} {row['energy_mj']} mJ: H&E {row['quantity'].replace('_', ' ')}"


def register() -> None:
    """Add the held-out literature cases (once: a registry that already holds them is left as it is).

    Raises
    ------
    ValueError
        A row with an unknown role, laser, quantity or kind, or a held-out row without an energy.
    """
    from mtzsim.verify.validation import CASES, case

    have = {c.name for c in CASES}
    for row in rows():
        if row["role"] not in ROLES:
            raise ValueError(f"mtz_literature_validation.csv: unknown role {row['role']!r} in row {row['key']!r}")
        if row["role"] != "held_out":
            continue
        if row["kind"] not in KINDS:
            raise ValueError(f"mtz_literature_validation.csv: held-out row {row['key']!r} has kind {row['kind']!r}; "
                             f"choose one of {', '.join(KINDS)}")
        name = case_name(row)
        if name in have:
            continue
        kw, assumed = beam_inputs(row)
        parts = [row["note"], f"source location: {row['location']}", f"tolerance: {row['tolerance_reason']}"]
        if assumed:
            parts.insert(1, "assumed: " + "; ".join(assumed))
        args = (row["laser"], kw["energy"], kw["spot_diameter"], kw.get("peak_power"), kw.get("pulse_duration"))
        case(name=name, model="mtz", quantity=f"{row['quantity'].replace('_', ' ')} (histology)", unit="um",
             measured=float(row["measured_um"]), tolerance=float(row["tolerance"]), source=row["source"],
             kind=row["kind"], fitted=False, note="; ".join(parts))(
            lambda a=args, q=row["quantity"]: quantity_value(_histology(*a), q) * 1e6)


__all__ = ["KINDS", "PRESET_FOR_LASER", "QUANTITIES", "ROLES", "beam_inputs", "case_name", "preset_spot",
           "quantity_value", "register", "rows"]
