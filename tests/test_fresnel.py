"""Fresnel reflection of the microbeam at the skin surface and the crater walls (physics/mtz/reflection.py)."""

import math

import numpy as np
import pytest

from mtzsim._kernels import axisym as _k
from mtzsim.physics.laser import make_beam
from mtzsim.physics.mtz import LossModel, pulse, reflection
from mtzsim.physics.tissue import get_tissue, water_absorption
from pulse_setup import NO_PROBES, cone_crater, kernel_setup

LASERS = ("co2", "eryag", "erglass")


@pytest.mark.parametrize("laser", LASERS)
def test_normal_incidence_is_the_fresnel_formula(laser):
    """R(0) = ((n − 1)² + k²)/((n + 1)² + k²) (Born & Wolf sec. 13.2), numpy and kernel alike."""
    N = reflection.tissue_index(laser, 0.7)
    n, k = N.real, N.imag
    exact = ((n - 1) ** 2 + k * k) / ((n + 1) ** 2 + k * k)
    assert float(reflection.fresnel_reflectance(1.0, N)) == pytest.approx(exact, rel=1e-12)
    assert _k.fresnel(1.0, N) == pytest.approx(exact, rel=1e-12)
    assert reflection.normal_reflectance(N) == pytest.approx(exact, rel=1e-12)
    # water's n at these lines is 1.18-1.32: the surface reflects 0.7-3 % of the beam
    assert 0.005 < exact < 0.035


def test_s_and_p_reflectance_of_a_dielectric_match_the_textbook():
    """n = 1.5, k = 0 at 45°: R_s = 0.0920, R_p = 0.0085 (Hecht, Optics, sec. 4.6); R_p = 0 at Brewster's angle."""
    c = math.cos(math.radians(45.0))
    rs, rp = reflection.fresnel_amplitudes(c, 1.5 + 0j)
    ct = math.sqrt(1 - (math.sin(math.radians(45.0)) / 1.5) ** 2)  # Snell
    assert abs(rs) ** 2 == pytest.approx(((c - 1.5 * ct) / (c + 1.5 * ct)) ** 2, rel=1e-12)
    assert abs(rp) ** 2 == pytest.approx(((1.5 * c - ct) / (1.5 * c + ct)) ** 2, rel=1e-12)
    assert abs(rs) ** 2 == pytest.approx(0.0920, abs=5e-5)  # 3 significant digits in the book
    assert abs(rp) ** 2 == pytest.approx(0.0085, abs=5e-5)
    _, rp_b = reflection.fresnel_amplitudes(math.cos(math.atan(1.5)), 1.5 + 0j)
    assert abs(rp_b) ** 2 < 1e-20


@pytest.mark.parametrize("theta_deg", [30.0, 60.0, 80.0, 85.0, 88.0])
def test_absorbing_medium_matches_the_a_b_form(theta_deg):
    """Complex index: R_s, R_p equal the real-arithmetic form for an absorbing medium (Born & Wolf sec. 13.2;
    Siegel & Howell): 2a² = √((n² − k² − sin²θ)² + 4n²k²) + (n² − k² − sin²θ), 2b² = the same − (…),
    R_s = ((a − cosθ)² + b²)/((a + cosθ)² + b²), R_p = R_s ((a − sinθ tanθ)² + b²)/((a + sinθ tanθ)² + b²)."""
    N = reflection.tissue_index("co2", 0.7)
    n, k = N.real, N.imag
    th = math.radians(theta_deg)
    s, c = math.sin(th), math.cos(th)
    u = n * n - k * k - s * s
    root = math.sqrt(u * u + 4 * n * n * k * k)
    a, b = math.sqrt(0.5 * (root + u)), math.sqrt(0.5 * (root - u))
    Rs = ((a - c) ** 2 + b * b) / ((a + c) ** 2 + b * b)
    Rp = Rs * ((a - s * math.tan(th)) ** 2 + b * b) / ((a + s * math.tan(th)) ** 2 + b * b)
    rs, rp = reflection.fresnel_amplitudes(c, N)
    assert abs(rs) ** 2 == pytest.approx(Rs, rel=1e-10)
    assert abs(rp) ** 2 == pytest.approx(Rp, rel=1e-10)
    assert _k.fresnel(c, N) == pytest.approx(0.5 * (Rs + Rp), rel=1e-10)


@pytest.mark.parametrize("laser", LASERS)
def test_reflectance_rises_to_one_at_grazing_incidence(laser):
    N = reflection.tissue_index(laser, 0.7)
    theta = np.radians(np.linspace(0.0, 90.0, 181))
    R = reflection.fresnel_reflectance(np.clip(np.cos(theta), 0.0, 1.0), N)
    assert np.all(np.diff(R) >= -1e-12)  # unpolarised R never falls with the angle for n > 1
    assert R[-1] == pytest.approx(1.0, abs=1e-12)
    # a crater wall 5° from vertical meets the vertical beam at 85°: about half of it is reflected
    assert 0.4 < float(reflection.fresnel_reflectance(math.cos(math.radians(85.0)), N)) < 0.7


def test_water_index_is_hale_querry_and_agrees_with_the_absorption_table():
    """k of water at 10.6 µm from Hale & Querry gives µa = 4πk/λ = 857 /cm (their interpolated value,
    water_absorption.csv note); the packaged µa (Segelstein, 846 /cm) is within 2 %."""
    N = reflection.water_index("co2")
    assert 1.153 < N.real < 1.185  # between the tabulated 11.0 and 10.5 µm rows
    mua = 4 * math.pi * N.imag / 10.6e-6
    assert mua / 100 == pytest.approx(857, rel=0.01)
    assert mua == pytest.approx(water_absorption()["co2"], rel=0.02)
    with pytest.raises(ValueError):
        reflection.water_index("argon")


def test_a_pulse_that_ablates_nothing_loses_only_the_surface_reflection():
    """Below threshold the surface is flat: every column reflects R(0) straight out, nothing reaches a wall."""
    beam = make_beam("co2", energy=0.05e-3, spot_diameter=120e-6, pulse_duration=0.5e-3)
    state, mat, train, plm, rts, stp = kernel_setup(beam)
    s = state()
    t = pulse.run_pulse(s, mat, train, plm, rts, stp, NO_PROBES)
    assert not s.void.any()
    assert t.plume == 0.0 and t.redirected == 0.0
    # of the light that met the surface (delivered + reflected), the share R(0)
    assert t.reflected / (t.delivered + t.reflected) == pytest.approx(reflection.normal_reflectance(train.index),
                                                                        rel=1e-9)




def _deposit(void, index, h=5e-6, w0=60e-6, wall_optics=True, wavelength=0.0, roughness=0.0, z_rayleigh=1e9):
    nr, nz = void.shape
    r = (np.arange(nr) + 0.5) * h
    vol = np.pi * ((r + 0.5 * h) ** 2 - (r - 0.5 * h) ** 2)[:, None] * h * np.ones((1, nz))
    floor = np.zeros(nr, np.int64)
    _k.find_floor(void, floor)
    mua = np.full((nr, nz), 0.7 * 846e2)
    Q = np.zeros((nr, nz))
    sink = np.zeros(3)
    p = _k.deposit_beam(Q, void, floor, r, h, mua, 1.0, w0, z_rayleigh, True, np.ones(nz), vol, sink, index,
                        wall_optics, wavelength, roughness)
    return Q, vol, sink, p, r, floor, mua


def test_wall_reflection_conserves_energy_and_guides_light_to_the_tip():
    """In a steep cone (60 µm mouth radius, 500 µm deep) the walls reflect the grazing beam toward the tip:
    every watt is absorbed, passes the bottom or leaves the skin, and more light reaches the deep third."""
    void = cone_crater()
    N = reflection.tissue_index("co2", 0.7)
    Q0, vol, sink0, p0, *_ = _deposit(void, 1.0 + 0j)
    Q1, _, sink1, p1, *_ = _deposit(void, N)
    assert sink0[1] == 0.0 and sink0[2] == 0.0
    assert float(np.sum(Q1 * vol)) + sink1[0] == pytest.approx(p1, rel=1e-12)  # delivered = absorbed + out the bottom
    assert p1 + sink1[1] == pytest.approx(p0, rel=1e-12)  # what met the tissue: delivered or reflected out
    assert sink1[2] > 0.05 * p1  # light absorbed after a wall reflection
    deep = slice(67, None)
    assert np.sum((Q1 * vol)[:, deep]) > 1.2 * np.sum((Q0 * vol)[:, deep])


def test_without_wall_optics_every_column_loses_only_its_normal_incidence_reflection():
    """wall_optics False in the same steep cone: each column absorbs 1 − R(0) straight down from its floor and R(0)
    leaves the skin — the light that meets the profile is partitioned as on a flat surface, nothing is
    redirected, and the deposition is the no-reflection one scaled by 1 − R(0) (Beer–Lambert is linear)."""
    void = cone_crater()
    N = reflection.tissue_index("co2", 0.7)
    R0 = reflection.normal_reflectance(N)
    Q0, vol, sink0, p0, *_ = _deposit(void, 1.0 + 0j)
    Q, _, sink, p, *_ = _deposit(void, N, wall_optics=False)
    assert sink[2] == 0.0
    assert sink[1] == pytest.approx(R0 * p0, rel=1e-12)
    assert p + sink[1] == pytest.approx(p0, rel=1e-12)
    assert float(np.sum(Q * vol)) + sink[0] == pytest.approx(p, rel=1e-12)
    np.testing.assert_allclose(Q, (1.0 - R0) * Q0, rtol=1e-12, atol=1e-14 * float(Q0.max()))


@pytest.mark.parametrize("wall_optics", [True, False])
@pytest.mark.parametrize("z_rayleigh", [1e9, 200e-6])
def test_the_numpy_twin_traces_the_same_rays(wall_optics, z_rayleigh):
    """pulse._columns (readable twin) gives the kernel's deposition in a steep crater, with or without wall optics,
    for a collimated and a strongly diverging beam."""
    void = cone_crater()
    N = reflection.tissue_index("co2", 0.7)
    Q, vol, sink, p, r, floor, mua = _deposit(void, N, wall_optics=wall_optics, z_rayleigh=z_rayleigh)
    mat = _k.Material(*([None] * 5), mua, None, vol, None, None, None, r, 5e-6, 0.0, 0.0, 0.0)
    train = _k.PulseTrain(np.zeros(1), 1e-3, 1e-3, 1.0, 60e-6, z_rayleigh, True, np.zeros((0, 0)), N, 1.0,
                          wall_optics)
    Qn, pd, pout, fl, prefl, predir, shielded = pulse._columns(void, mat, train, 1.0, 1.0)
    np.testing.assert_array_equal(fl, floor)
    np.testing.assert_allclose(Qn, Q, rtol=1e-10, atol=1e-12 * float(Q.max()))
    # the kernel's bottom share is 1 − Σ fractions (round-off ~1e-16 per cell of the power), the twin's exp(−Σ µa h)
    assert (pd, pout, prefl, predir) == pytest.approx((p, sink[0], sink[1], sink[2]), rel=1e-10, abs=1e-14 * p)
    assert shielded == 0.0


def test_an_ablating_pulse_balances_its_energy_with_the_reflection():
    """simulate_mtz: reflected and redirected terms in the partition, balance < 1 %."""
    from mtzsim.physics.mtz import Numerics, simulate_mtz

    beam = make_beam("co2", energy=5e-3, spot_diameter=120e-6, peak_power=30.0)
    res = simulate_mtz(beam, losses=LossModel(ablation_temperature=523.15), numerics=Numerics(cell=10e-6,
                                                                                               cooling_time=0.2))
    e = res.energy
    assert res.ablation_depth > 0.0
    assert abs(e.error) < 0.01
    assert 0.0 < e.reflected < 0.03 * beam.energy
    assert 0.0 < e.wall_redirected < e.delivered


def test_an_ablating_pulse_without_wall_optics_balances_its_energy():
    """simulate_mtz with wall_optics False: balance < 1 %, nothing redirected, the reflected share R(0) of the
    light that met the tissue (the flat-surface loss, whatever the crater's shape)."""
    from mtzsim.physics.mtz import Numerics, simulate_mtz

    beam = make_beam("co2", energy=5e-3, spot_diameter=120e-6, peak_power=30.0)
    res = simulate_mtz(beam, losses=LossModel(ablation_temperature=523.15, wall_optics=False),
                       numerics=Numerics(cell=10e-6, cooling_time=0.2))
    e = res.energy
    assert res.ablation_depth > 0.0
    assert abs(e.error) < 0.01
    assert e.wall_redirected == 0.0
    R0 = reflection.normal_reflectance(reflection.tissue_index("co2", get_tissue("face").dermis.water_fraction))
    assert e.reflected / (e.reflected + e.delivered) == pytest.approx(R0, rel=1e-6)


LAMBDA_CO2 = 10.6e-6


def test_specular_share_is_the_rayleigh_roughness_factor():
    """exp(−(4π σ cos θ / λ)²) (Davies 1954): 1 for a smooth wall and at grazing incidence, 1/e where
    4π σ cos θ = λ; the kernel's inline function is the same formula."""
    share = reflection.specular_share
    assert share(1.0, 0.0, LAMBDA_CO2) == 1.0
    assert share(0.0, 30e-6, LAMBDA_CO2) == 1.0
    sigma = LAMBDA_CO2 / (4 * math.pi)
    assert share(1.0, sigma, LAMBDA_CO2) == pytest.approx(math.exp(-1.0), rel=1e-12)
    assert share(0.5, 2 * sigma, LAMBDA_CO2) == pytest.approx(math.exp(-1.0), rel=1e-12)  # σ cos θ is what counts
    for c in (0.0, 0.1, 0.5, 1.0):
        for sg in (0.0, 1e-6, 5e-6):
            assert _k.specular_share(c, sg, LAMBDA_CO2) == pytest.approx(float(share(c, sg, LAMBDA_CO2)), rel=1e-14)


def test_rough_walls_guide_less_light_down_the_channel_and_conserve_it():
    """Rougher walls (σ 0, 1, 3, 10 µm) keep less of each reflection specular: less light is absorbed after a
    wall reflection and less reaches the deep third of a steep cone, while every watt is still absorbed,
    passes the bottom or leaves the skin (the diffuse share of a wall hit below the surface row is absorbed there)."""
    void = cone_crater()
    N = reflection.tissue_index("co2", 0.7)
    _, vol, _, p_none, *_ = _deposit(void, 1.0 + 0j)
    deep, redirected = [], []
    for sigma in (0.0, 1e-6, 3e-6, 10e-6):
        Q, _, sink, p, *_ = _deposit(void, N, wavelength=LAMBDA_CO2, roughness=sigma)
        assert float(np.sum(Q * vol)) + sink[0] == pytest.approx(p, rel=1e-12)
        assert p + sink[1] == pytest.approx(p_none, rel=1e-12)
        deep.append(float(np.sum((Q * vol)[:, 67:])))
        redirected.append(sink[2])
    assert all(a > b for a, b in zip(redirected, redirected[1:]))
    assert all(a > b for a, b in zip(deep, deep[1:]))


def test_roughness_needs_traced_walls_and_a_wavelength():
    """σ > 0 with wavelength 0 (no trace) is a smooth wall: the deposition is the σ = 0 one to the bit."""
    void = cone_crater()
    N = reflection.tissue_index("co2", 0.7)
    Q0, *_ = _deposit(void, N)
    Q1, *_ = _deposit(void, N, roughness=10e-6)
    np.testing.assert_array_equal(Q0, Q1)


@pytest.mark.parametrize("roughness", [1e-6, 5e-6])
def test_the_numpy_twin_traces_rough_walls_alike(roughness):
    """pulse._columns with a rough wall gives the kernel's deposition and partition."""
    void = cone_crater()
    N = reflection.tissue_index("co2", 0.7)
    Q, vol, sink, p, r, floor, mua = _deposit(void, N, wavelength=LAMBDA_CO2, roughness=roughness)
    mat = _k.Material(*([None] * 5), mua, None, vol, None, None, None, r, 5e-6, 0.0, 0.0, 0.0)
    train = _k.PulseTrain(np.zeros(1), 1e-3, 1e-3, 1.0, 60e-6, 1e9, True, np.zeros((0, 0)), N, 1.0, True,
                          0.0, 0.0, 0.0, LAMBDA_CO2, roughness)
    Qn, pd, pout, fl, prefl, predir, shielded = pulse._columns(void, mat, train, 1.0, 1.0)
    np.testing.assert_allclose(Qn, Q, rtol=1e-10, atol=1e-12 * float(Q.max()))
    assert (pd, pout, prefl, predir) == pytest.approx((p, sink[0], sink[1], sink[2]), rel=1e-10, abs=1e-14 * p)


def test_wall_roughness_is_bounded():
    """0 (smooth) or inside WALL_ROUGHNESS_BOUNDS; the pulse record refuses a negative length."""
    from mtzsim.physics.mtz.losses import WALL_ROUGHNESS_BOUNDS

    assert LossModel(wall_roughness=WALL_ROUGHNESS_BOUNDS[1]).wall_roughness == WALL_ROUGHNESS_BOUNDS[1]
    for bad in (-1e-6, 0.5 * WALL_ROUGHNESS_BOUNDS[0], 2 * WALL_ROUGHNESS_BOUNDS[1], float("nan")):
        with pytest.raises(ValueError, match="wall_roughness"):
            LossModel(wall_roughness=bad)
    with pytest.raises(ValueError, match="wall_roughness"):
        pulse.pulse_train(make_beam("co2", energy=5e-3, spot_diameter=120e-6), None, get_tissue("face"),
                          wall_roughness=-1.0)
