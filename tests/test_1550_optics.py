"""Optics of the 1.55 µm microbeam: beam parameter product, the two dermal scattering sources, the optics interval."""

import math
from dataclasses import replace

import numpy as np
import pytest

from mtzsim.params import tables
from mtzsim.params.presets import ERGLASS_OPTICS, beam_cone
from mtzsim.physics import montecarlo as mc
from mtzsim.physics.laser import make_beam
from mtzsim.physics.mtz import simulate_mtz, source
from mtzsim.physics.tissue import get_tissue


def test_beam_cone_is_the_gaussian_beam_parameter_product():
    # Siegman 1986 ch. 17: θ = M² λ / (π n w0). A 140 µm 1/e² waist (w0 = 70 µm) in tissue of
    # n = 1.40 at 1.55 µm: θ = 1.55e-6 / (π · 1.40 · 70e-6) = 5.03 mrad; linear in M².
    theta = beam_cone(70e-6, 1.55e-6, 1.40)
    assert theta == pytest.approx(1.55e-6 / (math.pi * 1.40 * 70e-6), rel=1e-12)
    assert theta == pytest.approx(5.03e-3, abs=0.01e-3)
    assert beam_cone(70e-6, 1.55e-6, 1.40, 40.0) == pytest.approx(40.0 * theta, rel=1e-12)
    with pytest.raises(ValueError):
        beam_cone(70e-6, 1.55e-6, 1.40, 0.5)  # M² < 1 would beat diffraction


def test_preset_cone_follows_the_beam_quality_and_its_upper_end_is_the_old_cone():
    # the preset gives no free cone: M² = 1 at the 140 µm waist; the upper M² (40) is the 0.2 rad
    # cone the stage-2 preset assumed (0.2 rad needs M² = π n w0 θ / λ = 39.7)
    assert ERGLASS_OPTICS.half_angle is None and ERGLASS_OPTICS.beam_quality == 1.0
    lo, hi = ERGLASS_OPTICS.beam_quality_range
    assert lo == 1.0 and ERGLASS_OPTICS.cone_half_angle(70e-6, 1.55e-6, 1.40) == pytest.approx(5.03e-3, abs=0.01e-3)
    assert replace(ERGLASS_OPTICS, beam_quality=hi).cone_half_angle(70e-6, 1.55e-6, 1.40) == pytest.approx(0.2, abs=0.005)
    beam = make_beam("erglass", energy=10e-3, spot_diameter=140e-6)
    layers = mc.layer_table(get_tissue("face"))
    src = mc.beam_source(beam, layers, focus_depth=300e-6, beam_quality=hi)
    assert src[2] == pytest.approx(beam_cone(beam.radius, beam.wavelength, layers[0, 5], hi), rel=1e-12)
    assert mc.beam_source(beam, layers, half_angle=0.1, beam_quality=hi)[2] == 0.1  # an explicit cone wins
    with pytest.raises(ValueError, match="beam_quality"):
        mc.beam_source(beam, layers, beam_quality=0.9)


def test_high_scattering_source_is_the_bashkatov_skin_fit():
    # Bashkatov et al. 2005 skin fit µs′ = 1.1e12 λ^-4 + 73.7 λ^-0.22 /cm (λ in nm) at 1550 nm:
    # 0.19 + 14.64 = 14.83 /cm (table rounds to 0.01 /cm); fat keeps its adopted value
    adopted, high = mc.optical_properties("erglass", "adopted"), mc.optical_properties("erglass", "high")
    expected = (1.1e12 * 1550.0**-4 + 73.7 * 1550.0**-0.22) * 100.0
    for key in ("sc", "epidermis", "papillary", "reticular"):
        assert high[key]["reduced_scattering"] == pytest.approx(expected, abs=0.5)
        assert high[key]["anisotropy"] == adopted[key]["anisotropy"]
    assert high["fat"]["reduced_scattering"] == adopted["fat"]["reduced_scattering"]
    assert high["reticular"]["reduced_scattering"] / adopted["reticular"]["reduced_scattering"] == pytest.approx(2.7, abs=0.05)
    with pytest.raises(ValueError, match="scattering"):
        mc.optical_properties("erglass", "medium")


def test_a_wider_cone_and_more_scattering_keep_the_light_shallower():
    # Invariant of transport: at the same waist, energy and µa, a diffraction-limited beam puts more
    # of the pulse into the deep core of the MTZ (r < 100 µm, z > 600 µm) than an M² = 40 cone
    # focused 300 µm deep, and the adopted µs′ more than the 2.7× larger measured fit. Measured at
    # 64,000 packets: 3.6 %, 3.1 % and 1.1 % of the pulse, seeds 0 and 1 within 3 % of each other;
    # the margins (8 %, 2×) are several times that spread.
    beam = make_beam("erglass", energy=10e-3, spot_diameter=140e-6)
    tissue = get_tissue("face")
    r, z = np.linspace(0, 300e-6, 16), np.linspace(0, 1.6e-3, 81)
    volume = np.pi * np.diff(r**2)[:, None] * np.diff(z)[None, :]

    def deep_core(**kw):
        res = mc.simulate_light(beam, tissue, r, z, photons=64_000, focus_depth=300e-6, cache=False, **kw)
        return float((res.density * volume)[:5, 30:].sum())

    ideal, cone, scattered = deep_core(), deep_core(beam_quality=40.0), deep_core(scattering="high")
    assert ideal > 1.08 * cone
    assert ideal > 2.0 * scattered


def test_dermal_anisotropy_choices_span_prahls_measurement():
    # Prahl 1988 (human dermis, goniometry): Henyey–Greenstein g = 0.92, mean cosine 0.87; µs′ is
    # kept, so µs = µs′ / (1 − g) changes with g; only the dermis layers have a range
    adopted = mc.optical_properties("erglass")
    for choice, g in (("low", 0.87), ("high", 0.92)):
        props = mc.optical_properties("erglass", anisotropy=choice)
        for key in ("papillary", "reticular"):
            assert props[key]["anisotropy"] == g
            assert props[key]["reduced_scattering"] == adopted[key]["reduced_scattering"]
        for key in ("sc", "epidermis", "fat"):
            assert props[key]["anisotropy"] == adopted[key]["anisotropy"]
        layers = mc.layer_table(get_tissue("face"), anisotropy=choice)
        assert layers[3, 3] == pytest.approx(adopted["reticular"]["reduced_scattering"] / (1 - g))
    assert mc.optical_properties("erglass")["reticular"]["anisotropy"] == 0.90
    with pytest.raises(ValueError, match="anisotropy"):
        mc.optical_properties("erglass", anisotropy="0.9")


def test_optics_corners_span_both_sources_and_the_m2_range():
    corners = source.optics_corners()
    assert {c.scattering for c in corners} == set(mc.SCATTERING_SOURCES)
    assert {c.beam_quality for c in corners} == set(ERGLASS_OPTICS.beam_quality_range)
    assert {c.anisotropy for c in corners} == {"low", "high"}  # the adopted g (0.90) lies between
    assert len(corners) == 12
    # at M² = 1 the focus does not matter (Rayleigh range π n w0² / λ ≈ 14 mm ≫ skin): one corner
    assert all(c.focus_depth == ERGLASS_OPTICS.focus_depth for c in corners if c.beam_quality == 1.0)
    assert {c.focus_depth for c in corners if c.beam_quality > 1.0} == set(ERGLASS_OPTICS.focus_depth_range)


@pytest.mark.slow  # 57.5 s of the default run (2026-12-02), which was 9:23 of its 10 min on 2 cores
def test_optics_interval_holds_the_preset_mtz_and_nothing_ablates():
    # 10 mJ, 10⁵ packets (coarser statistics than the default: the interval, not its digits)
    beam = make_beam("erglass", energy=10e-3, spot_diameter=140e-6)
    num = replace(source.default_numerics(beam), light_photons=100_000)
    span = source.optics_intervals(beam, numerics=num)
    nominal = simulate_mtz(beam, numerics=num)
    for key, value in (("histology_coagulation_depth", nominal.histology.coagulation_depth),
                       ("histology_lesion_width", nominal.histology.lesion_width),
                       ("coagulation_depth", nominal.coagulation_depth)):
        lo, hi = span[key]
        assert 0.0 < lo <= value <= hi
    assert span["histology_coagulation_depth"][1] > span["histology_coagulation_depth"][0]
    assert span["ablation_depth"] == (0.0, 0.0)
    with pytest.raises(ValueError, match="scattering beam"):
        source.optics_intervals(make_beam("co2", energy=10e-3, spot_diameter=120e-6))


def test_cited_sources_are_in_the_reference_list():
    from mtzsim.params.references import REFERENCES

    for key in ("Manstein2004", "Khan2005", "FiberFraxel2008", "Siegman1986"):
        assert key in ERGLASS_OPTICS.source and key in REFERENCES, key
    high = mc.optical_properties("erglass", "high")
    assert "Bashkatov2005" in REFERENCES and "Prahl1988" in REFERENCES
    rows = {r["key"]: r for r in tables.rows("optical_properties_1550.csv")}
    assert rows["reticular"]["musp_high_source"].startswith("Bashkatov2005")
    assert rows["reticular"]["g_range_source"].startswith("Prahl1988")
    assert high["reticular"]["source"] == rows["reticular"]["source"]
