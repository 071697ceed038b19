"""Dermal remodeling after each session: fibroblast activation, collagen deposition, scar fill.

The heat-shocked shell (HSP70, hours–days) and the wound signal recruit fibroblasts
(recruitment delay ``tau_recruit``); activated fibroblasts (HSP47, from day 7 to months) lay
down procollagen that matures into load-bearing matrix (``tau_maturation``: new collagen at
3–6 months). The matured matrix fills each scar's deficit, saturating as the deficit closes
(``1 − exp``) and scaled by how much of the scar's fibrotic base the MTZs reach. Activated
fibroblasts also contract the tissue (late contraction) and sessions cut the tethers of rolling
scars. An autocrine feedback loop gives the fibroblast state two steady states where the biology
has them: quiescence after a transient injury (healing) and, above a threshold of feedback and
injury, persistent activation (fibrosis, hypertrophic scarring) [Alon 2023].

State per patient (vectorised with numpy over patients; all rates SI):

    H' = −H/τ_H              (+ s_hs at each session)          heat-shock (HSP70) signal
    W' = −W/τ_W              (+ s_w at each session)           wound signal
    R' = (H + ω W − R)/τ_R                                     fibroblast recruitment
    F' = (k_a R + β F²/(K² + F²))(1 − F) − F/τ_F, β = b/τ_F    activated fibroblasts
    P' = (F − P)/τ_m                                           procollagen → matrix flux
    M  = ∫ P dt,  A = ∫ F dt                                   matured matrix, activation dose

Per scar: fill = cap (1 − exp(−y g φ n (D_ref/D) M)) (cap < 1: a fibrotic remnant stays); tether release 1 − (1 − p_cut)^k;
area contraction min(cap, kept·immediate·k + κ A).

References
----------
.. [1] Hantash BM et al. Lasers Surg Med 2007;39:96–107 (hsp72 from day 2, hsp47 from day 7,
   present at 3 months).
.. [2] Xu XG et al. Dermatol Surg ~2011 (HSP70 peak at 4 h; HSP47 peak at 1 month, high at 3
   and 6 months).
.. [3] Orringer JS et al. Dermatol Surg 2012 (fractional induces 40–50 % of the collagen of a
   fully ablative treatment).
.. [4] Alon U. Inflammation and fibrosis as a bistable system. An Introduction to Systems
   Biology, 2nd ed. 2023, ch. 10. doi:10.1201/9781003356929-10
.. [5] Verzijl N et al. J Biol Chem 2000;275:39027 (skin collagen half-life ~15 years: no
   turnover term over months).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np

from mtzsim.clinic.parameters import table
from mtzsim.pipeline.contract import quantity

from mtzsim.constants import DAY  # noqa: E402  [s]

#: Parameters of the remodeling model (names of remodeling_parameters.csv).
PARAMETER_NAMES = (
    "tau_hsp70", "tau_wound", "tau_recruit", "tau_fibroblast", "tau_maturation", "activation_rate",
    "wound_weight", "fibrosis_feedback", "fibrosis_half", "fibrotic_extent", "tether_share", "tether_radius",
    "tether_thickness", "contraction_retained", "late_contraction_rate", "contraction_cap", "fill_yield",
    "depth_reference", "fill_cap",
)


@dataclass(frozen=True)
class RemodelingParameters:
    """Remodeling coefficients (SI); every field may be a float or an array over patients."""

    tau_hsp70: object
    tau_wound: object
    tau_recruit: object
    tau_fibroblast: object
    tau_maturation: object
    activation_rate: object
    wound_weight: object
    fibrosis_feedback: object
    fibrosis_half: object
    fibrotic_extent: object
    tether_share: object
    tether_radius: object
    tether_thickness: object
    contraction_retained: object
    late_contraction_rate: object
    contraction_cap: object
    fill_yield: object
    depth_reference: object
    fill_cap: object

    @classmethod
    def default(cls, **overrides) -> "RemodelingParameters":
        """The tabulated values (remodeling_parameters.csv), with optional overrides (SI)."""
        t = table("remodeling_parameters.csv")
        values = {name: t[name].value for name in PARAMETER_NAMES}
        values.update(overrides)
        return cls(**values)

    def with_(self, **changes) -> "RemodelingParameters":
        return replace(self, **changes)


def steady_states(feedback, half):
    """Fixed points of the unforced fibroblast equation F' = β F²/(K²+F²)(1−F) − F/τ_F.

    With ``b = β τ_F`` the non-zero fixed points solve ``(1 + b) F² − b F + K² = 0``.

    Returns
    -------
    unstable, fibrotic : ndarray
        The separatrix and the stable fibrotic state [-]; NaN where only the healing state
        ``F = 0`` exists (``b² < 4 (1 + b) K²``).
    """
    b = np.asarray(feedback, dtype=float)
    k2 = np.asarray(half, dtype=float) ** 2
    disc = b**2 - 4 * (1 + b) * k2
    with np.errstate(invalid="ignore"):
        root = np.sqrt(np.where(disc >= 0, disc, np.nan))
    return (b - root) / (2 * (1 + b)), (b + root) / (2 * (1 + b))


@dataclass(frozen=True)
class ActivationCourse:
    """Fibroblast activation and matured matrix at the record times (arrays [time, patient])."""

    times: np.ndarray  # [s] since the first session
    activation: np.ndarray  # F [-]
    matrix: np.ndarray  # M = ∫P dt [s]
    activation_dose: np.ndarray  # A = ∫F dt [s]
    sessions_done: np.ndarray  # sessions delivered by each record time [-]
    fibrotic: np.ndarray  # bool per patient: F above the separatrix at the end


def fibroblast_course(heat_shock, wound, session_times, record_times, params: RemodelingParameters, *,
                      dt: float = 0.5 * DAY, n_patients: int | None = None) -> ActivationCourse:
    """Integrate the signal → fibroblast → matrix chain over the course of sessions.

    Parameters
    ----------
    heat_shock, wound : float or ndarray
        Per-session stimuli per patient: heat-shocked and wounded volume fractions [-].
    session_times : sequence of float
        Session times [s] from the first session.
    record_times : sequence of float
        Times [s] at which the state is returned (sorted).
    params : RemodelingParameters
        Coefficients; fields may be arrays over patients.
    dt : float
        Step [s]; linear decays are exact, the fibroblast equation is semi-implicit (stable for
        any step; 0.5 d resolves the fastest time constant, ``tau_hsp70`` ≥ 1 d).
    """
    hs = np.asarray(heat_shock, dtype=float)
    w = np.asarray(wound, dtype=float)
    shape = np.broadcast_shapes(hs.shape, w.shape, *(np.shape(getattr(params, f.name)) for f in fields(params)))
    if n_patients is not None:
        shape = np.broadcast_shapes(shape, (n_patients,))
    g = {f.name: np.asarray(getattr(params, f.name), dtype=float) for f in fields(params)}
    H = np.zeros(shape)
    W = np.zeros(shape)
    R = np.zeros(shape)
    F = np.zeros(shape)
    P = np.zeros(shape)
    M = np.zeros(shape)
    A = np.zeros(shape)
    decay_h = np.exp(-dt / g["tau_hsp70"])
    decay_w = np.exp(-dt / g["tau_wound"])
    mean_h = (1 - decay_h) * g["tau_hsp70"] / dt
    mean_w = (1 - decay_w) * g["tau_wound"] / dt
    c_r = dt / g["tau_recruit"]
    c_m = dt / g["tau_maturation"]
    inv_tf = 1.0 / g["tau_fibroblast"]
    beta = g["fibrosis_feedback"] * inv_tf
    k2 = g["fibrosis_half"] ** 2
    ka = g["activation_rate"]
    omega = g["wound_weight"]
    sessions = np.sort(np.asarray(session_times, dtype=float))
    rec = np.asarray(record_times, dtype=float)
    if np.any(np.diff(rec) < 0):
        raise ValueError("record_times must be sorted")
    out_F = np.empty((len(rec),) + shape)
    out_M = np.empty_like(out_F)
    out_A = np.empty_like(out_F)
    t_end = float(rec[-1]) if len(rec) else 0.0
    n_steps = int(math.ceil(t_end / dt - 1e-9))
    step_of_session = np.round(sessions / dt).astype(int)
    step_of_record = np.round(rec / dt).astype(int)
    ri = 0
    si = 0
    for step in range(n_steps + 1):
        while si < len(sessions) and step_of_session[si] == step:
            H = H + hs
            W = W + w
            si += 1
        while ri < len(rec) and step_of_record[ri] == step:
            out_F[ri], out_M[ri], out_A[ri] = F, M, A
            ri += 1
        if step == n_steps:
            break
        # the exact step-mean of the decaying signals drives the recruitment (implicit in R)
        R = (R + c_r * (H * mean_h + omega * W * mean_w)) / (1 + c_r)
        H = H * decay_h
        W = W * decay_w
        gain = ka * R + beta * F * F / (k2 + F * F)
        F = (F + dt * gain) / (1 + dt * (gain + inv_tf))
        P = (P + c_m * F) / (1 + c_m)
        M = M + P * dt
        A = A + F * dt
    unstable, _ = steady_states(g["fibrosis_feedback"], g["fibrosis_half"])
    fibrotic = np.where(np.isfinite(unstable), F > np.nan_to_num(unstable, nan=np.inf), False)
    done = np.searchsorted(sessions, rec, side="right").astype(float)
    return ActivationCourse(times=rec, activation=out_F, matrix=out_M, activation_dose=out_A,
                            sessions_done=done, fibrotic=np.broadcast_to(fibrotic, shape).copy())


@dataclass(frozen=True)
class RemodelingResult:
    """Scar change over the course, per record time, patient and scar (arrays [time, patient, scar])."""

    times: np.ndarray = quantity("s", "record times from the first session", kind="array", display="d")
    fill: np.ndarray = quantity("1", "share of each scar's depth deficit filled by new matrix", kind="array")
    tether_release: np.ndarray = quantity("1", "share of the tethers cut (rolling scars; 0 otherwise)", kind="array")
    contraction: np.ndarray = quantity("1", "area contraction of the scar (immediate kept + late)", kind="array")
    depth_factor: np.ndarray = quantity("1", "scar depth after / before", kind="array")
    area_factor: np.ndarray = quantity("1", "scar area after / before", kind="array")
    activation: np.ndarray = quantity("1", "activated fibroblast fraction F [time, patient]", kind="array",
                                      source="Hantash2007; Xu2011")
    fibrotic: np.ndarray = quantity("", "patient in the persistent-activation (fibrotic) steady state",
                                    kind="array", source="Alon2023")


def simulate_remodeling(stimulus, scar_depth, scar_width, tethered, *, sessions: int, interval: float,
                        record_times, params: RemodelingParameters | None = None, gain=1.0, hits_ratio=1.0,
                        dt: float = 0.5 * DAY) -> RemodelingResult:
    """Scar fill, tether release and contraction over a course of identical sessions.

    Parameters
    ----------
    stimulus : TreatmentStimulus
        Per-session dose (:func:`mtzsim.clinic.stimulus.treatment_stimulus`); its volume fractions
        may be replaced by arrays over patients via ``dataclasses.replace``.
    scar_depth, scar_width : ndarray
        Scar geometry [m], shape (n_scars,) or (n_patients, n_scars).
    tethered : ndarray of bool
        Which scars are tethered (rolling), shape (n_scars,).
    sessions : int
        Number of sessions.
    interval : float
        Time between sessions [s].
    record_times : sequence of float
        Times [s] from the first session at which to report.
    params : RemodelingParameters, optional
        Coefficients (fields may be arrays over patients).
    gain : float or ndarray
        Patient response gain on the fill (log-normal across patients in the cohort) [-].
    hits_ratio : float or ndarray
        Realised / expected MTZs landing in each scar (Poisson draw in the cohort), (P, S).
    """
    if sessions < 1:
        raise ValueError(f"sessions must be at least 1, got {sessions}")
    if interval <= 0:
        raise ValueError(f"interval must be positive, got {interval}")
    params = RemodelingParameters.default() if params is None else params
    session_times = np.arange(sessions) * interval
    n_pat = np.size(gain) if np.ndim(gain) else None
    course = fibroblast_course(stimulus.heat_shock_volume_fraction, stimulus.wound_volume_fraction,
                               session_times, record_times, params, dt=dt, n_patients=n_pat)
    pm = {f.name: np.asarray(getattr(params, f.name), dtype=float) for f in fields(params)}

    def per_patient(x):  # (P,) → (P, 1) to broadcast over scars
        x = np.asarray(x, dtype=float)
        return x[..., None] if x.ndim == 1 else x

    depth = np.asarray(scar_depth, dtype=float)
    width = np.asarray(scar_width, dtype=float)
    teth = np.asarray(tethered, dtype=bool)
    wound_depth = per_patient(stimulus.wound_depth)
    reach = np.minimum(1.0, wound_depth / (per_patient(pm["fibrotic_extent"]) * depth))
    yield_per_s = per_patient(pm["fill_yield"])  # [1/s] (table values are converted to SI)
    exponent_rate = yield_per_s * per_patient(gain) * reach * np.asarray(hits_ratio) * (per_patient(pm["depth_reference"]) / depth)
    M = course.matrix[..., None]  # [time, patient, 1]
    fill = per_patient(pm["fill_cap"]) * (1.0 - np.exp(-exponent_rate * M))
    r_t = per_patient(pm["tether_radius"])
    lam = per_patient(stimulus.mtzs_per_area)
    p_hit = 1.0 - np.exp(-lam * math.pi * (0.5 * per_patient(stimulus.ablation_diameter) + r_t) ** 2)
    p_cut = p_hit * np.minimum(1.0, wound_depth / per_patient(pm["tether_thickness"]))
    k = course.sessions_done[:, None, None]
    release = np.where(teth, 1.0 - (1.0 - p_cut) ** k, 0.0)
    immediate = per_patient(pm["contraction_retained"]) * per_patient(stimulus.area_contraction) * k
    late = per_patient(pm["late_contraction_rate"]) * course.activation_dose[..., None]
    contraction = np.minimum(per_patient(pm["contraction_cap"]), immediate + late)
    contraction = np.broadcast_to(contraction, fill.shape)
    share = np.where(teth, per_patient(pm["tether_share"]), 0.0)
    depth_factor = (1.0 - fill) * (1.0 - share * release)
    area_factor = 1.0 - contraction
    _ = width  # width sets the hits (cohort) and the area weights (outcome), not the fill
    return RemodelingResult(times=np.asarray(record_times, dtype=float), fill=fill, tether_release=np.broadcast_to(release, fill.shape),
                            contraction=contraction, depth_factor=depth_factor, area_factor=area_factor,
                            activation=course.activation, fibrotic=course.fibrotic)
