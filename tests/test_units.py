"""Units at the edge: parsing refuses what is no quantity (never a traceback), display without float noise."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtzsim.errors import InputError
from mtzsim.units import DISPLAY_UNITS, display, display_duration, format_number, parse_quantity, to_display


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=16) | st.from_regex(r"[-+]?\d{0,3}(\.\d*)?(e[-+]?\d+)? ?[a-zµ°/*^()2 ]{0,8}", fullmatch=True))
def test_parse_quantity_only_raises_input_error(text):
    try:
        value = parse_quantity(text, "energy", "laser.energy")
    except InputError as e:
        assert e.field == "laser.energy" and e.message
        return
    assert math.isfinite(value)


def test_parse_known_values():
    assert parse_quantity("80mJ", "energy", "e") == pytest.approx(0.08)  # 1 mJ = 1e-3 J (SI prefix)
    assert parse_quantity("10J/cm2", "fluence", "f") == pytest.approx(1e5)  # 1 J/cm² = 1e4 J/m²


def test_display_has_no_float_noise():
    assert display(119.99999999999999e-6, "m", "um") == "120 µm"  # the defect of issue 9
    assert display(310.15, "K", "degC") == "37 °C"
    assert display(0.1234, "1", "%") == "12.34 %"
    assert format_number(math.nan) == "—" and format_number(7) == "7"
    assert display_duration(2.7e-3) == "2.7 ms" and display_duration(5 * 86400) == "5 days"
    with pytest.raises(ValueError):
        display(1.0, "K", "um")


@given(st.sampled_from(sorted(k for k in DISPLAY_UNITS if k not in ("", "1"))),
       st.floats(1e-9, 1e9, allow_nan=False))
def test_to_display_round_trips(unit, value):
    _, factor, offset, _ = DISPLAY_UNITS[unit]
    back = (to_display(value, unit) - offset) / factor
    assert back == pytest.approx(value, rel=1e-9, abs=1e-9 * abs(offset) / factor)  # two roundings of float64
