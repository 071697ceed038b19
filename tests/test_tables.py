"""Tests for mtzsim.params.tables: every packaged table reads, comments are skipped, bad names and rows are refused."""

import csv
import math
import re
from importlib import resources
from pathlib import Path

import pytest

from mtzsim.params import tables

DATA = resources.files("mtzsim.params.data")
CSV_NAMES = sorted(e.name for e in DATA.iterdir() if e.name.endswith(".csv"))
JSON_NAMES = sorted(e.name for e in DATA.iterdir() if e.name.endswith(".json"))
SRC = Path(__file__).resolve().parents[1] / "src" / "mtzsim"


def test_the_package_has_its_tables():
    # the tables the models read at import (constants, references, presets) are among them
    assert {"constants.csv", "references.csv", "pulse_regimes.csv", "site_tissue.csv"} <= set(CSV_NAMES)
    assert "mtz_calibration.json" in JSON_NAMES


@pytest.mark.parametrize("name", CSV_NAMES)
def test_every_csv_table_parses_into_full_rows(name):
    rows = tables.rows(name)
    assert rows, f"{name} has no data row"
    header = list(rows[0])
    assert all(h.strip() for h in header), f"{name}: empty column name in {header}"
    for row in rows:
        assert list(row) == header and None not in row and None not in row.values(), f"{name}: ragged row {row}"


@pytest.mark.parametrize("name", CSV_NAMES)
def test_rows_equal_a_plain_dict_reader_over_the_non_comment_lines(name):
    # an independent reading: the file's text, '#' lines dropped, through csv.DictReader
    text = DATA.joinpath(name).read_text(encoding="utf-8")
    plain = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert tables.rows(name) == plain


def test_comment_lines_are_skipped():
    # skin_cooling.csv opens with '#' notes on its source (Anvari 1998) before the header
    text = DATA.joinpath("skin_cooling.csv").read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    data = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert comments
    rows = tables.rows("skin_cooling.csv")
    assert len(rows) == len(data) - 1  # minus the header
    assert list(rows[0])[0] == "coolant"
    assert not any(v.startswith("#") for row in rows for v in row.values())


def test_rows_are_fresh_each_call():
    a = tables.rows("constants.csv")
    a[0]["value"] = "changed"
    assert tables.rows("constants.csv")[0]["value"] != "changed"


def test_an_unknown_table_is_named_in_the_error():
    with pytest.raises(FileNotFoundError, match=re.escape("'no_such_table.csv'")) as err:
        tables.rows("no_such_table.csv")
    assert "constants.csv" in str(err.value)  # the message lists the tables there are
    with pytest.raises(FileNotFoundError, match="no_such_record.json"):
        tables.load_json("no_such_record.json")


def test_a_file_outside_the_package_reads_the_same_way(tmp_path):
    path = tmp_path / "registry.csv"
    path.write_text("# my own registry\nkey,value\na,1\n# a note between rows\nb,\n", encoding="utf-8")
    assert tables.read_rows(path) == [{"key": "a", "value": "1"}, {"key": "b", "value": ""}]


@pytest.mark.parametrize("body, row", [("a,1,extra\n", 1), ("a,1\nb\n", 2)])
def test_a_ragged_row_is_refused_with_the_file_and_row(tmp_path, body, row):
    path = tmp_path / "ragged.csv"
    path.write_text("key,value\n" + body, encoding="utf-8")
    with pytest.raises(ValueError, match=rf"ragged\.csv: data row {row} "):
        tables.read_rows(path)


@pytest.mark.parametrize("name", JSON_NAMES)
def test_every_json_record_loads(name):
    record = tables.load_json(name)
    assert isinstance(record, dict) and record


def test_an_empty_cell_is_nan_and_a_number_is_a_float():
    assert math.isnan(tables.value_or_nan("")) and math.isnan(tables.value_or_nan(None))
    assert tables.value_or_nan("1.5e-3") == 1.5e-3
    with pytest.raises(ValueError):
        tables.value_or_nan("n/a")  # a word in a numeric column is an error, not a missing value


def test_no_module_reads_a_csv_table_itself():
    # one reader (params/tables.py): a second csv.DictReader in the package is a duplicate of it
    found = sorted(str(p.relative_to(SRC.parent)) for p in SRC.rglob("*.py")
                   if p.name != "tables.py" and re.search(r"csv\.(Dict)?[Rr]eader\(", p.read_text(encoding="utf-8")))
    assert not found, f"read the table with mtzsim.params.tables.rows instead: {found}"
