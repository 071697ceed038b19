"""Treatment field: thousands of MTZs fired over a scan pattern, heat summed, damage mapped."""

from mtzsim.physics.field.simulate import (
    FieldResult,
    _prepare_kernel,
    default_handoff_age,
    fill_void,
    simulate_field,
    synthetic_mtz,
    synthetic_response,
    wall_heating_end,
)

__all__ = [
    "FieldResult",
    "default_handoff_age",
    "fill_void",
    "simulate_field",
    "synthetic_mtz",
    "synthetic_response",
    "wall_heating_end",
]
