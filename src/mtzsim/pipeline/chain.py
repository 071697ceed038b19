"""Treatment chain: a scenario through the model stages in order — wiring only, no physics.

Like pvlib's ModelChain, :class:`TreatmentChain` calls plain stage functions and collects
their results. Each stage is described once, by a :class:`StageSpec`: its stage function
(``simulate_mtz``), the adapter that turns the scenario and the earlier results into the
call (physical inputs, model coefficients and options, with every default made explicit so
that the run records what it used), the earlier stages it needs, its report section and
figures, and its netCDF group. Adding a stage is adding one descriptor to the list given to
:class:`TreatmentChain` (the default list is :data:`DEFAULT_STAGES`, a tuple: MTZ, field,
healing, outcome; the healing and outcome descriptors live beside their models, in
``mtzsim.biology.stage`` and ``mtzsim.clinic.stage``)::

    SWEEP_SUMMARY = StageSpec(
        name="summary", title="Summary", function="mypackage.summary:summarise",
        prepare=lambda scenario, results: StageCall((results["outcome"],), {}),
        inputs=("outcome",), result_type="mypackage.summary:Summary")
    TreatmentChain(scenario, stages=DEFAULT_STAGES + (SWEEP_SUMMARY,)).run()

Results can come from a :class:`mtzsim.pipeline.cache.ResultCache` (same inputs and same
model version → the stored result, bit for bit) or be handed in (``given={"mtz": result}``),
so a chain can start mid-way. Every stage works without the chain:
``simulate_mtz(scenario.beam())``, ``simulate_field(mtz_result, scenario.pattern_spec())``.
"""

from __future__ import annotations

from functools import lru_cache

import datetime as _dt
import importlib
import time
import warnings as _warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Mapping

from mtzsim import __version__
from mtzsim.params.presets import ClinicalRangeWarning
from mtzsim.pipeline.progress import Progress, StageProgress, silent

if TYPE_CHECKING:  # pragma: no cover - typing only
    from mtzsim.io.scenario import Scenario
    from mtzsim.physics.field import FieldResult
    from mtzsim.physics.mtz import MTZResult
    from mtzsim.pipeline.cache import ResultCache


# ---------------------------------------------------------------------------------------
# Descriptors
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureSpec:
    """One figure of a stage's report section: ``module.function(result, ax=ax)``.

    ``size`` is the figure size [in] (width, height).
    """

    module: str
    function: str
    title: str
    caption: str
    size: tuple[float, float] = (5.2, 4.6)


@dataclass(frozen=True)
class Highlight:
    """A key number of a stage shown as a card in the report's summary.

    ``key`` is a field of the result (its metadata gives the unit) or, for results that
    have no field metadata yet, a key of their ``to_dict()``.
    """

    key: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class StageCall:
    """The arguments one stage function is called with (progress and I/O excluded).

    ``args`` are the physical inputs (positional); ``kwargs`` model coefficients and options.
    They are what the cache key is made of and what the report lists as "used".
    """

    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)


#: ``prepare(scenario, results) -> StageCall``: from the scenario and earlier results to the call.
Prepare = Callable[["Scenario", Mapping[str, Any]], StageCall]


@dataclass(frozen=True)
class StageSpec:
    """Everything the chain, the cache, the JSON, the netCDF file and the report need of one stage.

    Parameters
    ----------
    name : str
        Short name: the key of the result, its JSON entry and its netCDF group.
    title : str
        For people (progress bar, report heading).
    function : str or callable
        The stage function, or ``"module:function"`` (imported when the stage runs).
    prepare : callable
        ``prepare(scenario, results) -> StageCall``: the stage's inputs and options taken
        from the scenario (tissue by ``patient.site``, numerics) and from earlier results.
    inputs : tuple of str
        Earlier stages whose results ``prepare`` reads; the chain refuses a stage list in
        which one of them does not come earlier.
    result_type : str
        ``"module:Class"`` of the result (for the metadata test and the docs).
    lead : str
        One sentence on the model, shown under the report heading.
    figures : tuple of FigureSpec
        Figures of the report section.
    highlights : tuple of Highlight
        Key numbers shown on the report's summary.
    section : callable, optional
        ``section(run, spec) -> str`` (HTML) replacing the generic section renderer.
    netcdf_group : str or None
        Group of ``fields.nc`` holding the result's ``dataset``; default the name; ``""``
        for none.
    cacheable : bool
        Whether results are kept in the result cache (worth it for costly stages).
    reports_progress : bool
        Whether the stage function takes ``progress=`` (a :class:`StageProgress`).
    checks : callable, optional
        ``checks(result) -> sequence of str``: what a reader must know about this result (an
        answer at the edge of the model); the chain issues each as a :class:`ModelWarning`, the
        JSON, the report and the CLI show them.
    """

    name: str
    title: str
    function: str | Callable[..., Any]
    prepare: Prepare
    inputs: tuple[str, ...] = ()
    result_type: str = ""
    lead: str = ""
    figures: tuple[FigureSpec, ...] = ()
    highlights: tuple[Highlight, ...] = ()
    section: Callable[..., str] | None = None
    netcdf_group: str | None = None
    cacheable: bool = False
    reports_progress: bool = False
    checks: Callable[[Any], Any] | None = None

    def resolve_function(self) -> Callable[..., Any]:
        """The stage function (imported from ``"module:function"`` if given as a string)."""
        return _resolve(self.function)

    def resolve_result_type(self) -> type | None:
        """The result class, or None when not declared."""
        return _resolve(self.result_type) if self.result_type else None

    @property
    def group(self) -> str:
        """netCDF group of the stage's dataset ("" for none)."""
        return self.name if self.netcdf_group is None else self.netcdf_group

    @property
    def function_ref(self) -> str:
        """``module:qualname`` of the stage function (part of the cache key)."""
        fn = self.function
        if isinstance(fn, str):
            return fn
        return f"{fn.__module__}:{fn.__qualname__}"


class ModelWarning(UserWarning):
    """A stage result at the edge of its model (issued by the chain from :attr:`StageSpec.checks`)."""


def _resolve(ref):
    if not isinstance(ref, str):
        return ref
    module, _, attr = ref.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


# ---------------------------------------------------------------------------------------
# The stages of mtzsim
# ---------------------------------------------------------------------------------------


def prepare_mtz(scenario, results) -> StageCall:
    """``simulate_mtz(beam, tissue=..., losses=..., numerics=..., surface_cooling=...)`` with every default explicit.

    The tissue is the one of ``patient.site`` (:meth:`Scenario.tissue`); the losses are the
    calibrated model; the numerics come from ``[numerics]``, the coolant from ``[cooling]``.
    """
    from mtzsim.physics.mtz import default_loss_model

    return StageCall(
        (scenario.beam(),),
        {"tissue": scenario.tissue(), "losses": default_loss_model(), "numerics": scenario.mtz_numerics(),
         "surface_cooling": scenario.surface_cooling()},
    )


def check_field(result) -> list[str]:
    """Notes on a field result: no intact islands left in the epidermis."""
    notes = []
    distance = getattr(result, "median_island_distance", None)
    if distance is not None and not (distance == distance and distance != float("inf")):
        notes.append("no intact islands are left in the epidermis: the whole treated area is damaged, so the "
                     "wound cannot heal from islands of intact skin (a full-field wound)")
    return notes


def prepare_field(scenario, results) -> StageCall:
    """``simulate_field(mtz, pattern, resolution=..., cooling=...)`` from the scenario's scan."""
    return StageCall((results["mtz"], scenario.pattern_spec()), scenario.field_options())


MTZ_STAGE = StageSpec(
    name="mtz",
    title="Single MTZ",
    function="mtzsim.physics.mtz:simulate_mtz",
    prepare=prepare_mtz,
    result_type="mtzsim.physics.mtz:MTZResult",
    lead="One microbeam: ablation by the enthalpy method with plume shielding, Pennes bioheat conduction "
    "and Arrhenius damage (collagen coagulation, cell death, heat-shock induction).",
    figures=(
        FigureSpec("mtzsim.report.figures_mtz", "plot_mtz_section", "MTZ cross-section",
                   "One microbeam in skin (axisymmetric model, mirrored): the ablated crater, the coagulated "
                   "wall (collagen Ω ≥ 1), the lethal zone and the heat-shock zone (HSP70 induction).",
                   (5.4, 4.6)),
    ),
    highlights=(
        Highlight("ablation_depth", "Crater depth", "vaporised column"),
        Highlight("ablation_diameter", "Crater width", "at the surface"),
        Highlight("coagulation_depth", "Coagulation depth", "collagen Ω ≥ 1"),
        Highlight("coagulation_thickness", "Coagulated wall", "lateral thickness (no crater: the zone's radius)"),
        Highlight("heat_shock_depth", "Heat-shock depth", "HSP70 induced"),
        Highlight("peak_temperature", "Peak temperature", "remaining tissue"),
    ),
    cacheable=True,
)

FIELD_STAGE = StageSpec(
    name="field",
    title="Treatment field",
    function="mtzsim.physics.field:simulate_field",
    prepare=prepare_field,
    inputs=("mtz",),
    result_type="mtzsim.physics.field:FieldResult",
    lead="The whole scan: the single-MTZ response superposed over every pulse in firing order, "
    "with heat accumulating between neighbours; damage integrated on the summed temperature.",
    figures=(
        FigureSpec("mtzsim.report.figures_field", "plot_enface", "En-face damage map",
                   "The treated area seen from above: every MTZ of the scan, coloured by damage zone.", (5.2, 4.6)),
        FigureSpec("mtzsim.report.figures_field", "plot_cross_section", "Cross-section of the field",
                   "A vertical cut through a row of MTZs: crater, coagulation and heat-shock zones side by side.",
                   (5.2, 4.6)),
        FigureSpec("mtzsim.report.figures_field", "plot_bulk_temperature", "Bulk temperature",
                   "Mean temperature of the treated skin during and after the scan (heat accumulation).", (5.2, 3.7)),
        FigureSpec("mtzsim.report.figures_field", "plot_island_histogram", "Islands of intact skin",
                   "Distance from each point of intact skin to the nearest MTZ: the reservoirs that heal the wounds.",
                   (5.2, 3.7)),
    ),
    highlights=(
        Highlight("n_mtz", "MTZs", "in the treated area"),
        Highlight("coverage_treated", "Treated area", "ablated, coagulated or lethal"),
        Highlight("coverage_ablated", "Ablated area", "open micro-wounds, en face"),
        Highlight("max_bulk_temperature", "Peak bulk temperature", "heat accumulation"),
        Highlight("median_island_distance", "Median distance to intact skin", "islands that heal"),
        Highlight("area_contraction", "Immediate contraction", "collagen shrinkage"),
    ),
    cacheable=True,
    reports_progress=True,
    checks=check_field,
)

#: The physics stages; :data:`DEFAULT_STAGES` (built on first use, see ``_default_stages``) adds
#: the healing and outcome stages after them.
PHYSICS_STAGES: tuple[StageSpec, ...] = (MTZ_STAGE, FIELD_STAGE)


def check_stages(stages) -> tuple[StageSpec, ...]:
    """Validate a stage list: unique names, and every input produced by an earlier stage.

    Raises
    ------
    ValueError
        A duplicate name, or an input that no earlier stage produces.
    """
    stages = tuple(stages)
    seen: set[str] = set()
    for spec in stages:
        if not isinstance(spec, StageSpec):
            raise ValueError(f"a stage must be a StageSpec, got {type(spec).__name__}")
        if spec.name in seen:
            raise ValueError(f"stage {spec.name!r} appears twice in the stage list")
        missing = [name for name in spec.inputs if name not in seen]
        if missing:
            raise ValueError(f"stage {spec.name!r} needs {', '.join(missing)}, which must come earlier in the list")
        seen.add(spec.name)
    return stages


# ---------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageRecord:
    """One stage of a run: its result, the call that made it, and how long it took.

    ``source`` is ``"computed"``, ``"cache"`` (memory or disk) or ``"given"``; ``seconds`` the
    wall time of the computation or of the cache look-up [s]; ``key`` the cache key (None for
    stages that are not cached).
    """

    spec: StageSpec
    result: Any
    call: StageCall | None
    seconds: float
    source: str = "computed"
    key: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class ChainResult:
    """Everything one run of the chain produced, one :class:`StageRecord` per stage.

    The result of a stage is an attribute named after it: ``run.mtz`` (:class:`MTZResult`),
    ``run.field`` (:class:`FieldResult`), and ``run.<name>`` for stages added later.

    Attributes
    ----------
    scenario : Scenario
    records : tuple of StageRecord
        In stage order.
    warnings : tuple
        :class:`mtzsim.params.presets.RangeWarning` for settings outside clinical ranges.
    started_at : str
        ISO 8601 time (UTC) the run began.
    total_time : float
        Wall time of the whole run [s].
    version : str
        mtzsim version.
    run_id : str or None
        Registry id, once stored.
    """

    scenario: Any
    records: tuple[StageRecord, ...]
    warnings: tuple = ()
    started_at: str = ""
    total_time: float = 0.0
    version: str = __version__
    run_id: str | None = None

    # ---- typed access -----------------------------------------------------------
    @property
    def mtz(self) -> "MTZResult":
        """The single-MTZ result."""
        return self.result("mtz")

    @property
    def field(self) -> "FieldResult":
        """The treatment-field result."""
        return self.result("field")

    def result(self, name: str):
        """The result of stage ``name``.

        Raises
        ------
        KeyError
            The run has no such stage.
        """
        for rec in self.records:
            if rec.spec.name == name:
                return rec.result
        raise KeyError(f"this run has no stage {name!r}; it ran {', '.join(self.stage_names) or 'none'}")

    def record(self, name: str) -> StageRecord:
        """The :class:`StageRecord` of stage ``name``."""
        for rec in self.records:
            if rec.spec.name == name:
                return rec
        raise KeyError(f"this run has no stage {name!r}")

    def __getattr__(self, name: str):
        # later stages (healing, outcome, ...) as attributes without editing this class
        if name.startswith("_") or name in ("records",):
            raise AttributeError(name)
        for rec in self.__dict__.get("records", ()):
            if rec.spec.name == name:
                return rec.result
        raise AttributeError(f"{type(self).__name__} has no attribute or stage {name!r}")

    def __contains__(self, name: str) -> bool:
        return name in self.stage_names

    def __getitem__(self, name: str):
        return self.result(name)

    # ---- views ------------------------------------------------------------------
    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(rec.spec.name for rec in self.records)

    @property
    def stages(self) -> tuple[StageSpec, ...]:
        return tuple(rec.spec for rec in self.records)

    @property
    def notes(self) -> dict[str, tuple[str, ...]]:
        """Stage name → notes of its ``checks`` (only stages that have some)."""
        return {rec.spec.name: rec.notes for rec in self.records if rec.notes}

    @property
    def results(self) -> Mapping[str, Any]:
        """Stage name → result (read-only view, in stage order)."""
        return MappingProxyType({rec.spec.name: rec.result for rec in self.records})

    @property
    def timings(self) -> dict[str, float]:
        """Stage name → wall time [s] (of the cache look-up for cached stages)."""
        return {rec.spec.name: rec.seconds for rec in self.records}

    @property
    def titles(self) -> dict[str, str]:
        return {rec.spec.name: rec.spec.title for rec in self.records}

    def with_run_id(self, run_id: str) -> "ChainResult":
        """A copy carrying the registry id."""
        return replace(self, run_id=run_id)

    # ---- serialisation (io.serialise does the work) ------------------------------
    def to_dict(self) -> dict:
        """JSON-able record of the run (what results.json holds)."""
        from mtzsim.io.serialise import run_to_dict

        return run_to_dict(self)

    def write_json(self, path) -> Path:
        """Write :meth:`to_dict` as JSON to ``path`` (atomically)."""
        from mtzsim.io.serialise import write_json

        return write_json(self, path)

    def write_netcdf(self, path) -> Path | None:
        """Every stage dataset as a netCDF-4 group (CF attributes); None when no stage has one."""
        from mtzsim.io.serialise import write_netcdf

        return write_netcdf(self, path)


# ---------------------------------------------------------------------------------------
# The chain
# ---------------------------------------------------------------------------------------


class TreatmentChain:
    """Run a scenario through a list of stages.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (:func:`mtzsim.io.scenario.load_scenario`).
    stages : sequence of StageSpec, optional
        The stages to run, in order; default :data:`DEFAULT_STAGES`.
    cache : ResultCache, optional
        Where cacheable stages look their results up and store them; default none
        (always compute). :func:`mtzsim.pipeline.cache.default_cache` gives the user's cache.

    Examples
    --------
    >>> from mtzsim.io.scenario import load_scenario        # doctest: +SKIP
    >>> run = TreatmentChain(load_scenario("examples/deep_co2.toml")).run()  # doctest: +SKIP
    >>> run.mtz.ablation_depth                             # doctest: +SKIP
    """

    def __init__(self, scenario, *, stages=None, cache: "ResultCache | None" = None):
        self.scenario = scenario
        self.stages = check_stages(default_stages(scenario) if stages is None else stages)
        self.cache = cache

    def run(self, progress: Progress | None = None, *, given: Mapping[str, Any] | None = None) -> ChainResult:
        """Run every stage in order and collect the results.

        Parameters
        ----------
        progress : Progress, optional
            ``progress(stage, fraction, detail)``; see :mod:`mtzsim.pipeline.progress`.
        given : mapping, optional
            Stage name → a result computed earlier: that stage is not run (start mid-way).

        Returns
        -------
        ChainResult
        """
        progress = silent if progress is None else progress
        given = dict(given or {})
        unknown = set(given) - {s.name for s in self.stages}
        if unknown:
            raise ValueError(f"given results for stages not in the list: {', '.join(sorted(unknown))}")
        started = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        warnings = tuple(self.scenario.warnings())
        for w in warnings:  # library users and workers see them too (the CLI prints its own)
            _warnings.warn(f"{w.field}: {w.message}", ClinicalRangeWarning, stacklevel=2)
        t_all = time.perf_counter()
        results: dict[str, Any] = {}
        keys: dict[str, str] = {}
        records: list[StageRecord] = []
        for spec in self.stages:
            progress(spec.name, 0.0, spec.title)
            t0 = time.perf_counter()
            if spec.name in given:
                result = given[spec.name]
                records.append(StageRecord(spec, result, None, 0.0, "given"))
                results[spec.name] = result
                progress(spec.name, 1.0, "given")
                continue
            call = spec.prepare(self.scenario, MappingProxyType(dict(results)))
            key = None
            source = "computed"
            result = None
            if self.cache is not None and spec.cacheable:
                key = self.cache.key(spec.name, spec.function_ref, call, upstream=_upstream(results, keys))
                result, where = self.cache.get(key)
                if result is not None:
                    source = f"cache ({where})"
            if result is None:
                fn = spec.resolve_function()
                kwargs = dict(call.kwargs)
                if spec.reports_progress:
                    kwargs["progress"] = StageProgress(progress, spec.name)
                result = fn(*call.args, **kwargs)
                if key is not None:
                    self.cache.put(key, result)
            seconds = time.perf_counter() - t0
            results[spec.name] = result
            if key is not None:
                keys[spec.name] = key
            notes = tuple(spec.checks(result)) if spec.checks is not None else ()
            for note in notes:
                _warnings.warn(f"{spec.name}: {note}", ModelWarning, stacklevel=2)
            records.append(StageRecord(spec, result, call, seconds, source, key, notes))
            progress(spec.name, 1.0, source)
        return ChainResult(
            scenario=self.scenario,
            records=tuple(records),
            warnings=warnings,
            started_at=started,
            total_time=time.perf_counter() - t_all,
        )


def _upstream(results: Mapping[str, Any], keys: Mapping[str, str]) -> dict[int, str]:
    """``id(result) → its cache key`` for earlier results, so a later key names them, not their bytes."""
    return {id(results[name]): f"{name}:{key}" for name, key in keys.items()}


def default_stages(scenario) -> tuple[StageSpec, ...]:
    """The stages a scenario runs through by default: :data:`DEFAULT_STAGES`, without the
    outcome stage when the scenario describes no scars (there is nothing to improve)."""
    # the module attribute when one was assigned (a caller replacing the default list), else the
    # list built on first use
    stages = globals().get("DEFAULT_STAGES") or _default_stages()
    if not getattr(scenario, "scars", None):
        return tuple(s for s in stages if s.name != "outcome")
    return stages


def jsonable(obj):
    """Plain JSON types (kept here for older callers; see :func:`mtzsim.io.serialise.jsonable`)."""
    from mtzsim.io.serialise import jsonable as _jsonable

    return _jsonable(obj)


__all__ = [
    "DEFAULT_STAGES",
    "default_stages",
    "FIELD_STAGE",
    "MTZ_STAGE",
    "ChainResult",
    "ModelWarning",
    "FigureSpec",
    "Highlight",
    "StageCall",
    "StageRecord",
    "StageSpec",
    "TreatmentChain",
    "check_stages",
    "jsonable",
]


@lru_cache(maxsize=1)
def _default_stages() -> tuple[StageSpec, ...]:
    # The biology and clinic descriptors import their building blocks from this module, so they
    # are imported when the default list is first asked for, not while this module loads.
    from mtzsim.biology.stage import HEALING_STAGE
    from mtzsim.clinic.stage import OUTCOME_STAGE

    return check_stages((MTZ_STAGE, FIELD_STAGE, HEALING_STAGE, OUTCOME_STAGE))


def __getattr__(name: str):
    # DEFAULT_STAGES: the stages of a run, in order (MTZ, field, healing, outcome); a tuple.
    if name == "DEFAULT_STAGES":
        return _default_stages()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
