"""results.json and fields.nc: plain JSON with the inputs used, and CF metadata on every netCDF variable."""

import json

import numpy as np
import pytest
import xarray as xr

from mtzsim.io.scenario import parse_scenario
from mtzsim.io.serialise import ZONE_FLAGS, cf_dataset, jsonable
from mtzsim.pipeline.cache import default_cache
from mtzsim.pipeline.chain import TreatmentChain

TINY = """
[laser]
preset = "deep-fractional-co2-120um"
energy = "10mJ"
[pattern]
area = "1.5mm x 1.5mm"
seed = 1
"""


@pytest.fixture(scope="module")
def run():
    return TreatmentChain(parse_scenario(TINY, source="tiny.toml"), cache=default_cache()).run().with_run_id("abc")


def test_every_netcdf_variable_has_cf_units_and_long_name(run, tmp_path):
    path = run.write_netcdf(tmp_path / "fields.nc")
    for group in ("mtz", "field"):
        with xr.open_dataset(path, group=group, engine="h5netcdf", decode_cf=False) as ds:
            assert ds.attrs["Conventions"].startswith("CF-")
            for name, var in ds.variables.items():
                assert var.attrs.get("units") is not None and var.attrs.get("long_name"), (group, name)
                if "temperature" in name:
                    assert var.attrs["units"] == "K", (group, name)  # one temperature unit everywhere
                if name.startswith("zone"):
                    assert list(var.attrs["flag_values"]) == list(range(len(ZONE_FLAGS)))
                    assert var.attrs["flag_meanings"].split() == list(ZONE_FLAGS)
                    assert set(np.unique(var.values)) <= set(range(len(ZONE_FLAGS)))


def test_a_variable_without_units_is_refused():
    ds = xr.Dataset({"mystery": (("x",), np.zeros(2))})
    with pytest.raises(ValueError, match="mystery"):
        cf_dataset(ds, stage="test")


def test_a_celsius_variable_is_stored_in_kelvin():
    ds = xr.Dataset({"t": (("x",), np.array([37.0]), {"units": "degC"})})
    out = cf_dataset(ds)
    assert out["t"].attrs["units"] == "K" and out["t"].values[0] == pytest.approx(310.15)  # 37 °C = 310.15 K (SI)


def test_results_json_records_the_defaults_used(run):
    d = json.loads(json.dumps(run.to_dict(), allow_nan=False))
    pattern = d["inputs"]["field"]["args"][1]
    for key in ("density", "order", "rep_rate", "passes"):  # null in the scenario, resolved here
        assert pattern[key] is not None, key
    assert d["inputs"]["field"]["args"][0] == "<result of MTZResult>"
    assert d["provenance"]["mtz"]["cache_key"].startswith("mtz-")


def test_jsonable_is_plain():
    out = jsonable({"a": np.float32(1.5), "b": np.arange(3), "c": float("nan"), "d": np.arange(100)})
    assert out == {"a": 1.5, "b": [0, 1, 2], "c": None, "d": "<100 values>"}


def test_one_zone_palette_matches_the_damage_codes():
    from mtzsim.physics.damage import ZONES
    from mtzsim.report.palette import CRATER_COLOUR, ZONE_COLOURS, ZONE_NAMES

    assert list(ZONE_NAMES) == sorted(ZONES, key=ZONES.get)  # code = index
    assert len(ZONE_COLOURS) == len(ZONE_NAMES) and CRATER_COLOUR.lower() == "#ffffff"  # crater white, not black
