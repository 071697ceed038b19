"""The healing stage's descriptor for the treatment chain (what it reads, shows and writes)."""

from __future__ import annotations

from mtzsim.pipeline.chain import FigureSpec, Highlight, StageCall, StageSpec


def prepare_healing(scenario, results) -> StageCall:
    """``simulate_healing(field, site=patient.site, aftercare=..., basal_depth=tissue.dermis_top,
    surface_ablated=mtz.ablation_depth > 0)``.

    The aftercare is the scenario's timed ``[[aftercare.schedule]]`` (product, start, end) when
    given, else the ``regimen`` names with their default windows from ``params/data/aftercare.csv``;
    a start after ``course.follow_up`` is refused.
    """
    from mtzsim.biology.aftercare import build_schedule
    from mtzsim.errors import InputError

    schedule = scenario.aftercare.schedule
    items = [(i.product, i.start, i.end) for i in schedule] if schedule else list(scenario.aftercare.regimen)
    try:
        events = build_schedule(items, follow_up=scenario.course.follow_up)
    except ValueError as exc:
        raise InputError("aftercare.schedule" if schedule else "aftercare.regimen", str(exc)) from None
    # the wounds are read where the basal layer is: the tissue's dermo-epidermal junction, which the field
    # maps (Scenario.field_options); until 2026-12-01 the field's first map, 20 µm, stood in for it
    # an ablative laser removes the surface: the epidermis it kills above a living basal layer is a
    # superficial wound (a crust that peels), even where its crater is shallower than the field's first map
    mtz = results.get("mtz")
    return StageCall((results["field"],), {"site": scenario.patient.site, "aftercare": events,
                                           "basal_depth": scenario.tissue().dermis_top,
                                           "surface_ablated": None if mtz is None else bool(mtz.ablation_depth > 0)})


HEALING_STAGE = StageSpec(
    name="healing",
    title="Healing",
    function="mtzsim.biology.healing:simulate_healing",
    prepare=prepare_healing,
    inputs=("mtz", "field"),
    result_type="mtzsim.biology.healing:HealingResult",
    lead="Keratinocytes close the basal-layer wounds from the intact skin around every MTZ and from the "
    "follicles and sweat ducts inside them (a Fisher–KPP front); an epidermis killed above a living basal layer "
    "(a superficial wound) rebuilds in place under a crust; crusts and MENDs are shed, the barrier "
    "recovers as the stratum corneum matures and the erythema fades with a capacity-limited clearance.",
    figures=(
        FigureSpec("mtzsim.report.figures_healing", "plot_closure", "Re-epithelialisation",
                   "Open wound (fraction of the initial wound) and the area still under crust or MENDs.", (5.2, 3.8)),
        FigureSpec("mtzsim.report.figures_healing", "plot_closing_field_strip", "The field closing",
                   "The open wound (red) in the central 3 mm of the field at successive days.", (9.0, 2.6)),
        FigureSpec("mtzsim.report.figures_healing", "plot_barrier", "Barrier",
                   "Transepidermal water loss and stratum-corneum hydration relative to baseline.", (5.2, 3.8)),
        FigureSpec("mtzsim.report.figures_healing", "plot_erythema", "Erythema and edema",
                   "Erythema index above baseline (visible above the dotted threshold) and edema.", (5.2, 3.8)),
    ),
    highlights=(
        Highlight("reepithelialization_days_95", "Re-epithelialised (95 %)", "from islands and adnexa"),
        Highlight("downtime_days", "Downtime", "closed, crusts shed, redness below threshold"),
        Highlight("erythema_days", "Visible redness", "erythema index above threshold"),
        Highlight("tewl_peak_ratio", "Peak TEWL", "relative to baseline"),
    ),
    cacheable=False,
)
