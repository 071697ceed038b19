"""Treatment field: thousands of MTZs fired over a scan pattern, heat summed, damage mapped.

Modules, one process each: :mod:`.kernel` (the single-MTZ table as a superposition kernel),
:mod:`.background` (spectral Pennes background), :mod:`.superposition` (near-field sum and
damage at map points), :mod:`.morphometry` (coverage, islands, merging, contraction),
:mod:`.cost` (memory and time estimate), :mod:`.result` (FieldResult), :mod:`.simulate`
(the wiring, :func:`simulate_field`; :func:`sample_field` for area fractions at one depth), :mod:`.synthetic` (an analytic MTZ for tests and examples).
"""

from mtzsim.physics.field.kernel import default_handoff_age, fill_void, prepare_kernel, wall_heating_end
from mtzsim.physics.field.result import FieldResult
from mtzsim.physics.field.simulate import FieldSample, sample_field, simulate_field
from mtzsim.physics.field.synthetic import synthetic_mtz, synthetic_response

#: Kept for stage-1 callers and tests.
_prepare_kernel = prepare_kernel

__all__ = [
    "FieldResult",
    "FieldSample",
    "default_handoff_age",
    "fill_void",
    "prepare_kernel",
    "sample_field",
    "simulate_field",
    "synthetic_mtz",
    "synthetic_response",
    "wall_heating_end",
]
