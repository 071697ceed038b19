"""Treatment planner: device settings that meet a patient's limits, on a Pareto front of improvement, downtime and PIH.

Search method: an exhaustive search over a cached physics table (:mod:`mtzsim.clinic.physics_table`),
not pymoo. The decision space is a small product of device grids (energy, spot density, passes,
needle length, RF energy, sessions, interval) bounded by each preset's sourced range; every
candidate's outcome is cheap once the wound physics and healing are tabulated, because the
remodeling and risk models are vectorised over settings × virtual patients
(:func:`mtzsim.clinic.comparators.evaluate_batch`). Enumerating every candidate gives the exact
Pareto front of the grid and a reproducible "why" (which limit binds), which a stochastic
optimiser would not; the grid is the resolution a clinician can set on a device anyway.

Objectives: expected improvement for the patient's scar mix (maximise), downtime per session and
probability of PIH over the course (minimise). Hard constraints: maximum downtime, maximum PIH
probability, maximum sessions, and a safety limit on the hypertrophic scarring risk of one session
(:mod:`mtzsim.clinic.scarring`: the risk of a wound that stays open as long as the healing stage says,
from burn cohorts; default :data:`mtzsim.clinic.scarring.DEFAULT_MAX_SCARRING`), which keeps the
planner from merging stacked, multi-pass columns into one deep wound that heals for months.
Candidates are screened with a small virtual cohort and the shortlist is re-evaluated with a larger
one and a healing run at its own coverage (the table's downtime is interpolated between coverage
nodes; the plan reports the larger of the two, a conservative downtime); a plan is returned only if
these re-evaluated numbers meet every limit. The Pareto front and the nearest plans are
re-evaluated with the same larger cohort (their healing stays the table's), and a plan's "why"
quotes the most effective candidate with the same cohort, so every improvement in one answer comes
from the same virtual patients.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mtzsim.clinic import comparators as cmp
from mtzsim.clinic import physics_table as pt
from mtzsim.clinic import scarring
from mtzsim.pipeline.contract import quantity

from mtzsim.constants import DAY, ZERO_CELSIUS  # noqa: E402  [s], [K]
WEEK = 7 * DAY


@dataclass(frozen=True)
class Candidate:
    """One setting of one modality (SI)."""

    modality: str
    energy: float | None
    length: float | None
    density: float | None
    passes: int
    sessions: int
    interval: float
    stack: int = 1  # pulses stacked on one microbeam spot (fractional lasers, physics_table.STACKABLE)
    spot: float | None = None  # a laser's tip [m] (None: the grid's first)

    def settings(self, spot=None) -> dict:
        p = {"energy": self.energy, "length": self.length, "density": self.density, "passes": self.passes,
             "sessions": self.sessions, "interval": self.interval}
        if self.modality in pt.STACKABLE:
            p["stack"] = self.stack
        return cmp.settings_display(self.modality, p, spot)


@dataclass(frozen=True)
class Plan:
    """A planned course and its predicted outcome (SI; fractions in [0, 1])."""

    modality: str = quantity("", "modality", kind="category")
    settings: dict = quantity("", "device settings in display units", kind="table")
    improvement_mean: float = quantity("1", "mean improvement (scar volume reduction)", display="%")
    improvement_ci: tuple = quantity("1", "95 % posterior interval of the mean improvement", display="%", kind="array")
    downtime: float = quantity("s", "downtime per session (healing stage)", display="d")
    pih_probability: float = quantity("1", "probability of PIH over the course", display="%")
    pih_interval: tuple = quantity("1", "95 % posterior interval of the PIH probability", display="%", kind="array")
    closure: float = quantity("s", "95 % re-epithelialisation of one session's wound (healing stage)", display="d")
    closure_scarring_risk: float = quantity("1", "hypertrophic scarring risk of one session's wound from its "
                                            "closure time (clinic/scarring.py; burn cohorts)", display="%")
    density: float = quantity("1/m^2", "wounds per skin area per session (all passes)", display="/cm2")
    coverage: float = quantity("1", "open basal layer per session: the columns' wounds and the islands the scan's "
                               "heat kills (physics_table.PhysicsNode.open_basal)", display="%")
    wound_depth: float = quantity("m", "deepest wound", display="um")
    violation: float = quantity("1", "summed relative excess over the limits (0 for a feasible plan)")
    why: str = quantity("", "why this plan: which limit binds, which physics drives the gain", kind="category")
    field: object = quantity("", "the field engine's check of one tile at these settings (FieldCheck), or None "
                             "(not asked for, or not a fractional laser)", kind="result", default=None)
    coverage_columns: float = quantity("1", "open basal layer of the wounds alone, without the scan's heat",
                                       display="%", default=float("nan"))

    def to_dict(self) -> dict:
        """JSON summary in display units (null intervals: a plan evaluated on the screening cohort only)."""

        def pct(v):
            return None if not math.isfinite(v) else 100 * v

        return {"modality": self.modality, "settings": self.settings,
                "improvement_mean": 100 * self.improvement_mean,
                "improvement_ci": [pct(v) for v in self.improvement_ci], "downtime_days": self.downtime / DAY,
                "pih_probability": 100 * self.pih_probability, "pih_interval": [pct(v) for v in self.pih_interval],
                "closure_days": self.closure / DAY, "closure_scarring_risk": 100 * self.closure_scarring_risk,
                "wounds_per_cm2": self.density * 1e-4, "coverage_pct": 100 * self.coverage,
                "coverage_columns_pct": pct(self.coverage_columns),
                "wound_depth_um": self.wound_depth * 1e6, "violation": self.violation, "why": self.why,
                "field_check": None if self.field is None else self.field.to_dict()}


@dataclass(frozen=True)
class PlanResult:
    """Ranked feasible plans, the Pareto front, and why nothing is feasible when that happens."""

    plans: tuple = quantity("", "ranked feasible plans (best improvement first)", kind="table")
    pareto: tuple = quantity("", "feasible Pareto-optimal plans (improvement ↑, downtime ↓, PIH ↓)", kind="table")
    reason: str | None = quantity("", "why no plan is feasible (names the binding limit), else None",
                                  kind="category")
    nearest: tuple = quantity("", "when infeasible: the plans that break the limits least", kind="table")
    candidates: int = quantity("1", "candidate settings evaluated", kind="count")
    feasible: int = quantity("1", "candidates meeting every limit (screening cohort)", kind="count")
    limits: dict = quantity("", "the patient's limits in display units", kind="table")
    table: str = quantity("", "physics table size and model version", kind="category")

    def to_dict(self) -> dict:
        return {"plans": [p.to_dict() for p in self.plans], "pareto": [p.to_dict() for p in self.pareto],
                "reason": self.reason, "nearest": [p.to_dict() for p in self.nearest],
                "candidates": self.candidates, "feasible": self.feasible, "limits": self.limits, "table": self.table,
                "units": "percent for improvement, probabilities and the scarring risk, days for downtime and "
                         "closure"}


def candidates_for(table: pt.PhysicsTable, modalities, max_sessions: int) -> list[Candidate]:
    """Every candidate setting of the modalities within the session limit."""
    out = []
    for m in modalities:
        g = table.grids[m]
        for (e, l, sp) in g.settings_nodes():
            for st in g.stacks:
                for dens, p in g.session_combos():
                    for s in range(1, min(max_sessions, g.max_sessions) + 1):
                        for iv in g.intervals:
                            if s == 1 and iv != g.intervals[0]:
                                continue  # the interval does not matter for one session
                            out.append(Candidate(m, e, l, dens, p, s, iv, st, sp))
    return out


def _check(scars, fitzpatrick, max_downtime, max_pih, max_sessions, modalities, max_scarring=None):
    if not scars:
        raise ValueError("scars: at least one scar is needed")
    if not (isinstance(fitzpatrick, (int, np.integer)) and 1 <= fitzpatrick <= 6):
        raise ValueError(f"fitzpatrick: must be a whole number from 1 to 6, got {fitzpatrick!r}")
    if max_downtime is not None and not (math.isfinite(max_downtime) and max_downtime >= 0):
        raise ValueError(f"max_downtime: must be a non-negative time, got {max_downtime!r}")
    if max_pih is not None and not (0 <= max_pih <= 1):
        raise ValueError(f"max_pih: must be a probability from 0 to 1, got {max_pih!r}")
    if max_scarring is not None and not (0 <= max_scarring <= 1):
        raise ValueError(f"max_scarring: must be a probability from 0 to 1, got {max_scarring!r}")
    if not (isinstance(max_sessions, (int, np.integer)) and max_sessions >= 1):
        raise ValueError(f"max_sessions: must be a whole number ≥ 1, got {max_sessions!r}")
    bad = [m for m in modalities if m not in pt.MODALITIES]
    if bad or not modalities:
        raise ValueError(f"modality: unknown {bad[0] if bad else 'none given'!r}; expected one of "
                         f"{', '.join(pt.MODALITIES)} or all")


def _excess(downtime, pih, scar, max_downtime, max_pih, max_scarring):
    """Relative excess over each limit (0 where met), arrays: downtime, PIH, scarring risk."""

    def over(value, limit, floor):  # a zero limit is scaled by ``floor`` (one day, one point)
        return np.zeros_like(value) if limit is None else np.maximum(0.0, value - limit) / max(limit, floor)

    return over(downtime, max_downtime, DAY), over(pih, max_pih, 0.01), over(scar, max_scarring, 0.01)


def pareto_mask(improvement, downtime, pih) -> np.ndarray:
    """True where no other point is at least as good in all three objectives and better in one."""
    y = np.asarray(improvement)
    d = np.asarray(downtime)
    p = np.asarray(pih)
    n = y.size
    keep = np.ones(n, bool)
    for i in range(n):
        dom = (y >= y[i]) & (d <= d[i]) & (p <= p[i]) & ((y > y[i]) | (d < d[i]) | (p < p[i]))
        keep[i] = not dom.any()
    return keep


def plan(scars, *, fitzpatrick: int, max_downtime: float | None = None, max_pih: float | None = None,
         max_sessions: int = 3, max_scarring: float | None = scarring.DEFAULT_MAX_SCARRING, site: str = "cheek",
         age: float = 30.0, modalities=pt.MODALITIES,
         table: pt.PhysicsTable | None = None, size: str = "full", top: int = 5, cohort_size: int = 64,
         refine_cohort: int = 600, seed: int = 1, cache=None, progress=None, field_check: bool = False,
         field_tile: float | None = None, workers: int | None = 1) -> PlanResult:
    """Plan a course for one patient: feasible settings ranked by expected improvement.

    Parameters
    ----------
    scars : sequence of Scar
        The patient's scars (:class:`mtzsim.clinic.scars.Scar`).
    fitzpatrick : int
        Skin type 1–6 (PIH risk).
    max_downtime : float, optional
        Longest acceptable downtime per session [s].
    max_pih : float, optional
        Highest acceptable probability of PIH over the course [-].
    max_sessions : int
        Most sessions the patient accepts.
    max_scarring : float or None
        Highest acceptable hypertrophic scarring risk of one session's wound [-] (from its closure time,
        :mod:`mtzsim.clinic.scarring`); default :data:`~mtzsim.clinic.scarring.DEFAULT_MAX_SCARRING`,
        None for no limit.
    site : str
        Treated facial site (:func:`mtzsim.clinic.physics_table.planner_sites`): the wound physics is the
        same on every facial site (one "face" tissue), the healing nodes are the site's.
    modalities : sequence of str
        Modalities to consider (default all).
    table : PhysicsTable, optional
        A prebuilt table (default: :func:`mtzsim.clinic.physics_table.build_physics_table` of ``size``).
    cohort_size, refine_cohort : int
        Virtual patients for screening every candidate and for re-evaluating the shortlist.
    field_check : bool
        Run the field engine on one tile of each returned fractional-laser plan (:mod:`mtzsim.clinic.field_check`:
        seconds to half a minute per plan) and say in its "why" when no living basal layer is left between the
        columns. The ranking does not use it.
    field_tile : float, optional
        Side of the checked tile [m] (default the field engine's 1 cm).
    workers : int or None
        Processes that build the physics table's scan heat when it is not cached (1 here; None one per core,
        spawned: a calling script needs a main guard; :func:`mtzsim.clinic.physics_table.build_physics_table`).

    Returns
    -------
    PlanResult
    """
    modalities = tuple(modalities)
    _check(scars, fitzpatrick, max_downtime, max_pih, max_sessions, modalities, max_scarring)
    pt.check_site(site)
    if table is None:
        table = pt.build_physics_table(modalities, size=size, site=site, cache=cache, progress=progress,
                                       workers=workers)
    if table.site != site:
        raise ValueError(f"site: the physics table was built for the {table.site}, the plan asks for the {site}")
    missing = [m for m in modalities if m not in table.grids]
    if missing:
        raise ValueError(f"modality: {missing[0]!r} is not in the physics table")
    k = cmp.kappa()
    cands = candidates_for(table, modalities, max_sessions)
    n = len(cands)
    stim, cov, down, ery, closure = [], np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    isolated = np.zeros(n)
    for i, c in enumerate(cands):
        node = table.node(c.modality, c.energy, c.length, c.passes, c.stack, c.spot)
        s, cv, isolated[i] = cmp.session_dose(c.modality, node, density=c.density, passes=c.passes, kappa=k,
                                              cache=cache)  # with the islands the scan's heat kills
        stim.append(s)
        cov[i] = cv
        down[i], ery[i] = node.healing_at(cv)
        closure[i] = node.closure_at(cv)
    scar = scarring.hypertrophic_risk(closure)
    y, pih = np.zeros(n), np.zeros(n)
    groups = {}
    for i, c in enumerate(cands):
        groups.setdefault((c.sessions, c.interval), []).append(i)
    for j, ((s, iv), idx) in enumerate(sorted(groups.items())):
        if progress is not None:
            progress("plan", j / len(groups), f"{s} sessions every {iv / WEEK:g} weeks")
        b = cmp.evaluate_batch([stim[i] for i in idx], ery[idx], scars, fitzpatrick=int(fitzpatrick),
                               sessions=s, interval=iv, age=age, cohort_size=cohort_size, seed=seed)
        y[idx] = b.improvement_mean
        pih[idx] = b.pih_probability
    if progress is not None:
        progress("plan", 1.0, "ranked")
    e_d, e_p, e_s = _excess(down, pih, scar, max_downtime, max_pih, max_scarring)
    feasible = (e_d == 0) & (e_p == 0) & (e_s == 0)
    limits = {"fitzpatrick": int(fitzpatrick), "max_downtime_days": None if max_downtime is None else max_downtime / DAY,
              "max_pih_pct": None if max_pih is None else 100 * max_pih, "max_sessions": int(max_sessions),
              "max_scarring_pct": None if max_scarring is None else 100 * max_scarring, "site": site}
    tinfo = f"{table.size} table, model {table.model_version}, {len(table.nodes)} physics nodes"
    ctx = dict(cands=cands, stim=stim, cov=cov, isolated=isolated, down=down, ery=ery, closure=closure, y=y, pih=pih, scars=scars,
               fitzpatrick=int(fitzpatrick), age=age, seed=seed, refine=refine_cohort, table=table,
               max_downtime=max_downtime, max_pih=max_pih, max_scarring=max_scarring, max_sessions=max_sessions,
               site=site)
    if not feasible.any():
        viol = e_d + e_p + e_s
        order = np.argsort(viol, kind="stable")[:3]
        broken = {"downtime": e_d > 0, "PIH": e_p > 0, "scarring": e_s > 0}
        only = {k: int((b & ~np.any([v for j, v in broken.items() if j != k], axis=0)).sum())
                for k, b in broken.items()}
        set_limits = [k for k, lim in (("downtime", max_downtime), ("PIH", max_pih), ("scarring", max_scarring))
                      if lim is not None]
        key = max(set_limits, key=lambda k: int(broken[k].sum()))  # the limit most candidates break
        if key == "downtime":
            binding = (f"max downtime {max_downtime / DAY:g} d: the shortest downtime of any candidate is "
                       f"{down.min() / DAY:.1f} d ({only[key]} candidates break only this limit)")
        elif key == "PIH":
            binding = (f"max PIH {100 * max_pih:g} %: the lowest PIH probability of any candidate is "
                       f"{100 * pih.min():.1f} % for Fitzpatrick {fitzpatrick} ({only[key]} candidates break only this "
                       "limit)")
        else:
            binding = (f"max scarring risk {100 * max_scarring:g} %: the lowest hypertrophic scarring risk of any "
                       f"candidate is {100 * scar.min():.1f} % (its wound closes in {closure.min() / DAY:.1f} d; "
                       f"{only[key]} candidates break only this limit)")
        nearest = _refined(ctx, [int(i) for i in order])
        return PlanResult(plans=(), pareto=(), reason=f"no candidate meets the limits; binding limit: {binding}",
                          nearest=nearest, candidates=n, feasible=0, limits=limits, table=tinfo)
    fidx = np.flatnonzero(feasible)
    front = fidx[pareto_mask(y[fidx], down[fidx], pih[fidx])]
    ranked = fidx[np.lexsort((pih[fidx], down[fidx], -y[fidx]))]
    best_any = int(np.argmax(y))
    ctx["best"] = _plan(ctx, best_any, why=None, refine=True)  # quoted in the "why" with the plans' own cohort
    chosen = []
    for i in ranked[: 3 * top]:
        p = _plan(ctx, int(i), why=best_any, refine=True)
        if p.violation == 0.0:
            chosen.append((int(i), p))
        if len(chosen) == top:
            break
    # the ranking stays the screening one (same virtual patients for every candidate), so a tighter
    # limit can only remove plans ahead of the chosen one, never reorder them
    # the front re-evaluated with the larger cohort: a member that now breaks a limit or is dominated leaves it
    pareto = [q for q in _refined(ctx, [int(i) for i in front[np.argsort(-y[front])]]) if q.violation == 0.0]
    keep = pareto_mask([q.improvement_mean for q in pareto], [q.downtime for q in pareto],
                       [q.pih_probability for q in pareto]) if pareto else []
    pareto = tuple(sorted((q for q, k in zip(pareto, keep) if k), key=lambda q: -q.improvement_mean))
    plans = [_with_field_check(ctx, i, q, field_tile) if field_check else q for i, q in chosen]
    reason = None if plans else "the shortlisted plans broke a limit when re-evaluated with the larger cohort"
    return PlanResult(plans=tuple(plans), pareto=pareto, reason=reason, nearest=(), candidates=n,
                      feasible=int(feasible.sum()), limits=limits, table=tinfo)


def _plan(ctx, i: int, *, why, refine: bool, batch=None) -> Plan:
    """Candidate ``i`` as a plan: with ``refine`` a direct healing run and the larger cohort; ``batch`` is
    ``(y, ci, p, pci)`` of the larger cohort computed with other candidates (:func:`_refined`)."""
    c = ctx["cands"][i]
    s = ctx["stim"][i]
    y, ci = float(ctx["y"][i]), (float("nan"), float("nan"))
    p, pci = float(ctx["pih"][i]), (float("nan"), float("nan"))
    down, ery, closure = float(ctx["down"][i]), float(ctx["ery"][i]), float(ctx["closure"][i])
    node = ctx["table"].node(c.modality, c.energy, c.length, c.passes, c.stack, c.spot)
    if refine:
        d_dir, e_dir, t_dir = _direct_healing(c.modality, node, float(ctx["cov"][i]), ctx["site"])
        # conservative: the larger of table and direct run
        down, ery, closure = max(down, d_dir), max(ery, e_dir), max(closure, t_dir)
        b = cmp.evaluate_batch([s], [ery], ctx["scars"], fitzpatrick=ctx["fitzpatrick"],
                               sessions=c.sessions, interval=c.interval, age=ctx["age"], cohort_size=ctx["refine"],
                               seed=ctx["seed"])
        batch = (float(b.improvement_mean[0]), tuple(float(v) for v in b.improvement_ci[0]),
                 float(b.pih_probability[0]), tuple(float(v) for v in b.pih_interval[0]))
    if batch is not None:
        y, ci, p, pci = batch
    scar = float(scarring.hypertrophic_risk(closure))
    e_d, e_p, e_s = _excess(np.array([down]), np.array([p]), np.array([scar]), ctx["max_downtime"], ctx["max_pih"],
                            ctx["max_scarring"])
    text = "" if why is None else _why(ctx, i, y, p, down, scar, why)
    out = Plan(modality=c.modality, settings=c.settings(node.wound.get("spot")), improvement_mean=y,
               improvement_ci=ci, downtime=down, pih_probability=p, pih_interval=pci, closure=closure,
               closure_scarring_risk=scar, density=float(s.mtzs_per_area), coverage=float(ctx["cov"][i]),
               coverage_columns=float(ctx["isolated"][i]),
               wound_depth=float(s.wound_depth), violation=float(e_d[0] + e_p[0] + e_s[0]), why=text)
    if refine:
        ctx.setdefault("refined", {})[i] = out
    return out


def _refined(ctx, idx) -> tuple:
    """Candidates ``idx`` as plans re-evaluated with the larger cohort (one batch per course), healing from the table;
    a candidate already refined as a plan (direct healing run) is that plan, so one answer never shows two numbers."""
    import dataclasses

    done = ctx.get("refined", {})
    groups = {}
    for i in idx:
        if i in done:
            continue
        c = ctx["cands"][i]
        groups.setdefault((c.sessions, c.interval), []).append(i)
    res = {}
    for (s, iv), g in groups.items():
        b = cmp.evaluate_batch([ctx["stim"][i] for i in g], ctx["ery"][g], ctx["scars"], fitzpatrick=ctx["fitzpatrick"],
                               sessions=s, interval=iv, age=ctx["age"], cohort_size=ctx["refine"], seed=ctx["seed"])
        for k, i in enumerate(g):
            res[i] = (float(b.improvement_mean[k]), tuple(float(v) for v in b.improvement_ci[k]),
                      float(b.pih_probability[k]), tuple(float(v) for v in b.pih_interval[k]))
    return tuple(dataclasses.replace(done[i], why="") if i in done else _plan(ctx, i, why=None, refine=False,
                                                                            batch=res[i]) for i in idx)


_DIRECT: dict = {}


def _with_field_check(ctx, i: int, p: Plan, tile) -> Plan:
    """Plan ``p`` of candidate ``i`` with the field engine's check of one tile at its settings (fractional lasers),
    and a sentence in its "why" when the check finds no living basal layer between the columns."""
    import dataclasses

    from mtzsim.clinic.field_check import FRACTIONAL_LASERS, field_check

    if p.modality not in FRACTIONAL_LASERS:
        return p
    c = ctx["cands"][i]
    node = ctx["table"].node(c.modality, c.energy, c.length, c.passes, c.stack, c.spot)
    f = field_check(node.wound, c.density, c.passes, tile=tile)
    why = p.why
    if not f.islands_left:
        why += (f" The field engine leaves no living basal layer between the columns on a {f.tile * 1e3:g} mm tile fired "
                f"at {f.rep_rate:g} Hz with the passes back to back (bulk {f.max_bulk_temperature - ZERO_CELSIUS:.0f} °C): "
                "the session is one confluent wound there, and its healing and scarring risk are not the table's, "
                "which assume the islands survive.")
    return dataclasses.replace(p, field=f, why=why)


def _direct_healing(modality: str, node, coverage: float, site: str = "cheek") -> tuple[float, float, float]:
    """Downtime, erythema and 95 % closure [s] from a healing run at the plan's own coverage (no interpolation).

    The table interpolates linearly between coverage nodes (median error 0.18 d, at most 1.7 d where the
    erythema crosses its threshold: benchmarks/README.md, run 9); a returned plan is checked directly.
    """
    if modality in pt.FULL_FIELD:
        return node.downtime[0], node.erythema[0], node.reepithelialization[0]
    # the node's whole identity: a stack or another tip at the same energy is another wound
    key = (modality, node.energy, node.length, node.stack, node.wound.get("spot"), round(coverage, 6), site)
    if key not in _DIRECT:
        _DIRECT[key] = pt.heal_node(modality, node.wound, coverage, site=site)
    return _DIRECT[key]


def _why(ctx, i, y, p, down, scar, best_any) -> str:
    """One paragraph: the limit that binds and the physics behind the gain."""
    c = ctx["cands"][i]
    s = ctx["stim"][i]
    parts = []
    md, mp, ms = ctx["max_downtime"], ctx["max_pih"], ctx["max_scarring"]
    ratios = {}
    if md is not None and md > 0:
        ratios["downtime"] = down / md
    if mp is not None and mp > 0:
        ratios["PIH"] = p / mp
    if ms is not None and ms > 0:
        ratios["scarring risk"] = scar / ms
    if c.sessions == ctx["max_sessions"]:
        ratios["sessions"] = 1.0
    best = ctx.get("best")
    if best_any != i and best is not None and best.improvement_mean > y:
        broken = [n for n, lim, v in (("downtime", md, best.downtime), ("PIH", mp, best.pih_probability),
                                      ("scarring risk", ms, best.closure_scarring_risk)) if lim is not None and v > lim]
        desc = (f"({best.modality}, {100 * best.improvement_mean:.0f} % improvement, {best.downtime / DAY:.1f} d "
                f"downtime, {100 * best.pih_probability:.0f} % PIH, {100 * best.closure_scarring_risk:.1f} % scarring risk)")
        if broken:
            parts.append(f"The binding limit is {' and '.join(broken)}: the most effective candidate overall {desc} "
                         "breaks it.")
        else:
            parts.append(f"The most effective candidate overall {desc} meets every limit and ranks above this plan.")
    elif ratios:
        k = max(ratios, key=ratios.get)
        parts.append(f"No limit excludes a better candidate; the closest to binding is {k} "
                     f"({100 * ratios[k]:.0f} % of the limit).")
    else:
        parts.append("No limit binds: this is the most effective candidate of the grid.")
    reach = [min(1.0, s.wound_depth / (2.0 * sc.depth)) for sc in ctx["scars"]]
    lo, hi = f"{100 * min(reach):.0f}", f"{100 * max(reach):.0f}"
    parts.append(f"The gain comes from {'ablated and coagulated' if s.ablative else 'dermal (intact-epidermis)'} "
                 f"wounds {s.wound_depth * 1e6:.0f} µm deep reaching {lo if lo == hi else f'{lo}–{hi}'} % "
                 f"of the scars' fibrotic floors, an effective wound dose of {s.wound_volume_fraction:.2f} (wounded volume "
                 f"per upper-dermis volume{', × κ_thermal or κ_mechanical for a wound under an intact epidermis' if not s.ablative else ''}) "
                 f"per session"
                 + (f" plus {s.heat_shock_volume_fraction:.2f} heat-shocked" if s.heat_shock_volume_fraction > 0
                    else "")
                 + f", repeated over {c.sessions} session{'s' if c.sessions > 1 else ''}"
                 + ("; tethers of rolling scars are cut where wounds reach the fibrous bands"
                    if any(sc.kind == "rolling" for sc in ctx["scars"]) else "") + ".")
    cov, alone = float(ctx["cov"][i]), float(ctx["isolated"][i])
    heat = ""
    if cov >= 0.995 or cov - alone >= 0.005:
        spec = pt.scan_of(ctx["table"].node(c.modality, c.energy, c.length, c.passes, c.stack, c.spot).wound,
                          c.density, c.passes)
        scan = (f"{spec.width * 1e2:g} cm tiles at {spec.rep_rate:g} Hz, passes {spec.pass_delay:g} s apart, "
                "assumptions")
        heat = (f" (one confluent wound: the heat the scan adds up kills the islands between the columns; {scan})"
                if cov >= 0.995 else
                f" ({100 * alone:.0f} % from the columns alone, the rest islands the heat the scan adds up kills; "
                f"{scan})")
    parts.append(f"Downtime {down / DAY:.1f} d follows the healing of {100 * cov:.0f} % basal-layer "
                 f"coverage{heat}; PIH {100 * p:.0f} % over the course; scarring risk {100 * scar:.1f} % per session "
                 "(the wound's closure time against burn cohorts).")
    cap = ctx["table"].grids[c.modality].max_session_density
    if cap is not None and c.density is not None and c.density * c.passes >= SESSION_CAP_NOTE * cap:
        parts.append(f"The session holds {s.mtzs_per_area * 1e-4:,.0f} MTZ/cm² "
                     f"({100 * c.density * c.passes:.0f} % of the skin in spots), at the top of what the device's "
                     "sources used in one session: the grid offers no denser session.")
    return " ".join(parts)


#: Share of a grid's session cap (:attr:`mtzsim.clinic.physics_table.ModalityGrid.max_session_density`) from which a
#: plan's "why" says that its session sits at the top of the sourced range [-].
SESSION_CAP_NOTE = 0.95


__all__ = ["Candidate", "Plan", "PlanResult", "candidates_for", "pareto_mask", "plan"]
