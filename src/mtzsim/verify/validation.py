"""Literature cases of every model: prediction, measurement, error, tolerance, source.

`mtzsim validate` runs every registered case. A case is a plain function that returns
its prediction in the unit of its measurement; models register their cases with
:func:`case`. A case marked ``fitted`` was used in calibration (shown, but it is not an
independent test); held-out cases are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from mtzsim.errors import ModelDomainError
from mtzsim.params import tables


@dataclass(frozen=True)
class Case:
    name: str
    model: str
    quantity: str
    unit: str
    measured: float
    tolerance: float  # relative, e.g. 0.2 for ±20 % (in the case's unit for kind "absolute")
    source: str
    predict: Callable[[], float]
    kind: str = "two-sided"  # two-sided | greater (measured is a lower bound) | factor (within ×tolerance)
    #                          | absolute (|predicted − measured| ≤ tolerance, in the unit: a difference that should vanish)
    fitted: bool = False
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    case: Case
    predicted: float
    error: float  # relative (predicted − measured)/measured; in the unit for kind "absolute"
    passed: bool

    def to_dict(self) -> dict:
        c = self.case
        return {
            "name": c.name,
            "model": c.model,
            "quantity": c.quantity,
            "unit": c.unit,
            "predicted": self.predicted,
            "measured": c.measured,
            "error": self.error,
            "tolerance": c.tolerance,
            "kind": c.kind,
            "fitted": c.fitted,
            "role": role(c),
            "passed": self.passed,
            "source": c.source,
            "note": c.note,
        }


CASES: list[Case] = []


def case(**kwargs):
    """Decorator: register a prediction function as a validation case."""

    def wrap(fn):
        CASES.append(Case(predict=fn, **kwargs))
        return fn

    return wrap


def evaluate(c: Case) -> Outcome:
    predicted = float(c.predict())
    if c.kind == "absolute":  # error in the case's unit: a relative error of a vanishing difference is undefined
        error = predicted - c.measured
        return Outcome(c, predicted, error, abs(error) <= c.tolerance and math.isfinite(predicted))
    error = (predicted - c.measured) / c.measured
    if c.kind == "greater":
        passed = predicted >= c.measured * (1 - c.tolerance)
    elif c.kind == "factor":
        passed = c.measured / c.tolerance <= predicted <= c.measured * c.tolerance
    else:
        passed = abs(error) <= c.tolerance and math.isfinite(predicted)
    return Outcome(c, predicted, error, passed)


def run_all(models: set[str] | None = None, progress=None) -> list[Outcome]:
    """Evaluate every case (of ``models`` only, when given).

    Raises
    ------
    ValueError
        A model name that has no cases.
    """
    unknown = sorted(set(models or ()) - set(MODELS))
    if unknown:
        raise ValueError(f"no validation cases for model {', '.join(map(repr, unknown))}; "
                         f"known models: {', '.join(MODELS)}")
    _register_stage_cases(models)
    out = []
    for c in CASES:
        if models and c.model not in models:
            continue
        out.append(evaluate(c))
        if progress:
            progress(c)
    return out


def _predictions_at(point: dict, names: frozenset | None = None) -> dict[str, float]:
    """Worker: every MTZ case's prediction (of ``names`` only, when given) with the fitted parameters at ``point``.

    Runs in a fresh process (:func:`parameter_bands`): the case functions cache their runs in-process.
    """
    from mtzsim.physics.mtz.losses import use_fitted_parameters
    from mtzsim.pipeline.sweep import pin_threads

    pin_threads()
    use_fitted_parameters(point)
    return _mtz_predictions(names)


def _mtz_predictions(names: frozenset | None = None) -> dict[str, float]:
    """Every MTZ case's prediction (of ``names`` only, when given) with the fitted parameters in force; +∞ for a case
    whose MTZ outgrows the single-MTZ solver's domain at these parameters (its damage reaches deeper or wider than
    the solver holds, :class:`~mtzsim.errors.ModelDomainError`)."""
    _register_stage_cases({"mtz"})

    def value(c) -> float:
        try:
            return float(c.predict())
        except ModelDomainError:
            return math.inf

    return {c.name: value(c) for c in CASES if c.model == "mtz" and (names is None or c.name in names)}


def parameter_bands(n_sigma: float = 2.0, names=None, workers: int | None = None,
                    progress: Callable[[int, int], None] | None = None) -> dict[str, tuple[float, float]]:
    """Range of each MTZ case's prediction over the MTZ calibration's parameter uncertainty.

    The cases are run at the fitted parameters ± ``n_sigma`` σ along each principal axis of the
    record's covariance (:func:`mtzsim.verify.calibration.sigma_points`; 2σ bounds about 95 % of the
    linearised uncertainty along each axis), each point in its own process (``workers`` at a time,
    default one per core). A measurement outside its band is missed by more than the fit's parameter
    uncertainty (:func:`band_reaches` is false): by the model's structure or the measurement's own conditions. Cases the fitted
    parameters do not move (leave-one-out refits read from the record, the 1.55 µm beam with no plume)
    come back with low = high. ``names``: only these cases. ``progress(done, total)`` after each point.

    Returns name → (low, high) in each case's unit, with the optimum's own prediction inside; {} without
    a calibration record. A point at which a case's MTZ outgrows the solver's domain counts as +∞ (the band is
    open above), never as an error.
    """
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    from mtzsim.verify.calibration import sigma_points

    points = sigma_points(n_sigma)
    if not points:
        return {}
    wanted = frozenset(names) if names is not None else None
    values = {name: [v] for name, v in _mtz_predictions(wanted).items()}
    n = max(1, min(len(points), workers or os.cpu_count() or 1))
    # one fresh process per point: the case functions' in-process caches would carry one point's runs into the next
    with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"), max_tasks_per_child=1) as pool:
        for i, pred in enumerate(pool.map(_predictions_at, points, [wanted] * len(points))):
            for name, v in pred.items():
                values[name].append(v)
            if progress:
                progress(i + 1, len(points))
    return {name: (min(v), max(v)) for name, v in values.items()}


def pass_region(c: Case) -> tuple[float, float]:
    """The predictions that pass a case (:func:`evaluate`), as an interval in its unit."""
    m, t = c.measured, c.tolerance
    if c.kind == "absolute":
        return m - t, m + t
    if c.kind == "greater":
        return m * (1 - t), math.inf
    if c.kind == "factor":
        return m / t, m * t
    return m * (1 - t), m * (1 + t)


def band_reaches(c: Case, band: tuple[float, float]) -> bool:
    """Whether a prediction band reaches the case's pass region: some parameter point in it could pass."""
    low, high = pass_region(c)
    return band[1] >= low and band[0] <= high


def role(case) -> str:
    """How a case relates to the fits: ``"fitted"`` (used in a fit), ``"LOO"`` (predicted by the
    fit without it: leave-one-out) or ``"held out"`` (never used in any fit)."""
    if case.fitted:
        return "fitted"
    if case.name.startswith("leave-one-out"):
        return "LOO"
    return "held out"


# ---------------------------------------------------------------- cases from the data table

#: Known models (``mtzsim validate --model``).
MODELS = ("mtz", "damage", "healing", "outcome", "comparators")


@lru_cache(maxsize=None)
def _mtz(energy: float, spot: float):
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import simulate_mtz
    from mtzsim.verify.calibration import ASSUMED_PEAK_POWER

    return simulate_mtz(make_beam("co2", energy=energy, spot_diameter=spot, peak_power=ASSUMED_PEAK_POWER))


def _hist(energy, spot):
    from mtzsim.physics.mtz import histology_view

    return histology_view(_mtz(energy, spot))


def _predictor(row: dict) -> Callable[[], float]:
    """The prediction function of one table row (its ``predictor`` names it, its columns give the inputs)."""
    kind = row["predictor"]
    energy = float(row["energy_mj"]) * 1e-3 if row["energy_mj"] else None
    spot = float(row["spot_um"]) * 1e-6 if row["spot_um"] else None
    if kind == "histology_ablation_depth":
        return lambda: _hist(energy, spot)["ablation_depth"] * 1e6
    if kind == "histology_coagulation_depth":
        return lambda: _hist(energy, spot)["coagulation_depth"] * 1e6
    if kind == "hantash_depth_ratio":
        return lambda: _hist(energy, spot)["coagulation_depth"] / _hist(5e-3, spot)["coagulation_depth"]
    if kind == "hantash_width_ratio":
        return lambda: _hist(energy, spot)["lesion_width"] / _hist(5e-3, spot)["lesion_width"]
    if kind.startswith("time_to_omega:"):
        from mtzsim.physics import damage
        from mtzsim.units import celsius_to_kelvin

        process = damage.ARRHENIUS[kind.split(":", 1)[1]]
        temperature = celsius_to_kelvin(float(row["temperature_c"]))
        return lambda: process.time_to_omega(temperature)
    raise ValueError(f"validation_cases.csv: unknown predictor {kind!r} in case {row['name']!r}")


def _load_cases() -> None:
    for row in tables.rows("validation_cases.csv"):
        if row["model"] not in MODELS:
            raise ValueError(f"validation_cases.csv: unknown model {row['model']!r} in case {row['name']!r}")
        note = row["note"]
        if row["tolerance_reason"]:
            note = f"{note}; tolerance: {row['tolerance_reason']}" if note else f"tolerance: {row['tolerance_reason']}"
        case(name=row["name"], model=row["model"], quantity=row["quantity"], unit=row["unit"],
             measured=float(row["measured"]), tolerance=float(row["tolerance"]), source=row["source"],
             kind=row["kind"], fitted=row["fitted"] == "yes", note=note)(_predictor(row))


_load_cases()


def _register_stage_cases(models: set[str] | None = None) -> None:
    """Add the MTZ calibration's leave-one-out and held-out cases, the healing and outcome
    stages' cases and the comparator calibration's rows, on first use (their predictions run the biology and the emulated trials,
    seconds each, so they are not built at import). Each registration is idempotent: it looks at
    what the registry already holds."""
    wanted = set(models or MODELS)
    if "mtz" in wanted:
        from mtzsim.verify import literature_cases, mtz_cases, nonablative_cases

        mtz_cases.register()
        nonablative_cases.register()
        literature_cases.register()
    if "healing" in wanted:
        from mtzsim.biology.healing_calibration import register_validation_cases

        register_validation_cases()
    if "outcome" in wanted and not any(c.model == "outcome" for c in CASES):
        from mtzsim.clinic.trials import registry_cases

        CASES.extend(registry_cases())
    if "outcome" in wanted:
        from mtzsim.clinic import scarring

        scarring.register()
    if "comparators" in wanted:
        from mtzsim.clinic.comparators import register_validation_cases

        register_validation_cases()
