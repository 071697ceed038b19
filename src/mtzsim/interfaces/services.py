"""The run service: a scenario through the chain into a whole output folder and one registry row.

One function, :func:`run_scenario`, used by ``mtzsim run``, ``mtzsim demo`` and later the web app
and sweeps. Its promise:

1. Everything that can be checked before the simulation is: the output folder (refused when it
   exists, unless ``force``; its parent created or refused when it cannot be written) and the
   registry file.
2. The files (``scenario.toml``, ``results.json``, ``fields.nc``, ``report.html``) are written
   into a hidden staging folder next to the output folder and renamed into place at the end:
   an interrupt leaves either no output folder or a whole one.
3. The registry row is written last, in one transaction.
4. From the rename to the end of the registry transaction a Ctrl-C (SIGINT) is held back and
   raised only afterwards, so that an interrupt never separates a run folder from its row;
   ``on_stored`` tells the caller that the run is stored (``mtzsim run`` then exits 0).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from mtzsim.errors import InputError
from mtzsim.io.store import DEFAULT_DB, RunStore, new_run_id
from mtzsim.pipeline.progress import Progress

#: Files of a run folder.
OUTPUT_FILES = {"scenario": "scenario.toml", "results": "results.json", "fields": "fields.nc",
                "report": "report.html"}
_PARTIAL = ".partial-"


@dataclass(frozen=True)
class RunOutcome:
    """What :func:`run_scenario` made: the chain's result, the run id, the folder, the files, the registry."""

    run: object
    run_id: str
    out_dir: Path
    db: Path
    files: dict[str, Path] = field(default_factory=dict)


def default_out_dir(scenario, run_id: str) -> Path:
    """``runs/<scenario stem>-<run id>``."""
    stem = Path(scenario.source).stem if scenario.source not in ("<string>", "<python>") else "scenario"
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem) or "scenario"
    return Path("runs") / f"{stem}-{run_id}"


def prepare_output(out_dir, *, force: bool = False, field_name: str = "out") -> Path:
    """Check ``out_dir`` before any compute and return a fresh staging folder beside it.

    Raises
    ------
    InputError
        ``out_dir`` is a file, exists (without ``force``), or its parent cannot be created or
        written.
    """
    with user_path(out_dir, field_name):
        return _prepare_output(Path(out_dir), force, field_name)


def _prepare_output(out: Path, force: bool, field_name: str) -> Path:
    if out.exists() and not out.is_dir():
        raise InputError(field_name, f"{str(out)!r} is a file; give a folder for the run's files")
    if out.exists() and not force:
        raise InputError(field_name, f"{str(out)!r} already exists; give another folder, or --force to replace it")
    if out.exists():
        _refuse_to_replace(out, field_name)
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(field_name, f"cannot create the folder {str(parent)!r}: {exc.strerror or exc}") from None
    _remove_stale_partials(parent, out.name)
    try:
        staging = tempfile.mkdtemp(prefix=f".{out.name}{_PARTIAL}{os.getpid()}-", dir=parent)
    except OSError as exc:
        raise InputError(field_name, f"cannot write in {str(parent)!r}: {exc.strerror or exc}") from None
    return Path(staging)


def open_registry(db, *, field_name: str) -> RunStore:
    """The run registry ``db``, refusing a file that is no SQLite database before SQLite sees it.

    SQLite takes a file of a few bytes for an empty database and overwrites it (``--db notes.txt``
    holding one line); a longer one it refuses, which :class:`RunStore` reports.
    """
    path = Path(db)
    with user_path(db, field_name):
        if path.is_file() and path.stat().st_size > 0:
            with open(path, "rb") as fh:
                head = fh.read(16)
            if head != b"SQLite format 3\0":  # the header of every SQLite database file
                raise InputError(field_name, f"{str(path)!r} is not an mtzsim run registry (not an SQLite file); "
                                             "give another file")
        return RunStore(path, field=field_name)


def _refuse_to_replace(out: Path, field_name: str) -> None:
    """``--force`` replaces a run folder, never the folder one works in, one above it, the home folder or a git checkout."""
    where = out.resolve()
    cwd = Path.cwd().resolve()
    if where == cwd or where in cwd.parents:
        raise InputError(field_name, f"{str(out)!r} is the working folder or holds it; --force would delete it")
    if where == Path.home().resolve():
        raise InputError(field_name, f"{str(out)!r} is the home folder; --force would delete it")
    if (where / ".git").exists():
        raise InputError(field_name, f"{str(out)!r} is a git checkout; --force would delete it")


#: Figure formats matplotlib writes (checked before any compute, so a typo never costs a run).
FIGURE_FORMATS = ("png", "pdf", "svg", "svgz", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp")


def check_figure_path(path, *, field_name: str = "--figure", make_folder: bool = False) -> Path:
    """Refuse a figure path whose format is unknown or whose folder is missing or read-only.

    ``make_folder``: create a missing folder (for commands whose figure writer creates it).

    Raises
    ------
    InputError
        Naming ``field_name``, before the simulation runs.
    """
    return check_output_file(path, field_name=field_name, formats=FIGURE_FORMATS, kind="figure",
                             make_folder=make_folder)


def check_output_file(path, *, field_name: str, formats=None, kind: str = "file", make_folder: bool = False) -> Path:
    """Refuse an output file that cannot be written, before any compute.

    Parameters
    ----------
    path : str or Path
        The file to be written.
    field_name : str
        How the caller names it in messages (``--out``).
    formats : sequence of str, optional
        Accepted suffixes (without the dot); default any.
    kind : str
        What the file is, in messages (``figure``).
    make_folder : bool
        Create a missing folder instead of refusing it.

    Raises
    ------
    InputError
        Unknown format, empty path, a folder, a missing or unwritable folder; naming ``field_name``.
    """
    if not str(path).strip():
        raise InputError(field_name, "empty; give a file name")
    with user_path(path, field_name):
        return _check_output_file(Path(path), field_name, formats, kind, make_folder)


def _check_output_file(out: Path, field_name: str, formats, kind: str, make_folder: bool) -> Path:
    suffix = out.suffix.lower().lstrip(".")
    if formats is not None and suffix not in formats:
        raise InputError(field_name, f"{str(out)!r}: unsupported {kind} format {suffix or '(none)'!r}; "
                         f"use one of {', '.join(formats)}")
    if out.is_dir():
        raise InputError(field_name, f"{str(out)!r} is a folder; give a file name")
    parent = out.parent if str(out.parent) else Path(".")
    if make_folder:
        check_output_folder(parent, field_name=field_name)
    elif not parent.is_dir():
        raise InputError(field_name, f"the folder {str(parent)!r} does not exist")
    else:
        _probe_writable(parent, field_name)
    return out


def check_output_folder(path, *, field_name: str) -> Path:
    """Create the output folder ``path`` (with its parents) and check that it can be written, before any compute.

    Raises
    ------
    InputError
        ``path`` is empty, a file, or cannot be created or written; naming ``field_name``.
    """
    if not str(path).strip():
        raise InputError(field_name, "empty; give a folder")
    out = Path(path)
    with user_path(path, field_name):
        if out.exists() and not out.is_dir():
            raise InputError(field_name, f"{str(out)!r} is a file; give a folder")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(field_name, f"cannot create {str(out)!r}: {exc.strerror or exc}") from None
        _probe_writable(out, field_name)
    return out


@contextlib.contextmanager
def user_path(path, field_name: str):
    """An OSError from looking at a user's path (a name too long, a link loop) → InputError naming the field."""
    try:
        yield
    except OSError as exc:
        shown = str(path) if len(str(path)) <= 80 else str(path)[:77] + "..."
        raise InputError(field_name, f"cannot use {shown!r}: {exc.strerror or exc}") from None


def _probe_writable(folder: Path, field_name: str) -> None:
    """Write and remove a temporary file in ``folder`` (``os.access`` says yes to root even on /proc)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise InputError(field_name, f"cannot write in {str(folder)!r}: {exc.strerror or exc}") from None


def _remove_stale_partials(parent: Path, name: str) -> None:
    """Staging folders of ``name`` left by processes that no longer run (killed runs)."""
    for p in parent.glob(f".{glob_escape(name)}{_PARTIAL}*"):
        pid = p.name[len(name) + 1 + len(_PARTIAL):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


def glob_escape(text: str) -> str:
    """``text`` with glob wildcards escaped."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def held_interrupts():
    """Hold SIGINT back inside the block and raise KeyboardInterrupt after it (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def run_scenario(
    scenario,
    out_dir=None,
    *,
    db=DEFAULT_DB,
    force: bool = False,
    progress: Progress | None = None,
    cache=True,
    stages=None,
    on_stored: Callable[[str], None] | None = None,
    field_names: dict[str, str] | None = None,
) -> RunOutcome:
    """Run ``scenario`` through the chain; write its folder atomically, then its registry row.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    out_dir : str or Path, optional
        The run folder; default :func:`default_out_dir`.
    db : str or Path
        The run registry (SQLite file).
    force : bool
        Replace an existing ``out_dir``.
    progress : Progress, optional
        ``progress(stage, fraction, detail)``.
    cache : bool or ResultCache
        ``True``: the user's result cache; ``False``: compute everything; or a cache.
    stages : sequence of StageSpec, optional
        Default :data:`mtzsim.pipeline.chain.DEFAULT_STAGES`.
    on_stored : callable, optional
        Called with the run id as soon as the registry transaction is committed.
    field_names : dict, optional
        How the caller names ``out`` and ``db`` in error messages (``{"out": "--out"}``).

    Returns
    -------
    RunOutcome

    Raises
    ------
    InputError
        Output folder or registry refused (before any compute); a stage refusal that names its
        setting (a field too large for memory: ``pattern.area``).
    KeyboardInterrupt
        Interrupted; the staging folder is removed. When held back past the registry commit,
        ``on_stored`` has been called first.
    """
    from mtzsim.pipeline.cache import ResultCache, default_cache
    from mtzsim.pipeline.chain import TreatmentChain
    from mtzsim.report import write_report

    names = {"out": "out", "db": "db", **(field_names or {})}
    db = Path(db)
    store = open_registry(db, field_name=names["db"])
    try:
        run_id = new_run_id()
        while store.has_run(run_id):
            run_id = new_run_id()
        out = Path(out_dir) if out_dir is not None else default_out_dir(scenario, run_id)
        staging = prepare_output(out, force=force, field_name=names["out"])
        try:
            if cache is True:
                cache = default_cache()
            elif cache is False or cache is None:
                cache = None
            elif not isinstance(cache, ResultCache):
                raise ValueError(f"cache must be True, False or a ResultCache, got {type(cache).__name__}")
            with named_field_errors():
                run = TreatmentChain(scenario, stages=stages, cache=cache).run(progress=progress).with_run_id(run_id)
            written = _write_files(run, scenario, staging, write_report)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        with held_interrupts():
            _move_into_place(staging, out)
            record = run.to_dict()
            try:
                store.add_run(
                    scenario=record["scenario"],
                    results=record["stages"],
                    timings=record["timings_s"],
                    version=run.version,
                    name=scenario.name,
                    source=scenario.source,
                    scenario_toml=scenario.text,
                    warnings=record["warnings"],
                    out_dir=str(out.resolve()),
                    total_s=run.total_time,
                    run_id=run_id,
                    created_at=run.started_at,
                )
            except BaseException:
                shutil.rmtree(out, ignore_errors=True)  # no folder without its row
                raise
            if on_stored is not None:
                on_stored(run_id)
    finally:
        store.close()
    files = {k: out / v.name for k, v in written.items()}
    return RunOutcome(run=run, run_id=run_id, out_dir=out, db=db, files=files)


@contextlib.contextmanager
def named_field_errors():
    """Turn a core ValueError that names the setting to change into :class:`InputError` at the edge.

    The setting is the error's ``.field`` (as :class:`mtzsim.physics.field.cost.FieldTooLarge`), or,
    for a refusal of the single-MTZ solver's domain (:class:`mtzsim.errors.ModelDomainError` raised in
    :mod:`mtzsim.physics.mtz.domain`: a spot too small for the grid, a grid too large, damage past
    the deepest or widest domain), the scenario key it names.
    """
    try:
        yield
    except InputError:
        raise
    except ValueError as exc:
        name = getattr(exc, "field", None)
        if isinstance(name, str) and name:
            raise InputError(name, getattr(exc, "message", None) or str(exc)) from None
        raise


def mtz_domain_field(exc: BaseException) -> str | None:
    """The scenario key a refusal of the model's domain names (:class:`mtzsim.errors.ModelDomainError`), else None."""
    from mtzsim.errors import ModelDomainError

    return exc.field if isinstance(exc, ModelDomainError) else None


def _write_files(run, scenario, folder: Path, write_report) -> dict[str, Path]:
    from mtzsim.io.serialise import write_text_atomic

    files: dict[str, Path] = {}
    if scenario.text is not None:
        files["scenario"] = write_text_atomic(folder / OUTPUT_FILES["scenario"], scenario.text)
    files["results"] = run.write_json(folder / OUTPUT_FILES["results"])
    nc = run.write_netcdf(folder / OUTPUT_FILES["fields"])
    if nc is not None:
        files["fields"] = nc
    files["report"] = write_report(run, folder / OUTPUT_FILES["report"])
    return files


def _move_into_place(staging: Path, out: Path) -> None:
    """Rename the staging folder to ``out`` (replacing an old ``out`` by two renames)."""
    os.chmod(staging, 0o777 & ~_umask())
    if out.exists():
        trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.absolute().parent))
        os.replace(out, trash / "old")
        os.replace(staging, out)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(staging, out)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


__all__ = ["OUTPUT_FILES", "RunOutcome", "check_figure_path", "check_output_file", "check_output_folder",
           "default_out_dir", "held_interrupts", "mtz_domain_field", "named_field_errors", "open_registry",
           "prepare_output", "run_scenario", "user_path"]
