"""Reading the package's data tables (``mtzsim/params/data``): CSV rows, JSON records and empty cells.

Every module that takes its numbers from a table reads it here and keeps only the parsing of its
own columns (units, keys, registries). The module imports nothing from mtzsim, so that
:mod:`mtzsim.constants`, read at import time by almost every module, can use it.
"""

from __future__ import annotations

import csv
import json
from importlib import resources
from os import PathLike
from pathlib import Path

#: Package holding the data tables.
DATA_PACKAGE = "mtzsim.params.data"


def rows(name: str) -> list[dict[str, str]]:
    """The rows of a packaged CSV table, as strings keyed by the header.

    Lines that start with ``#`` are comments (a table's notes on its sources) and are skipped.

    Parameters
    ----------
    name : str
        File name in ``mtzsim/params/data``, e.g. ``"skin_layers.csv"``.

    Returns
    -------
    list of dict of str to str
        One fresh dict per data row (the caller may change them); an empty cell is ``""``.

    Raises
    ------
    FileNotFoundError
        No table of that name in the package (the message names it and lists the tables).
    ValueError
        A row with more or fewer cells than the header (the message names the file and the row).
    """
    with _packaged(name).open(encoding="utf-8", newline="") as fh:
        return _parse(fh, name)


def read_rows(path: str | PathLike) -> list[dict[str, str]]:
    """The rows of a CSV file outside the package (a user's table in a packaged table's format).

    Same rules as :func:`rows`: utf-8, ``#`` comment lines skipped, ragged rows refused.

    Parameters
    ----------
    path : path-like
        The CSV file.

    Returns
    -------
    list of dict of str to str
    """
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return _parse(fh, str(path))


def load_json(name: str):
    """The record of a packaged JSON file (a stored calibration or posterior).

    Parameters
    ----------
    name : str
        File name in ``mtzsim/params/data``, e.g. ``"mtz_calibration.json"``.

    Raises
    ------
    FileNotFoundError
        No file of that name in the package.
    """
    return json.loads(_packaged(name).read_text(encoding="utf-8"))


def value_or_nan(text: str | None) -> float:
    """A table cell as a float; an empty cell (no value published) is NaN."""
    return float(text) if text not in ("", None) else float("nan")


def _packaged(name: str):
    data = resources.files(DATA_PACKAGE)
    entry = data.joinpath(name)
    if not entry.is_file():
        known = ", ".join(sorted(e.name for e in data.iterdir() if e.name.endswith((".csv", ".json"))))
        raise FileNotFoundError(f"no data table {name!r} in mtzsim/params/data (the package has: {known})")
    return entry


def _parse(lines, label: str) -> list[dict[str, str]]:
    reader = csv.DictReader(line for line in lines if not line.startswith("#"))
    out = list(reader)
    for i, row in enumerate(out, 1):
        if None in row or None in row.values():
            raise ValueError(f"{label}: data row {i} does not have one cell per header column "
                             f"({len(reader.fieldnames)})")
    return out
