"""Fresnel reflection of a microbeam at the skin surface and at the walls of its crater (waveguiding).

The complex refractive index N = n + ik of the tissue at the laser wavelength sets the
unpolarised Fresnel reflectance R(θ) = (|r_s|² + |r_p|²)/2 of a ray arriving from air at an
angle θ from the surface normal (Born & Wolf, sec. 13.2, for an absorbing medium). At normal
incidence R = ((n − 1)² + k²)/((n + 1)² + k²); at grazing incidence (θ → 90°) R → 1.

Tissue index (assumption): skin is ~70 % water and water dominates its absorption at 10.6, 2.94
and 1.55 µm (the model's µa is the water fraction × water's, :meth:`mtzsim.physics.tissue.Layer.absorption`),
so the tissue's k is the water fraction × water's k (consistent with that µa) and its n is water's
(Hale & Querry 1973, 25 °C, params/data/mtz_refractive_index.csv). The collagen matrix's own
index in the mid-infrared was not found; at 1.55 µm the Monte Carlo uses n = 1.40 (a rounded
soft-tissue index, optical_properties_1550.csv) — between the two, normal-incidence R at 10.6 µm
is 0.7 % (n = 1.18) or 2.8 % (n = 1.40), and the grazing reflectance that guides the light down
a deep crater is ≳ 50 % beyond 85° either way.

In the crater (:func:`mtzsim._kernels.axisym.deposit_beam`, numpy twin
:func:`mtzsim.physics.mtz.pulse._columns`): the beam's rays are vertical and the crater
axisymmetric, so every ray and its reflections stay in a meridional plane (the surface normal
lies in it) and a two-dimensional trace in that plane is exact geometric optics of the profile.
Each column's light meets the crater profile (the column floors the solver tracks, joined
linearly between column centres) at its floor; the incidence angle comes from the profile's
local slope; the fraction 1 − R is absorbed in that column from its floor down (Beer–Lambert, as
the direct light) and the fraction R is reflected specularly and followed across the channel
until it meets the profile again — there the wall cell it strikes (the first solid cell of that
row, outward from the ray) absorbs 1 − R of it down its column and the rest is reflected again —,
leaves the skin upward (the ``reflected`` term of the energy partition), or passes the bottom of
the domain. What a wall reflection sends deeper and is absorbed there is the ``wall_redirected``
term (part of ``delivered``). A flat, unablated surface reflects R(0) of the beam straight back: the surface term,
the only reflection of a laser that ablates nothing. Limits: the wall is the column floors'
profile, so its slope is resolved to one cell (the crater depth converges only on cells of
≤ 5 µm for a 120 µm spot, :mod:`mtzsim.verify.calibration`); the absorbed part goes down the
struck cell's column (not along the refracted ray into the wall, within one penetration depth of
it); the reflected light is not attenuated again by the ejecta in the
channel; a reflected share below :data:`TRACE_FLOOR` of the column's power is absorbed where it
is, and after :data:`MAX_BOUNCES` reflections the rest is absorbed where the ray is (numerics).

The scattering 1.55 µm beam is not traced here: its Monte Carlo (:mod:`mtzsim.physics.montecarlo`)
already removes the specular Fresnel loss at the surface from the deposited energy, and no
crater forms.

References
----------
.. [1] Hale GM, Querry MR. Optical constants of water in the 200-nm to 200-µm wavelength region.
   Appl Opt 12 (1973) 555–563. doi:10.1364/AO.12.000555
.. [2] Born M, Wolf E. Principles of Optics, 7th ed., Cambridge University Press (1999), sec. 1.5, 13.2.
.. [3] Davies H. The reflection of electromagnetic waves from a rough surface. Proc IEE 101 (1954)
   209–214. doi:10.1049/pi-4.1954.0025
.. [4] Beckmann P, Spizzichino A. The Scattering of Electromagnetic Waves from Rough Surfaces.
   Pergamon (1963), ch. 5: the mean specular field of a Gaussian rough surface falls by exp(−g/2),
   g = (4π σ cos θ / λ)², so the specular power by exp(−g).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from mtzsim._kernels.axisym import MAX_BOUNCES, TRACE_FLOOR  # noqa: F401  (documented here)
from mtzsim.params import tables


@lru_cache(maxsize=None)
def water_index(laser: str) -> complex:
    """Complex refractive index n + ik of liquid water at the laser's wavelength (Hale & Querry 1973, 25 °C)."""
    for row in tables.rows("mtz_refractive_index.csv"):
        if row["laser"] == laser:
            return complex(float(row["n_water"]), float(row["k_water"]))
    raise ValueError(f"no refractive index of water for laser {laser!r}")


def tissue_index(laser: str, water_fraction: float) -> complex:
    """Complex index of a tissue [-]: water's n, and k scaled by the water fraction (assumption, module docstring)."""
    if not 0.0 <= water_fraction <= 1.0:
        raise ValueError(f"water_fraction must be a fraction, got {water_fraction!r}")
    nw = water_index(laser)
    return complex(nw.real, water_fraction * nw.imag)


def fresnel_amplitudes(cos_incidence, index: complex):
    """Amplitude reflection coefficients (r_s, r_p) [-] from air into a medium of complex index ``index``.

    ``cos_incidence`` is cos θ of the angle from the surface normal (0 at grazing, 1 at normal incidence).
    """
    c = np.asarray(cos_incidence, float)
    if np.any((c < 0.0) | (c > 1.0)):
        raise ValueError("cos_incidence must lie in [0, 1]")
    N = complex(index)
    ct = np.sqrt(1.0 - (1.0 - c * c) / (N * N) + 0j)  # cos of the (complex) refraction angle
    rs = (c - N * ct) / (c + N * ct)
    rp = (N * c - ct) / (N * c + ct)
    return rs, rp


def fresnel_reflectance(cos_incidence, index: complex):
    """Unpolarised Fresnel reflectance R(θ) = (|r_s|² + |r_p|²)/2 [-] from air into a medium of complex index N."""
    rs, rp = fresnel_amplitudes(cos_incidence, index)
    return 0.5 * (np.abs(rs) ** 2 + np.abs(rp) ** 2)


def specular_share(cos_incidence, roughness: float, wavelength: float):
    """Share of a rough wall's Fresnel reflectance that stays specular [-]: exp(−(4π σ cos θ / λ)²).

    Davies (1954) and Beckmann & Spizzichino (1963): a surface with a Gaussian distribution of heights
    of rms σ (correlation length much longer than λ) reflects coherently R(θ) exp(−(4π σ cos θ /
    λ)²) and scatters the rest of R(θ) diffusely. The factor is 1 at grazing incidence (cos θ → 0)
    for any σ, Rayleigh's criterion for a smooth-looking surface. ``roughness`` 0: 1.

    Parameters
    ----------
    cos_incidence : float or ndarray
        cos θ of the ray on the wall [-].
    roughness : float
        rms height σ of the wall [m].
    wavelength : float
        Vacuum wavelength λ of the beam [m] (the crater is open air).
    """
    if roughness <= 0.0 or wavelength <= 0.0:
        return np.ones_like(np.asarray(cos_incidence, dtype=float))
    g = 4.0 * np.pi * roughness * np.asarray(cos_incidence, dtype=float) / wavelength
    return np.exp(-g * g)


def normal_reflectance(index: complex) -> float:
    """R at normal incidence, ((n − 1)² + k²)/((n + 1)² + k²) [-]."""
    n, k = complex(index).real, complex(index).imag
    return ((n - 1.0) ** 2 + k * k) / ((n + 1.0) ** 2 + k * k)
