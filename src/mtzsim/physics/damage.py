"""Arrhenius thermal damage of skin: collagen coagulation, cell death, heat-shock induction; damage zones and collagen shrinkage.

Ω(x) = ∫ A exp(−Ea / (R T(x, t))) dt for several named first-order processes
(:data:`ARRHENIUS`), the zones that the damage integrals define
(:func:`classify_zones`), and the immediate collagen shrinkage and en-face area
contraction that follow from the collagen damage (:func:`collagen_linear_shrinkage`,
:func:`area_contraction`).

Everything is SI: temperature in kelvin, time in seconds, activation energy in
J/mol, rate in 1/s. Ω is dimensionless; the damaged fraction of a first-order
process is 1 − exp(−Ω), so Ω = 1 means 63 % of the molecules (or cells) are
altered.

Parameter sets and their pedigree
---------------------------------
The registry is read from ``mtzsim/params/data/arrhenius.csv``; each row has its
``source`` key (the full reference is in ``mtzsim/params/data/references.csv``), ``reliability`` and, where a
choice was made that no source supports, an ``assumption`` with the reason.

* ``collagen_birefringence`` — Maitland & Walsh 1997 (rat-tail tendon
  birefringence loss): ln A = 130, Ea = 89 kcal/mol = 89 × 4184 J/mol.
* ``skin_necrosis`` — Henriques 1947 (transepidermal necrosis): A = 3.1e98 1/s,
  Ea = 6.28e5 J/mol (grade B/C: seen only re-quoted).
* ``fibroblast_death`` — fitted here (:func:`fit_two_point`) to the two
  apoptosis rows of FibroblastIJMS in ``hsp_thresholds.csv``: normal human dermal
  fibroblasts heated for 10 min (the exposure) at 43 °C and 45 °C, apoptotic
  fraction read 1 week later: 7.5 % and 50 %. With Ω = −ln(1 − f) the two rows
  give A and Ea in closed form.
* ``hsp70_induction`` — derived here (:func:`compensation_law_process`) from the
  Jacques 2006 compensation law ΔS = a + b ΔH, with ΔH chosen so that Ω = 1 at the
  Ortner 2015 "maximum response" of the heat-shock reporter: a 1 min pulse at
  48.5 °C (middle of 47–50 °C).

:func:`derive_fitted_processes` recomputes the two derived rows from the data
files; the test suite holds the CSV to it.

References
----------
.. [1] D. J. Maitland, J. T. Walsh Jr., "Quantitative measurements of linear
   birefringence during heating of native collagen", Lasers Surg Med 20 (1997),
   PMID 9138260.
.. [2] F. C. Henriques Jr., "Studies of thermal injury V", Arch Pathol 43 (1947).
.. [3] S. L. Jacques, "Ratio of entropy to enthalpy in thermal transitions in
   biological tissues", J Biomed Opt 11 (2006) 041108. doi:10.1117/1.2343437
.. [4] V. Ortner et al., Cell Stress Chaperones 20 (2015) 277–288.
   doi:10.1007/s12192-014-0540-5
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from mtzsim.constants import R_GAS, ZERO_CELSIUS
from mtzsim.errors import InputError
from mtzsim.params import tables

__all__ = [
    "R_GAS",
    "ArrheniusProcess",
    "ARRHENIUS",
    "ZONES",
    "ZONE_PROCESSES",
    "MAX_COLLAGEN_SHRINKAGE",
    "fit_two_point",
    "eyring_to_arrhenius",
    "compensation_law_enthalpy",
    "compensation_law_process",
    "hbond_count",
    "derive_fitted_processes",
    "load_arrhenius",
    "omega_increment",
    "arrhenius_integral",
    "damage_fraction",
    "classify_zones",
    "collagen_linear_shrinkage",
    "area_contraction",
]

#: Boltzmann constant k_B [J/K] (SI 2019, exact).
K_BOLTZMANN = 1.380649e-23
#: Planck constant h [J s] (SI 2019, exact).
H_PLANCK = 6.62607015e-34
#: Thermochemical kilocalorie [J] (exact by definition).
KCAL = 4184.0

#: Jacques 2006 compensation law ΔS = a + b ΔH: a [J/(mol K)], b [1/K].
JACQUES_A = -327.5
JACQUES_B = 31.47e-4
#: Jacques 2006: each cooperative hydrogen bond adds 19e3 J/mol to ΔH.
JACQUES_HBOND_DH = 19e3


# --------------------------------------------------------------------------
# Processes and the registry
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrheniusProcess:
    """A first-order thermal damage process, rate k(T) = A exp(−Ea / (R T)).

    Parameters
    ----------
    name : str
        What is damaged or induced (``"collagen birefringence loss"``).
    A : float
        Frequency factor [1/s].
    Ea : float
        Activation energy [J/mol].
    source : str
        Source key(s) of ``mtzsim/params/data/references.csv``; ``;``-separated.
    reliability : str
        Grade on the data README's scale (A, B, C), with qualifiers.
    assumption : str
        What no source supports, with the reason; empty when nothing is assumed.
    note : str
        How the numbers were obtained (conversions, fits).
    """

    name: str
    A: float
    Ea: float
    source: str
    reliability: str
    assumption: str = ""
    note: str = ""

    def __post_init__(self):
        for field_name in ("A", "Ea"):
            value = getattr(self, field_name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise InputError(field_name, f"must be a positive finite number, got {value!r}")

    @property
    def ln_A(self) -> float:
        """ln(A / (1/s)) [-]."""
        return math.log(self.A)

    def log_rate(self, T):
        """Natural log of the rate, ln k(T) = ln A − Ea / (R T) [ln(1/s)].

        Computed in log space so that frequency factors like e^130 never overflow.
        """
        T = _positive_temperature(T)
        return self.ln_A - self.Ea / (R_GAS * T)

    def rate(self, T):
        """Damage rate dΩ/dt = A exp(−Ea / (R T)) [1/s] at temperature ``T`` [K].

        Vectorised over ``T`` (any shape); a float in, a float out.
        """
        out = np.exp(self.log_rate(T))
        return float(out) if np.ndim(out) == 0 else out

    def time_to_omega(self, T, omega=1.0):
        """Time [s] at constant temperature ``T`` [K] to reach damage integral ``omega``."""
        with np.errstate(divide="ignore", over="ignore"):
            out = np.asarray(omega, dtype=float) * np.exp(-self.log_rate(T))
        return float(out) if np.ndim(out) == 0 else out


def _positive_temperature(T):
    T = np.asarray(T, dtype=float)
    if np.any(T <= 0):
        raise InputError("temperature", "must be an absolute temperature in kelvin, > 0")
    return T


def load_arrhenius(path=None) -> dict[str, ArrheniusProcess]:
    """Read a registry of Arrhenius processes from a CSV file.

    Parameters
    ----------
    path : path-like, optional
        CSV with columns ``key, name, A_per_s, Ea_j_per_mol, source, reliability,
        assumption, note`` (``ln_A`` is informative). Default: the package's
        ``data/arrhenius.csv``.

    Returns
    -------
    dict of str to ArrheniusProcess
    """
    rows = tables.rows("arrhenius.csv") if path is None else tables.read_rows(path)
    registry = {}
    for row in rows:
        registry[row["key"]] = ArrheniusProcess(
            name=row["name"],
            A=float(row["A_per_s"]),
            Ea=float(row["Ea_j_per_mol"]),
            source=row["source"],
            reliability=row["reliability"],
            assumption=row.get("assumption", "") or "",
            note=row.get("note", "") or "",
        )
    return registry


# --------------------------------------------------------------------------
# Fits and derivations (the calibration that data/arrhenius.csv stores)
# --------------------------------------------------------------------------


def fit_two_point(T1, t1, omega1, T2, t2, omega2):
    """Arrhenius A and Ea through two constant-temperature exposures, in closed form.

    Each exposure gives k_i = Ω_i / t_i = A exp(−Ea / (R T_i)), so

        Ea = R ln(k2 / k1) / (1/T1 − 1/T2),   A = k1 exp(Ea / (R T1)).

    Parameters
    ----------
    T1, T2 : float
        Exposure temperatures [K], different.
    t1, t2 : float
        Exposure times [s].
    omega1, omega2 : float
        Damage integrals reached [-], e.g. Ω = −ln(1 − f) for a damaged fraction f.

    Returns
    -------
    A : float
        Frequency factor [1/s].
    Ea : float
        Activation energy [J/mol].
    """
    for field_name, v in (("T1", T1), ("t1", t1), ("omega1", omega1), ("T2", T2), ("t2", t2), ("omega2", omega2)):
        if not (math.isfinite(v) and v > 0):
            raise InputError(field_name, f"must be a positive finite number, got {v!r}")
    if T1 == T2:
        raise InputError("T2", "the two temperatures must differ")
    k1 = omega1 / t1
    k2 = omega2 / t2
    Ea = R_GAS * math.log(k2 / k1) / (1.0 / T1 - 1.0 / T2)
    ln_A = math.log(k1) + Ea / (R_GAS * T1)
    return math.exp(ln_A), Ea


def eyring_to_arrhenius(dH, dS, T, *, include_e=True):
    """Arrhenius (A, Ea) equivalent to an Eyring rate with enthalpy ΔH and entropy ΔS at T.

    Eyring: k = (k_B T / h) exp(ΔS / R) exp(−ΔH / (R T)). Matching the value and
    the slope d ln k / d(1/T) of the Arrhenius form at T gives

        Ea = ΔH + R T,   A = e (k_B T / h) exp(ΔS / R).

    The factor e (``include_e=True``) makes k_Arrhenius(T) = k_Eyring(T). It is
    the convention of Maitland & Walsh 1997, whose own ΔH = 88 kcal/mol and
    ΔS = 197 cal/(mol K) give ln A = 129.7 with it (published 130 ± 1) and 128.7
    without. ``include_e=False`` gives A = (k_B T / h) exp(ΔS / R), which
    underestimates the rate by a factor e at T.

    Parameters
    ----------
    dH : float
        Activation enthalpy ΔH [J/mol].
    dS : float
        Activation entropy ΔS [J/(mol K)].
    T : float
        Temperature at which the two forms are matched [K].

    Returns
    -------
    A : float
        Frequency factor [1/s].
    Ea : float
        Activation energy [J/mol].
    """
    ln_A = _eyring_ln_A(dS, T, include_e)
    if ln_A > 700.0:
        raise InputError("dS", f"frequency factor e^{ln_A:.0f} 1/s overflows a float")
    return math.exp(ln_A), dH + R_GAS * T


def _eyring_ln_A(dS, T, include_e):
    return (1.0 if include_e else 0.0) + math.log(K_BOLTZMANN * T / H_PLANCK) + dS / R_GAS


def hbond_count(dH):
    """Equivalent number of cooperative hydrogen bonds, ΔH / 19e3 J/mol (Jacques 2006)."""
    return dH / JACQUES_HBOND_DH


def compensation_law_enthalpy(T_anchor, t_anchor, *, omega_anchor=1.0, a=JACQUES_A, b=JACQUES_B, include_e=True):
    """ΔH [J/mol] of the process on the compensation line that reaches Ω at one exposure.

    Solves, with brentq, k(T_anchor) · t_anchor = ``omega_anchor`` for ΔH, where
    ΔS = a + b ΔH (Jacques 2006) and k follows from :func:`eyring_to_arrhenius`
    at T_anchor.

    Parameters
    ----------
    T_anchor : float
        Exposure temperature [K]. Must differ from the isokinetic temperature 1/b
        (317.8 K = 44.6 °C for Jacques' b), where every ΔH gives the same rate.
    t_anchor : float
        Exposure time [s].
    omega_anchor : float
        Ω reached by that exposure [-].
    a : float
        Intercept of the compensation law [J/(mol K)]; Jacques 2006: −327.5.
    b : float
        Slope of the compensation law [1/K]; Jacques 2006: 31.47e-4.
    include_e : bool
        See :func:`eyring_to_arrhenius`.
    """
    target = math.log(omega_anchor / t_anchor)

    def residual(dH):  # ln k(T_anchor) - ln(omega/t), in log space (A can pass 1e300)
        Ea = dH + R_GAS * T_anchor
        return _eyring_ln_A(a + b * dH, T_anchor, include_e) - Ea / (R_GAS * T_anchor) - target

    # the residual is linear in dH with slope (b - 1/T)/R; bracket 1 to 500 H-bonds
    lo, hi = 1 * JACQUES_HBOND_DH, 500 * JACQUES_HBOND_DH
    if residual(lo) * residual(hi) > 0:
        raise InputError("T_anchor", "no enthalpy on the compensation line reaches the anchor exposure")
    return brentq(residual, lo, hi, xtol=1e-6, rtol=1e-14)


def compensation_law_process(
    T_anchor,
    t_anchor,
    *,
    omega_anchor=1.0,
    a=JACQUES_A,
    b=JACQUES_B,
    include_e=True,
    name="heat-shock (HSP70) induction",
    source="Jacques2006; Ortner2015",
    reliability="B (derived)",
    assumption="",
):
    """ArrheniusProcess on the Jacques 2006 compensation line, anchored at one exposure.

    ΔH from :func:`compensation_law_enthalpy`; A and Ea from
    :func:`eyring_to_arrhenius` at T_anchor (Ea = ΔH + R T_anchor). The note
    records ΔH, ΔS and the equivalent number of cooperative H-bonds.

    Parameters are those of :func:`compensation_law_enthalpy`, plus the
    pedigree fields of the returned :class:`ArrheniusProcess`.
    """
    dH = compensation_law_enthalpy(T_anchor, t_anchor, omega_anchor=omega_anchor, a=a, b=b, include_e=include_e)
    dS = a + b * dH
    A, Ea = eyring_to_arrhenius(dH, dS, T_anchor, include_e=include_e)
    note = (
        f"compensation law dS = a + b dH (a = {a} J/(mol K), b = {b} 1/K) with Omega = {omega_anchor} "
        f"after {t_anchor} s at {T_anchor} K: dH = {dH:.6g} J/mol, dS = {dS:.6g} J/(mol K), "
        f"{hbond_count(dH):.1f} cooperative H-bonds; Ea = dH + R T_anchor, "
        f"A = {'e ' if include_e else ''}(k_B T/h) exp(dS/R) at T_anchor"
    )
    return ArrheniusProcess(name=name, A=A, Ea=Ea, source=source, reliability=reliability, assumption=assumption, note=note)


#: Assumptions of the two derived processes (copied into data/arrhenius.csv).
FIBROBLAST_ASSUMPTION = (
    "apoptotic fraction read 1 week after heating taken as the fraction f killed by the exposure, "
    "f = 1 - exp(-Omega) (one first-order process); the 10 min taken as isothermal (ramps ignored); "
    "fitted on 43-45 C only - use at other temperatures and ms exposures is extrapolation"
)
HSP70_ASSUMPTION = (
    "Omega = 1 identified with the Ortner 2015 'maximum response' (1 min pulse at 48.5 C, the middle of 47-50 C) "
    "because no dose-response curve is in the data; the Jacques 2006 compensation law assumed to hold for "
    "heat-shock induction; Eyring-to-Arrhenius conversion at the anchor temperature (with the factor e)"
)


def _fibroblast_rows():
    rows = [
        r
        for r in tables.rows("hsp_thresholds.csv")
        if r["source"] == "FibroblastIJMS" and r["endpoint"] == "apoptotic fraction"
    ]
    rows.sort(key=lambda r: float(r["temperature_c"]))
    if len(rows) != 2:
        raise RuntimeError("expected two FibroblastIJMS apoptosis rows in hsp_thresholds.csv")
    return rows


def _ortner_row(endpoint):
    (row,) = [r for r in tables.rows("hsp_thresholds.csv") if r["source"] == "Ortner2015" and r["endpoint"] == endpoint]
    return row


def derive_fitted_processes() -> dict[str, ArrheniusProcess]:
    """Recompute the two derived registry rows from the data tables.

    * ``fibroblast_death``: :func:`fit_two_point` on the FibroblastIJMS apoptosis
      rows of ``hsp_thresholds.csv`` (10 min exposures at 43 and 45 °C; apoptotic
      fraction 7.5 % and 50 % read 1 week later), Ω = −ln(1 − f).
    * ``hsp70_induction``: :func:`compensation_law_process` anchored at the
      Ortner 2015 "maximum response" row (1 min, middle of 47–50 °C), Ω = 1.

    This is the calibration that ``data/arrhenius.csv`` stores.
    """
    r1, r2 = _fibroblast_rows()
    pts = []
    for r in (r1, r2):
        T = float(r["temperature_c"]) + ZERO_CELSIUS
        t = float(r["exposure_time_min"]) * 60.0
        f = float(r["response_percent"]) / 100.0
        pts += [T, t, -math.log1p(-f)]
    A_fib, Ea_fib = fit_two_point(*pts)
    fibroblast = ArrheniusProcess(
        name="dermal fibroblast death (apoptosis)",
        A=A_fib,
        Ea=Ea_fib,
        source="FibroblastIJMS",
        reliability="A (data); two-point fit",
        assumption=FIBROBLAST_ASSUMPTION,
        note=(
            "fit_two_point on hsp_thresholds.csv FibroblastIJMS apoptosis rows: 10 min exposure at 43 C -> 7.5 %, "
            "at 45 C -> 50 % (read 1 week later); Omega = -ln(1 - f)"
        ),
    )
    peak = _ortner_row("maximum response")
    T_anchor = 0.5 * (float(peak["temperature_c_low"]) + float(peak["temperature_c_high"])) + ZERO_CELSIUS
    t_anchor = float(peak["exposure_time_min"]) * 60.0
    hsp = compensation_law_process(
        T_anchor,
        t_anchor,
        name="heat-shock pathway activation (HSP70 induction)",
        assumption=HSP70_ASSUMPTION,
    )
    return {"fibroblast_death": fibroblast, "hsp70_induction": hsp}


#: Named Arrhenius processes, from ``data/arrhenius.csv``.
ARRHENIUS: dict[str, ArrheniusProcess] = load_arrhenius()


# --------------------------------------------------------------------------
# Damage integrals
# --------------------------------------------------------------------------


def omega_increment(T, dt, A, Ea):
    """Damage added in a time step at constant temperature, ΔΩ = A exp(−Ea / (R T)) dt [-].

    Parameters
    ----------
    T : array_like
        Temperature [K], > 0.
    dt : float or array_like
        Time step [s].
    A : float
        Frequency factor [1/s].
    Ea : float
        Activation energy [J/mol].
    """
    T = _positive_temperature(T)
    return np.exp(math.log(A) - Ea / (R_GAS * T)) * dt


def _as_process(process) -> ArrheniusProcess:
    if isinstance(process, ArrheniusProcess):
        return process
    if isinstance(process, str):
        if process not in ARRHENIUS:
            raise InputError("process", f"unknown process {process!r}; choose one of {', '.join(ARRHENIUS)}")
        return ARRHENIUS[process]
    raise InputError("process", f"expected an ArrheniusProcess or a registry key, got {type(process).__name__}")


def arrhenius_integral(temperatures, times, process, *, method="trapezoid", cumulative=False):
    """Damage integral Ω = ∫ A exp(−Ea / (R T(t))) dt over a sampled temperature history.

    Parameters
    ----------
    temperatures : array_like, shape (nt, ...)
        Temperature [K] at each time (first axis), any spatial shape after.
    times : array_like, shape (nt,)
        Sample times [s], non-decreasing.
    process : ArrheniusProcess or str
        The process, or its key in :data:`ARRHENIUS`.
    method : {"trapezoid", "loglinear"}
        ``"trapezoid"``: trapezoid rule on the rate. ``"loglinear"``: ln k taken
        linear between samples, which integrates exactly
        (Δt (k1 − k0) / ln(k1/k0)); it is far more accurate on coarse samples
        because the rate is nearly exponential in T. Both converge to the same
        Ω as the sampling is refined; both are exact for a constant temperature.
    cumulative : bool
        Return Ω at every sample time, shape (nt, ...), starting at 0.

    Returns
    -------
    omega : ndarray, shape (...) or (nt, ...)
        Damage integral Ω [-].
    """
    proc = _as_process(process)
    T = np.asarray(temperatures, dtype=float)
    t = np.asarray(times, dtype=float)
    if t.ndim != 1 or T.ndim < 1 or T.shape[0] != t.shape[0]:
        raise InputError("times", f"need times of shape (nt,) matching temperatures' first axis; got {t.shape} and {T.shape}")
    if t.size and np.any(np.diff(t) < 0):
        raise InputError("times", "must be non-decreasing")
    if t.size < 2:
        zero = np.zeros(T.shape if cumulative else T.shape[1:])
        return zero
    dt = np.diff(t).reshape((-1,) + (1,) * (T.ndim - 1))
    lk = proc.log_rate(T)
    l0, l1 = lk[:-1], lk[1:]
    if method == "trapezoid":
        incr = 0.5 * (np.exp(l0) + np.exp(l1)) * dt
    elif method == "loglinear":
        lmax = np.maximum(l0, l1)
        d = np.abs(l1 - l0)
        small = d < 1e-8
        d_safe = np.where(small, 1.0, d)
        factor = np.where(small, 1.0 - 0.5 * d, -np.expm1(-d_safe) / d_safe)
        incr = np.exp(lmax) * factor * dt
    else:
        raise InputError("method", f"must be 'trapezoid' or 'loglinear', got {method!r}")
    if cumulative:
        out = np.zeros(T.shape)
        np.cumsum(incr, axis=0, out=out[1:])
        return out
    return incr.sum(axis=0)


def damage_fraction(omega):
    """Fraction of molecules or cells damaged, 1 − exp(−Ω) [-], for a first-order process."""
    return -np.expm1(-np.asarray(omega, dtype=float))


# --------------------------------------------------------------------------
# Zones
# --------------------------------------------------------------------------

#: Damage zones, in increasing severity (int8 codes of :func:`classify_zones`).
ZONES = {"untouched": 0, "heat_shock": 1, "lethal": 2, "coagulated": 3, "ablated": 4}

#: Suggested process for each Ω argument of :func:`classify_zones`.
#: Assumption (reason): MTZ exposures last µs–ms at 50–100 °C. skin_necrosis
#: (Henriques) was fitted on 44 °C to ~70 °C exposures of s to h, the closest to
#: that regime; fibroblast_death is a two-point fit at 43–45 °C for 10 min and its
#: Ea = 9.1e5 J/mol extrapolated to 1 ms kills cells at ~58 °C against ~70 °C for
#: Henriques. Also, hsp70_induction reaches Ω = 1 below skin_necrosis for every
#: exposure shorter than ~1.5e5 s (the two cross at 43.2 °C), so a heat-shock zone
#: exists; against fibroblast_death it does so only for exposures shorter than
#: ~1.2 s (crossing at 51.2 °C) and by ~2 °C at 1 ms. Use "fibroblast_death" as
#: the alternative in sensitivity runs.
ZONE_PROCESSES = {"collagen": "collagen_birefringence", "cell": "skin_necrosis", "hsp": "hsp70_induction"}


def classify_zones(ablated, omega_collagen, omega_cell, omega_hsp):
    """Damage zone of every point, as int8 codes of :data:`ZONES`.

    The most severe zone wins: ablated, then coagulated (Ω_collagen ≥ 1), then
    lethal (Ω_cell ≥ 1: cells dead, collagen intact), then heat-shock
    (Ω_hsp ≥ 1: sublethal, heat-shock response induced), else untouched.

    Parameters
    ----------
    ablated : array_like of bool
        Tissue removed (vaporised).
    omega_collagen, omega_cell, omega_hsp : array_like
        Damage integrals Ω [-] of collagen coagulation, cell death and heat-shock
        induction (see :data:`ZONE_PROCESSES`). All arguments broadcast together.

    Returns
    -------
    zones : ndarray of int8
    """
    ablated, oc, ol, oh = np.broadcast_arrays(
        np.asarray(ablated, dtype=bool),
        np.asarray(omega_collagen, dtype=float),
        np.asarray(omega_cell, dtype=float),
        np.asarray(omega_hsp, dtype=float),
    )
    zones = np.full(ablated.shape, ZONES["untouched"], dtype=np.int8)
    zones[oh >= 1.0] = ZONES["heat_shock"]
    zones[ol >= 1.0] = ZONES["lethal"]
    zones[oc >= 1.0] = ZONES["coagulated"]
    zones[ablated] = ZONES["ablated"]
    return zones


# --------------------------------------------------------------------------
# Collagen shrinkage and immediate tightening
# --------------------------------------------------------------------------


def _max_collagen_shrinkage():
    (row,) = [
        r
        for r in tables.rows("collagen_shrinkage.csv")
        if r["source"] == "ThermalModCollagen1999" and r["quantity"] == "safe shrinkage limit"
    ]
    return float(row["value_high"]) / 100.0


#: Linear shrinkage of fully denatured dermal collagen [-] (Ω → ∞): 0.20.
#: Source: ThermalModCollagen1999, "safe shrinkage limit" 15–20 % (bovine tendon,
#: grade A); upper end taken. Assumption (reason): the data give no asymptotic
#: shrinkage of fully denatured dermal collagen. The 15–20 % limit is the
#: shrinkage beyond which collagen loses its mechanical properties, so fully
#: coagulated collagen shrinks at least about that much; the only value for the
#: asymptote itself, "fibres shortened by one third" in CO2 resurfacing
#: (SkinDiseaseCareText), is grade C, usable only as a sanity upper bound
#: (pass ``max_shrinkage=1/3`` to see that bound).
MAX_COLLAGEN_SHRINKAGE = _max_collagen_shrinkage()


def collagen_linear_shrinkage(omega_collagen, *, max_shrinkage=MAX_COLLAGEN_SHRINKAGE):
    """Immediate linear shrinkage of dermal collagen from its damage integral.

    s = s_max (1 − exp(−Ω_collagen)): the shrinkage is taken proportional to the
    denatured fraction. First-order model: it ignores the load dependence and the
    partial recovery at 37 °C (Chen 1997, 1998) and the time course of
    shrinkage (it is the end state after cooling).

    Parameters
    ----------
    omega_collagen : array_like
        Collagen damage integral Ω [-] (``collagen_birefringence``).
    max_shrinkage : float
        Linear shrinkage of fully denatured collagen [-]; default
        :data:`MAX_COLLAGEN_SHRINKAGE` (0.20, see there for the source and
        assumption).

    Returns
    -------
    s : ndarray
        Linear shrinkage fraction [-], 0 ≤ s < max_shrinkage.
    """
    if not (0.0 <= max_shrinkage < 1.0):
        raise InputError("max_shrinkage", f"must be a fraction in [0, 1), got {max_shrinkage!r}")
    return max_shrinkage * damage_fraction(omega_collagen)


def area_contraction(shrink_fraction_map, cell_area):
    """Fractional area contraction of a treated area from an en-face map of linear shrinkage.

    Each en-face cell is taken to shrink isotropically in the skin plane by its
    linear fraction s, so its area becomes (1 − s)² of what it was, and the
    contraction of the whole area is

        ΔA / A = 1 − Σ a_i (1 − s_i)² / Σ a_i   (= 1 − mean((1 − s)²) on a uniform grid).

    First-order model: free, unconstrained shrinkage. It ignores the elastic
    restraint of the untreated skin around and between the MTZs (which makes
    the real contraction smaller), the depth profile (pass a depth-averaged or
    surface-layer map), and any later relaxation or remodeling.

    Parameters
    ----------
    shrink_fraction_map : array_like, 2-D
        Linear shrinkage s [-] of every en-face cell, 0 ≤ s ≤ 1 (ablated cells: the
        caller decides; an ablated hole changes no area by itself, so pass 0).
    cell_area : float or array_like
        Area of each cell [m²]: a scalar for a uniform grid, or a map that
        broadcasts to the shrinkage map.

    Returns
    -------
    contraction : float
        Fractional area contraction ΔA / A [-], 0 for no shrinkage.
    """
    s = np.asarray(shrink_fraction_map, dtype=float)
    if s.ndim != 2:
        raise InputError("shrink_fraction_map", f"must be a 2-D en-face map, got shape {s.shape}")
    if np.any(~np.isfinite(s)) or np.any(s < 0) or np.any(s > 1):
        raise InputError("shrink_fraction_map", "must hold fractions between 0 and 1")
    a = np.broadcast_to(np.asarray(cell_area, dtype=float), s.shape)
    if np.any(~np.isfinite(a)) or np.any(a <= 0):
        raise InputError("cell_area", "must be positive")
    return float(1.0 - np.sum(a * (1.0 - s) ** 2) / np.sum(a))
