"""Scan patterns of a fractional laser: spot layout, scan order, passes, stacking and the firing time of every spot.

A fractional scanner places microbeams on a lattice over a treated rectangle and fires
them one after another at the repetition rate. The density is either the fraction of
the area covered by the nominal spots (``density``: N · π D²/4) or the number of spots
per area (``spots_per_area``). Everything here is SI: m, s, Hz.

Conventions (stated, not sourced: scanners differ and publish little):

- ``raster`` scans the lattice row by row, serpentine (boustrophedon), so consecutive
  spots are one pitch apart — the worst case for heat accumulation.
- ``random`` fires the sites of each pass in a seeded random permutation.
- ``interlaced`` splits the lattice into :data:`INTERLACE_STRIDE` ² sub-lattices (every
  third row and column) and rasters them one after the other, so consecutive spots are
  three pitches apart.
- A rest of 1/``rep_rate`` separates consecutive firings; ``stack`` fires the same site
  that many times in a row, each a rest apart.
- A pass ends one rest after its last firing; the next starts ``pass_delay`` later,
  shifted by ``pass_offset`` of the pitch along x and of the row spacing along y (the
  shifts of all passes are centred, so the passes together stay centred on the area).
- Errors: :class:`PatternSpec` is the user's scan settings and its checks are pure input
  validation, so it raises :class:`mtzsim.errors.InputError` (a ValueError) naming
  ``pattern.<field>`` directly; nothing here is a numerical failure blamed on the user.
- The lattice has round(width/pitch) × round(height/row spacing) sites (at least one),
  centred on the rectangle: the realised count differs from N · area by rounding only.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from mtzsim.errors import InputError

LAYOUTS = ("grid", "hexagonal", "jittered")
ORDERS = ("raster", "random", "interlaced")

#: Rows and columns skipped by the interlaced order (assumption: a 3 × 3 interlace keeps
#: consecutive spots three pitches apart; scanners do not publish theirs).
INTERLACE_STRIDE = 3

#: Coverage used when neither ``density`` nor ``spots_per_area`` is given (stage-1 default:
#: 5 %, the low end of the 5–20 % that fractional CO2 treatments of acne scars use; assumption).
DEFAULT_DENSITY = 0.05

#: Highest repetition rate [Hz] a fractional scanner is taken to fire. Assumption (no device
#: table in the project's sources): scanners fire hundreds of microbeams per second (the
#: stage-1 default is 250 Hz; Oni et al. fired a Deep FX fractional CO2 scanner at 300 Hz,
#: OniDeepFXDoublePulse); 3 kHz is above any device the project knows, so a faster rate is
#: most likely a unit slip (25 kHz for 250 Hz) and draws a warning, not a refusal.
DEVICE_MAX_REP_RATE = 3000.0

#: Largest number of firings a pattern may hold (memory guard: ~100 bytes per firing in
#: the field simulation; 5 million is ~0.5 GB).
MAX_FIRINGS = 5_000_000


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class PatternSpec:
    """Settings of one scan of a fractional laser, in SI units.

    Parameters
    ----------
    density : float or None
        Area coverage of the nominal spots, N · π D²/4, as a fraction in (0, 1] [-].
        When neither this nor ``spots_per_area`` is given, :data:`DEFAULT_DENSITY`.
    spots_per_area : float or None
        Spots per area N [1/m²]; give this or ``density``, not both.
    layout : str
        ``"grid"`` (square lattice), ``"hexagonal"`` or ``"jittered"`` (square lattice,
        each spot moved uniformly by up to ± ``jitter`` · pitch in x and y).
    order : str
        ``"raster"``, ``"random"`` or ``"interlaced"`` (see module docstring).
    rep_rate : float
        Firing rate of the scanner [Hz]; consecutive firings are 1/rep_rate apart. Default 250 Hz
        (assumption, the stage-1 default), within 20 % of the one scanner rate in the package's
        sources: 300 Hz, a Deep FX fractional CO2 scanner (OniDeepFXDoublePulse).
    passes : int
        Passes over the same area.
    pass_delay : float
        Time from the end of one pass to the start of the next [s].
    pass_offset : float
        Shift of each pass, as a fraction of the pitch, in [0, 1] [-].
    stack : int
        Firings on the same site in a row.
    width, height : float
        Size of the treated rectangle [m].
    spot_diameter : float
        Nominal spot (microbeam) diameter D [m].
    allow_overlap : bool
        Whether lattice pitches smaller than the spot are accepted.
    seed : int
        Seed of the random order and the jitter.
    jitter : float
        Largest displacement of a jittered spot, as a fraction of the pitch, in [0, 0.5) [-].
    """

    density: float | None = None
    spots_per_area: float | None = None
    layout: str = "hexagonal"
    order: str = "random"
    rep_rate: float = 250.0
    passes: int = 1
    pass_delay: float = 0.0
    pass_offset: float = 0.5
    stack: int = 1
    width: float = 1e-2
    height: float = 1e-2
    spot_diameter: float = 120e-6
    allow_overlap: bool = False
    seed: int = 1
    jitter: float = 0.25

    def __post_init__(self):
        if self.density is not None and self.spots_per_area is not None:
            raise InputError("pattern.density", "give density or spots_per_area, not both")
        if self.density is None and self.spots_per_area is None:
            object.__setattr__(self, "density", DEFAULT_DENSITY)  # frozen: the default is resolved once, here
        for name in ("spot_diameter", "width", "height"):
            value = getattr(self, name)
            if not (_finite(value) and value > 0):
                raise InputError(f"pattern.{name}", f"must be a positive length, got {value!r}")
        if self.density is not None:
            d = self.density
            if not _finite(d) or d <= 0:
                raise InputError("pattern.density", f"must be a coverage above 0 %, got {d!r}")
            if d > 1:
                raise InputError("pattern.density", f"{d * 100:g} % is over 100 %; coverage must be in (0, 100 %]")
        else:
            n = self.spots_per_area
            if not _finite(n) or n <= 0:
                raise InputError("pattern.spots_per_area", f"must be a positive number per area, got {n!r}")
            if n * self.spot_area > 1:
                raise InputError(
                    "pattern.spots_per_area",
                    f"{n * 1e-4:g} spots/cm² of {self.spot_diameter * 1e6:g} µm cover "
                    f"{n * self.spot_area * 100:.0f} % of the area; coverage must be at most 100 %",
                )
        if self.layout not in LAYOUTS:
            raise InputError("pattern.layout", f"must be one of {', '.join(LAYOUTS)}, got {self.layout!r}")
        if self.order not in ORDERS:
            raise InputError("pattern.order", f"must be one of {', '.join(ORDERS)}, got {self.order!r}")
        if not (_finite(self.rep_rate) and self.rep_rate > 0):
            raise InputError("pattern.rep_rate", f"must be a positive rate, got {self.rep_rate!r}")
        if self.rep_rate > DEVICE_MAX_REP_RATE:
            warnings.warn(
                f"pattern.rep_rate: {self.rep_rate:g} Hz is beyond any fractional scanner mtzsim knows "
                f"(up to about {DEVICE_MAX_REP_RATE:g} Hz, an assumption: see mtzsim.physics.pattern); "
                "check the unit", stacklevel=3)
        for name in ("passes", "stack"):
            value = getattr(self, name)
            if not (isinstance(value, (int, np.integer)) and not isinstance(value, bool) and 1 <= value <= 100):
                raise InputError(f"pattern.{name}", f"must be a whole number from 1 to 100, got {value!r}")
        if not (_finite(self.pass_delay) and self.pass_delay >= 0):
            raise InputError("pattern.pass_delay", f"must be a non-negative time, got {self.pass_delay!r}")
        if not (_finite(self.pass_offset) and 0 <= self.pass_offset <= 1):
            raise InputError("pattern.pass_offset", f"must be a fraction of the pitch in [0, 1], got {self.pass_offset!r}")
        if not (_finite(self.jitter) and 0 <= self.jitter < 0.5):
            raise InputError("pattern.jitter", f"must be a fraction of the pitch in [0, 0.5), got {self.jitter!r}")
        if not isinstance(self.seed, (int, np.integer)) or isinstance(self.seed, bool):
            raise InputError("pattern.seed", f"must be a whole number, got {self.seed!r}")
        density_field = "pattern.density" if self.density is not None else "pattern.spots_per_area"
        if not self.allow_overlap and self.min_separation < self.spot_diameter * (1 - 1e-9):
            raise InputError(
                density_field,
                f"spots {self.min_separation * 1e6:.1f} µm apart are closer than the "
                f"{self.spot_diameter * 1e6:g} µm spot and overlap; lower the density or allow overlap",
            )
        n_firings = self.expected_spots * self.passes * self.stack
        if n_firings > MAX_FIRINGS:
            raise InputError(
                density_field,
                f"{n_firings:.3g} firings exceed the {MAX_FIRINGS:.0e} that mtzsim simulates; "
                "lower the density, the area, the passes or the stack",
            )

    # ---- derived quantities -------------------------------------------------------
    @property
    def spot_area(self) -> float:
        """Nominal spot area π D²/4 [m²]."""
        return math.pi * self.spot_diameter**2 / 4

    @property
    def areal_density(self) -> float:
        """Spots per area N [1/m²] (per pass)."""
        if self.spots_per_area is not None:
            return float(self.spots_per_area)
        return float(self.density) / self.spot_area

    @property
    def coverage(self) -> float:
        """Nominal area coverage N · π D²/4 per pass [-]."""
        return self.areal_density * self.spot_area

    @property
    def area(self) -> float:
        """Treated area [m²]."""
        return self.width * self.height

    @property
    def expected_spots(self) -> float:
        """N · area: the number of spots per pass before rounding to a lattice [-]."""
        return self.areal_density * self.area

    @property
    def pitch(self) -> float:
        """Distance between nearest lattice neighbours [m].

        Square lattice: p = 1/√N; hexagonal: cell area p²√3/2 = 1/N.
        """
        n = self.areal_density
        if self.layout == "hexagonal":
            return math.sqrt(2.0 / (math.sqrt(3.0) * n))
        return 1.0 / math.sqrt(n)

    @property
    def row_spacing(self) -> float:
        """Distance between lattice rows [m] (p √3/2 for hexagonal, p otherwise)."""
        return self.pitch * (math.sqrt(3.0) / 2 if self.layout == "hexagonal" else 1.0)

    @property
    def min_separation(self) -> float:
        """Smallest possible centre-to-centre distance of two spots in one pass [m]."""
        if self.layout == "jittered":
            return self.pitch * (1 - 2 * self.jitter)
        return self.pitch


@dataclass(frozen=True)
class Pattern:
    """Every firing of a scan, in firing order.

    Attributes
    ----------
    spec : PatternSpec
    x, y : ndarray
        Spot centres [m], origin at the centre of the treated rectangle.
    t_fire : ndarray
        Firing time [s] from the first firing, non-decreasing.
    pass_index : ndarray of int
        Pass (0-based) of each firing.
    site_index : ndarray of int
        Lattice site (0-based, within its pass) of each firing; stacked firings share it.
    pitch : float
        Nearest-neighbour lattice distance [m].
    n_spots : int
        Sites per pass.
    """

    spec: PatternSpec
    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    t_fire: np.ndarray = field(repr=False)
    pass_index: np.ndarray = field(repr=False)
    site_index: np.ndarray = field(repr=False)
    pitch: float
    n_spots: int

    @property
    def n_firings(self) -> int:
        """All firings: sites × passes × stack."""
        return int(self.x.size)

    @property
    def duration(self) -> float:
        """From the first firing to one rest after the last [s]."""
        return float(self.t_fire[-1]) + 1.0 / self.spec.rep_rate if self.x.size else 0.0

    @property
    def coverage(self) -> float:
        """Nominal coverage of one pass from the realised number of sites [-]."""
        return self.n_spots * self.spec.spot_area / self.spec.area


def build_pattern(spec: PatternSpec) -> Pattern:
    """Place the spots of every pass and give each firing its time.

    Parameters
    ----------
    spec : PatternSpec
        The scan settings (validated on construction).

    Returns
    -------
    Pattern
        Arrays of all firings in firing order.
    """
    rng = np.random.default_rng(spec.seed)
    rest = 1.0 / spec.rep_rate
    xs, ys, ts, ps, ss = [], [], [], [], []
    t_start = 0.0
    n_sites = 0
    fracs = (np.arange(spec.passes) * spec.pass_offset) % 1.0
    fracs = fracs - fracs.mean()  # keep the passes centred on the rectangle together
    for k in range(spec.passes):
        frac = fracs[k]
        x, y, row, col = _lattice(spec, frac * spec.pitch, frac * spec.row_spacing, rng)
        order = _scan_order(spec.order, row, col, rng)
        x, y = x[order], y[order]
        n_sites = x.size
        site = np.arange(n_sites)
        x = np.repeat(x, spec.stack)
        y = np.repeat(y, spec.stack)
        site = np.repeat(site, spec.stack)
        t = t_start + np.arange(x.size) * rest
        xs.append(x)
        ys.append(y)
        ts.append(t)
        ps.append(np.full(x.size, k, dtype=np.int32))
        ss.append(site.astype(np.int64))
        t_start = t[-1] + rest + spec.pass_delay
    return Pattern(
        spec=spec,
        x=np.concatenate(xs),
        y=np.concatenate(ys),
        t_fire=np.concatenate(ts),
        pass_index=np.concatenate(ps),
        site_index=np.concatenate(ss),
        pitch=spec.pitch,
        n_spots=int(n_sites),
    )


def _lattice(spec: PatternSpec, shift_x: float, shift_y: float, rng):
    """Lattice sites centred in the rectangle, shifted by (shift_x, shift_y).

    Returns x, y [m] and integer row and column indices, row-major.
    """
    p, h = spec.pitch, spec.row_spacing
    nx = max(1, int(round(spec.width / p)))
    ny = max(1, int(round(spec.height / h)))
    col, row = np.meshgrid(np.arange(nx), np.arange(ny))
    col, row = col.ravel(), row.ravel()
    x = (col - (nx - 1) / 2) * p
    y = (row - (ny - 1) / 2) * h
    if spec.layout == "hexagonal":
        x = x + np.where(row % 2 == 1, 0.5 * p, 0.0) - 0.25 * p * (ny > 1)
    x = x + shift_x
    y = y + shift_y
    if spec.layout == "jittered":
        x = x + rng.uniform(-spec.jitter, spec.jitter, x.size) * p
        y = y + rng.uniform(-spec.jitter, spec.jitter, y.size) * p
    return x, y, row, col


def _scan_order(order: str, row, col, rng) -> np.ndarray:
    """Indices of the sites in firing order."""
    n = row.size
    if order == "random":
        return rng.permutation(n)
    serp = np.where(row % 2 == 0, col, col.max() - col)
    if order == "raster":
        return np.lexsort((serp, row))
    s = INTERLACE_STRIDE
    sub = (row % s) * s + (col % s)
    return np.lexsort((serp, row, sub))
