"""Parameter sweeps: many scenarios from one sweep file, run through the chain on Dask, one Parquet row each.

A sweep file is a scenario plus a ``[sweep]`` table::

    [sweep]
    method = "grid"            # or "lhs" (Latin hypercube) or "sobol" (scrambled Sobol points)
    samples = 64               # lhs/sobol only (sobol: a power of 2)
    seed = 1                   # of the lhs/sobol points
    stages = ["mtz", "field"]  # optional; default: the scenario's default stages
    [sweep.parameters]
    "laser.energy" = ["10mJ", "20mJ"]                # grid: the values, as a scenario writes them
    "pattern.density" = {low = "5%", high = "20%"}   # lhs/sobol: a range, with units

Every generated scenario is validated by the scenario parser before anything runs (an invalid
path or value names ``sweep.parameters.<path>``). Range samples are drawn in SI
(:mod:`scipy.stats.qmc`, seeded) and written back with the SI unit (``"0.0123 J"``), so the
scenario parser reads the very float that was drawn. Tasks are plain data (the scenario as a
dict), so they travel to any Dask worker, which builds the chain itself and shares the result
cache (:mod:`mtzsim.pipeline.cache`): distinct MTZs and fields are computed once.

Every scenario is computed by the same deterministic code from the same inputs, whichever
process runs it, so the numbers do not depend on the number of workers (the tests hold the
serial path, a 2-worker local cluster and a separately started scheduler to the same bits).
Rows are written in batches (:mod:`mtzsim.io.sweep_store`); a rerun skips the scenarios whose
input hash (resolved SI scenario + stage list + model version) is already stored.

Cohorts and other many-scenario analyses use the same executors: :func:`map_tasks` maps any
picklable function over items, :func:`map_cohort` over the patient chunks of a virtual cohort
(:mod:`mtzsim.clinic.cohort` draws each patient from its own seed, so chunks are bit-identical
to one draw).

References
----------
.. [1] M. D. McKay, R. J. Beckman, W. J. Conover, Technometrics 21 (1979) 239-245 (Latin hypercube).
.. [2] I. M. Sobol', USSR Comput. Math. Math. Phys. 7 (1967) 86-112; A. B. Owen, J. Complexity 14
   (1998) 466-489 (scrambling). Implementation: scipy.stats.qmc (Roberts et al., SciPy 1.7+).
.. [3] M. Rocklin, Dask: parallel computation with blocked algorithms and task scheduling,
   Proc. 14th Python in Science Conf. (2015) 130-136.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as _dt
import functools
import itertools
import math
import os
import re
import socket
import subprocess
import time
import tomllib
import warnings as _warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from mtzsim.errors import InputError

METHODS = ("grid", "lhs", "sobol")
#: Columns whose values depend on where and when a row was computed (left out of comparisons).
RUN_COLUMNS = ("run.worker", "run.seconds", "run.sources", "run.warnings")
_TABLES = ("laser", "pattern", "patient", "course", "aftercare", "cohort", "numerics", "cooling")
_PATH = re.compile(r"(?P<table>[a-z_]+)(\[(?P<index>\d+)\])?\.(?P<key>[a-z_0-9]+)")


# ---------------------------------------------------------------------------------------
# The sweep file
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    """One swept scenario field: grid values as written, or a range in SI.

    ``kind`` is ``"values"`` (grid), ``"float"`` (range in ``unit``, SI), ``"percent"`` (a
    fraction written back as a percentage), ``"integer"`` (whole numbers from low to high)
    or ``"number"`` (a bare float).
    """

    path: str
    kind: str
    values: tuple = ()
    low: float = math.nan
    high: float = math.nan
    unit: str = ""

    @property
    def field(self) -> str:
        return f"sweep.parameters.{self.path}"

    def value(self, u: float):
        """The scenario value at ``u`` ∈ [0, 1) of the range, as the scenario file writes it."""
        if self.kind == "integer":
            return int(min(self.high, self.low + math.floor(u * (self.high - self.low + 1))))
        x = self.low + u * (self.high - self.low)
        if self.kind == "percent":
            return f"{x * 100.0!r}%"
        if self.kind == "number":
            return x
        return f"{x!r} {self.unit}"


@dataclass(frozen=True)
class SweepSpec:
    """A parsed sweep file: the base scenario (TOML data), the method and the parameters."""

    base: dict
    method: str
    parameters: tuple[Parameter, ...]
    samples: int | None = None
    seed: int = 0
    stages: tuple[str, ...] | None = None
    batch: int | None = None
    name: str = "sweep"
    source: str = "<string>"
    text: str | None = None


@dataclass(frozen=True)
class SweepPoint:
    """One generated scenario: its number, the swept values as written, the scenario data and hash."""

    index: int
    values: dict
    data: dict
    input_hash: str
    inputs: dict = field(default_factory=dict)  # column → SI value read back from the validated scenario


def load_sweep(path) -> SweepSpec:
    """Read a sweep file (TOML).

    Raises
    ------
    InputError
        Unreadable file, bad TOML, or a bad ``[sweep]`` table (names the field).
    """
    from mtzsim.io.scenario import read_input_file

    path = Path(path)
    return parse_sweep(read_input_file(path, field="sweep", kind="sweep file"), source=str(path))


def parse_sweep(text: str, *, source: str = "<string>") -> SweepSpec:
    """Parse a sweep file given as TOML text (the scenario is validated too, without the sweep).

    Raises
    ------
    InputError
        Names the field: ``sweep.method``, ``sweep.samples``, ``sweep.parameters.<path>``, or
        the scenario field at fault.
    """
    from mtzsim.io.scenario import parse_scenario

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError("toml", f"malformed TOML: {exc}") from None
    sweep = data.pop("sweep", None)
    if not isinstance(sweep, dict):
        raise InputError("sweep", "a sweep file needs a [sweep] table with method and [sweep.parameters]")
    unknown = set(sweep) - {"method", "samples", "seed", "parameters", "stages", "batch"}
    if unknown:
        raise InputError(f"sweep.{sorted(unknown)[0]}", "unknown key; [sweep] takes method, samples, seed, "
                         "stages, batch and [sweep.parameters]")
    method = sweep.get("method", "grid")
    if method not in METHODS:
        raise InputError("sweep.method", f"expected one of {', '.join(METHODS)}, got {method!r}")
    samples = sweep.get("samples")
    if method == "grid":
        if samples is not None:
            raise InputError("sweep.samples", "a grid runs every combination of the values; give samples only "
                             "with method = 'lhs' or 'sobol'")
    else:
        if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= 1_000_000:
            raise InputError("sweep.samples", f"give the number of scenarios, a whole number from 1 to 1000000, "
                             f"got {samples!r}")
        if method == "sobol" and samples & (samples - 1):
            raise InputError("sweep.samples", f"Sobol points keep their balance only for a power of 2 "
                             f"(e.g. {1 << samples.bit_length()}), got {samples}")
    seed = sweep.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("sweep.seed", f"expected a non-negative whole number, got {seed!r}")
    batch = sweep.get("batch")
    if batch is not None and (isinstance(batch, bool) or not isinstance(batch, int) or batch < 1):
        raise InputError("sweep.batch", f"expected a whole number of rows per Parquet part (≥ 1), got {batch!r}")
    stages = sweep.get("stages")
    if stages is not None:
        stages = _check_stage_names(stages)
    params = sweep.get("parameters")
    if not isinstance(params, dict) or not params:
        raise InputError("sweep.parameters", "give at least one swept field, e.g. \"laser.energy\" = [\"10mJ\", \"20mJ\"]")
    # the base scenario alone must be valid (errors name its own fields)
    base_text = _without_sweep_table(text)
    base = parse_scenario(base_text, source=source)
    parameters = tuple(_parameter(path, spec, method, data) for path, spec in params.items())
    name = data.get("title") if isinstance(data.get("title"), str) else Path(source).stem
    return SweepSpec(base=data, method=method, parameters=parameters, samples=samples, seed=seed,
                     stages=stages, batch=batch, name=name or base.name, source=source, text=text)


def _without_sweep_table(text: str) -> str:
    """The TOML text with the ``[sweep]`` and ``[sweep.*]`` tables cut out (line numbers kept)."""
    out, skipping = [], False
    for line in text.splitlines():
        m = re.match(r"\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$", line)
        if m:
            skipping = m.group(1) == "sweep" or m.group(1).startswith("sweep.")
        out.append("" if skipping else line)
    return "\n".join(out) + "\n"


def _check_stage_names(stages) -> tuple[str, ...]:
    from mtzsim.pipeline.chain import DEFAULT_STAGES

    known = [s.name for s in DEFAULT_STAGES]
    if not isinstance(stages, list) or not stages or not all(isinstance(s, str) for s in stages):
        raise InputError("sweep.stages", f"expected a list of stage names from {', '.join(known)}, got {stages!r}")
    for s in stages:
        if s not in known:
            raise InputError("sweep.stages", f"unknown stage {s!r}; choose from {', '.join(known)}")
    picked = tuple(s for s in known if s in stages)  # chain order
    needs = {spec.name: spec.inputs for spec in DEFAULT_STAGES}
    for s in picked:
        missing = [n for n in needs[s] if n not in picked]
        if missing:
            raise InputError("sweep.stages", f"stage {s!r} needs {', '.join(missing)}; add it to the list")
    return picked


def _parameter(path: str, spec: Any, method: str, data: dict) -> Parameter:
    from mtzsim.io.scenario import Scenario, ScarSection, field_unit

    where = f"sweep.parameters.{path}"
    m = _PATH.fullmatch(path) if isinstance(path, str) else None
    if m is None:
        raise InputError(where, "expected a scenario field as table.key (e.g. \"laser.energy\") or "
                         "scars[i].key (e.g. \"scars[0].depth\")")
    table, index, key = m.group("table"), m.group("index"), m.group("key")
    if table == "scars":
        if index is None:
            raise InputError(where, "name the scar: scars[0].depth, scars[1].count, ...")
        scars = data.get("scars", [])
        if int(index) >= len(scars):
            raise InputError(where, f"the scenario has {len(scars)} [[scars]] table(s); scars[{index}] is not one")
        section = ScarSection
    else:
        if index is not None or table not in _TABLES:
            raise InputError(where, f"unknown table {table!r}; sweep a field of {', '.join(_TABLES)} or scars[i]")
        section = Scenario.model_fields[table].annotation
    if key not in section.model_fields or key == "preset":
        raise InputError(where, f"{table} has no field {key!r} to sweep; it has "
                         f"{', '.join(k for k in section.model_fields if k != 'preset')}")
    if method == "grid":
        if not isinstance(spec, list) or not spec:
            raise InputError(where, "a grid needs a list of values, e.g. [\"10mJ\", \"20mJ\"]")
        return Parameter(path, "values", values=tuple(spec))
    if not isinstance(spec, dict) or set(spec) != {"low", "high"}:
        raise InputError(where, f"method {method!r} needs a range: {{low = \"10mJ\", high = \"40mJ\"}}")
    low, high = spec["low"], spec["high"]
    si_unit = field_unit(re.sub(r"\[\d+\]", "[0]", path))[0]
    if all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
        kind, lo, hi, unit = "integer", float(low), float(high), ""
    elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (low, high)):
        kind, lo, hi, unit = "number", float(low), float(high), ""
    elif all(isinstance(v, str) and v.strip().endswith("%") for v in (low, high)):
        from mtzsim.units import parse_fraction

        kind, unit = "percent", "1"
        lo, hi = (parse_fraction(v, where) for v in (low, high))
    elif all(isinstance(v, str) for v in (low, high)):
        if si_unit in ("", "1"):
            raise InputError(where, f"{path} takes no unit; give low and high as numbers or percentages")
        kind, unit = "float", si_unit
        from mtzsim.units import parse_in_unit

        lo, hi = (parse_in_unit(v, si_unit, where) for v in (low, high))
    else:
        raise InputError(where, f"low and high must both be quantities with units, percentages or numbers, "
                         f"got {low!r} and {high!r}")
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        raise InputError(where, f"low must be below high, got {low!r} and {high!r}")
    return Parameter(path, kind, low=lo, high=hi, unit=unit)


# ---------------------------------------------------------------------------------------
# Generating and validating the scenarios
# ---------------------------------------------------------------------------------------


def unit_points(spec: SweepSpec) -> list[tuple]:
    """The sweep's points: grid value indices, or lhs/sobol points in [0, 1)^d (seeded)."""
    if spec.method == "grid":
        return list(itertools.product(*(range(len(p.values)) for p in spec.parameters)))
    import numpy as np
    from scipy.stats import qmc

    d = len(spec.parameters)
    rng = np.random.default_rng(spec.seed)
    if spec.method == "lhs":
        u = qmc.LatinHypercube(d, rng=rng).random(spec.samples)
    else:
        u = qmc.Sobol(d, scramble=True, rng=rng).random_base2(int(math.log2(spec.samples)))
    return [tuple(float(x) for x in row) for row in u]


def set_path(data: dict, path: str, value) -> None:
    """Set ``table.key`` or ``scars[i].key`` of scenario data (a TOML dict) in place."""
    m = _PATH.fullmatch(path)
    table, index, key = m.group("table"), m.group("index"), m.group("key")
    if index is not None:
        data[table][int(index)][key] = value
    else:
        data.setdefault(table, {})[key] = value


def get_path(scenario, path: str):
    """The validated (SI) value of ``table.key`` or ``scars[i].key`` of a Scenario."""
    m = _PATH.fullmatch(path)
    obj = getattr(scenario, m.group("table"))
    if m.group("index") is not None:
        obj = obj[int(m.group("index"))]
    return getattr(obj, m.group("key"))


def scenario_from_data(data: dict, *, source: str = "<sweep>"):
    """Validate scenario data (a TOML dict) exactly as :func:`mtzsim.io.scenario.parse_scenario` does.

    Raises
    ------
    InputError
        Names the field.
    """
    from pydantic import ValidationError

    from mtzsim.io.scenario import Scenario, _to_input_error

    try:
        scenario = Scenario.model_validate(copy.deepcopy(data))
    except ValidationError as exc:
        raise _to_input_error(exc, data, None) from None
    scenario._raw = copy.deepcopy(data)
    scenario._source = source
    scenario.beam()
    scenario.pattern_spec()
    return scenario


def generate(spec: SweepSpec) -> list[SweepPoint]:
    """Every scenario of the sweep, validated, with its input hash.

    Raises
    ------
    InputError
        A generated scenario is invalid: names ``sweep.parameters.<path>`` when the swept field
        is at fault, else the scenario field, with the point's values.
    """
    from mtzsim.pipeline.cache import canonical_hash, model_version

    version = model_version()
    stages = list(spec.stages) if spec.stages is not None else None
    points = []
    for i, u in enumerate(unit_points(spec)):
        data = copy.deepcopy(spec.base)
        values = {}
        for p, x in zip(spec.parameters, u):
            value = p.values[x] if p.kind == "values" else p.value(x)
            set_path(data, p.path, value)
            values[p.path] = value
        scenario = _validated(data, values, spec)
        stage_names = stages or [s.name for s in _default_stage_list(scenario)]
        resolved = scenario.to_dict()["resolved_si"]
        digest = canonical_hash({"scenario": resolved, "stages": stage_names, "model": version})[:32]
        inputs = {}
        for p in spec.parameters:
            v = get_path(scenario, p.path)
            inputs[f"in.{p.path}"] = list(v) if isinstance(v, tuple) else v
        points.append(SweepPoint(i, values, data, digest, inputs))
    return points


def _validated(data: dict, values: dict, spec: SweepSpec):
    try:
        return scenario_from_data(data, source=spec.source)
    except InputError as exc:
        shown = ", ".join(f"{k} = {v!r}" for k, v in values.items())
        bare = re.sub(r"\[\d+\]", "", exc.field)
        for path in values:
            if exc.field == path or bare == re.sub(r"\[\d+\]", "", path) and exc.field.startswith(path.split("[")[0]):
                raise InputError(f"sweep.parameters.{path}", f"{exc.message} (at {shown})") from None
        raise InputError(exc.field, f"{exc.message} (in the sweep's scenario at {shown})") from None


def _default_stage_list(scenario):
    from mtzsim.pipeline.chain import default_stages

    return default_stages(scenario)


def input_units(spec: SweepSpec) -> dict[str, str]:
    """``in.<path>`` → SI unit of the swept fields."""
    from mtzsim.io.scenario import field_unit

    return {f"in.{p.path}": field_unit(re.sub(r"\[\d+\]", "[0]", p.path))[0] for p in spec.parameters}


# ---------------------------------------------------------------------------------------
# One task: a scenario through the chain, on any worker
# ---------------------------------------------------------------------------------------

_CACHES: dict[str, Any] = {}


def _cache_for(cache_dir: str | None):
    from mtzsim.pipeline.cache import ResultCache, default_cache

    if cache_dir is None:
        return default_cache()
    cache = _CACHES.get(cache_dir)
    if cache is None:
        cache = _CACHES[cache_dir] = ResultCache(cache_dir)
    return cache


def pin_threads() -> None:
    """One numba thread per task (Dask gives each worker one thread: no oversubscription)."""
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a dependency
        return
    if numba.get_num_threads() != 1:
        numba.set_num_threads(1)


@functools.lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    """Versions of the packages that shape the numbers (and of Python)."""
    import platform
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in ("mtzsim", "numpy", "scipy", "numba", "pydantic", "dask", "distributed", "pyarrow"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


@functools.lru_cache(maxsize=1)
def git_revision() -> str | None:
    """The git commit of the mtzsim source tree (with ``-dirty`` if modified), or None outside a checkout."""
    root = Path(__file__).resolve().parents[3]
    if not (root / ".git").exists():
        return None
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return rev + ("-dirty" if dirty else "") if rev else None


def run_point(data: dict, stages: tuple[str, ...] | None = None, cache_dir: str | None = None) -> dict:
    """Run one scenario (TOML data) through the chain; return its outputs and provenance.

    Runs on a Dask worker or in-process. ``cache_dir`` None: the worker's default cache
    (``$MTZSIM_CACHE_DIR``).

    Returns
    -------
    dict
        ``outputs`` (column → SI value), ``units`` (column → SI unit), ``versions``, ``git``,
        ``worker``, ``seconds``, ``sources`` (stage → computed / cache), ``warnings``.
    """
    from mtzsim.pipeline.chain import DEFAULT_STAGES, TreatmentChain

    pin_threads()
    t0 = time.perf_counter()
    scenario = scenario_from_data(data)
    specs = None if stages is None else tuple(s for s in DEFAULT_STAGES if s.name in stages)
    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        run = TreatmentChain(scenario, stages=specs, cache=_cache_for(cache_dir)).run()
    outputs, units = summary_outputs(run)
    return {
        "outputs": outputs,
        "units": units,
        "versions": package_versions(),
        "git": git_revision(),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "seconds": time.perf_counter() - t0,
        "sources": {rec.name: rec.source.split(" ")[0] for rec in run.records},
        "warnings": sorted({str(w.message) for w in caught}),
    }


def run_points(data: Sequence[dict], stages: tuple[str, ...] | None = None, cache_dir: str | None = None) -> list[dict]:
    """:func:`run_point` for several scenarios, in order (one Dask task for many cheap scenarios)."""
    return [run_point(d, stages, cache_dir) for d in data]


def summary_outputs(run) -> tuple[dict, dict]:
    """The scalar outputs of every stage (SI), as ``out.<stage>.<field>`` columns, and their units.

    Fields declared with :func:`mtzsim.pipeline.contract.quantity` give their unit from the
    metadata. Results without metadata yet (MTZ, field) give their scalar dataclass fields, which
    hold SI values; the unit is read off the display key of their ``to_dict()``
    (``ablation_depth_um`` → m, ``peak_temperature_c`` → K), and a field with no such key is left
    out rather than given a guessed unit.
    """
    from mtzsim.io.serialise import field_metadata

    outputs: dict[str, Any] = {}
    units: dict[str, str] = {}
    for rec in run.records:
        meta = field_metadata(rec.result)
        found = _described_scalars(rec.result, meta) if meta is not None else _legacy_scalars(rec.result)
        for key, (value, unit) in found.items():
            outputs[f"out.{rec.name}.{key}"] = value
            units[f"out.{rec.name}.{key}"] = unit
    return outputs, units


def _is_number(value) -> bool:
    import numpy as np

    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _scalar(value):
    return value.item() if hasattr(value, "item") else value


def _described_scalars(result, meta: dict) -> dict:
    out = {}
    for name, info in meta.items():
        value = getattr(result, name)
        if info["kind"] in ("quantity", "count") and (_is_number(value) or value is None):
            out[name] = (math.nan if value is None else _scalar(value), info["unit"])
        elif info["kind"] == "flag" and isinstance(value, bool):
            out[name] = (value, "")
    return out


#: Display suffix of a legacy ``to_dict()`` key → SI unit of the dataclass field it shows.
_SUFFIX_SI = {"um": "m", "mm": "m", "mm3": "m3", "mj": "J", "c": "K", "k": "K", "s": "s"}


def _legacy_scalars(result) -> dict:
    if not dataclasses.is_dataclass(result):
        return {}
    shown = result.to_dict() if callable(getattr(result, "to_dict", None)) else {}
    out = {}
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if f.name.startswith("_") or not _is_number(value):
            continue
        if f.name in shown:  # a number shown as is: a count, a fraction or a ratio
            unit = "1" if re.search(r"coverage|fraction|contraction|ratio", f.name) else ""
        else:
            unit = next((si for suffix, si in _SUFFIX_SI.items() if f"{f.name}_{suffix}" in shown), None)
            if unit is None:
                continue
        out[f.name] = (_scalar(value), unit)
    return out


# ---------------------------------------------------------------------------------------
# Executors
# ---------------------------------------------------------------------------------------


class SerialExecutor:
    """Runs tasks one after the other in this process (``--workers 0``; the reference for tests)."""

    workers = 0
    address = "serial"

    def imap(self, fn: Callable, args: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        """``(i, fn(*args[i]))`` in order."""
        for i, a in enumerate(args):
            yield i, fn(*a)

    def close(self) -> None:
        pass


class DaskExecutor:
    """Runs tasks on a Dask cluster through a :class:`distributed.Client`; yields results as they finish."""

    def __init__(self, client, cluster=None):
        self.client = client
        self.cluster = cluster

    @property
    def workers(self) -> int:
        return len(self.client.scheduler_info().get("workers", {}))

    @property
    def address(self) -> str:
        return self.client.scheduler.address

    def imap(self, fn: Callable, args: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        """``(i, fn(*args[i]))`` in completion order; on exit (or an interrupt) unfinished tasks are cancelled."""
        from distributed import as_completed

        futures = [self.client.submit(fn, *a, pure=False) for a in args]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for future, result in as_completed(futures, with_results=True):
                yield index[future.key], result
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


#: Environment of local workers: one numba/BLAS thread each (Dask runs one task per worker thread).
WORKER_ENV = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@contextlib.contextmanager
def open_executor(*, workers: int | None = None, scheduler: str | None = None, cache_dir: str | None = None,
                  timeout: str = "15s"):
    """The executor of a sweep: serial (``workers=0``), a local Dask cluster, or an existing scheduler.

    Parameters
    ----------
    workers : int, optional
        Local worker processes (one thread each); 0 for the in-process serial path; default the
        number of CPUs. Ignored with ``scheduler``.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``).
    cache_dir : str, optional
        Result-cache folder given to local workers (``MTZSIM_CACHE_DIR``).
    timeout : str
        How long to try to reach ``scheduler``.

    Raises
    ------
    InputError
        ``--workers`` below 0, or a scheduler that cannot be reached (``--scheduler``).
    """
    if scheduler:
        from distributed import Client

        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError("--scheduler", f"cannot reach a Dask scheduler at {scheduler!r}: {exc}") from None
        executor = DaskExecutor(client)
    else:
        n = (os.cpu_count() or 1) if workers is None else workers
        if n < 0:
            raise InputError("--workers", f"expected 0 (serial, in this process) or more workers, got {n}")
        if n == 0:
            executor = SerialExecutor()
        else:
            import logging

            from distributed import Client, LocalCluster

            env = dict(WORKER_ENV)
            if cache_dir is not None:
                env["MTZSIM_CACHE_DIR"] = str(cache_dir)
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, env=env,
                                   dashboard_address=":0", silence_logs=logging.ERROR)
            client = Client(cluster)
            # a Ctrl-C reaches the whole process group: local workers leave it to this process, which
            # closes them, instead of each printing its own KeyboardInterrupt traceback
            client.run(_ignore_interrupts)
            executor = DaskExecutor(client, cluster)
    try:
        yield executor
    finally:
        executor.close()


def _ignore_interrupts() -> None:
    """Ignore SIGINT in a local worker process (run there on its event-loop thread, the main one)."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def map_tasks(fn: Callable, items: Iterable, executor=None, *, progress: Callable[[int, int], None] | None = None) -> list:
    """``[fn(item) for item in items]`` on an executor (default serial), results in item order.

    ``fn`` must be picklable (a module-level function) to run on Dask workers.
    """
    items = list(items)
    executor = SerialExecutor() if executor is None else executor
    out: list = [None] * len(items)
    done = 0
    for i, result in executor.imap(fn, [(item,) for item in items]):
        out[i] = result
        done += 1
        if progress is not None:
            progress(done, len(items))
    return out


def map_scenarios(scenarios: Iterable, executor=None, *, stages: Sequence[str] | None = None,
                  cache_dir: str | None = None) -> list[dict]:
    """Run scenarios (TOML dicts, or Scenarios parsed from text) through the chain on an executor.

    Returns :func:`run_point`'s records in the scenarios' order.
    """
    data = []
    for s in scenarios:
        if isinstance(s, dict):
            data.append(s)
        elif getattr(s, "raw", None) is not None:
            data.append(copy.deepcopy(s.raw))
        else:
            raise ValueError(f"expected scenario data (a dict) or a Scenario, got {type(s).__name__}")
    stages = tuple(stages) if stages is not None else None
    executor = SerialExecutor() if executor is None else executor
    out: list = [None] * len(data)
    for i, result in executor.imap(run_point, [(d, stages, cache_dir) for d in data]):
        out[i] = result
    return out


def cohort_chunks(n: int, chunk: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of the patient chunks of a cohort of ``n`` (the last may be shorter)."""
    if n < 1 or chunk < 1:
        raise ValueError(f"cohort size and chunk must be at least 1, got {n} and {chunk}")
    return [(a, min(a + chunk, n)) for a in range(0, n, chunk)]


def _cohort_chunk(args):
    population, start, stop, seed, fn = args
    from mtzsim.clinic.cohort import draw_patients

    draws = draw_patients(population, stop - start, seed, start=start)
    return draws if fn is None else fn(draws)


def map_cohort(population, n: int, seed: int, executor=None, *, chunk: int = 1000, fn: Callable | None = None) -> list:
    """Draw a virtual cohort in chunks on an executor; apply ``fn`` to each chunk's draws there.

    Each patient draws from its own ``SeedSequence(seed, spawn_key=(i,))``
    (:func:`mtzsim.clinic.cohort.draw_patients`), so the chunks joined in order
    (:func:`mtzsim.clinic.cohort.concat`) equal one draw of the whole cohort, bit for bit,
    whatever the chunk size and the number of workers.

    Returns
    -------
    list
        Per chunk, in patient order: the :class:`~mtzsim.clinic.cohort.PatientDraws`, or ``fn``'s result.
    """
    items = [(population, a, b, seed, fn) for a, b in cohort_chunks(n, chunk)]
    return map_tasks(_cohort_chunk, items, executor)


# ---------------------------------------------------------------------------------------
# The whole sweep
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepOutcome:
    """What :func:`run_sweep` did: counts, the files, the registry row and the wall time [s]."""

    n_scenarios: int
    n_unique: int
    n_computed: int
    n_stored_before: int
    out_dir: Path
    table: Path
    run_id: str | None
    seconds: float
    workers: int
    executor: str

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["out_dir"], d["table"] = str(self.out_dir), str(self.table)
        return d


def task_size(n_tasks: int, workers: int) -> int:
    """Scenarios per Dask task: about 8 tasks per worker (Dask's overhead is ~1 ms per task, plus
    shipping; scenarios whose stages come from the cache take a few ms each), at most 50; 1 when serial."""
    if workers <= 0:
        return 1
    return max(1, min(50, n_tasks // (8 * workers)))


def default_batch(n_tasks: int, workers: int) -> int:
    """Rows per Parquet part: about 20 parts per sweep, at least one row per worker, at most 500."""
    return max(1, min(500, max(workers, math.ceil(n_tasks / 20))))


def run_sweep(spec: SweepSpec, out_dir, *, executor=None, resume: bool = True, cache_dir: str | None = None,
              db=None, batch: int | None = None, progress: Callable[[int, int], None] | None = None,
              points: list[SweepPoint] | None = None) -> SweepOutcome:
    """Run every scenario of a sweep whose row is not stored yet; write Parquet parts and the merged table.

    Parameters
    ----------
    spec : SweepSpec
    out_dir : str or Path
        The sweep folder (created; an existing one is resumed, or emptied of rows when
        ``resume`` is False).
    executor : SerialExecutor or DaskExecutor, optional
        Default serial.
    resume : bool
        Skip scenarios whose input hash is in the stored parts.
    cache_dir : str, optional
        Result-cache folder for the tasks (default: each worker's ``$MTZSIM_CACHE_DIR``).
    db : str or Path, optional
        Run registry for the sweep's row; None for none.
    batch : int, optional
        Rows per part; default ``spec.batch`` or :func:`default_batch`.
    progress : callable, optional
        ``progress(done, total)`` after each finished scenario.
    points : list of SweepPoint, optional
        Already generated points (:func:`generate`).
    """
    from mtzsim.io import sweep_store as store

    t0 = time.perf_counter()
    started = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    executor = SerialExecutor() if executor is None else executor
    points = generate(spec) if points is None else points
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("--out", f"{str(out)!r} is a file; give a folder for the sweep")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError("--out", f"cannot create {str(out)!r}: {exc.strerror or exc}") from None
    if spec.text is not None:
        from mtzsim.io.serialise import write_text_atomic

        write_text_atomic(out / "sweep.toml", spec.text)
    if not resume:
        store.remove_parts(out)
    stored = store.stored_hashes(out) if resume else set()
    by_hash: dict[str, list[SweepPoint]] = {}
    for p in points:
        by_hash.setdefault(p.input_hash, []).append(p)
    todo = [h for h in by_hash if h not in stored]
    n_stored = sum(len(by_hash[h]) for h in by_hash if h in stored)
    units = {**input_units(spec), "run.seconds": "s"}
    batch = batch or spec.batch or default_batch(len(todo), max(1, executor.workers))
    stages = spec.stages
    rows: list[dict] = []
    done = n_stored
    if progress is not None:
        progress(done, len(points))
    size = task_size(len(todo), executor.workers)
    chunks = [todo[a:a + size] for a in range(0, len(todo), size)]
    args = [([by_hash[h][0].data for h in chunk], stages, cache_dir) for chunk in chunks]
    for i, records in executor.imap(run_points, args):
        for h, record in zip(chunks[i], records):
            units.update(record["units"])
            for p in by_hash[h]:
                rows.append(_row(p, record, spec))
                done += 1
            if len(rows) >= batch:
                store.write_part(out, rows, units)
                rows = []
        if progress is not None:
            progress(done, len(points))
    if rows:
        store.write_part(out, rows, units)
    table = _merge(out, points, units)
    seconds = time.perf_counter() - t0
    outcome = SweepOutcome(len(points), len(by_hash), len(todo), n_stored, out, table, None, seconds,
                           executor.workers, executor.address)
    if db is not None:
        outcome = dataclasses.replace(outcome, run_id=_register(spec, outcome, db, started))
    return outcome


def _row(point: SweepPoint, record: dict, spec: SweepSpec) -> dict:
    data = point.data
    row = {"index": point.index, "input_hash": point.input_hash, **point.inputs}
    row["seed.sweep"] = spec.seed if spec.method != "grid" else None
    row["seed.pattern"] = data.get("pattern", {}).get("seed")
    row["seed.cohort"] = data.get("cohort", {}).get("seed")
    row.update(record["outputs"])
    row["model_version"] = _model_version()
    for k, v in record["versions"].items():
        row[f"version.{k}"] = v
    row["git_revision"] = record["git"]
    row["run.worker"] = record["worker"]
    row["run.seconds"] = record["seconds"]
    row["run.sources"] = ",".join(f"{k}:{v}" for k, v in record["sources"].items())
    row["run.warnings"] = "\n".join(record["warnings"])
    return row


def _model_version() -> str:
    from mtzsim.pipeline.cache import model_version

    return model_version()


def _merge(out: Path, points: list[SweepPoint], units: dict) -> Path:
    """One row per point, in point order, from the stored parts (the point's own index and inputs)."""
    from mtzsim.io import sweep_store as store

    table = store.read_parts(out)
    found: dict[str, dict] = {}
    if table is not None:
        for row in table.to_pylist():
            found.setdefault(row["input_hash"], row)
        units = {**store.column_units(table), **{k: v for k, v in units.items() if v}}
    rows = []
    for p in points:
        row = dict(found[p.input_hash])
        row.update({"index": p.index, **p.inputs})
        rows.append(row)
    return store.write_result(out, rows, units)


def _register(spec: SweepSpec, outcome: SweepOutcome, db, started: str) -> str:
    from mtzsim import __version__
    from mtzsim.io.store import RunStore

    base = scenario_from_data(spec.base, source=spec.source)
    summary = {
        "method": spec.method,
        "parameters": [p.path for p in spec.parameters],
        "samples": outcome.n_scenarios,
        "unique_scenarios": outcome.n_unique,
        "computed": outcome.n_computed,
        "stored_before": outcome.n_stored_before,
        "table": str(outcome.table.resolve()),
        "workers": outcome.workers,
        "executor": outcome.executor,
        "seed": spec.seed,
    }
    with RunStore(db, field="--db") as store:
        return store.add_run(scenario=base.to_dict(), results={"sweep": summary}, timings={"sweep": outcome.seconds},
                             version=__version__, name=f"sweep: {spec.name}", source=spec.source,
                             scenario_toml=spec.text, out_dir=str(outcome.out_dir.resolve()),
                             total_s=outcome.seconds, created_at=started)


__all__ = ["METHODS", "RUN_COLUMNS", "DaskExecutor", "Parameter", "SerialExecutor", "SweepOutcome", "SweepPoint",
           "SweepSpec", "WORKER_ENV", "cohort_chunks", "default_batch", "generate", "get_path", "git_revision",
           "load_sweep", "map_cohort", "map_scenarios", "map_tasks", "open_executor", "package_versions",
           "parse_sweep", "pin_threads", "run_point", "run_points", "run_sweep", "scenario_from_data", "set_path",
           "summary_outputs", "task_size", "unit_points"]
