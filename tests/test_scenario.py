"""Scenario files: units at the edge, presets, clinical-range warnings, and one clear error per bad file.

Tolerances: ``pytest.approx``'s default (relative 1e-6) wherever a value has only passed through
unit conversions and arithmetic in float64 (rounding ~1e-16), never to hide a model error.
"""

import re
import json
import math
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtzsim.params import presets
from mtzsim.errors import InputError
from mtzsim.io.scenario import Scenario, load_scenario, parse_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

MINIMAL = '[laser]\npreset = "deep-fractional-co2-120um"\n'


def error_of(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        parse_scenario(text)
    return info.value


# ---- good scenarios ----------------------------------------------------------------


def test_flagship_converts_units_to_si():
    s = parse_scenario(presets.FLAGSHIP_SCENARIO)
    beam = s.beam()
    assert beam.laser == "co2"
    assert beam.energy == pytest.approx(20e-3)
    assert beam.spot_diameter == pytest.approx(120e-6)
    assert beam.pulse_duration == pytest.approx(20e-3 / 30.0)  # preset peak power 30 W (Hantash 2007)
    spec = s.pattern_spec()
    assert spec.density == pytest.approx(0.10)
    assert spec.width == pytest.approx(4e-3) and spec.height == pytest.approx(4e-3)
    assert spec.rep_rate == pytest.approx(250.0)
    assert spec.spot_diameter == pytest.approx(beam.spot_diameter)
    assert s.patient.fitzpatrick == 3 and s.patient.age == 28
    assert s.scars[0].type == "boxcar" and s.scars[0].depth == pytest.approx(0.4e-3)
    assert s.course.interval == pytest.approx(6 * 7 * 86400)
    assert s.aftercare.regimen == ["occlusive", "sunscreen"]
    assert s.warnings() == []


def test_only_laser_is_required_and_defaults_fill_the_rest():
    s = parse_scenario(MINIMAL)
    assert s.pattern_spec().density > 0  # PatternSpec default
    assert s.patient.fitzpatrick == 3
    assert s.scars == [] and s.course.sessions == 1 and s.cohort.size == 1


def test_preset_settings_are_overridden_by_the_table():
    s = parse_scenario('[laser]\npreset = "deep-fractional-co2-120um"\nfluence = "50J/cm2"\npulse = "1ms"\n')
    beam = s.beam()
    assert beam.energy == pytest.approx(50e4 * math.pi * (60e-6) ** 2)  # E = F π w0²
    assert beam.pulse_duration == pytest.approx(1e-3)


def test_preset_type_conflict_is_refused():
    e = error_of('[laser]\npreset = "deep-fractional-co2-120um"\ntype = "eryag"\n')
    assert e.field == "laser.type" and e.line == 3


def test_every_device_preset_builds_a_beam_inside_its_clinical_range():
    for name, device in presets.DEVICES.items():
        s = parse_scenario(f'[laser]\npreset = "{name}"\n')
        assert s.beam().laser == device.laser
        assert not [w for w in s.warnings() if w.field.startswith("laser.")], name


def test_patient_presets_by_fitzpatrick_type():
    for n in range(1, 7):
        s = parse_scenario(MINIMAL + f'[patient]\npreset = "fitzpatrick-{n}"\n')
        assert s.patient.fitzpatrick == n


def test_spots_per_cm2_as_number_or_quantity():
    a = parse_scenario(MINIMAL + "[pattern]\nspots_per_cm2 = 400\n").pattern_spec()
    b = parse_scenario(MINIMAL + '[pattern]\nspots_per_cm2 = "400/cm2"\n').pattern_spec()
    assert a.spots_per_area == pytest.approx(4e6) == b.spots_per_area


@pytest.mark.parametrize("area, w, h", [("10mm x 5mm", 10e-3, 5e-3), ("1cm × 1cm", 1e-2, 1e-2), ("4mm2", 2e-3, 2e-3)])
def test_area_forms(area, w, h):
    spec = parse_scenario(MINIMAL + f'[pattern]\narea = "{area}"\n').pattern_spec()
    assert (spec.width, spec.height) == (pytest.approx(w), pytest.approx(h))


def test_settings_outside_clinical_ranges_run_with_a_warning():
    s = parse_scenario('[laser]\npreset = "deep-fractional-co2-120um"\nenergy = "300mJ"\n'
                       '[pattern]\ndensity = "30%"\n[patient]\nfitzpatrick = 5\n')
    fields = [w.field for w in s.warnings()]
    assert "laser.energy" in fields
    assert fields.count("pattern.density") == 2  # out of range, and PIH risk on type V
    assert all(w.message for w in s.warnings())


def test_parameters_say_where_each_value_comes_from():
    rows = {r["name"]: r for r in parse_scenario(presets.FLAGSHIP_SCENARIO).parameters()}
    assert rows["laser.energy"]["origin"] == "scenario"
    assert rows["laser.spot"]["origin"] == "preset deep-fractional-co2-120um"
    assert "Hantash2007" in rows["laser.spot"]["source"]
    assert rows["pattern.allow_overlap"]["origin"] == "default"
    assert all(r["source"] for r in rows.values())


def test_load_scenario_reads_files_and_names_missing_ones(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    s = load_scenario(path)
    assert s.source == str(path) and s.name == "s" and s.text == MINIMAL
    with pytest.raises(InputError) as info:
        load_scenario(tmp_path / "missing.toml")
    assert info.value.field == "scenario"


def test_scenario_from_python_dict():
    s = Scenario.model_validate({"laser": {"type": "co2", "energy": "20mJ", "spot": "120um"}})
    assert s.beam().energy == pytest.approx(0.02)
    assert s.raw["laser"]["energy"] == "20mJ"
    json.dumps(s.to_dict())


# ---- bad scenarios: one clear message naming the field and line ----------------------------


@pytest.mark.parametrize(
    "text, field, line",
    [
        ('[pattern]\ndensity = "10%"\n', "laser", None),  # missing [laser]
        ('[laser]\npreset = "deep-fractional-co2-120um"\ncolour = "red"\n', "laser.colour", 3),  # unknown key
        ('title = "x"\nfoo = 1\n[laser]\ntype = "co2"\n', "foo", 2),
        ('[laser]\ntype = "co2"\nspot = "120um"\nenergy = 15\n', "laser.energy", 4),  # bare number
        ('[laser]\ntype = "co2"\nspot = "120um"\nenergy = "15mm"\n', "laser.energy", 4),  # wrong unit
        ('[laser]\ntype = "co2"\nspot = "120mJ"\nenergy = "15mJ"\n', "laser.spot", 3),
        ('[laser\ntype = "co2"\n', "toml", 1),  # malformed TOML
        ('[laser]\ntype = "co2"\nenergy = "15mJ\n', "toml", 3),
        (MINIMAL + '[pattern]\ndensity = "140%"\n', "pattern.density", 4),  # density over 100 %
        (MINIMAL + "[pattern]\ndensity = 10\n", "pattern.density", 4),
        (MINIMAL + '[pattern]\ndensity = "95%"\n', "pattern.density", 4),  # spots would overlap
        (MINIMAL + "[pattern]\nspots_per_cm2 = 100000\n", "pattern.spots_per_cm2", 4),
        (MINIMAL + '[pattern]\norder = "spiral"\n', "pattern.order", 4),
        (MINIMAL + '[pattern]\narea = "10mm by 10mm"\n', "pattern.area", 4),
        (MINIMAL + "[patient]\nfitzpatrick = 7\n", "patient.fitzpatrick", 4),
        (MINIMAL + '[patient]\nsite = "elbow"\n', "patient.site", 4),
        (MINIMAL + '[[scars]]\ntype = "boxcar"\n[[scars]]\ntype = "rolling"\ndepth = "9mm"\n', "scars[2].depth", 7),
        (MINIMAL + '[[scars]]\ntype = "keloid"\n', "scars[1].type", 4),
        (MINIMAL + '[scars]\ntype = "boxcar"\n', "scars", 3),
        (MINIMAL + '[aftercare]\nregimen = ["magic"]\n', "aftercare.regimen[1]", 4),
        (MINIMAL + '[course]\ninterval = "2h"\n', "course.interval", 4),
        ('[laser]\ntype = "microneedling"\n', "laser.type", 2),  # not modelled yet
        ('[laser]\npreset = "nope"\n', "laser.preset", 2),
        ('[laser]\ntype = "co2"\nspot = "120um"\n', "laser.energy", None),
        ('[laser]\ntype = "co2"\nspot = "120um"\nenergy = "nan mJ"\n', "laser.energy", 4),
        ('[laser]\ntype = "co2"\nspot = "120um"\nenergy = "-5mJ"\n', "laser.energy", 4),
        ('[laser]\ntype = "co2"\nspot = "120um"\nenergy = "5mJ"\nstack = 2.5\n', "laser.stack", 5),
        ("", "laser", None),
    ],
)
def test_bad_scenarios_name_the_field_and_line(text, field, line):
    e = error_of(text)
    assert e.field == field, str(e)
    if line is not None:
        assert e.line == line, str(e)
    assert e.message and "\n" not in str(e)


def test_missing_laser_says_what_is_needed():
    assert "[laser]" in error_of('[pattern]\ndensity = "10%"\n').message


def test_unknown_key_lists_the_known_keys():
    assert "energy" in error_of(MINIMAL + 'colour = "red"\n').message


# ---- fuzz: 1,000 malformed scenarios, never a traceback -------------------------------------

_GOOD = {
    "title": "fuzz",
    "laser": {"preset": "deep-fractional-co2-120um", "energy": "40mJ", "stack": 1},
    "pattern": {"density": "10%", "order": "random", "rep_rate": "250Hz", "passes": 1, "area": "4mm x 4mm",
                "seed": 1},
    "patient": {"fitzpatrick": 3, "age": 28, "site": "cheek"},
    "scars": [{"type": "boxcar", "width": "3mm", "depth": "0.4mm", "count": 12}],
    "course": {"sessions": 3, "interval": "6weeks", "follow_up": "6months"},
    "aftercare": {"regimen": ["occlusive"]},
    "cohort": {"size": 10, "seed": 1},
}

_units = st.sampled_from(["mJ", "J", "um", "µm", "mm", "m", "ms", "us", "s", "W", "kW", "Hz", "%", "J/cm2",
                          "/cm2", "weeks", "months", "K", "degC", "", " ", "furlong", "mm x 3mm", "cm2"])
_numbers = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
                     st.sampled_from([0, -1, 1e308, 1e-320, 140]))
_quantity_strings = st.builds(lambda n, u: f"{n}{u}", _numbers, _units)
_scalars = st.one_of(_numbers, st.booleans(), _quantity_strings, st.text(max_size=12),
                     st.sampled_from(["co2", "eryag", "erglass", "microneedling", "raster", "boxcar", "nope"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.text(string.ascii_lowercase, min_size=1,
                                                                                 max_size=6), inner, max_size=3)),
                       max_leaves=6)
_keys = st.one_of(st.sampled_from(["type", "preset", "energy", "fluence", "spot", "pulse", "peak_power", "stack",
                                   "stack_delay", "profile", "density", "spots_per_cm2", "layout", "order",
                                   "rep_rate", "passes", "pass_delay", "pass_offset", "jitter", "area",
                                   "allow_overlap", "seed", "fitzpatrick", "age", "site", "width", "depth",
                                   "count", "sessions", "interval", "follow_up", "regimen", "size", "laser",
                                   "pattern", "scars"]),
                  st.text(string.ascii_letters + "_", min_size=1, max_size=8))


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def _to_toml(d: dict) -> str:
    lines = [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in d.items()
             if not isinstance(v, dict) and not (isinstance(v, list) and v and all(isinstance(x, dict) for x in v))]
    for k, v in d.items():
        if isinstance(v, dict):
            lines.append(f"[{json.dumps(k)}]")
            lines += [f"{json.dumps(kk)} = {_toml_value(vv)}" for kk, vv in v.items()]
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for item in v:
                lines.append(f"[[{json.dumps(k)}]]")
                lines += [f"{json.dumps(kk)} = {_toml_value(vv)}" for kk, vv in item.items()]
    return "\n".join(lines) + "\n"


@st.composite
def malformed_dicts(draw):
    import copy

    d = copy.deepcopy(_GOOD)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["drop_table", "drop_key", "set", "add", "replace_table"]))
        table = draw(st.sampled_from(list(d) or ["laser"]))
        if action == "drop_table" and d:
            d.pop(table, None)
        elif action == "replace_table":
            d[table] = draw(_values)
        else:
            target = d.get(table)
            if isinstance(target, list) and target and isinstance(target[0], dict):
                target = target[0]
            if not isinstance(target, dict):
                d[table] = target = {}
            if action == "drop_key" and target:
                target.pop(draw(st.sampled_from(sorted(target))), None)
            elif action == "set" and target:
                target[draw(st.sampled_from(sorted(target)))] = draw(_values)
            else:
                target[draw(_keys)] = draw(_values)
    return _to_toml(d)


@st.composite
def mangled_text(draw):
    text = presets.FLAGSHIP_SCENARIO
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 8)))
        text = text[:i] + draw(st.text(max_size=6)) + text[j:]
    return text


FIELD_NAME = re.compile(r"toml|scenario|title|description|"
                        r"(laser|pattern|patient|course|aftercare|cohort|numerics|scars)(\[\d+\])?"
                        r"(\.[A-Za-z0-9_-]+(\[\d+\])?)*|[A-Za-z0-9_-]+")


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(malformed_dicts(), mangled_text(), st.text(max_size=80)))
def test_fuzz_malformed_scenarios_only_ever_raise_input_error(text):
    try:
        s = parse_scenario(text)
    except InputError as e:
        # the message names a field a user can find in the file: a table, a key of a table, or the file itself
        assert FIELD_NAME.fullmatch(e.field), e.field
        assert e.message and str(e).startswith(e.field)
        return
    # what parses must also build its beam, its scan and its warnings
    s.beam()
    s.pattern_spec()
    s.warnings()
    s.parameters()


def test_one_set_of_limits_for_scenario_and_command_line():
    # `mtzsim mtz --spot 4mm` was refused while a scenario with a 4 mm spot ran (issue 7); since 2026-12-01 the
    # widest spot is 10 mm (full-field beams, issue 12), the same for both
    with pytest.raises(InputError) as info:
        parse_scenario(MINIMAL + 'spot = "12mm"\n')
    assert info.value.field == "laser.spot"
    with pytest.raises(InputError) as info:
        presets.check_limit("laser.spot", 12e-3, "--spot")  # what the mtz command calls
    assert info.value.field == "--spot" and "10mm" in info.value.message
    assert presets.limits("laser.spot")[:2] == (5e-6, 10e-3)


def test_a_full_field_beam_is_an_input_and_a_microbeam_keeps_its_energy_limit():
    # issue 12: a full-field Er:YAG pulse (ErYAGminimal2008: 400 mJ, 6 mm; Kaufmann & Hibst 1996: up to 1.5 J)
    # runs, within its preset's clinical ranges; the mean-fluence limit still refuses 2 J into a 120 µm microbeam
    s = parse_scenario('[laser]\npreset = "fullfield-eryag-2940nm"\nenergy = "1.5J"\n')
    assert s.beam().energy == pytest.approx(1.5) and s.beam().spot_diameter == pytest.approx(6e-3)
    assert not [w for w in s.warnings() if w.field.startswith("laser.")]
    with pytest.raises(InputError) as info:
        parse_scenario(MINIMAL + 'energy = "2J"\n')
    assert info.value.field == "laser.energy" and "mean fluence" in info.value.message


def test_site_without_skin_data_is_refused_and_forehead_uses_face_skin():
    with pytest.raises(InputError) as info:
        parse_scenario(MINIMAL + '[patient]\nsite = "back"\n')
    assert info.value.field == "patient.site" and "no skin-layer data" in info.value.message
    forehead = parse_scenario(MINIMAL + '[patient]\nsite = "forehead"\n').tissue()
    assert forehead.name == "face" and presets.site_tissue("forehead").assumption  # stated assumption


AFTERCARE_BASE = """
[laser]
type = "co2"
energy = "10mJ"
spot = "120um"
[course]
follow_up = "1month"
"""


def test_aftercare_schedule_is_timed_and_checked():
    sc = parse_scenario(AFTERCARE_BASE + """
[[aftercare.schedule]]
product = "occlusive"
start = "0d"
end = "3d"
""")
    item = sc.aftercare.schedule[0]
    assert (item.product, item.start, item.end) == ("occlusive", 0.0, 3 * 86400.0)
    # end before start, and a start after the follow-up: one message naming the item's field
    with pytest.raises(InputError, match=r"aftercare\.schedule\[1\]\.end"):
        parse_scenario(AFTERCARE_BASE + '[[aftercare.schedule]]\nproduct = "occlusive"\nstart = "4d"\nend = "3d"\n')
    with pytest.raises(InputError, match=r"aftercare\.schedule\[1\]\.start"):
        parse_scenario(AFTERCARE_BASE + '[[aftercare.schedule]]\nproduct = "prp"\nstart = "40d"\n')
    with pytest.raises(InputError, match=r"aftercare\.schedule\[1\]\.product"):
        parse_scenario(AFTERCARE_BASE + '[[aftercare.schedule]]\nproduct = "honey"\n')


def test_aftercare_schedule_reaches_the_healing_stage():
    from mtzsim.biology.stage import prepare_healing

    sc = parse_scenario(AFTERCARE_BASE + """
[[aftercare.schedule]]
product = "occlusive"
start = "1d"
end = "2d"
""")
    call = prepare_healing(sc, {"field": None})
    (event,) = call.kwargs["aftercare"]
    assert (event.name, event.start, event.end) == ("occlusive", 86400.0, 2 * 86400.0)
