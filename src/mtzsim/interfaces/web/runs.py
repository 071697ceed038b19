"""Background scenario runs of the web app: a run id at once, the run service in a worker, status on request.

The run folder lives in the server's runs folder (never a client's path) and the registry row in the
server's registry, through :func:`mtzsim.interfaces.services.run_scenario` (atomic folder, then
row). Status is held in memory for the server's lifetime; the report is served from the folder.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from mtzsim.errors import InputError
from mtzsim.io.store import new_run_id


class RunBook:
    """The web runs of this server: id → status (queued, running, done, failed), summary, files.

    Parameters
    ----------
    runs_dir : Path
        Server-side folder of the run folders.
    db : Path
        The run registry (SQLite).
    cache : ResultCache or bool
        Passed to :func:`run_scenario`.
    """

    def __init__(self, runs_dir, db, *, cache=True):
        self.runs_dir = Path(runs_dir)
        self.db = Path(db)
        self.cache = cache
        self._lock = threading.Lock()
        self._runs: dict[str, dict] = {}

    def new(self) -> str:
        with self._lock:
            rid = new_run_id()
            while rid in self._runs:
                rid = new_run_id()
            self._runs[rid] = {"id": rid, "status": "queued", "created": time.time(), "progress": 0.0, "stage": ""}
        return rid

    def drop(self, rid: str) -> None:
        with self._lock:
            self._runs.pop(rid, None)

    def get(self, rid: str) -> dict | None:
        with self._lock:
            r = self._runs.get(rid)
            return None if r is None else dict(r)

    def report_path(self, rid: str) -> Path | None:
        r = self.get(rid)
        if r is None or r["status"] != "done":
            return None
        return self.runs_dir / rid / "report.html"

    def _set(self, rid: str, **kw) -> None:
        with self._lock:
            self._runs[rid].update(kw)

    def execute(self, rid: str, scenario) -> None:
        """Run ``scenario`` into ``runs_dir/rid`` (in a worker thread); record the outcome."""
        from mtzsim.interfaces.services import run_scenario

        def progress(stage, fraction, detail=""):
            self._set(rid, stage=str(stage), progress=float(fraction))

        self._set(rid, status="running", started=time.time())
        try:
            out = run_scenario(scenario, self.runs_dir / rid, db=self.db, cache=self.cache, progress=progress,
                               field_names={"out": "run", "db": "registry"})
        except InputError as exc:
            self._set(rid, status="failed", error={"field": exc.field, "message": exc.message, "status_code": 422})
            return
        except (ValueError, RuntimeError, OSError, MemoryError) as exc:
            self._set(rid, status="failed", error={"field": None, "message": f"{type(exc).__name__}: {exc}",
                                                   "status_code": 500})
            return
        record = out.run.to_dict()
        self._set(rid, status="done", finished=time.time(), progress=1.0, registry_id=out.run_id,
                  summary={"stages": record.get("stages"), "warnings": record.get("warnings"),
                           "timings_s": record.get("timings_s")})
