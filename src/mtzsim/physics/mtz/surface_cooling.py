"""Cooling of the skin surface during a microbeam: a contact window or a cold-air stream as a Robin face.

The coolant takes q = h (T_s − T_c) [W/m²] from the skin surface, T_s the surface temperature,
T_c the coolant's and h the heat-transfer coefficient (Newton's law of cooling; Incropera &
DeWitt 1996 ch. 1). On the MTZ grid this is the conductance Gz[:, 0] of every surface cell to
T_c (:func:`mtzsim.physics.heat.axisym.surface_conductances`), in the explicit pulse kernel, the
implicit gap steps and the implicit cooling phase alike, with its own energy term.

Two coolants, each with its source:

* **Contact** (a chilled sapphire window on the skin): h is fitted (:func:`fit_contact_coefficient`)
  to Anvari et al. 1998, who measured in vivo that a window at 6–12 °C lowers the skin surface
  from 30 °C to 14–19 °C within ≈ 1 s. The fit inverts the semi-infinite solution with a
  convective surface (Incropera & DeWitt 1996 eq. 5.60) for the dermis's k and α, pairing the
  colder window with the colder surface (assumption: the abstract gives the two ranges, not
  the pairs); the two pairs bound h. The window's default temperature is the middle of
  Anvari's 6–12 °C.
* **Air** (a cold-air stream from a chiller): h is the geometric mean √(25 · 250) ≈ 79 W/(m² K)
  of the range of forced convection of gases (Incropera & DeWitt 1996 Table 1.1), the ends as
  its bounds (assumption: no measured h of a dermatological air chiller in the package data).
  There is no sourced outlet temperature either: the user states it.

Pre-cooling: the coolant is on the skin for ``precool`` seconds before the first pulse. The
grid then starts from the one-dimensional cooled profile (:func:`cooled_profile`), computed by
the same implicit solver on one column of the grid, and the same column, stepped on without
the laser, is the baseline that the MTZ's tabulated rise is measured from
(:class:`Baseline`): a field superposes what the microbeam adds to the cooled skin.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from mtzsim.constants import ZERO_CELSIUS
from mtzsim.params import tables

#: Range of the heat-transfer coefficient of forced convection of gases [W/(m² K)]
#: (Incropera & DeWitt 1996 Table 1.1).
AIR_COEFFICIENT_RANGE = (25.0, 250.0)
#: Its geometric mean [W/(m² K)]: the air stream's h (assumption, see the module docstring).
AIR_COEFFICIENT = math.sqrt(AIR_COEFFICIENT_RANGE[0] * AIR_COEFFICIENT_RANGE[1])
#: Largest heat-transfer coefficient accepted [W/(m² K)]: above cryogen spray's 15,000–35,000
#: (Aguilar et al. 2001), the most intense surface cooling of dermatology.
MAX_COEFFICIENT = 1e5
#: Coolant temperatures accepted [K]: −30 °C (below any chiller or window) to body temperature.
COOLANT_RANGE = (ZERO_CELSIUS - 30.0, ZERO_CELSIUS + 37.0)
#: Refractive index of a sapphire window at 1.55 µm, ordinary ray (Malitson & Dodge 1972, via
#: the Handbook of Laser Science and Technology's Sellmeier fit: n_o 1.74618, n_e 1.73838 at
#: 1.55 µm; assumption: a c-cut window, so that the beam travels along the optic axis and sees n_o).
SAPPHIRE_INDEX_1550 = 1.74618
#: Lasers a contact window can be used with: sapphire is opaque at 10.6 µm (its transmission ends
#: near 5.5 µm), and an ablating crater needs open air above it for its ejecta (contact windows
#: are made for non-ablative beams).
CONTACT_LASERS = ("erglass",)
#: Longest pre-cooling accepted [s] (a window or air stream held on one spot for a minute).
MAX_PRECOOL = 60.0
#: Pre-cooling steps of the one-dimensional solver: backward Euler, steps growing geometrically
#: from ``PRECOOL_DT0`` to at most ``PRECOOL_DT_FRACTION`` of the pre-cooling (numerics choice,
#: verified against eq. 5.60 in tests/test_surface_cooling.py).
PRECOOL_DT0 = 1e-5
PRECOOL_GROWTH = 1.05
PRECOOL_DT_FRACTION = 0.005
#: Times [s] after the first pulse at which the cooled skin's profile is tabulated for a treatment
#: field (the coolant stays on through the scan): 0, then 60 times from 1 ms to 10 min evenly in
#: the logarithm; later times hold the last profile (numerics choice: with perfusion the cooled
#: profile is within 0.1 K of its steady state after minutes, and scans last seconds to a minute).
BASELINE_TIMES = np.concatenate([[0.0], np.geomspace(1e-3, 600.0, 60)])


@dataclass(frozen=True)
class SurfaceCooling:
    """A coolant on the skin surface [W/(m² K), K, s].

    ``coefficient`` h, ``temperature`` T_c of the coolant, ``precool`` how long it is on the
    skin before the first pulse (it stays on while the laser fires and after). ``kind``
    names where h comes from ("contact", "air" or "custom") and ``coefficient_range`` its
    bounds where a source gives them. ``window_index``: the refractive index above the skin
    for the light (a contact window's; 1: air), used by the 1.55 µm Monte Carlo.
    """

    coefficient: float
    temperature: float
    precool: float = 0.0
    kind: str = "custom"
    coefficient_range: tuple[float, float] | None = None
    window_index: float = 1.0

    def __post_init__(self):
        from mtzsim.errors import InputError

        if not (isinstance(self.coefficient, (int, float)) and 0.0 < self.coefficient <= MAX_COEFFICIENT):
            raise InputError("surface_cooling.coefficient",
                             f"must be a heat-transfer coefficient in (0, {MAX_COEFFICIENT:g}] W/(m2 K), "
                             f"got {self.coefficient!r}")
        lo, hi = COOLANT_RANGE
        if not (isinstance(self.temperature, (int, float)) and lo <= self.temperature <= hi):
            raise InputError("surface_cooling.temperature",
                             f"must be from {lo - ZERO_CELSIUS:g} to {hi - ZERO_CELSIUS:g} degC, got "
                             f"{self.temperature - ZERO_CELSIUS if isinstance(self.temperature, (int, float)) else self.temperature!r}"
                             f"{' degC' if isinstance(self.temperature, (int, float)) else ''}")
        if not (isinstance(self.precool, (int, float)) and 0.0 <= self.precool <= MAX_PRECOOL):
            raise InputError("surface_cooling.precool", f"must be from 0 to {MAX_PRECOOL:g} s, got {self.precool!r}")

    def check_laser(self, laser: str) -> None:
        """Refuse a contact window with a laser it cannot serve (:data:`CONTACT_LASERS`)."""
        from mtzsim.errors import InputError

        if self.kind == "contact" and laser not in CONTACT_LASERS:
            raise InputError("surface_cooling.kind",
                             f"a contact window cannot be used with the {laser} laser: sapphire is opaque at 10.6 µm "
                             "and an ablating crater needs open air for its ejecta; use air cooling")


# ---------------------------------------------------------------------------------------
# The closed form and the fit of the contact window's coefficient
# ---------------------------------------------------------------------------------------


def convective_semi_infinite(depth, time, *, coefficient, conductivity, diffusivity):
    """(T − T_i)/(T_c − T_i) in a semi-infinite solid whose surface meets a coolant at t = 0 [-].

    Incropera & DeWitt 1996 eq. 5.60 (uniform initial T_i, coolant T_c, coefficient h):
    erfc(x / 2√(αt)) − exp(hx/k + h²αt/k²) erfc(x / 2√(αt) + h√(αt)/k), written with the scaled
    erfcx for large arguments.
    """
    from scipy.special import erfc, erfcx

    x = np.asarray(depth, float)
    s = math.sqrt(diffusivity * time)
    a = x / (2.0 * s)
    b = coefficient * s / conductivity
    # exp(hx/k + b²) erfc(a + b) = exp(−a²) erfcx(a + b), since hx/k = 2ab
    return erfc(a) - np.exp(-a * a) * erfcx(a + b)


@dataclass(frozen=True)
class ContactFit:
    """The contact window's heat-transfer coefficient fitted to Anvari et al. 1998 [W/(m² K)]."""

    coefficient: float  # least squares over the measured pairs
    low: float  # the pair that needs the smallest h
    high: float  # the pair that needs the largest
    rows: tuple  # the measurements used: (window, initial, surface [K], time [s])
    residuals: tuple  # model − measured surface temperature at the fit [K]
    conductivity: float  # k of the dermis the fit used [W/(m K)]
    diffusivity: float  # α [m²/s]


def contact_measurements() -> list[dict]:
    """Rows of ``skin_cooling.csv``: contact-cooling measurements (window, initial and surface T [K], time [s])."""
    rows = []
    for row in tables.rows("skin_cooling.csv"):
        rows.append({"coolant": row["coolant"], "window": float(row["coolant_c"]) + ZERO_CELSIUS,
                     "initial": float(row["initial_surface_c"]) + ZERO_CELSIUS,
                     "surface": float(row["surface_c"]) + ZERO_CELSIUS, "time": float(row["time_s"]),
                     "source": row["source"]})
    return rows


@lru_cache(maxsize=1)
def fit_contact_coefficient() -> ContactFit:
    """Fit h of a sapphire contact window to Anvari et al. 1998 with eq. 5.60 (dermis k and α).

    Each measured pair (window, surface temperature after ``time``) gives the h that eq. 5.60
    needs (a root, scipy brentq); h over both is the least-squares fit of the surface
    temperatures (scipy least_squares on log h, a continuous optimiser). The single-pair roots
    are its bounds.
    """
    from scipy.optimize import brentq, least_squares

    from mtzsim.physics.tissue import get_tissue

    dermis = get_tissue("face").dermis
    k, alpha = dermis.conductivity, dermis.diffusivity
    rows = [r for r in contact_measurements() if r["coolant"] == "sapphire contact"]

    def surface(h, r):
        f = float(convective_semi_infinite(0.0, r["time"], coefficient=h, conductivity=k, diffusivity=alpha))
        return r["initial"] + f * (r["window"] - r["initial"])

    roots = [brentq(lambda lh, r=r: surface(10.0 ** lh, r) - r["surface"], 0.0, 6.0) for r in rows]
    fit = least_squares(lambda lh: [surface(10.0 ** lh[0], r) - r["surface"] for r in rows],
                        x0=[float(np.mean(roots))])
    h = 10.0 ** float(fit.x[0])
    return ContactFit(coefficient=h, low=10.0 ** min(roots), high=10.0 ** max(roots),
                      rows=tuple((r["window"], r["initial"], r["surface"], r["time"]) for r in rows),
                      residuals=tuple(surface(h, r) - r["surface"] for r in rows),
                      conductivity=k, diffusivity=alpha)


def contact_cooling(temperature: float | None = None, precool: float = 1.0) -> SurfaceCooling:
    """A chilled sapphire window on the skin: h fitted to Anvari et al. 1998.

    ``temperature`` [K] default 9 °C, the middle of the 6–12 °C windows measured; ``precool`` [s]
    default 1 s, the contact time of the measurement. For the light the window is sapphire
    (:data:`SAPPHIRE_INDEX_1550`); it serves the 1.55 µm beam only (:data:`CONTACT_LASERS`).
    """
    fit = fit_contact_coefficient()
    t = ZERO_CELSIUS + 9.0 if temperature is None else temperature
    return SurfaceCooling(fit.coefficient, t, precool, "contact", (fit.low, fit.high), SAPPHIRE_INDEX_1550)


def air_cooling(temperature: float, precool: float = 1.0) -> SurfaceCooling:
    """A cold-air stream on the skin at ``temperature`` [K]: h of forced gas convection (Incropera 1996)."""
    return SurfaceCooling(AIR_COEFFICIENT, temperature, precool, "air", AIR_COEFFICIENT_RANGE)


#: Named coolants of the CLI and scenarios: kind → constructor(temperature [K] or None, precool [s]).
KINDS = {"contact": contact_cooling, "air": air_cooling}


def make_surface_cooling(kind: str, temperature: float | None = None, precool: float = 1.0,
                         laser: str | None = None) -> SurfaceCooling | None:
    """``"none"`` → None; ``"contact"`` or ``"air"`` → :class:`SurfaceCooling` (air needs a temperature).

    The one check of a coolant as a user gives it (CLI, scenario, web): a temperature without a
    coolant, an unknown kind, air without a temperature, values out of range, and, with ``laser``,
    a window on a laser it cannot serve (:meth:`SurfaceCooling.check_laser`). Fields are named
    ``surface_cooling.*``; callers rename them to their own.
    """
    from mtzsim.errors import InputError

    if kind == "none":
        if temperature is not None:
            raise InputError("surface_cooling.temperature", "a coolant temperature without a coolant; choose contact "
                             "or air cooling")
        return None
    if kind not in KINDS:
        raise InputError("surface_cooling.kind", f"unknown coolant {kind!r}; choose none, {', '.join(KINDS)}")
    if kind == "air" and temperature is None:
        raise InputError("surface_cooling.temperature",
                         "air cooling needs the air's temperature (no sourced value of a chiller's outlet), e.g. 5degC")
    coolant = KINDS[kind](temperature, precool)
    if laser is not None:
        coolant.check_laser(laser)
    return coolant


# ---------------------------------------------------------------------------------------
# The cooled skin without the laser: one column of the grid
# ---------------------------------------------------------------------------------------


class Baseline:
    """The skin under the coolant without the laser: one column of the MTZ grid, stepped implicitly.

    Built from the grid's :data:`~mtzsim._kernels.axisym.Material` (its axis column: the layers
    vary only with depth) with both radial faces insulated, so that it is exactly the
    one-dimensional problem every column of the cooled grid follows far from the microbeam.
    ``T`` [K] is its temperature profile in depth; :meth:`advance` steps it by ``dt`` with the
    same backward-Euler step as the cooling phase.
    """

    def __init__(self, mat):
        nz = mat.Gz.shape[1] - 1
        self.mat = mat
        self.Gr = np.zeros((2, nz))
        self.Gz = np.ascontiguousarray(mat.Gz[:1, :])
        self.cap = np.ascontiguousarray(mat.rc[:1, :] * mat.vol[:1, :])
        self.perf = np.ascontiguousarray(mat.perf[:1, :])
        self.void = np.zeros((1, nz), np.bool_)
        self.T = np.full((1, nz), mat.t_body)
        self.t = 0.0

    def copy(self) -> "Baseline":
        """An independent column at the same time and temperatures (the grid arrays shared, read-only)."""
        other = copy.copy(self)
        other.T = self.T.copy()
        return other

    @property
    def profile(self) -> np.ndarray:
        """Temperature [K] against depth (cell centres of the grid)."""
        return self.T[0]

    def advance(self, dt: float) -> None:
        """One backward-Euler step of ``dt`` [s] (what :func:`mtzsim.physics.mtz.cooling.cool` takes)."""
        from mtzsim.physics.heat import axisym as heat

        heat.implicit_step(self.T, self.void, self.Gr, self.Gz, self.cap, self.perf, self.mat.t_body, dt,
                           t_surface=self.mat.t_surface)
        self.t += dt

    def tabulate(self, times) -> np.ndarray:
        """Profiles [K] (len(times), nz) at ``times`` [s] from now (non-decreasing), advancing the column."""
        t0 = self.t
        out = np.empty((len(times), self.T.shape[1]))
        for i, ti in enumerate(times):
            self.run(t0 + float(ti) - self.t)
            out[i] = self.profile
        return out

    def run(self, duration: float) -> None:
        """Step through ``duration`` [s] with steps growing geometrically (:data:`PRECOOL_GROWTH`)."""
        if duration <= 0.0:
            return
        t_end = self.t + duration
        dt = min(PRECOOL_DT0, duration)
        dt_max = max(PRECOOL_DT_FRACTION * duration, dt)
        while self.t < t_end - 1e-15:
            self.advance(min(dt, t_end - self.t))
            dt = min(dt * PRECOOL_GROWTH, dt_max)


def cooled_profile(mat, precool: float) -> np.ndarray:
    """Temperature [K] against depth after ``precool`` [s] of the coolant on skin at body temperature."""
    base = Baseline(mat)
    base.run(precool)
    return base.profile.copy()


__all__ = ["AIR_COEFFICIENT", "AIR_COEFFICIENT_RANGE", "BASELINE_TIMES", "Baseline", "ContactFit", "SurfaceCooling",
           "air_cooling", "contact_cooling", "contact_measurements", "convective_semi_infinite", "cooled_profile",
           "fit_contact_coefficient", "make_surface_cooling"]
