"""Treatment chain: a scenario through every model stage in order — wiring only, no physics.

Like pvlib's ModelChain, :class:`TreatmentChain` calls plain stage functions and
collects their results. A stage is a :class:`Stage` in the ordered registry
:data:`STAGES`; its function takes the scenario and the results so far and returns a
result object with ``.to_dict()`` (and optionally ``.dataset``, an
``xarray.Dataset`` written to ``fields.nc``). Adding the healing model later is
adding one stage::

    from mtzsim.pipeline.chain import Stage, register_stage
    register_stage(Stage("healing", run_healing_stage, "Healing", requires=("field",)))

Every stage also works without the chain: ``simulate_mtz(scenario.beam())``,
``simulate_field(mtz_result, scenario.pattern_spec())``.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from mtzsim import __version__
from mtzsim.errors import InputError


@dataclass(frozen=True)
class Stage:
    """One step of the chain.

    Parameters
    ----------
    name : str
        Key of the result (``"mtz"``, ``"field"``); also the netCDF group.
    fn : callable
        ``fn(scenario, results) -> result``; ``results`` maps earlier stage names to
        their results. The result has ``.to_dict()`` and optionally ``.dataset``.
    title : str
        For people (progress bar, report).
    requires : tuple of str
        Stages whose results ``fn`` needs; when one of them is unavailable this stage
        is skipped too.
    """

    name: str
    fn: Callable[[Any, dict], Any]
    title: str = ""
    requires: tuple[str, ...] = ()


class StageUnavailable(Exception):
    """Raised by a stage whose model is not available (not built yet, not installed)."""


def run_mtz_stage(scenario, results: dict):
    """Single MTZ: :func:`mtzsim.physics.mtz.simulate_mtz` on the scenario's beam."""
    from mtzsim.physics.mtz import simulate_mtz

    return simulate_mtz(scenario.beam())


def run_field_stage(scenario, results: dict):
    """Treatment field: :func:`mtzsim.physics.field.simulate_field` of the MTZ over the scan pattern."""
    try:
        from mtzsim.physics.field import simulate_field
    except ModuleNotFoundError as exc:
        if exc.name == "mtzsim.physics.field":
            raise StageUnavailable("the field model (mtzsim.physics.field) is not built yet") from None
        raise
    return simulate_field(results["mtz"], scenario.pattern_spec())


#: The stages, in the order they run. Healing, remodeling and outcome join here.
STAGES: list[Stage] = [
    Stage("mtz", run_mtz_stage, "Single MTZ"),
    Stage("field", run_field_stage, "Treatment field", requires=("mtz",)),
]


def register_stage(stage: Stage, *, after: str | None = None, replace: bool = False) -> None:
    """Add ``stage`` to :data:`STAGES` (at the end, or right after the stage named ``after``).

    With ``replace=True`` a stage of the same name is replaced in place.
    """
    names = [s.name for s in STAGES]
    if stage.name in names:
        if not replace:
            raise ValueError(f"stage {stage.name!r} is already registered")
        STAGES[names.index(stage.name)] = stage
        return
    if after is None:
        STAGES.append(stage)
    else:
        STAGES.insert(names.index(after) + 1, stage)


#: Progress callback: ``progress(title, done, total)`` before each stage and once at the end.
Progress = Callable[[str, int, int], None]


@dataclass
class ChainResult:
    """Everything one run of the chain produced.

    Attributes
    ----------
    scenario : Scenario
    results : dict
        Stage name → result object, in stage order (only stages that ran).
    timings : dict
        Stage name → wall time [s].
    skipped : dict
        Stage name → why it did not run (model not available yet).
    warnings : list
        :class:`mtzsim.params.presets.RangeWarning` for settings outside clinical ranges.
    titles : dict
        Stage name → title.
    """

    scenario: Any
    results: dict[str, Any]
    timings: dict[str, float]
    skipped: dict[str, str]
    warnings: list
    titles: dict[str, str]
    started_at: str
    total_time: float
    version: str = __version__
    run_id: str | None = None
    extra: dict = field(default_factory=dict)

    def __getitem__(self, name: str):
        return self.results[name]

    def __contains__(self, name: str) -> bool:
        return name in self.results

    def to_dict(self) -> dict:
        """JSON-able record of the run (what results.json holds)."""
        return jsonable(
            {
                "mtzsim_version": self.version,
                "run_id": self.run_id,
                "started_at": self.started_at,
                "scenario": self.scenario.to_dict(),
                "warnings": [w.to_dict() for w in self.warnings],
                "stages": {name: _result_dict(r) for name, r in self.results.items()},
                "skipped": dict(self.skipped),
                "timings_s": dict(self.timings),
                "total_s": self.total_time,
            }
        )

    def datasets(self) -> dict:
        """Stage name → ``xarray.Dataset`` for the stages that give one."""
        out = {}
        for name, result in self.results.items():
            ds = getattr(result, "dataset", None)
            if ds is not None and hasattr(ds, "to_netcdf"):
                out[name] = ds
        return out

    def write_json(self, path) -> Path:
        """Write :meth:`to_dict` as JSON to ``path``."""
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    def write_netcdf(self, path) -> Path | None:
        """Write every stage dataset as a netCDF-4 group (``/mtz``, ``/field``) of one file.

        Returns the path, or None when no stage produced a dataset.
        """
        datasets = self.datasets()
        if not datasets:
            return None
        path = Path(path)
        tmp = path.with_name(path.name + ".part")
        if tmp.exists():
            tmp.unlink()
        mode = "w"
        for name, ds in datasets.items():
            _netcdf_ready(ds, name, self).to_netcdf(tmp, mode=mode, group=name, engine="h5netcdf")
            mode = "a"
        os.replace(tmp, path)
        return path


class TreatmentChain:
    """Run a scenario through the registered stages.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (:func:`mtzsim.io.scenario.load_scenario`).
    stages : list of Stage, optional
        The stages to run, in order; default :data:`STAGES`.

    Examples
    --------
    >>> from mtzsim.io.scenario import load_scenario        # doctest: +SKIP
    >>> result = TreatmentChain(load_scenario("examples/deep_co2.toml")).run()  # doctest: +SKIP
    >>> result["mtz"].ablation_depth                      # doctest: +SKIP
    """

    def __init__(self, scenario, *, stages: list[Stage] | None = None):
        self.scenario = scenario
        self.stages = list(STAGES if stages is None else stages)

    def run(self, progress: Progress | None = None) -> ChainResult:
        """Run every stage in order and collect the results.

        Parameters
        ----------
        progress : callable, optional
            ``progress(title, done, total)``: called before each stage with the number of
            stages done, and once at the end with ``done == total``.

        Returns
        -------
        ChainResult

        Raises
        ------
        InputError
            A stage refused the scenario (settings its model cannot handle).
        """
        started = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        warnings = list(self.scenario.warnings())
        results: dict[str, Any] = {}
        timings: dict[str, float] = {}
        skipped: dict[str, str] = {}
        total = len(self.stages)
        t_all = time.perf_counter()
        for i, stage in enumerate(self.stages):
            if progress is not None:
                progress(stage.title or stage.name, i, total)
            missing = [r for r in stage.requires if r not in results]
            if missing:
                skipped[stage.name] = f"needs {', '.join(missing)}, which did not run"
                continue
            _test_hook_slow(stage.name)
            t0 = time.perf_counter()
            try:
                result = stage.fn(self.scenario, dict(results))
            except StageUnavailable as exc:
                skipped[stage.name] = str(exc) or "not available"
                continue
            except NotImplementedError as exc:
                skipped[stage.name] = f"not available yet ({exc})" if str(exc) else "not available yet"
                continue
            timings[stage.name] = time.perf_counter() - t0
            results[stage.name] = result
        if progress is not None:
            progress("done", total, total)
        return ChainResult(
            scenario=self.scenario,
            results=results,
            timings=timings,
            skipped=skipped,
            warnings=warnings,
            titles={s.name: s.title or s.name for s in self.stages},
            started_at=started,
            total_time=time.perf_counter() - t_all,
        )


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------


def _test_hook_slow(name: str) -> None:
    """Test hook: ``MTZSIM_TEST_SLOW_STAGE="field:30"`` sleeps 30 s before stage ``field``.

    Used by the test that kills ``mtzsim run`` midway; inert otherwise.
    """
    spec = os.environ.get("MTZSIM_TEST_SLOW_STAGE")
    if not spec:
        return
    stage, _, seconds = spec.partition(":")
    if stage == name:
        try:
            time.sleep(float(seconds or 30))
        except ValueError:
            raise InputError("MTZSIM_TEST_SLOW_STAGE", f"expected 'stage:seconds', got {spec!r}") from None


def _result_dict(result) -> dict:
    to_dict = getattr(result, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(result, dict):
        return result
    return {"value": repr(result)}


def jsonable(obj):
    """Plain JSON types: numpy scalars and arrays to Python, NaN and infinities to None."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        np = None
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if np is not None:
        if isinstance(obj, np.generic):
            return jsonable(obj.item())
        if isinstance(obj, np.ndarray):
            return jsonable(obj.tolist())
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


def _netcdf_ready(ds, name: str, run: ChainResult):
    """A copy of ``ds`` whose attributes netCDF accepts (str, numbers, arrays)."""
    import numpy as np

    ds = ds.copy(deep=False)

    def clean(attrs: dict) -> dict:
        out = {}
        for k, v in attrs.items():
            if isinstance(v, bool) or isinstance(v, np.bool_):
                out[k] = int(v)
            elif isinstance(v, (int, float, str, np.integer, np.floating)):
                out[k] = v
            elif isinstance(v, np.ndarray) and v.dtype.kind in "iuf":
                out[k] = v
            elif v is None:
                continue
            else:
                out[k] = json.dumps(jsonable(v), ensure_ascii=False)
        return out

    ds.attrs = clean(dict(ds.attrs))
    for var in list(ds.variables):
        ds[var].attrs = clean(dict(ds[var].attrs))
        if ds[var].dtype == object:
            ds[var] = ds[var].astype(str)
    ds.attrs.update({"mtzsim_version": run.version, "stage": name, "run_id": run.run_id or ""})
    return ds


__all__ = [
    "STAGES",
    "ChainResult",
    "Stage",
    "StageUnavailable",
    "TreatmentChain",
    "jsonable",
    "register_stage",
    "run_field_stage",
    "run_mtz_stage",
]
