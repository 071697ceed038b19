"""Kernel-level set-up shared by the pulse tests: the records `simulate_mtz` builds, on a small grid."""

import numpy as np

from mtzsim._kernels import axisym as _k
from mtzsim.physics import damage
from mtzsim.physics.heat import axisym as heat
from mtzsim.physics.mtz import LossModel, Numerics, pulse, source
from mtzsim.physics.mtz.domain import build_grid
from mtzsim.physics.tissue import constants, get_tissue

def cone_crater(nr=40, nz=120, depth_cells=100, radius_cells=12):
    """A void cone (a steep, tapering crater) of the given depth and mouth radius, in cells."""
    j = np.arange(nr)[:, None]
    k = np.arange(nz)[None, :]
    return k < depth_cells * (1.0 - (j + 0.5) / radius_cells)


#: Probe records for a run that follows no probe points.
NO_PROBES = _k.Probes(np.zeros(0, np.int64), np.zeros(0, np.int64), 1, np.zeros(1), np.zeros((1, 0)))


def kernel_setup(beam, losses=None, *, cell=10e-6, depth=400e-6, margin=150e-6, tissue="face",
                 light_photons=100_000, surface_cooling=None):
    """(state factory, material, pulse train, plume, rates, steps) of ``beam`` as `simulate_mtz` makes them.

    Two Arrhenius processes (collagen, HSP70); 10⁵ Monte Carlo packets for a scattering beam (the
    map's noise does not matter to the invariants tested with it). With ``surface_cooling`` the
    surface exchanges heat with the coolant and the states start from its pre-cooled profile.
    """
    losses = LossModel() if losses is None else losses
    tissue = get_tissue(tissue)
    num = Numerics(cell=cell, depth=depth, radial_margin=margin, light_photons=light_photons)
    grid = build_grid(beam, tissue, num)
    props = heat.tissue_properties(grid, tissue, beam.laser, dry_specific_heat=constants()["dry_matrix_specific_heat"])
    q_static = source.deposition_map(grid, beam, tissue, props, num)
    # as simulate_mtz: confined superheating only for a beam absorbed in columns
    mat = pulse.material(grid, props, losses.ablation_temperature, tissue.body_temperature,
                         pulse.base_vaporised_fraction(losses, q_static), surface_cooling)
    levels = pulse.superheat_levels(grid, props, losses, tissue.body_temperature, surface_cooling, q_static)
    t0 = np.full(grid.nz, tissue.body_temperature)
    if surface_cooling is not None:
        from mtzsim.physics.mtz.surface_cooling import cooled_profile

        t0 = cooled_profile(mat, surface_cooling.precool)
    procs = [damage.ARRHENIUS[k] for k in ("collagen_birefringence", "hsp70_induction")]
    A, Ea = np.array([p.A for p in procs]), np.array([p.Ea for p in procs])
    rts = pulse.rates(A, Ea, heat.arrhenius_cutoff(A, Ea, 1.0, tolerance=1e-6))
    stp = pulse.steps(grid, props, mat, 0.2)
    train = pulse.pulse_train(beam, q_static, tissue, losses.dry_absorption_for(beam.laser) if q_static is None else 1.0,
                              losses.wall_optics, losses.water_temperature, losses.wall_roughness, grid=grid)
    plm = pulse.plume(beam, tissue, losses, levels)

    def state():
        return _k.State(mat.rc * (t0[None, :] - tissue.body_temperature), np.zeros((grid.nr, grid.nz), np.bool_),
                        np.zeros((2, grid.nr, grid.nz)), np.repeat(t0[None, :], grid.nr, axis=0),
                        np.zeros((grid.nr, grid.nz), np.bool_))

    return state, mat, train, plm, rts, stp


def assert_states_equal(a, b):
    """Kernel and numpy-twin states agree: the same cells void and dry; enthalpy, damage and peak
    temperature to the round-off of the same arithmetic in another order, accumulated over the steps."""
    np.testing.assert_array_equal(a.void, b.void)
    np.testing.assert_array_equal(a.dry, b.dry)
    np.testing.assert_allclose(a.H, b.H, rtol=1e-9, atol=1e-9 * float(np.max(np.abs(b.H))))
    np.testing.assert_allclose(a.Omega, b.Omega, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(a.Tmax, b.Tmax, rtol=1e-12)


def run_kernel_and_twin(beam, losses=None, **setup):
    """Run the pulse kernel and its numpy twin on the same start; assert they agree step for step.

    Returns (kernel tally, kernel state, material, losses' plume record).
    """
    import dataclasses

    import pytest

    from mtzsim.physics.mtz import pulse

    state, mat, train, plm, rts, stp = kernel_setup(beam, losses, **setup)
    a, b = state(), state()
    ta = pulse.run_pulse(a, mat, train, plm, rts, stp, NO_PROBES)
    tb = pulse.pulse_phase_numpy(b, mat, train, plm, rts, stp)
    assert ta.steps == tb.steps
    assert_states_equal(a, b)
    for f in dataclasses.fields(ta):
        assert getattr(ta, f.name) == pytest.approx(getattr(tb, f.name), rel=1e-9, abs=1e-15), f.name
    return ta, a, mat, plm
