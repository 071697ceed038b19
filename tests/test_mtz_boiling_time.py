"""Boiling that takes time (LossModel.boiling_time τ_v, not in the calibrated model): its two limits and its energy.

A wet cell heats as superheated liquid and is ejected at the superheated H_abl if it gets there within τ_v of
passing the boiling point; one that stays above it longer flashes to the boiling levels (its enthalpy kept),
dries and is ejected as desiccated matrix. τ_v → ∞ is confined superheating (``vaporised_fraction`` alone);
τ_v → 0 is equilibrium boiling (the default path). The kernel and its numpy twin take the same steps
(tests/test_mtz_pulse.py).
"""

import dataclasses
import math

import pytest

from mtzsim.physics.laser import make_beam
from mtzsim.physics.mtz import LossModel, Numerics, simulate_mtz

FAST = Numerics(cell=10e-6, cooling_time=0.2)
BEAM = make_beam("co2", energy=10e-3, spot_diameter=120e-6, peak_power=30.0)
BASE = LossModel(ablation_temperature=523.15, near_fraction=0.3, ejecta_fraction=0.02, dry_absorption=0.1)


def _run(**kw):
    return simulate_mtz(BEAM, losses=dataclasses.replace(BASE, **kw), numerics=FAST)


def test_an_endless_boiling_time_is_confined_superheating():
    """τ_v = ∞: no cell ever flashes, so the pulse ejects exactly what the superheated path ejects."""
    sh = _run(vaporised_fraction=0.2)
    kinetic = _run(vaporised_fraction=0.2, boiling_time=math.inf)
    assert kinetic.ablation_depth == sh.ablation_depth
    assert kinetic.ablated_mass == pytest.approx(sh.ablated_mass, rel=1e-12)
    assert kinetic.energy.plume_loss == pytest.approx(sh.energy.plume_loss, rel=1e-12)


def test_a_vanishing_boiling_time_is_equilibrium_boiling():
    """τ_v → 0: every cell flashes one step after it passes the boiling point: the default path's crater."""
    boiled = _run()
    kinetic = _run(vaporised_fraction=0.2, boiling_time=1e-12)
    assert abs(kinetic.ablation_depth - boiled.ablation_depth) <= FAST.cell
    assert kinetic.ablated_mass == pytest.approx(boiled.ablated_mass, rel=0.03)


def test_superheated_ejection_takes_less_energy_than_boiling_first():
    """Wet ejection needs ρc (T_abl − T_body) + f_v ρ_w L, boiling first the whole latent heat: with τ_v longer
    than the pulse the same pulse ejects more tissue, and the energy balance still closes."""
    boiled = _run()
    kinetic = _run(vaporised_fraction=0.2, boiling_time=5e-3)
    assert kinetic.ablated_mass > boiled.ablated_mass
    assert abs(kinetic.energy.error) < 0.01
