"""Healing stage: the treated field's wound map closes, sheds its debris, recovers its barrier and fades in redness.

``simulate_healing`` runs, on the en-face basal-layer wound map of a field, the
re-epithelialisation (:mod:`reepithelialization`, full Fisher–KPP or its distance-transform
surrogate), MENDs and crusts (:mod:`mends`), barrier (:mod:`barrier`) and erythema/edema
(:mod:`inflammation`), with the aftercare schedule (:mod:`aftercare`) as timed modifiers, and
derives downtime with an interval from the parameters' ranges. The same engine covers four
regimes: fractional ablative (closure from the wound edges), full-field ablative (no islands:
closure from the adnexa only), non-ablative (necrotic but unablated epidermis: no eschar,
migration within the hour) and superficial (an ablated surface whose heat kills the epidermis
above the basal layer but not the basal layer itself: a minimally ablative full-field Er:YAG pass,
a microlaser peel). A superficial wound has no open basal layer to close: the basal cells under it
are alive and rebuild the epidermis in place. Its ablated surface and the dead layers beneath it
dry into a crust (the "peeling and crusting" of ErYAGminimal2008) that separates along the plane
where the regenerating epidermis meets the dead layer, as an eschar does (Hinman & Maibach 1963):
the same lag before the epidermis beneath responds (open or occluded, Collawn) and the same
shedding time as the crusts of an ablative wound, counted from the treatment since no front
has to arrive. The stratum corneum is gone from the treatment on, so its area counts as
immature barrier from day 0.

Downtime is social downtime, the clinician's meaning: the time until the last visible sign of
the treatment has gone — the open wound (95 % closure), the crusts of an ablative wound (shed),
and redness above the visible threshold (the erythema index of :mod:`inflammation`); the result
names the sign that sets it (``downtime_driver``). After an ablative treatment the open wound
and its crusts usually set it (Majid & Imran 2014: crusting 4–6 d, erythema 3–4 d). After a
non-ablative one the stratum corneum stays intact over the necrotic epidermis ("wounding is not
apparent", Geronemus 2006) and redness sets it wherever it is visible (NAFLsideeffects2005:
erythema in 100 % and limited social engagement for a mean 2 d); the hidden basal-layer closure
(under 1.5 d, Laubach 2006) remains a floor, so a field whose redness stays below the threshold
reports its closure time, not zero. Edema follows the same drive with its own decay and is
reported relative to its peak; it does not enter the downtime, since the data give no absolute
edema scale to set a visibility level on (a stated limitation).

References
----------
.. [1] R. G. Geronemus, Lasers Surg Med 38 (2006) 169-176. doi:10.1002/lsm.20310
.. [2] Short-term side effects of fractional photothermolysis, Dermatol Surg 31 (2005) 1245-1249.
.. [3] I. Majid, S. Imran, J Cutan Aesthet Surg 7 (2014) 87-92.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mtzsim.biology import aftercare as ac
from mtzsim.biology import barrier, inflammation, mends
from mtzsim.biology import healing_parameters as hp
from mtzsim.biology import reepithelialization as re_
from mtzsim.pipeline.contract import quantity

from mtzsim.constants import DAY  # noqa: E402  [s]
#: TEWL counts as recovered when within this fraction of baseline (stated criterion).
TEWL_RECOVERED_WITHIN = 0.10
#: Crusts/MENDs count as shed when they cover less than this fraction of the wound (stated).
DEBRIS_SHED_BELOW = 0.05
#: The visible signs that can set the downtime, in the order ties are named.
DOWNTIME_SIGNS = ("open wound", "crusts", "redness")


# ---------------------------------------------------------------------------------------------
# Wound maps
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WoundMap:
    """Open basal layer of a treated field and what the healing models need to know about it.

    Attributes
    ----------
    wound : ndarray of bool
        Open basal layer: ablated ∪ necrotic epidermis [ny, nx].
    pixel_size : float
        [m].
    ablated : ndarray of bool
        Where the epidermis was ablated (an eschar forms unless occluded).
    depth : ndarray of float
        Deepest map depth reached by ablation or coagulation [m] (0 outside the wound).
    damage_thickness : float
        Damaged-tissue volume per map area [m] (ablated + lethal + coagulated, over the depths).
    superficial : ndarray of bool, optional
        Superficial wound [ny, nx]: the surface ablated and the epidermis above the basal layer dead,
        the basal layer alive (never where ``wound`` is). None: none.
    """

    wound: np.ndarray
    pixel_size: float
    ablated: np.ndarray
    depth: np.ndarray
    damage_thickness: float
    superficial: np.ndarray | None = None

    @property
    def superficial_map(self) -> np.ndarray:
        """:attr:`superficial`, or an all-False map when there is none."""
        if self.superficial is None:
            return np.zeros(self.wound.shape, bool)
        return np.asarray(self.superficial, bool) & ~self.wound

    @property
    def coverage(self) -> float:
        return float(self.wound.mean())


def _slabs(depths):
    d = np.asarray(depths, float)
    if d.size == 1:
        return np.array([max(d[0], 1e-6)])
    mid = 0.5 * (d[1:] + d[:-1])
    lo = np.concatenate([[0.0], mid])
    hi = np.concatenate([mid, [d[-1] + (d[-1] - mid[-1])]])
    return hi - lo


def wound_map_from_field(field_result, *, basal_depth=None, surface_ablated=None) -> WoundMap:
    """The basal-layer wound map of a :class:`~mtzsim.physics.field.FieldResult`.

    The wound (open basal layer) is where the en-face zone map at the depth nearest ``basal_depth``
    is ablated, coagulated or lethal (cells dead: Ω_cell ≥ 1). The superficial wound is where a
    shallower map is dead or ablated but the basal layer lives, under an ablated surface: a map
    shallower than the basal layer ablated there, or ``surface_ablated`` (the laser ablates: its
    crater may be shallower than the field's first map). Until 2026-12-01 an ablated map above the
    basal layer opened the basal layer under it too.

    Parameters
    ----------
    field_result : FieldResult
        Its ``dataset`` holds ``zone`` (depth, y, x) with the codes in its ``codes`` attribute.
    basal_depth : float, optional
        Depth of the basal layer [m]; default the field's first map depth (the epidermis).
    surface_ablated : bool, optional
        Whether the treatment removes the skin surface (an ablative laser; the chain passes the MTZ's
        ``ablation_depth > 0``). None: only where a map above the basal layer is ablated.
    """
    ds = getattr(field_result, "dataset", None)
    if ds is None or "zone" not in ds:
        raise ValueError("the field result has no en-face zone maps (dataset['zone'])")
    import ast

    codes = ast.literal_eval(ds["zone"].attrs.get("codes", "{}")) or \
        {"untouched": 0, "heat_shock": 1, "lethal": 2, "coagulated": 3, "ablated": 4}
    zone = np.asarray(ds["zone"].values)
    depths = np.asarray(ds["depth"].values, float)
    basal = depths[0] if basal_depth is None else float(basal_depth)
    if not (math.isfinite(basal) and basal >= 0):
        raise ValueError(f"basal depth must be a non-negative length, got {basal_depth!r}")
    k = int(np.argmin(np.abs(depths - basal)))
    dead = zone >= codes["lethal"]  # the ablated code is above the lethal one
    abl = zone == codes["ablated"]
    wound = dead[k]
    above = dead[:k].any(axis=0) & ~wound  # epidermis dead above a living basal layer
    superficial = above & (abl[:k].any(axis=0) | bool(surface_ablated))
    ablated = abl[: k + 1].any(axis=0) | superficial
    depth = np.where(dead.any(axis=0), np.max(np.where(dead, depths[:, None, None], 0.0), axis=0), 0.0)
    thick = float((dead.mean(axis=(1, 2)) * _slabs(depths)).sum())
    res = float(ds.attrs.get("resolution_m", getattr(field_result, "resolution", np.nan)))
    return WoundMap(wound=wound, pixel_size=res, ablated=ablated, depth=depth, damage_thickness=thick,
                    superficial=superficial if superficial.any() else None)


def stamp_disks(shape, cy, cx, radius) -> np.ndarray:
    """Boolean map of ``shape`` with disks of ``radius`` [pixels] at the centres (``cy``, ``cx``) [pixels], periodic."""
    ny, nx = shape
    k = int(math.ceil(radius))
    oy, ox = np.mgrid[-k:k + 1, -k:k + 1]
    disk = (oy**2 + ox**2) <= radius**2
    oy, ox = oy[disk], ox[disk]
    iy = (np.floor(np.asarray(cy))[:, None] + oy[None]).astype(np.int64).ravel() % ny
    ix = (np.floor(np.asarray(cx))[:, None] + ox[None]).astype(np.int64).ravel() % nx
    wound = np.zeros(shape, bool)
    wound[iy, ix] = True
    return wound


def synthetic_wound_map(shape=(300, 300), pixel_size=10e-6, *, coverage=0.15, spot_diameter=250e-6,
                        regime="fractional", wound_depth=600e-6, seed=0) -> WoundMap:
    """A wound map for tests and examples: disks at random positions, or the whole map.

    Parameters
    ----------
    regime : {"fractional", "full_field", "non_ablative", "superficial"}
        Ablated disks; the whole map ablated (``coverage`` ignored); necrotic but not ablated disks;
        the whole surface ablated above a living basal layer (``coverage`` ignored, no open wound).
    wound_depth : float
        Depth of ablation + coagulation [m]; the damaged thickness is the map's wound fraction ×
        ``wound_depth`` (the wound fraction is ``coverage`` within the sampling of a whole number of
        disks, at least one).
    """
    ny, nx = shape
    if regime == "superficial":
        sup = np.ones(shape, bool)
        return WoundMap(wound=np.zeros(shape, bool), pixel_size=pixel_size, ablated=sup.copy(),
                        depth=np.full(shape, wound_depth), damage_thickness=float(wound_depth), superficial=sup)
    if regime == "full_field":
        wound = np.ones(shape, bool)
    elif regime in ("fractional", "non_ablative"):
        if not (0 < coverage < 1):
            raise ValueError(f"coverage must be in (0, 1), got {coverage!r}")
        rng = np.random.default_rng(seed)
        rad = spot_diameter / 2 / pixel_size
        n = int(round(-math.log(1 - coverage) * ny * nx / (math.pi * rad**2)))  # Poisson disks: 1 − e^{−nπr²/A}
        # at least one wound: a low coverage of wounds wider than the map's share of one would round to
        # none and heal in no time (a 410 µm Er:YAG wound at 3 % on a 1.2 mm map: 0.33 expected disks);
        # one wound heals as any isolated one does, at a coverage above the one asked for
        n = max(n, 1)
        wound = stamp_disks(shape, rng.uniform(0, ny, n), rng.uniform(0, nx, n), rad)
    else:
        raise ValueError(f"regime must be 'fractional', 'full_field', 'non_ablative' or 'superficial', got {regime!r}")
    ablated = wound.copy() if regime != "non_ablative" else np.zeros(shape, bool)
    depth = np.where(wound, wound_depth, 0.0)
    return WoundMap(wound=wound, pixel_size=pixel_size, ablated=ablated, depth=depth,
                    damage_thickness=float(wound.mean() * wound_depth))


# ---------------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HealingResult:
    """Re-epithelialisation, debris, barrier, erythema and downtime of a treated field (SI)."""

    reepithelialization_days_50: float = quantity("s", "time by which half of the wound area is re-epithelialised",
                                                  source="Fisher-KPP; CO2vsErYAG", display="d")
    reepithelialization_days_95: float = quantity("s", "time by which 95 % of the wound area is re-epithelialised",
                                                  source="Fisher-KPP; CO2vsErYAG", display="d")
    reepithelialization_days_100: float = quantity("s", "time by which the whole wound is re-epithelialised",
                                                   source="Fisher-KPP", display="d")
    downtime_days: float = quantity("s", "social downtime: until the wound is closed, its crusts are shed and "
                                    "redness is below the visible threshold",
                                    source="MajidImran2014; Cho2009; NAFLsideeffects2005; Geronemus2006", display="d")
    downtime_interval: tuple = quantity("s", "downtime 5th-95th percentile over the parameters' ranges",
                                        kind="table", display="d")
    downtime_driver: str = quantity("", "the visible sign that lasts longest and sets the downtime: open wound, "
                                    "crusts, redness (none without a wound)", kind="category")
    erythema_days: float = quantity("s", "visible-redness duration (erythema index above the stated threshold)",
                                    source="MajidImran2014; CO2vsErYAG; Wu2025", display="d")
    crusting_days: float = quantity("s", "time until crusts cover < 5 % of the wound (0 for non-ablative)",
                                    source="MajidImran2014", display="d")
    mends_shed_days: float = quantity("s", "time until MENDs cover < 5 % of the wound", source="Laubach2006",
                                      display="d")
    tewl_peak_ratio: float = quantity("1", "peak TEWL relative to baseline", source="ErYSGG2012")
    tewl_recovery_days: float = quantity("s", "time until TEWL is within 10 % of baseline", source="Kim2013",
                                         display="d")
    infection_window_days: float = quantity("s", "days with open wound area (until full closure)", display="d")
    wound_coverage: float = quantity("1", "open basal-layer area fraction right after treatment")
    lag_days: float = quantity("s", "lag before keratinocyte migration", source="Collawn; FPchapter", display="d")
    regime: str = quantity("", "fractional, full_field, non_ablative or superficial (none: no wound)", kind="category")
    model: str = quantity("", "reaction_diffusion or surrogate", kind="category")
    flags: dict = quantity("", "flags passed on: PIH protection, antiviral prophylaxis", kind="table")
    time: np.ndarray = quantity("s", "time grid of the courses", kind="array", display="d")
    open_fraction: np.ndarray = quantity("1", "open wound area as a fraction of the initial wound", kind="array")
    debris_fraction: np.ndarray = quantity("1", "wound area still under crust / MENDs", kind="array")
    tewl_ratio: np.ndarray = quantity("1", "TEWL relative to baseline", kind="array")
    hydration_ratio: np.ndarray = quantity("1", "stratum-corneum hydration relative to baseline", kind="array")
    erythema_index: np.ndarray = quantity("1", "erythema index above baseline (Mexameter-type units)", kind="array")
    edema: np.ndarray = quantity("1", "edema relative to its peak", kind="array")
    per_wound_closure: np.ndarray = quantity("s", "closure time of each connected wound (MTZ)", kind="array",
                                             display="d")
    frame_times: np.ndarray = quantity("s", "times of the closing-field pictures", kind="array", display="d")
    frames: np.ndarray = quantity("1", "open-wound masks at frame_times (uint8, frame × y × x)", kind="array")
    arrival: np.ndarray = quantity("s", "time the front reaches each pixel (0 outside the wound)", kind="array")
    pixel_size: float = quantity("m", "pixel size of the maps", display="um")

    def to_dict(self) -> dict:
        """Summary in days (JSON), the keys the CLI prints."""
        d = DAY

        def fin(x):
            return float(x) if math.isfinite(x) else None

        return {
            "regime": self.regime,
            "model": self.model,
            "wound_coverage": fin(self.wound_coverage),
            "lag_days": fin(self.lag_days / d),
            "reepithelialization_days_50": fin(self.reepithelialization_days_50 / d),
            "reepithelialization_days_95": fin(self.reepithelialization_days_95 / d),
            "reepithelialization_days_100": fin(self.reepithelialization_days_100 / d),
            "downtime_days": fin(self.downtime_days / d),
            "downtime_interval": [fin(x / d) for x in self.downtime_interval],
            "downtime_driver": self.downtime_driver,
            "erythema_days": fin(self.erythema_days / d),
            "crusting_days": fin(self.crusting_days / d),
            "mends_shed_days": fin(self.mends_shed_days / d),
            "tewl_peak_ratio": fin(self.tewl_peak_ratio),
            "tewl_recovery_days": fin(self.tewl_recovery_days / d),
            "infection_window_days": fin(self.infection_window_days / d),
            "per_wound_closure_days_median": fin(float(np.median(self.per_wound_closure)) / d)
            if self.per_wound_closure.size else None,
            "flags": dict(self.flags),
        }

    @property
    def dataset(self):
        """The ``/healing`` group of fields.nc (see :meth:`to_dataset`)."""
        return self.to_dataset()

    def to_dataset(self):
        """xarray Dataset for the ``/healing`` group of fields.nc (CF units and long names)."""
        import xarray as xr

        ny, nx = self.arrival.shape
        y = np.arange(ny) * self.pixel_size
        x = np.arange(nx) * self.pixel_size
        ds = xr.Dataset(
            {
                "open_fraction": (("time",), self.open_fraction, {"units": "1", "long_name": "open wound fraction"}),
                "debris_fraction": (("time",), self.debris_fraction,
                                    {"units": "1", "long_name": "wound fraction under crust or MENDs"}),
                "tewl_ratio": (("time",), self.tewl_ratio, {"units": "1", "long_name": "TEWL relative to baseline"}),
                "hydration_ratio": (("time",), self.hydration_ratio,
                                    {"units": "1", "long_name": "hydration relative to baseline"}),
                "erythema_index": (("time",), self.erythema_index,
                                   {"units": "1", "long_name": "erythema index above baseline"}),
                "edema": (("time",), self.edema, {"units": "1", "long_name": "edema relative to peak"}),
                "arrival_time": (("y", "x"), self.arrival,
                                 {"units": "s", "long_name": "re-epithelialisation front arrival time"}),
                "open_wound": (("frame", "y", "x"), self.frames, {"units": "1", "long_name": "open wound mask"}),
                "per_wound_closure": (("wound",), self.per_wound_closure,
                                      {"units": "s", "long_name": "closure time of each connected wound"}),
            },
            coords={
                "time": ("time", self.time, {"units": "s", "long_name": "time after treatment"}),
                "frame_time": ("frame", self.frame_times, {"units": "s", "long_name": "time of the picture"}),
                "x": ("x", x, {"units": "m", "long_name": "x"}),
                "y": ("y", y, {"units": "m", "long_name": "y"}),
            },
            attrs={"title": "mtzsim healing", "regime": self.regime, "model": self.model},
        )
        return ds


# ---------------------------------------------------------------------------------------------
# Stage function
# ---------------------------------------------------------------------------------------------


def _regime(wm: WoundMap) -> str:
    if not wm.wound.any():
        return "superficial" if wm.superficial_map.any() else "none"
    if not wm.ablated.any():
        return "non_ablative"
    return "full_field" if wm.coverage > 0.95 else "fractional"  # islands under 5 % of the area: none to speak of


def lag_parameter(wm: WoundMap, events=()) -> str:
    """Name of the lag that applies: ``lag_activation`` under a necrotic (unablated) epidermis;
    with an ablated epidermis ``lag_occluded`` when a dressing is on from day 0, else ``lag_open``
    (Collawn)."""
    if not wm.ablated.any():
        return "lag_activation"
    return "lag_occluded" if ac.occluded_at_start(events) else "lag_open"


def wound_lag(wm: WoundMap, events=()) -> float:
    """Lag before migration [s] (see :func:`lag_parameter`)."""
    return hp.value(lag_parameter(wm, events))


def _sources(wm: WoundMap, site, seed):
    st = hp.sites()[site] if isinstance(site, str) else site
    density = st.follicle_density + st.eccrine_density
    src = re_.seed_adnexa(wm.wound.shape, wm.pixel_size, density, seed=seed)
    survive = wm.depth < hp.value("adnexa_depth")
    return src & wm.wound & survive


def social_downtime(closure, crusting, redness) -> tuple[float, str]:
    """Downtime [s] and the sign that sets it: the last of 95 % closure, crusts shed and visible redness.

    Ties are named in the order of :data:`DOWNTIME_SIGNS` (the wound before its crusts before redness);
    no visible sign at all is ``"none"``.
    """
    times = (float(closure), float(crusting), float(redness))
    k = max(range(len(times)), key=lambda i: (times[i], -i))
    return times[k], (DOWNTIME_SIGNS[k] if times[k] > 0 else "none")


def simulate_healing(wound_map, pixel_size=None, site="cheek", aftercare=(), *, model=None, days=28,
                     surrogate=False, seed=0, n_frames=6, n_draws=48, time_step=0.05 * DAY,
                     follow_up=None, basal_depth=None, surface_ablated=None) -> HealingResult:
    """Heal a treated field's wound map over ``days``.

    Parameters
    ----------
    wound_map : WoundMap, FieldResult or ndarray of bool
        Basal-layer wound (see :func:`wound_map_from_field`, :func:`synthetic_wound_map`); a field
        result is converted with :func:`wound_map_from_field` at ``basal_depth`` (default its first,
        epidermal, map depth); a bare boolean map is taken as ablative with a 600 µm deep wound (a
        labelled default).
    pixel_size : float, optional
        [m]; needed only for a bare boolean map.
    site : str or Site
        Anatomical site (adnexal densities, ``params/data/healing_sites.csv``).
    aftercare : sequence
        Product names or (name, start [s], end [s]) triples (:func:`aftercare.build_schedule`).
    model : dict, optional
        Overrides of the front model: ``front_speed`` [m/s], ``rate`` [1/s].
    days : float
        Simulated time [d].
    surrogate : bool
        Distance-transform closure instead of the reaction–diffusion solve.
    seed : int
        Seed of the adnexal reservoirs.
    n_draws : int
        Parameter draws for the downtime interval.
    basal_depth : float, optional
        Depth of the basal layer [m] at which a field result's wounds are read (the chain passes the
        tissue's dermo-epidermal junction, :attr:`mtzsim.physics.tissue.Tissue.dermis_top`).
    surface_ablated : bool, optional
        Whether the treatment ablates the skin surface, for a field result (:func:`wound_map_from_field`;
        the chain passes the MTZ's ``ablation_depth > 0``): the epidermis it kills above a living basal
        layer is then a superficial wound.

    Returns
    -------
    HealingResult
    """
    if isinstance(wound_map, WoundMap):
        wm = wound_map
    elif getattr(wound_map, "dataset", None) is not None and hasattr(wound_map, "depths"):
        wm = wound_map_from_field(wound_map, basal_depth=basal_depth, surface_ablated=surface_ablated)
    else:
        w = np.asarray(wound_map, bool)
        if pixel_size is None or not (pixel_size > 0):
            raise ValueError("a bare wound map needs a positive pixel_size [m]")
        wm = WoundMap(w, float(pixel_size), w.copy(), np.where(w, 600e-6, 0.0), float(w.mean() * 600e-6))
    if not (math.isfinite(days) and days > 0):
        raise ValueError(f"days must be positive, got {days!r}")
    if isinstance(site, str) and site not in hp.sites():
        raise ValueError(f"unknown site {site!r}; known: {', '.join(hp.sites())}")
    events = ac.build_schedule(aftercare, follow_up=follow_up)
    model = dict(model or {})
    c = float(model.get("front_speed", hp.value("front_speed")))
    r = float(model.get("rate", hp.value("proliferation_rate")))
    regime = _regime(wm)
    t_end = float(days) * DAY
    times = np.arange(0.0, t_end + 0.5 * time_step, time_step)
    lag = wound_lag(wm, events)
    breaks, factors = ac.speed_pieces(events)
    schedule = re_.SpeedSchedule(lag=lag, breaks=breaks, factors=factors)
    sources = _sources(wm, site, seed)
    frame_times = np.linspace(0.0, 1.0, n_frames)  # placeholder, set after a surrogate pass
    sur = re_.closure_surrogate(wm.wound, wm.pixel_size, sources, schedule, front_speed=c, rate=r) \
        if wm.wound.any() else None
    t100_guess = re_.closure_times(sur)[2] if sur is not None else 0.0
    # first picture at treatment, the others from the end of the lag to just after full closure
    t_last = min(max(t100_guess * 1.05, lag + 0.25 * DAY), t_end)
    frame_times = np.concatenate([[0.0], np.linspace(min(lag, t_last), t_last, max(n_frames - 1, 1))])[:n_frames]
    if sur is None:
        cm = re_.ClosureMap(np.zeros(wm.wound.shape), wm.wound, wm.pixel_size, frame_times,
                            np.zeros((n_frames,) + wm.wound.shape, np.uint8))
    elif surrogate:
        cm = re_.closure_surrogate(wm.wound, wm.pixel_size, sources, schedule, front_speed=c, rate=r,
                                   frame_times=frame_times)
    else:
        cm = re_.reepithelialize(wm.wound, wm.pixel_size, sources, schedule, front_speed=c, rate=r, t_end=t_end,
                                 frame_times=frame_times)
    t50, t95, t100 = re_.closure_times(cm)
    frac_w, frac_map = re_.open_fraction(cm, times)

    # debris: crusts on ablated wounds, MENDs everywhere; a superficial wound's crust separates once
    # the epidermis beneath it responds, after the wound's lag (no front has to arrive there)
    sup = wm.superficial_map
    crust_f = float(ac.factor_curve(events, "crust_factor", [0.0])[0]) if ac.occluded_at_start(events) else 1.0
    debris = mends.debris_fraction(times, np.where(sup, lag, cm.arrival), wm.wound | sup,
                                   factor=crust_f if regime != "non_ablative" else 1.0)
    mends_shed = mends.shed_day(times, debris, below=DEBRIS_SHED_BELOW)
    crusting = mends_shed if regime in ("fractional", "full_field", "superficial") else 0.0

    # barrier: a superficial wound's stratum corneum is gone from the treatment on
    tau_sc = hp.value("sc_maturation_time")
    imm = barrier.immature_area(times, np.where(sup, 0.0, cm.arrival), wm.wound | sup, tau_sc)
    fx = ac.factor_curve(events, "tewl_excess_factor", times)
    tewl = barrier.tewl_course(times, frac_map, imm, excess_factor=fx)
    hyd = barrier.hydration_course(times, frac_map, imm)
    tewl_rec = barrier.recovery_time(times, tewl, within=TEWL_RECOVERED_WITHIN)

    # inflammation
    fe = ac.factor_curve(events, "erythema_factor", times)
    fc = ac.factor_curve(events, "clearance_factor", times)
    E, O = inflammation.erythema_course(times, wm.damage_thickness, frac_map, drive_factor=fe, clearance_factor=fc)
    ery = _erythema_days(times, wm, frac_map, events, E)

    downtime, driver = social_downtime(t95, crusting, ery)
    interval = _downtime_interval(wm, events, times, cm, lag, t95, regime, n_draws, seed)
    flags = dict(ac.flags(events))
    # infection-risk modifiers of the open-wound window (qualitative, passed on to the outcome)
    flags["occluded_while_open"] = any(ev.start < t100 and ev.end > 0 for ev in events if ev.name == "occlusive")
    return HealingResult(
        reepithelialization_days_50=t50, reepithelialization_days_95=t95, reepithelialization_days_100=t100,
        downtime_days=downtime, downtime_interval=interval, downtime_driver=driver, erythema_days=ery,
        crusting_days=crusting,
        mends_shed_days=mends_shed, tewl_peak_ratio=float(tewl.max()), tewl_recovery_days=tewl_rec,
        infection_window_days=t100, wound_coverage=wm.coverage, lag_days=lag, regime=regime,
        model="surrogate" if surrogate else "reaction_diffusion", flags=flags, time=times,
        open_fraction=frac_w, debris_fraction=debris, tewl_ratio=tewl, hydration_ratio=hyd, erythema_index=E[0],
        edema=O[0], per_wound_closure=re_.per_wound_closure(cm), frame_times=cm.frame_times, frames=cm.frames,
        arrival=cm.arrival, pixel_size=wm.pixel_size,
    )


#: Longest erythema followed beyond the simulated days (the ODE is cheap) [s].
ERYTHEMA_HORIZON = 365 * DAY


def _extend(times, curve, step=0.25 * DAY):
    """A course continued at its last value up to the erythema horizon (open area after the end
    of the simulation stays as it was; a closed field stays closed)."""
    if times[-1] >= ERYTHEMA_HORIZON:
        return times, curve
    more = np.arange(times[-1] + step, ERYTHEMA_HORIZON + 0.5 * step, step)
    c = np.asarray(curve)
    tail = np.repeat(c[..., -1:], more.size, axis=-1)
    return np.concatenate([times, more]), np.concatenate([c, tail], axis=-1)


def _erythema_days(times, wm, frac_map, events, E):
    """Visible-redness duration [s]; followed past the simulated days when still visible at the end."""
    ery = float(inflammation.visible_duration(times, E)[0])
    if E[0, -1] < hp.value("erythema_threshold"):
        return ery
    t2, A2 = _extend(times, frac_map)
    E2, _ = inflammation.erythema_course(t2, wm.damage_thickness, A2,
                                         drive_factor=ac.factor_curve(events, "erythema_factor", t2),
                                         clearance_factor=ac.factor_curve(events, "clearance_factor", t2))
    return float(inflammation.visible_duration(t2, E2)[0])


def _draw(rng, name, n):
    p = hp.parameters()[name]
    lo, hi = (p.low, p.high) if math.isfinite(p.low) and math.isfinite(p.high) else (p.value, p.value)
    # triangular on the stated range with its mode at the table value
    mode = min(max(p.value, lo), hi)
    return rng.triangular(lo, mode, hi, n) if hi > lo else np.full(n, p.value)


def _draw_erythema_fit(rng, n):
    """Correlated draws of (gain, vmax): both data targets drawn on their ranges (triangular, mode
    at the centre) and the fits at the range corners interpolated bilinearly in log space."""
    fr, ff, g, V = hp.erythema_fit_corners()
    corner = {(a > fr.mean(), b > ff.mean()): (gi, vi) for a, b, gi, vi in zip(fr, ff, g, V)
              if a != np.median(fr) or b != np.median(ff)}
    u = rng.triangular(0, 0.5, 1, n)
    w = rng.triangular(0, 0.5, 1, n)

    def bil(k):
        c00, c01, c10, c11 = (np.log(corner[key][k]) for key in ((False, False), (False, True), (True, False),
                                                                  (True, True)))
        return np.exp((1 - u) * (1 - w) * c00 + (1 - u) * w * c01 + u * (1 - w) * c10 + u * w * c11)

    return bil(0), bil(1)


def _downtime_interval(wm, events, times, cm, lag, t95, regime, n, seed):
    """5th–95th percentile of downtime over draws of the lag, front speed, shed time and erythema
    parameters from their stated ranges (triangular, mode at the table value; closure times
    shift with the lag and rescale exactly with the front speed in the surrogate: t − lag ∝ 1/c).
    Time-varying aftercare speed factors are held at their table values in the draws."""
    sup = wm.superficial_map
    if not (wm.wound.any() or sup.any()):
        return (0.0, 0.0)
    rng = np.random.default_rng(seed + 1)
    c0 = hp.value("front_speed")
    c = _draw(rng, "front_speed", n)
    lag_name = lag_parameter(wm, events)
    lags = _draw(rng, lag_name, n) if hp.value(lag_name) == lag else np.full(n, lag)
    ts = _draw(rng, "shed_time", n)
    g, V = _draw_erythema_fit(rng, n)
    tau = _draw(rng, "erythema_tau", n)
    scale = c0 / c
    t95s = lags + (t95 - lag) * scale if wm.wound.any() else np.zeros(n)
    # open area of each draw: the closure map's curve shifted by its lag and stretched by its speed
    _, frac_map = re_.open_fraction(cm, times)
    open_draws = np.stack([np.interp(lag + (times - lg) / s, times, frac_map, left=frac_map[0])
                           for lg, s in zip(lags, scale)])
    t2, A2 = _extend(times, open_draws)
    E, _ = inflammation.erythema_course(t2, wm.damage_thickness, A2, gain=g, vmax=V, tau=tau)
    ery = inflammation.visible_duration(t2, E)
    # crusts shed t_s after the wound closes or, on a superficial wound that holds at least the shed
    # criterion's share of the debris area, after its lag
    sup_share = sup.sum() / max(int((wm.wound | sup).sum()), 1)
    start = np.maximum(t95s, lags if sup_share >= DEBRIS_SHED_BELOW else 0.0)
    crust = start + ts if regime != "non_ablative" else np.zeros(n)
    dt = np.maximum.reduce([t95s, crust, ery])
    return (float(np.percentile(dt, 5)), float(np.percentile(dt, 95)))
