"""mtzsim: fractional CO2 laser treatment of atrophic acne scars, simulated end to end.

Research and education tool, not a medical device.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "simulate_mtz", "plan", "compare"]


def __getattr__(name):  # lazy: keep `import mtzsim` light
    if name == "simulate_mtz":
        from mtzsim.physics.mtz import simulate_mtz

        return simulate_mtz
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
