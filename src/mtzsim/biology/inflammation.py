"""Erythema and edema after the treatment: an inflammatory signal driven by damaged tissue and open wound area.

The erythema index above baseline E [EI units] obeys

    dE/dt = g f_e(t) A_open(t) / (1 d) − c V E / (K + E),   E(0) = g f_e(0) h_dmg / h_ref,
    K = τ V,

a drive from the damaged-tissue thickness h_dmg (volume per area) at t = 0 and from the open
wound area fraction A_open(t) while it lasts, cleared by a capacity-limited (Michaelis–Menten)
process: small erythema fades exponentially with τ, large erythema at the zero-order rate V, so
full-field resurfacing stays red for weeks while fractional treatment fades in days (the
macrophage-limited clearance of Waugh & Sherratt 2006, reduced to one identifiable state).
``f_e`` and ``c`` are aftercare factors (hyaluronic acid, PRP). Redness is visible while
E ≥ θ (threshold stated in the parameter table). Edema O follows the same drive with a
linear decay τ_O and is reported relative to its peak.

Identifiable: τ (the fall of a small erythema, Wu 2025 control arm), and g, V together from
one fractional and one full-field erythema duration; θ is stated, not fitted.

References
----------
.. [1] H. V. Waugh, J. A. Sherratt, Bull Math Biol 68 (2006) 197-207.
.. [2] Z. Wu et al., J Cosmet Dermatol 24 (2025) e70322. doi:10.1111/jocd.70322
"""

from __future__ import annotations

import numpy as np

from mtzsim.biology import healing_parameters as hp

from mtzsim.constants import DAY  # noqa: E402  [s]


def erythema_course(times, damage_thickness, open_area, *, gain=None, vmax=None, tau=None, drive_factor=None,
                    clearance_factor=None, edema_tau=None, numpy=False):
    """Erythema index above baseline [EI] and relative edema [-] on a time grid.

    Parameters
    ----------
    times : ndarray
        Increasing times from 0 [s].
    damage_thickness : float or ndarray
        Damaged-tissue volume per treated area h_dmg [m] (ablated + lethal + coagulated); an array
        gives one course per value (parameter draws).
    open_area : ndarray
        Open wound fraction of the treated area on ``times`` [-] (or one row per draw).
    gain, vmax, tau : float or ndarray, optional
        g [EI], V [EI/s], τ [s]; defaults from the parameter table.
    drive_factor, clearance_factor : ndarray, optional
        Aftercare factors on the drive and on the clearance, on ``times``.
    numpy : bool
        Step with the readable numpy twin instead of the numba kernel (tests hold them equal).

    Returns
    -------
    (E, edema) : arrays of shape (n_draws, n_times)
    """
    t = np.asarray(times, float)
    g = np.atleast_1d(hp.value("erythema_gain") if gain is None else gain).astype(float)
    V = np.atleast_1d(hp.value("erythema_vmax") if vmax is None else vmax).astype(float)
    tau_ = np.atleast_1d(hp.value("erythema_tau") if tau is None else tau).astype(float)
    h = np.atleast_1d(damage_thickness).astype(float)
    if np.any(h < 0):
        raise ValueError("damage thickness must be non-negative")
    n = max(g.size, V.size, tau_.size, h.size)
    g, V, tau_, h = (np.broadcast_to(a, (n,)) for a in (g, V, tau_, h))
    K = tau_ * V
    h_ref = hp.value("damage_reference")
    te = hp.value("edema_tau") if edema_tau is None else edema_tau
    fe = np.ones_like(t) if drive_factor is None else np.asarray(drive_factor, float)
    fc = np.ones_like(t) if clearance_factor is None else np.asarray(clearance_factor, float)
    A = np.asarray(open_area, float)
    A = np.broadcast_to(A, (n, t.size)) if A.ndim == 2 else np.broadcast_to(A[None, :], (n, t.size))
    e0 = g * fe[0] * h / h_ref
    if numpy:
        E, O = erythema_course_numpy(t, g, V, K, e0, fe, fc, A, te)
    else:
        from mtzsim._kernels.inflammation import erythema_arrays

        E, O = erythema_arrays(t, g, V, K, e0, fe, fc, A, te)
    peak = np.maximum(O.max(axis=1, keepdims=True), 1e-300)
    return E, O / peak


def erythema_course_numpy(t, g, V, K, e0, fe, fc, A, edema_tau):
    """Readable twin of :func:`mtzsim._kernels.inflammation.make_erythema_kernel`: (E, O) [n_draws, n_times].

    ``SUBSTEPS`` (8) explicit-midpoint sub-steps per output step keep the step below τ/10 for steps ≤ 1 d.
    """
    from mtzsim._kernels.inflammation import SUBSTEPS

    n = e0.size
    E = np.empty((n, t.size))
    O = np.empty((n, t.size))
    e = e0.copy()
    o = e0.copy()
    E[:, 0] = e
    O[:, 0] = o
    for k in range(1, t.size):
        hstep = (t[k] - t[k - 1]) / SUBSTEPS
        drive = g * fe[k] * A[:, k - 1] / DAY
        c = fc[k] * V
        for _ in range(SUBSTEPS):
            mid = e + 0.5 * hstep * (drive - c * e / (K + e))
            e = np.maximum(e + hstep * (drive - c * mid / (K + mid)), 0.0)
            o = o + hstep * (drive - o / edema_tau)
        E[:, k] = e
        O[:, k] = o
    return E, O


def visible_duration(times, erythema, threshold=None):
    """Last time [s] at which the erythema is at or above the visible threshold (0 if never)."""
    th = hp.value("erythema_threshold") if threshold is None else threshold
    E = np.atleast_2d(erythema)
    t = np.asarray(times, float)
    above = E >= th
    out = np.zeros(E.shape[0])
    for i in range(E.shape[0]):
        idx = np.nonzero(above[i])[0]
        if idx.size:
            k = idx[-1]
            if k + 1 < t.size:  # interpolate the crossing
                e0, e1 = E[i, k], E[i, k + 1]
                out[i] = t[k] + (e0 - th) / max(e0 - e1, 1e-300) * (t[k + 1] - t[k])
            else:
                out[i] = t[k]
    return out
