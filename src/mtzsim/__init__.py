"""mtzsim: fractional CO2 laser treatment of atrophic acne scars, simulated end to end.

Research and education tool, not a medical device.
"""

__version__ = "0.1.0"

__all__ = ["TreatmentChain", "__version__", "compare", "plan", "simulate_field", "simulate_mtz"]


def __getattr__(name):  # lazy: keep `import mtzsim` light
    if name == "simulate_mtz":
        from mtzsim.physics.mtz import simulate_mtz

        return simulate_mtz
    if name == "simulate_field":
        from mtzsim.physics.field import simulate_field

        return simulate_field
    if name == "TreatmentChain":
        from mtzsim.pipeline.chain import TreatmentChain

        return TreatmentChain
    if name == "plan":
        from mtzsim.clinic.planner import plan

        return plan
    if name == "compare":
        from mtzsim.clinic.comparators import compare

        return compare
    raise AttributeError(name)
