"""Sweep results on disk: Parquet parts written one batch at a time (atomic renames), merged at the end.

A sweep folder holds

- ``parts/part-<n>-<token>.parquet``: the rows of one completed batch, one row per scenario,
  written to a hidden temporary file and renamed into place (a killed sweep never leaves a half
  part); these parts and the result cache are the record a resumed sweep starts from;
- ``sweep.parquet``: every row of the sweep in scenario order, rewritten (atomically) at the end;
- ``sweep.toml``: the sweep file as given.

Each column's SI unit is stored in the Parquet field metadata (``b"unit"``), so a reader gets
the units with the numbers (``pyarrow.parquet.read_schema(path).field("out.mtz.ablation_depth")
.metadata``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Iterable, Mapping

import pyarrow as pa
import pyarrow.parquet as pq

#: Folder of the parts, file of the merged table.
PARTS = "parts"
RESULT = "sweep.parquet"
#: Column that identifies a scenario's inputs (a resumed sweep skips the hashes it finds).
HASH_COLUMN = "input_hash"


def _table(rows: list[dict], units: Mapping[str, str]) -> pa.Table:
    names: dict[str, None] = {}
    for row in rows:  # every column of every row, in first-seen order (rows may differ in stages)
        names.update(dict.fromkeys(row))
    table = pa.Table.from_pylist([{k: row.get(k) for k in names} for row in rows])
    fields = []
    for f in table.schema:
        unit = units.get(f.name)
        fields.append(f.with_metadata({b"unit": unit.encode()}) if unit is not None else f)
    return table.cast(pa.schema(fields))


def write_atomic(table: pa.Table, path: Path) -> Path:
    """Write ``table`` to ``path`` through a hidden temporary file in the same folder and a rename."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(3)}.tmp")
    try:
        pq.write_table(table, tmp)
        with open(tmp, "rb") as fh:  # the bytes are on disk before the name appears
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def write_part(folder, rows: list[dict], units: Mapping[str, str]) -> Path:
    """Write one batch of rows as a new part of the sweep in ``folder``; returns its path."""
    parts = Path(folder) / PARTS
    parts.mkdir(parents=True, exist_ok=True)
    n = len(list(parts.glob("part-*.parquet")))
    return write_atomic(_table(rows, units), parts / f"part-{n:05d}-{secrets.token_hex(4)}.parquet")


def part_paths(folder) -> list[Path]:
    """The parts of the sweep in ``folder`` (temporary files excluded), in name order."""
    parts = Path(folder) / PARTS
    return sorted(parts.glob("part-*.parquet")) if parts.is_dir() else []


def read_parts(folder) -> pa.Table | None:
    """Every row of every part in ``folder`` (columns unified, missing values null), or None."""
    tables = [pq.read_table(p) for p in part_paths(folder)]
    if not tables:
        return None
    return pa.concat_tables(tables, promote_options="default")


def stored_hashes(folder) -> set[str]:
    """Input hashes of the rows the parts in ``folder`` hold."""
    hashes: set[str] = set()
    for p in part_paths(folder):
        hashes.update(pq.read_table(p, columns=[HASH_COLUMN]).column(HASH_COLUMN).to_pylist())
    return hashes


def remove_parts(folder) -> None:
    """Delete the parts and the merged table of ``folder`` (a sweep started afresh)."""
    for p in part_paths(folder):
        p.unlink()
    result = Path(folder) / RESULT
    if result.exists():
        result.unlink()


def write_result(folder, rows: Iterable[dict], units: Mapping[str, str]) -> Path:
    """Write the merged table (rows in the order given) as ``sweep.parquet`` in ``folder``."""
    return write_atomic(_table(list(rows), units), Path(folder) / RESULT)


def read_result(path) -> pa.Table:
    """Read a sweep's merged table (a folder or the ``.parquet`` file)."""
    path = Path(path)
    return pq.read_table(path / RESULT if path.is_dir() else path)


def column_units(table: pa.Table) -> dict[str, str]:
    """Column name → SI unit, from the field metadata ('' where none is stored)."""
    return {f.name: (f.metadata or {}).get(b"unit", b"").decode() for f in table.schema}


__all__ = ["HASH_COLUMN", "PARTS", "RESULT", "column_units", "part_paths", "read_parts", "read_result",
           "remove_parts", "stored_hashes", "write_atomic", "write_part", "write_result"]
