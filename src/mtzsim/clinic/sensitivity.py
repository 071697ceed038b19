"""Global (Sobol) sensitivity of improvement, PIH and downtime to the biological and device parameters.

Saltelli sampling and Sobol first-order/total indices come from SALib. Each sample is one column
of the vectorised remodeling model (a "median patient": response gain 1, expected MTZ hits), so
10⁴–10⁵ model runs take seconds. Device parameters act on the physics stimulus as multipliers
(density scales the MTZs per area, the volumes and the coverage; depth scales the MTZ depth and
the volumes; energy enters the PIH logistic), so the physics is not re-run per sample. Ranges are
those of remodeling_parameters.csv (sourced or labelled assumptions); the calibrated parameters
span their posterior 5–95 %.

References
----------
.. [1] Sobol IM. Math Comput Simul 2001;55:271–280. Saltelli A et al. Comput Phys Commun
   2010;181:259–270. SALib: Herman J, Usher W. J Open Source Softw 2017;2:97.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.special import expit

from mtzsim.biology.remodeling import DAY, RemodelingParameters, simulate_remodeling
from mtzsim.clinic import risk
from mtzsim.clinic.parameters import table

#: Biological parameters varied over their tabulated ranges.
BIOLOGICAL = ("tau_hsp70", "tau_wound", "tau_recruit", "tau_fibroblast", "tau_maturation", "activation_rate",
              "wound_weight", "fibrotic_extent", "tether_share", "tether_radius", "tether_thickness",
              "contraction_retained", "late_contraction_rate")
#: Device and course parameters (multipliers of the scenario's values, or absolute).
DEVICE = {"density_factor": (0.5, 2.0), "depth_factor": (0.5, 2.0), "energy_factor": (0.5, 2.0), "sessions": (0.5, 5.499)}
#: Calibrated parameters varied over their posterior 5–95 %.
CALIBRATED = ("fill_yield", "fill_cap")
PATIENT = {"fitzpatrick": (1.0, 6.0)}


@dataclass(frozen=True)
class SobolResult:
    """Sobol indices per output: names, first-order S1, total ST and their 95 % half-widths."""

    names: tuple
    indices: dict  # output -> {"S1", "ST", "S1_conf", "ST_conf"} arrays over names
    n_runs: int

    def to_dict(self) -> dict:
        return {"n_runs": self.n_runs, "parameters": list(self.names),
                "indices": {o: {k: [float(x) for x in v] for k, v in d.items()} for o, d in self.indices.items()}}


def problem(posterior) -> dict:
    """The SALib problem: every varied parameter with its bounds (SI)."""
    t = table("remodeling_parameters.csv")
    names, bounds = [], []
    for n in BIOLOGICAL:
        names.append(n)
        bounds.append([t[n].low, t[n].high])
    eff = posterior["efficacy"]
    names.append("fill_yield")
    bounds.append(list(np.percentile(np.asarray(eff["fill_yield_per_day"]) / DAY, [5, 95])))
    names.append("fill_cap")
    bounds.append(list(np.percentile(eff["fill_cap"], [5, 95])))
    for n, b in {**DEVICE, **PATIENT}.items():
        names.append(n)
        bounds.append(list(b))
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def evaluate(X, names, stimulus, scars, *, interval: float, follow_up: float, posterior, healing_model=None):
    """Model outputs for each sample row: mean improvement, PIH probability (and downtime)."""
    col = {n: X[:, i] for i, n in enumerate(names)}
    base = RemodelingParameters.default()
    prm = base.with_(**{n: col[n] for n in BIOLOGICAL}, fill_yield=col["fill_yield"], fill_cap=col["fill_cap"])
    dens, dep = col["density_factor"], col["depth_factor"]
    stim = replace(stimulus, areal_density=stimulus.areal_density * dens, wound_depth=stimulus.wound_depth * dep,
                   heat_shock_volume_fraction=stimulus.heat_shock_volume_fraction * dens * dep,
                   wound_volume_fraction=stimulus.wound_volume_fraction * dens * dep,
                   ablation_diameter=np.full(len(X), stimulus.ablation_diameter),
                   area_contraction=np.full(len(X), stimulus.area_contraction))
    sessions = np.rint(col["sessions"]).astype(int)
    depth = np.array([s.depth for s in scars])
    width = np.array([s.width for s in scars])
    teth = np.array([s.tethered for s in scars])
    v0 = np.array([s.count for s in scars]) * depth * np.pi * width**2 / 4
    improvement = np.empty(len(X))
    for k in np.unique(sessions):
        sel = sessions == k
        sub_prm = RemodelingParameters(**{f: (np.asarray(getattr(prm, f))[sel] if np.ndim(getattr(prm, f)) else getattr(prm, f))
                                          for f in prm.__dataclass_fields__})
        sub_stim = replace(stim, **{f: np.asarray(getattr(stim, f))[sel] for f in
                                    ("areal_density", "wound_depth", "heat_shock_volume_fraction", "wound_volume_fraction",
                                     "ablation_diameter", "area_contraction")})
        t_eval = (k - 1) * interval + follow_up
        rem = simulate_remodeling(sub_stim, depth, width, teth, sessions=int(k), interval=interval, record_times=[t_eval],
                                  params=sub_prm, gain=np.ones(sel.sum()))
        after = rem.depth_factor[-1] * rem.area_factor[-1]
        improvement[sel] = 1.0 - (after * v0).sum(-1) / v0.sum()
    coef = np.asarray(posterior["pih"]["coefficients"]).mean(axis=0)
    cov = risk.PIHCovariates(fitzpatrick=col["fitzpatrick"], coverage=np.minimum(1.0, stimulus.coverage * dens),
                             energy=stimulus.energy * col["energy_factor"], ablative=float(stimulus.ablative))
    pih = 1.0 - (1.0 - expit(risk.pih_logit(cov, coef))) ** sessions
    out = {"improvement": improvement, "pih_probability": pih}
    if healing_model is not None:
        out["downtime_days"] = np.asarray(healing_model(col), dtype=float)
    return out


def sobol_indices(stimulus, scars, *, interval: float, follow_up: float, n_base: int = 512, seed: int = 1,
                  posterior=None, healing_model=None) -> SobolResult:
    """Sobol first-order and total indices of the outcomes (Saltelli sampling, N(D + 2) runs).

    Parameters
    ----------
    stimulus : TreatmentStimulus
        The scenario's per-session dose.
    scars : sequence of Scar
    interval, follow_up : float
        Course timing [s].
    n_base : int
        Saltelli base sample (a power of 2); runs = n_base × (D + 2).
    healing_model : callable, optional
        ``f(columns) -> downtime_days`` when a healing surrogate is available; downtime is
        reported only then (never invented).
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    from mtzsim.clinic.calibration import load_posterior

    post = load_posterior() if posterior is None else posterior
    prob = problem(post)
    X = sobol_sample.sample(prob, n_base, calc_second_order=False, seed=seed)
    Y = evaluate(X, prob["names"], stimulus, scars, interval=interval, follow_up=follow_up, posterior=post,
                 healing_model=healing_model)
    indices = {}
    for name, y in Y.items():
        r = sobol_analyze.analyze(prob, y, calc_second_order=False, seed=seed)
        indices[name] = {k: np.asarray(r[k]) for k in ("S1", "ST", "S1_conf", "ST_conf")}
    return SobolResult(names=tuple(prob["names"]), indices=indices, n_runs=len(X))
