"""Virtual cohort: patients drawn from stated distributions, each with its own seed.

Every patient ``i`` draws all its random numbers from its own generator,
``numpy.random.SeedSequence(seed, spawn_key=(i,))``, so a patient's draws (and hence its
outcome) do not depend on how the cohort is split into chunks or workers. Covariates that go
together are drawn together through a Gaussian copula: age, Fitzpatrick type and the share of
icepick scars (correlations in cohort_distributions.csv, labelled assumptions). Biological
parameters: the remodeling response gain (log-normal, spread fitted), the fibrosis feedback
(log-normal), scar depths (log-normal around the type value) and the MTZs that land in each
scar (Poisson in the scar's area). Each patient also carries one posterior draw of the
calibrated parameters, so cohort outcomes are posterior-predictive.

References
----------
.. [1] Allen RJ, Rieger TR, Musante CJ. CPT Pharmacometrics Syst Pharmacol 2016;5:140.
   doi:10.1002/psp4.12063 (virtual populations).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm, poisson

from mtzsim.clinic.parameters import table
from mtzsim.clinic.scars import SCAR_TYPES, Scar

#: Standard normals each patient draws, in this order (fixed so that draws never shift).
_N_NORMALS = 3 + 2 + 2 * len(SCAR_TYPES)


@dataclass(frozen=True)
class Population:
    """Who the virtual patients are.

    Parameters
    ----------
    scars : tuple of Scar
        Scar types present (template geometry; ``count`` is the count when ``mix_from_shares``
        is False).
    fitzpatrick_probs : tuple of 6 float
        P(type I..VI); one-hot for a single patient's skin type.
    age_mean, age_sd : float
        Age [years]; ``age_sd = 0`` fixes the age.
    mix_from_shares : bool
        Draw each patient's scar mix from the Jacob shares (a trial population) instead of the
        fixed counts (a scenario's patient).
    depth_spread : float
        Log-normal spread of each scar's depth around its template (0: as given).
    """

    scars: tuple
    fitzpatrick_probs: tuple = (0, 0, 1.0, 0, 0, 0)
    age_mean: float = 30.0
    age_sd: float = 0.0
    mix_from_shares: bool = False
    depth_spread: float = 0.0

    def __post_init__(self):
        p = np.asarray(self.fitzpatrick_probs, dtype=float)
        if p.shape != (6,) or np.any(p < 0) or not math.isclose(p.sum(), 1.0, rel_tol=1e-9):
            raise ValueError("fitzpatrick_probs must be 6 non-negative numbers summing to 1")
        if not self.scars:
            raise ValueError("a population needs at least one scar type")


def population_for(fitzpatrick: int, age: float, scars) -> Population:
    """A single scenario patient: fixed skin type, age and scars; only the biology varies."""
    if not 1 <= int(fitzpatrick) <= 6:
        raise ValueError(f"Fitzpatrick type must be 1..6, got {fitzpatrick!r}")
    probs = [0.0] * 6
    probs[int(fitzpatrick) - 1] = 1.0
    return Population(scars=tuple(scars), fitzpatrick_probs=tuple(probs), age_mean=float(age), age_sd=0.0)


def trial_population(fitzpatrick_probs, age_mean: float) -> Population:
    """A trial arm's population: the Jacob scar mix (type defaults), drawn per patient."""
    from mtzsim.params.presets import SCAR_DEFAULTS

    c = table("cohort_distributions.csv")
    ice, box, rol = SCAR_DEFAULTS["icepick"], SCAR_DEFAULTS["boxcar"], SCAR_DEFAULTS["rolling"]
    scars = (
        Scar("icepick", ice.width, ice.depth, 1),
        Scar("boxcar_shallow", box.width, box.depth, 1),
        Scar("boxcar_deep", box.width, 0.7e-3, 1),  # assumption: deep boxcar 0.7 mm (Jacob: ≥ 0.5 mm)
        Scar("rolling", rol.width, rol.depth, 1),
    )
    return Population(scars=scars, fitzpatrick_probs=tuple(fitzpatrick_probs), age_mean=age_mean,
                      age_sd=c["age_sd"].value, mix_from_shares=True, depth_spread=c["depth_spread"].value)


@dataclass(frozen=True)
class PatientDraws:
    """Per-patient draws (arrays over patients; scars on the last axis)."""

    index: np.ndarray  # patient numbers
    fitzpatrick: np.ndarray
    age: np.ndarray
    z_gain: np.ndarray
    z_feedback: np.ndarray
    scar_weight: np.ndarray  # (P, S) relative number of scars of each type
    depth: np.ndarray  # (P, S) [m]
    hits_u: np.ndarray  # (P, S) uniforms for the Poisson MTZ hits
    draw: np.ndarray  # posterior draw selector (large integer, reduced modulo the draws)
    extra: dict = field(default_factory=dict)

    def __len__(self):
        return len(self.index)


def _correlation() -> np.ndarray:
    c = table("cohort_distributions.csv")
    r_af, r_ai, r_fi = (c["corr_age_fitzpatrick"].value, c["corr_age_icepick"].value,
                        c["corr_fitzpatrick_icepick"].value)
    return np.array([[1.0, r_af, r_ai], [r_af, 1.0, r_fi], [r_ai, r_fi, 1.0]])


def patient_normals(seed: int, start: int, stop: int, n_uniform: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each patient's own standard normals, uniforms and posterior selector (chunk-independent)."""
    normals = np.empty((stop - start, _N_NORMALS))
    unif = np.empty((stop - start, n_uniform))
    sel = np.empty(stop - start, dtype=np.int64)
    for j, i in enumerate(range(start, stop)):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(i,))))
        normals[j] = rng.standard_normal(_N_NORMALS)
        unif[j] = rng.random(n_uniform)
        sel[j] = rng.integers(0, 2**62)
    return normals, unif, sel


def draw_patients(population: Population, n: int, seed: int, *, start: int = 0, mix_spread: float | None = None) -> PatientDraws:
    """Draw patients ``start .. start + n − 1`` of the cohort with this seed.

    Draws are per patient, so ``draw_patients(pop, 10, s)`` equals the concatenation of
    ``draw_patients(pop, 4, s)`` and ``draw_patients(pop, 6, s, start=4)`` bit for bit.
    """
    if n < 1:
        raise ValueError(f"cohort size must be at least 1, got {n}")
    c = table("cohort_distributions.csv")
    S = len(population.scars)
    z, u, sel = patient_normals(seed, start, start + n, S)
    lat = z[:, :3] @ np.linalg.cholesky(_correlation()).T  # correlated age, skin type, icepick share
    age = np.clip(population.age_mean + population.age_sd * lat[:, 0], 16.0, 80.0)
    cdf = np.cumsum(population.fitzpatrick_probs)
    fst = 1 + np.searchsorted(cdf[:-1], norm.cdf(lat[:, 1]), side="right")
    kinds = [s.kind for s in population.scars]
    if population.mix_from_shares:
        base = {"icepick": c["scar_share_icepick"].value,
                "boxcar_shallow": c["scar_share_boxcar"].value * (1 - c["boxcar_deep_share"].value),
                "boxcar_deep": c["scar_share_boxcar"].value * c["boxcar_deep_share"].value,
                "rolling": c["scar_share_rolling"].value}
        mix_normals = np.stack([lat[:, 2] if k == "icepick" else z[:, 5 + SCAR_TYPES.index(k)] for k in kinds], axis=1)
        base_log = np.log(np.array([base[k] for k in kinds]))
        weight = mix_weights(base_log, mix_normals, c["scar_mix_spread"].value if mix_spread is None else mix_spread)
        extra = {"mix_normals": mix_normals, "base_log_share": base_log}
    else:
        weight = np.broadcast_to(np.array([s.count for s in population.scars], dtype=float), (n, S)).copy()
        extra = {}
    d0 = np.array([s.depth for s in population.scars])
    zd = np.stack([z[:, 5 + len(SCAR_TYPES) + SCAR_TYPES.index(k)] for k in kinds], axis=1)
    depth = d0 * np.exp(population.depth_spread * zd)
    return PatientDraws(index=np.arange(start, start + n), fitzpatrick=fst.astype(float), age=age,
                        z_gain=z[:, 3], z_feedback=z[:, 4], scar_weight=weight, depth=depth, hits_u=u, draw=sel,
                        extra=extra)


def mix_weights(base_log_share, mix_normals, spread) -> np.ndarray:
    """Each patient's scar-type shares: softmax of the base log shares plus ``spread`` × normals."""
    logw = np.asarray(base_log_share) + spread * np.asarray(mix_normals)
    w = np.exp(logw - logw.max(axis=-1, keepdims=True))
    return w / w.sum(axis=-1, keepdims=True)


def concat(parts) -> PatientDraws:
    """Join chunks of patients in order."""
    parts = list(parts)
    return PatientDraws(**{name: np.concatenate([getattr(p, name) for p in parts])
                           for name in ("index", "fitzpatrick", "age", "z_gain", "z_feedback", "scar_weight",
                                        "depth", "hits_u", "draw")})


def hits_ratio(draws: PatientDraws, mtzs_per_area: float, widths, sessions: int = 1) -> np.ndarray:
    """Realised / expected MTZs landing in each scar over the course: Poisson(kλA) / (kλA).

    Uses the patient's own uniforms (inverse CDF), so it is chunk-independent too; placements
    differ between sessions, hence the total over ``sessions`` sessions.
    """
    lam_a = sessions * mtzs_per_area * math.pi * np.asarray(widths, dtype=float) ** 2 / 4
    return poisson.ppf(np.clip(draws.hits_u, 1e-12, 1 - 1e-12), lam_a) / lam_a
