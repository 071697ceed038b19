"""Result cache: stage results keyed by a hash of their inputs and of the model version, in memory and on disk.

A cohort, a sweep or the planner asks for the same MTZ and the same field again and again;
the cache computes each distinct one once. The key of a stage result is the SHA-256 of

- the stage name and its function (``module:qualname``),
- its inputs and options, hashed canonically: dataclasses field by field with their class
  name, floats by their IEEE-754 bytes, arrays by dtype, shape and contents, mappings in
  key order (never ``repr`` or ``id``); an earlier stage's result enters as *its* key;
- the model version: the package version and a hash of every data file of
  ``mtzsim/params/data`` (calibration included) and of the model code (``physics/`` and
  ``_kernels/``), so that a recalibration or a code change never serves an old result.

Results are stored with :mod:`pickle` (protocol 5), written to a temporary file in the same
folder and renamed (an interrupted write never leaves a half file). A stored result is the
same bits as the computed one. The folder is ``$MTZSIM_CACHE_DIR`` when set, else the user's
cache folder (``$XDG_CACHE_HOME/mtzsim``, ``~/.cache/mtzsim``; ``~/Library/Caches/mtzsim`` on
macOS; ``%LOCALAPPDATA%\\mtzsim\\cache`` on Windows); ``mtzsim cache info|clear`` shows and
empties it.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import math
import os
import pickle
import struct
import sys
import tempfile
import warnings
from collections import OrderedDict
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from mtzsim import __version__

#: Environment variable that moves the disk cache.
CACHE_ENV = "MTZSIM_CACHE_DIR"
#: Suffix of stored results.
SUFFIX = ".pkl"
_NAN = struct.pack("<d", math.nan)


def default_cache_dir() -> Path:
    """The cache folder: ``$MTZSIM_CACHE_DIR``, else the platform's user cache folder + ``mtzsim``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "mtzsim" / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "mtzsim"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mtzsim"


@lru_cache(maxsize=1)
def model_version() -> str:
    """Hash of the package version, the data tables and the model code (16 hex digits)."""
    h = hashlib.sha256(__version__.encode())
    data = resources.files("mtzsim.params.data")
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if entry.is_file() and not entry.name.startswith("."):
            h.update(entry.name.encode() + b"\0" + entry.read_bytes())
    root = Path(__file__).resolve().parents[1]
    for sub in ("physics", "_kernels"):
        for path in sorted((root / sub).rglob("*.py")):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------------------------------
# Canonical hashing
# ---------------------------------------------------------------------------------------


class Unhashable(TypeError):
    """An input the canonical hash does not know how to hash (the stage is then not cached)."""


def canonical_hash(obj: Any, *, upstream: Mapping[int, str] | None = None) -> str:
    """SHA-256 (hex) of ``obj``'s contents, the same on every machine and run.

    Parameters
    ----------
    obj : object
        None, bool, int, float, str, bytes, enum, tuple/list, mapping, numpy array or scalar,
        or a dataclass of those.
    upstream : mapping, optional
        ``id(object) → key``: objects hashed by that key instead of their contents (earlier
        stage results).

    Raises
    ------
    Unhashable
        An object of another type.
    """
    h = hashlib.sha256()
    _feed(h, obj, dict(upstream or {}), 0)
    return h.hexdigest()


def _feed(h, obj, upstream: dict, depth: int) -> None:
    if depth > 64:
        raise Unhashable("inputs nested more than 64 levels deep")
    key = upstream.get(id(obj))
    if key is not None:
        h.update(b"R" + key.encode() + b"\0")
        return
    if obj is None:
        h.update(b"N")
    elif isinstance(obj, (bool, np.bool_)):
        h.update(b"B1" if obj else b"B0")
    elif isinstance(obj, enum.Enum):
        h.update(b"E" + type(obj).__qualname__.encode() + b"." + obj.name.encode() + b"\0")
    elif isinstance(obj, (int, np.integer)):
        h.update(b"I" + str(int(obj)).encode() + b"\0")
    elif isinstance(obj, (float, np.floating)):
        f = float(obj)
        h.update(b"F" + (_NAN if math.isnan(f) else struct.pack("<d", f)))
    elif isinstance(obj, str):
        b = obj.encode()
        h.update(b"S" + str(len(b)).encode() + b":" + b)
    elif isinstance(obj, bytes):
        h.update(b"Y" + str(len(obj)).encode() + b":" + obj)
    elif isinstance(obj, np.ndarray):
        if obj.dtype.kind == "O":
            raise Unhashable("object arrays have no canonical bytes")
        a = np.ascontiguousarray(obj)
        h.update(b"A" + a.dtype.str.encode() + repr(a.shape).encode() + b":")
        h.update(a.tobytes())
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        h.update(b"D" + f"{type(obj).__module__}.{type(obj).__qualname__}".encode() + b"{")
        for f in dataclasses.fields(obj):
            h.update(f.name.encode() + b"=")
            _feed(h, getattr(obj, f.name), upstream, depth + 1)
        h.update(b"}")
    elif isinstance(obj, (dict, MappingProxyType)):
        h.update(b"M" + str(len(obj)).encode() + b"{")
        for k in sorted(obj, key=lambda k: (type(k).__name__, str(k))):
            _feed(h, k, upstream, depth + 1)
            _feed(h, obj[k], upstream, depth + 1)
        h.update(b"}")
    elif isinstance(obj, (tuple, list)):
        h.update(b"T" + str(len(obj)).encode() + b"[")
        for v in obj:
            _feed(h, v, upstream, depth + 1)
        h.update(b"]")
    else:
        raise Unhashable(f"cannot hash a {type(obj).__name__} canonically")


# ---------------------------------------------------------------------------------------
# The cache
# ---------------------------------------------------------------------------------------


class ResultCache:
    """Stage results by key, in memory (most recent first) and optionally on disk.

    Parameters
    ----------
    directory : str or Path, optional
        Disk folder; default :func:`default_cache_dir`.
    memory_items : int
        Results kept in memory (least recently used dropped first); 0 for none.
    disk : bool
        Whether to read and write the disk folder.
    """

    def __init__(self, directory=None, *, memory_items: int = 8, disk: bool = True):
        self.directory = Path(directory).expanduser() if directory is not None else default_cache_dir()
        self.memory_items = int(memory_items)
        self.disk = bool(disk)
        self._memory: OrderedDict[str, Any] = OrderedDict()

    # ---- keys ---------------------------------------------------------------------
    def key(self, stage: str, function: str, call, *, upstream: Mapping[int, str] | None = None) -> str | None:
        """The key of ``stage`` called as ``call`` (a :class:`~mtzsim.pipeline.chain.StageCall`).

        Returns None when an input cannot be hashed canonically (then the stage is not cached).
        """
        try:
            digest = canonical_hash((stage, function, model_version(), tuple(call.args), dict(call.kwargs)),
                                    upstream=upstream)
        except Unhashable:
            return None
        return f"{stage}-{digest[:40]}"

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}{SUFFIX}"

    # ---- get / put ----------------------------------------------------------------
    def get(self, key: str | None) -> tuple[Any, str]:
        """``(result, "memory" | "disk")``, or ``(None, "")`` on a miss."""
        if key is None:
            return None, ""
        if key in self._memory:
            self._memory.move_to_end(key)
            return self._memory[key], "memory"
        if not self.disk:
            return None, ""
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                result = pickle.load(fh)
        except FileNotFoundError:
            return None, ""
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError,
                TypeError, ValueError) as exc:
            warnings.warn(f"mtzsim cache: dropping unreadable entry {path.name} ({type(exc).__name__}: {exc})",
                          RuntimeWarning, stacklevel=2)
            path.unlink(missing_ok=True)
            return None, ""
        self._remember(key, result)
        return result, "disk"

    def put(self, key: str | None, result: Any) -> None:
        """Store ``result`` under ``key`` (memory, and disk when enabled; atomic write)."""
        if key is None:
            return
        self._remember(key, result)
        if not self.disk:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".part", dir=self.directory)
        except OSError as exc:
            warnings.warn(f"mtzsim cache: cannot write to {self.directory} ({exc.strerror or exc}); "
                          "results are kept in memory only", RuntimeWarning, stacklevel=2)
            return
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(result, fh, protocol=5)
            os.replace(tmp, self._path(key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _remember(self, key: str, result: Any) -> None:
        if self.memory_items <= 0:
            return
        self._memory[key] = result
        self._memory.move_to_end(key)
        while len(self._memory) > self.memory_items:
            self._memory.popitem(last=False)

    # ---- housekeeping -------------------------------------------------------------
    def entries(self) -> list[Path]:
        """Stored result files on disk."""
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.glob(f"*{SUFFIX}") if p.is_file())

    def info(self) -> dict:
        """Folder, number of results and bytes on disk, by stage; results in memory; model version."""
        by_stage: dict[str, dict[str, int]] = {}
        total = 0
        for p in self.entries():
            size = p.stat().st_size
            total += size
            stage = p.name.split("-", 1)[0]
            s = by_stage.setdefault(stage, {"entries": 0, "bytes": 0})
            s["entries"] += 1
            s["bytes"] += size
        return {"directory": str(self.directory), "entries": sum(s["entries"] for s in by_stage.values()),
                "bytes": total, "by_stage": by_stage, "in_memory": len(self._memory),
                "model_version": model_version()}

    def clear(self) -> int:
        """Delete every stored result (and forget those in memory); the number of files removed."""
        self._memory.clear()
        n = 0
        for p in self.entries():
            p.unlink(missing_ok=True)
            n += 1
        if self.directory.is_dir():
            for p in self.directory.glob(".*.part"):
                p.unlink(missing_ok=True)
        return n


_DEFAULT: dict[str, ResultCache] = {}


def default_cache() -> ResultCache:
    """The process-wide cache of :func:`default_cache_dir` (one per folder, so memory is shared)."""
    directory = str(default_cache_dir())
    cache = _DEFAULT.get(directory)
    if cache is None:
        cache = _DEFAULT[directory] = ResultCache(directory)
    return cache


__all__ = ["CACHE_ENV", "ResultCache", "Unhashable", "canonical_hash", "default_cache", "default_cache_dir",
           "model_version"]
