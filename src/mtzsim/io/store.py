"""Run registry: every completed run in one SQLite file, each written in a single transaction.

A run is stored whole or not at all: :meth:`RunStore.add_run` writes the run row, one
result row per stage and one timing row per stage inside one ``BEGIN IMMEDIATE …
COMMIT``, so a process killed at any moment leaves the registry as it was before the
run (SQLite's journal rolls the half-written transaction back on the next open).
The default file is ``mtzsim-runs.sqlite`` in the working directory.
"""

from __future__ import annotations

import datetime as _dt
import json
import secrets
import sqlite3
from pathlib import Path

from mtzsim.errors import InputError

#: Registry file used when none is given.
DEFAULT_DB = "mtzsim-runs.sqlite"

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id            TEXT PRIMARY KEY,
    created_at    TEXT NOT NULL,
    version       TEXT NOT NULL,
    name          TEXT NOT NULL,
    source        TEXT,
    scenario_toml TEXT,
    scenario_json TEXT NOT NULL,
    warnings_json TEXT NOT NULL,
    skipped_json  TEXT NOT NULL,
    out_dir       TEXT,
    total_s       REAL NOT NULL,
    n_stages      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    stage       TEXT NOT NULL,
    position    INTEGER NOT NULL,
    result_json TEXT NOT NULL,
    PRIMARY KEY (run_id, stage)
);
CREATE TABLE IF NOT EXISTS timings (
    run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    stage   TEXT NOT NULL,
    seconds REAL NOT NULL,
    PRIMARY KEY (run_id, stage)
);
CREATE INDEX IF NOT EXISTS runs_created ON runs(created_at);
"""


def new_run_id() -> str:
    """A short random run id: 8 hexadecimal digits (uniqueness is checked on insert)."""
    return secrets.token_hex(4)


class RunStore:
    """The run registry in an SQLite file.

    Parameters
    ----------
    path : str or Path
        The database file; created (with its folder) if missing.
    field : str
        How the caller names the registry in error messages (``"--db"`` on the command line).

    Raises
    ------
    InputError
        The path is a folder, cannot be created, or is not an mtzsim registry.
    """

    def __init__(self, path=DEFAULT_DB, *, field: str = "db"):
        self.path = Path(path)
        if self.path.is_dir():
            raise InputError(field, f"{str(self.path)!r} is a folder; give a file such as {DEFAULT_DB!r}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(field, f"cannot open {str(self.path)!r}: {exc}") from None
        try:
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA busy_timeout = 30000")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.executescript(_SCHEMA)
            self._conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise InputError(field, f"{str(self.path)!r} is not an mtzsim run registry ({exc})") from None

    # ---- context manager ------------------------------------------------------------
    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> "RunStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- writing --------------------------------------------------------------------
    def add_run(
        self,
        *,
        scenario: dict,
        results: dict,
        timings: dict,
        version: str,
        name: str = "scenario",
        source: str | None = None,
        scenario_toml: str | None = None,
        warnings: list | None = None,
        skipped: dict | None = None,
        out_dir: str | None = None,
        total_s: float | None = None,
        run_id: str | None = None,
        created_at: str | None = None,
    ) -> str:
        """Store one completed run, all of it in ONE transaction.

        Parameters
        ----------
        scenario : dict
            The scenario as written and resolved (``Scenario.to_dict()``).
        results : dict
            Stage name → JSON-able result dict, in stage order.
        timings : dict
            Stage name → wall time [s].
        version : str
            mtzsim version that made the run.
        run_id : str, optional
            Use this id (it must be new); default a fresh :func:`new_run_id`.

        Returns
        -------
        str
            The run id.
        """
        created_at = created_at or _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        total_s = float(sum(timings.values())) if total_s is None else float(total_s)
        payload = {
            "scenario_json": _dumps(scenario),
            "warnings_json": _dumps(list(warnings or [])),
            "skipped_json": _dumps(dict(skipped or {})),
            "results": [(stage, i, _dumps(r)) for i, (stage, r) in enumerate(results.items())],
            "timings": [(stage, float(s)) for stage, s in timings.items()],
        }
        cur = self._conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            if run_id is None:
                run_id = new_run_id()
                while cur.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone():
                    run_id = new_run_id()
            elif cur.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone():
                raise InputError("run_id", f"a run {run_id!r} is already in {str(self.path)!r}")
            self._insert(cur, run_id, payload, (created_at, version, name, source, scenario_toml, out_dir, total_s))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return run_id

    @staticmethod
    def _insert(cur, run_id: str, payload: dict, meta: tuple) -> None:
        """The INSERTs of one run (called inside its transaction)."""
        created_at, version, name, source, scenario_toml, out_dir, total_s = meta
        cur.execute(
            "INSERT INTO runs(id, created_at, version, name, source, scenario_toml, scenario_json, "
            "warnings_json, skipped_json, out_dir, total_s, n_stages) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (run_id, created_at, version, name, source, scenario_toml, payload["scenario_json"],
             payload["warnings_json"], payload["skipped_json"], out_dir, total_s, len(payload["results"])),
        )
        cur.executemany(
            "INSERT INTO results(run_id, stage, position, result_json) VALUES (?,?,?,?)",
            [(run_id, s, i, j) for s, i, j in payload["results"]],
        )
        cur.executemany(
            "INSERT INTO timings(run_id, stage, seconds) VALUES (?,?,?)",
            [(run_id, s, t) for s, t in payload["timings"]],
        )

    def delete_run(self, run_id: str) -> None:
        """Remove one run (and its results and timings) in one transaction."""
        run_id = self._resolve(run_id)
        cur = self._conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.execute("DELETE FROM results WHERE run_id = ?", (run_id,))
            cur.execute("DELETE FROM timings WHERE run_id = ?", (run_id,))
            cur.execute("DELETE FROM runs WHERE id = ?", (run_id,))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    # ---- reading --------------------------------------------------------------------
    def list_runs(self, *, limit: int | None = None) -> list[dict]:
        """The runs, newest first: id, created_at, name, version, total_s, stages, warnings."""
        sql = (
            "SELECT r.id, r.created_at, r.name, r.version, r.total_s, r.warnings_json, "
            "(SELECT group_concat(stage, ',') FROM (SELECT stage FROM results WHERE run_id = r.id "
            "ORDER BY position)) AS stages FROM runs r ORDER BY r.created_at DESC, r.rowid DESC"
        )
        params: tuple = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (int(limit),)
        out = []
        for row in self._conn.execute(sql, params):
            out.append(
                {
                    "id": row[0],
                    "created_at": row[1],
                    "name": row[2],
                    "version": row[3],
                    "total_s": row[4],
                    "warnings": len(json.loads(row[5])),
                    "stages": row[6].split(",") if row[6] else [],
                }
            )
        return out

    def get_run(self, run_id: str) -> dict:
        """One run, whole: scenario, results per stage, timings, warnings.

        ``run_id`` may be a unique prefix of at least 4 characters.

        Raises
        ------
        InputError
            No such run, or the prefix is ambiguous.
        """
        run_id = self._resolve(run_id)
        row = self._conn.execute(
            "SELECT id, created_at, version, name, source, scenario_toml, scenario_json, warnings_json, "
            "skipped_json, out_dir, total_s FROM runs WHERE id = ?",
            (run_id,),
        ).fetchone()
        results = {
            stage: json.loads(text)
            for stage, text in self._conn.execute(
                "SELECT stage, result_json FROM results WHERE run_id = ? ORDER BY position", (run_id,)
            )
        }
        timings = dict(self._conn.execute("SELECT stage, seconds FROM timings WHERE run_id = ?", (run_id,)))
        return {
            "id": row[0],
            "created_at": row[1],
            "version": row[2],
            "name": row[3],
            "source": row[4],
            "scenario_toml": row[5],
            "scenario": json.loads(row[6]),
            "warnings": json.loads(row[7]),
            "skipped": json.loads(row[8]),
            "out_dir": row[9],
            "total_s": row[10],
            "results": results,
            "timings": timings,
        }

    def diff_runs(self, a: str, b: str) -> dict:
        """What differs between two runs: scenario settings, results, version.

        Returns
        -------
        dict
            ``{"a": id, "b": id, "version": [va, vb] or None, "scenario": [...],
            "results": [...]}``; each list entry is ``{"key", "a", "b"}`` (plus
            ``"change"``, the relative change b/a − 1, for numbers).
        """
        from mtzsim.io.scenario import field_unit

        ra, rb = self.get_run(a), self.get_run(b)
        scen_a = _flatten(ra["scenario"].get("resolved_si", ra["scenario"]))
        scen_b = _flatten(rb["scenario"].get("resolved_si", rb["scenario"]))
        res_a, res_b = _flatten(ra["results"]), _flatten(rb["results"])
        return {
            "a": ra["id"],
            "b": rb["id"],
            "version": None if ra["version"] == rb["version"] else [ra["version"], rb["version"]],
            "scenario": _differences(scen_a, scen_b, field_unit),
            "results": _differences(res_a, res_b, result_unit),
        }

    def has_run(self, run_id: str) -> bool:
        """Whether a run with exactly this id is stored."""
        return self._conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is not None

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` (``"ok"`` when healthy)."""
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0]

    def _resolve(self, run_id: str) -> str:
        if not isinstance(run_id, str) or not run_id.strip():
            raise InputError("run_id", "give a run id (see `mtzsim runs list`)")
        run_id = run_id.strip()
        if self._conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone():
            return run_id
        if len(run_id) >= 4:
            escaped = run_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = self._conn.execute(
                "SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\'", (escaped + "%",)
            ).fetchall()
            if len(rows) == 1:
                return rows[0][0]
            if len(rows) > 1:
                raise InputError("run_id", f"{run_id!r} matches {len(rows)} runs; give more characters")
        raise InputError("run_id", f"no run {run_id!r} in {str(self.path)!r} (see `mtzsim runs list`)")


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------


def _dumps(obj) -> str:
    from mtzsim.io.serialise import jsonable

    return json.dumps(jsonable(obj), ensure_ascii=False, sort_keys=False)


def _flatten(obj, prefix: str = "") -> dict:
    out: dict = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list) and obj and all(isinstance(v, dict) for v in obj):
        for i, v in enumerate(obj):
            out.update(_flatten(v, f"{prefix}[{i}]"))
    elif isinstance(obj, list) and len(obj) > 20:
        out[prefix] = f"<{len(obj)} values>"
    else:
        out[prefix] = obj
    return out


def result_unit(key: str) -> tuple[str, str, str]:
    """(unit, display unit, kind) of a stored result key (legacy ``to_dict()`` keys carry the display
    unit as a suffix: ``ablation_depth_um``); whole numbers are counts, seeds categories."""
    parts = key.split(".")
    last = parts[-1]
    if last.endswith("seed") or last in ("laser", "order", "layout", "process"):
        return ("", "", "category")
    if last.endswith("error"):  # a residual near zero: its relative change means nothing
        return ("", "", "residual")
    if last.startswith("coverage") or last.endswith("fraction") or last == "area_contraction":
        return ("1", "%", "quantity")
    for segment in (last, *reversed(parts[:-1])):  # energy_partition_mj.delivered: the unit is on the parent
        for suffix, unit in (("_um", "µm"), ("_mm3", "mm³"), ("_mm", "mm"), ("_mj", "mJ"), ("_c", "°C"),
                             ("_s", "s"), ("_k", "K")):
            if segment.endswith(suffix):
                return (unit, unit, "quantity")
    return ("", "", "quantity")


def _differences(a: dict, b: dict, unit_of) -> list[dict]:
    """Rows ``{"key", "a", "b", "unit", "kind"}`` for values that differ, plus ``"change"`` (b/a − 1)
    for quantities and ``"delta"`` (b − a) for counts; none for categories and seeds."""
    rows = []
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key), b.get(key)
        if va == vb:
            continue
        si, shown, kind = unit_of(key)
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (va, vb))
        if numeric and kind == "quantity" and all(isinstance(v, int) for v in (va, vb)) and not si:
            kind = "count"
        row = {"key": key, "a": va, "b": vb, "unit": shown, "kind": kind if numeric else "category"}
        if kind in ("quantity", "residual"):
            for side, v in (("a", va), ("b", vb)):
                if isinstance(v, (int, float)) and not isinstance(v, bool) and shown:
                    row[f"{side}_shown"] = shown_value(v, si, shown)
        if numeric and kind == "quantity":
            if va != 0:
                row["change"] = vb / va - 1.0
        elif numeric and kind == "count":
            row["delta"] = vb - va
        rows.append(row)
    return rows


def shown_value(value: float, unit: str, shown: str) -> str:
    """``value`` [``unit``] as text in the display unit ``shown``: converted when ``unit`` is the SI unit of
    ``shown`` (``0.02`` J as ``"20 mJ"``), else taken as already in ``shown`` (legacy ``energy_mj`` keys)."""
    from mtzsim.units import DISPLAY_UNITS, display, display_duration, format_number

    if shown == "s" and unit == "s":
        return display_duration(value)
    if shown in DISPLAY_UNITS and unit in (DISPLAY_UNITS[shown][0], ""):
        return display(value, DISPLAY_UNITS[shown][0], shown)
    return f"{format_number(value)} {shown}"


__all__ = ["DEFAULT_DB", "RunStore", "new_run_id"]
