"""Result cache: canonical keys, memory and disk, atomic writes, same bits as a fresh computation."""

import dataclasses
import math
import pickle
import sys

import numpy as np
import pytest

from mtzsim.pipeline import cache as cache_mod
from mtzsim.pipeline.cache import ResultCache, Unhashable, canonical_hash, default_cache_dir
from mtzsim.pipeline.chain import StageCall


@dataclasses.dataclass(frozen=True)
class Beamish:
    energy: float
    spot: float
    label: str = "co2"


def test_canonical_hash_is_content_based():
    assert canonical_hash(Beamish(0.02, 1.2e-4)) == canonical_hash(Beamish(0.02, 1.2e-4))
    # one ulp apart is another input
    assert canonical_hash(Beamish(0.02, 1.2e-4)) != canonical_hash(Beamish(np.nextafter(0.02, 1), 1.2e-4))
    assert canonical_hash({"a": 1, "b": 2}) == canonical_hash({"b": 2, "a": 1})  # key order is not content
    assert canonical_hash(math.nan) == canonical_hash(float("nan"))
    assert canonical_hash(np.zeros(3, np.float32)) != canonical_hash(np.zeros(3, np.float64))  # dtype counts
    assert canonical_hash((1,)) != canonical_hash([1.0])  # int 1 and float 1.0 differ
    with pytest.raises(Unhashable):
        canonical_hash(object())


def test_upstream_results_enter_by_their_key():
    big = Beamish(1.0, 2.0)
    assert canonical_hash((big,), upstream={id(big): "mtz:k1"}) != canonical_hash((big,), upstream={id(big): "mtz:k2"})


def test_key_depends_on_model_version(tmp_path, monkeypatch):
    c = ResultCache(tmp_path)
    call = StageCall((Beamish(0.02, 1.2e-4),), {"n": 3})
    k1 = c.key("mtz", "m:f", call)
    monkeypatch.setattr(cache_mod, "model_version", lambda: "recalibrated")
    assert c.key("mtz", "m:f", call) != k1
    assert c.key("mtz", "m:f", StageCall((object(),))) is None  # unhashable input: not cached


def test_memory_then_disk_and_atomic_files(tmp_path):
    c = ResultCache(tmp_path, memory_items=1)
    value = {"a": np.arange(5.0)}
    c.put("mtz-abc", value)
    assert c.get("mtz-abc")[1] == "memory"
    c.put("mtz-def", 1.0)  # pushes the first out of memory
    got, where = c.get("mtz-abc")
    assert where == "disk" and np.array_equal(got["a"], value["a"])
    assert not list(tmp_path.glob(".*.part"))
    info = c.info()
    assert info["entries"] == 2 and info["by_stage"]["mtz"]["entries"] == 2
    assert c.clear() == 2 and c.get("mtz-abc") == (None, "")


def test_unreadable_entry_is_dropped_with_a_warning(tmp_path):
    (tmp_path / "mtz-bad.pkl").write_bytes(b"not a pickle")
    with pytest.warns(RuntimeWarning, match="unreadable"):
        assert ResultCache(tmp_path).get("mtz-bad") == (None, "")
    assert not (tmp_path / "mtz-bad.pkl").exists()


def test_cache_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MTZSIM_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("MTZSIM_CACHE_DIR")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "mtzsim"


#: Wall-clock timings the results carry (not model output; they differ between two computations):
#: MTZResult.dataset.attrs["pulse_phase_s"] and FieldResult.timings.
WALL_CLOCK = {"pulse_phase_s", "timings"}


def assert_same_bits(a, b, path="result"):
    """Equal to the last bit: floats by their bytes, arrays by dtype and bytes, datasets variable by variable."""
    assert type(a) is type(b), path
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            if f.name in WALL_CLOCK:
                continue
            assert_same_bits(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif hasattr(a, "data_vars"):
        assert set(a.variables) == set(b.variables), path
        for name in a.variables:
            assert_same_bits(a[name].values, b[name].values, f"{path}[{name}]")
        drop = lambda d: {k: v for k, v in d.items() if k not in WALL_CLOCK}  # noqa: E731
        assert drop(a.attrs) == drop(b.attrs), path
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), path
    elif isinstance(a, float):
        assert np.float64(a).tobytes() == np.float64(b).tobytes(), path
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            assert_same_bits(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_bits(x, y, f"{path}[{i}]")
    else:
        assert a == b, path


def test_cached_mtz_equals_a_fresh_computation_bit_for_bit(tmp_path):
    from mtzsim.physics.laser import make_beam
    from mtzsim.physics.mtz import Numerics, simulate_mtz

    # a small, coarse MTZ (10 µm cells) keeps this fast; bit-equality does not depend on resolution
    beam = make_beam("co2", energy=5e-3, spot_diameter=120e-6)
    numerics = Numerics(cell=10e-6, cooling_time=0.2)
    first = simulate_mtz(beam, numerics=numerics)
    c = ResultCache(tmp_path)
    key = c.key("mtz", "mtzsim.physics.mtz:simulate_mtz", StageCall((beam,), {"numerics": numerics}))
    c.put(key, first)
    stored, where = ResultCache(tmp_path).get(key)  # a new cache object: read back from disk
    assert where == "disk"
    again = simulate_mtz(beam, numerics=numerics)
    assert_same_bits(stored, again)
    assert pickle.dumps(stored.dataset.drop_attrs()) == pickle.dumps(again.dataset.drop_attrs())


def test_cache_command_info_and_clear(tmp_path, capsys):
    import json as _json

    from mtzsim.interfaces import cli

    ResultCache(tmp_path).put("mtz-abc", {"x": 1.0})
    with pytest.raises(SystemExit) as info:
        cli.main(["cache", "info", "--dir", str(tmp_path), "--json"])
    assert info.value.code == 0
    shown = _json.loads(capsys.readouterr().out)
    assert shown["entries"] == 1 and shown["by_stage"]["mtz"]["entries"] == 1
    with pytest.raises(SystemExit) as info:
        cli.main(["cache", "clear", "--dir", str(tmp_path)])
    assert info.value.code == 0 and "removed 1 result" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.pkl"))
