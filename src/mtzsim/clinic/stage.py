"""The outcome stage's descriptor for :class:`mtzsim.pipeline.chain.TreatmentChain`.

Add it to a run with ``TreatmentChain(scenario, stages=PHYSICS_STAGES + (OUTCOME_STAGE,))`` (it is also in the default list);
it reads the MTZ result (and the field and healing results when those stages ran before it).
"""

from __future__ import annotations

from mtzsim.pipeline.chain import FigureSpec, Highlight, StageCall, StageSpec

#: Virtual patients when the scenario's [cohort] keeps its default size of 1.
DEFAULT_COHORT = 2000


def prepare_outcome(scenario, results) -> StageCall:
    """``predict_outcome(stimulus, scars, healing, ...)`` from the scenario and earlier results."""
    from mtzsim.clinic.scenario import outcome_inputs

    inp = outcome_inputs(scenario, mtz=results["mtz"], field=results.get("field"))
    size = inp.cohort_size if inp.cohort_size > 1 else DEFAULT_COHORT
    return StageCall(
        (inp.stimulus, inp.scars, results.get("healing")),
        {"fitzpatrick": inp.fitzpatrick, "age": inp.age, "sessions": inp.sessions, "interval": inp.interval,
         "follow_up": inp.follow_up, "sun_protection": inp.sun_protection, "antiviral": inp.antiviral,
         "cohort_size": size, "seed": inp.seed},
    )


OUTCOME_STAGE = StageSpec(
    name="outcome",
    title="Remodeling and outcome",
    function="mtzsim.clinic.outcome:predict_outcome",
    prepare=prepare_outcome,
    inputs=("mtz",),
    result_type="mtzsim.clinic.outcome:OutcomeResult",
    lead="Heat-shock and wound signals recruit fibroblasts; new collagen fills each scar (as far as the MTZs "
    "reach its fibrotic base), tethers are cut and the tissue contracts; improvement, grades and risks over a "
    "virtual cohort with the calibrated posterior (emcee).",
    figures=(
        FigureSpec("mtzsim.report.figures_outcome", "plot_improvement_distribution", "Improvement",
                   "Each virtual patient's scar volume reduction at follow-up, with the quartile edges.", (5.2, 4.0)),
        FigureSpec("mtzsim.report.figures_outcome", "plot_per_scar_type", "Per scar type",
                   "Mean improvement per Jacob scar type (bars: 95 % of the patients).", (5.2, 4.0)),
        FigureSpec("mtzsim.report.figures_outcome", "plot_course", "Course over months",
                   "Mean improvement from the first session to the follow-up (new collagen at 3–6 months).", (5.2, 3.7)),
        FigureSpec("mtzsim.report.figures_outcome", "plot_risks", "Risks",
                   "PIH with its 95 % posterior interval, erythema beyond 8 weeks, HSV reactivation, fibrotic state.",
                   (5.2, 3.7)),
    ),
    highlights=(
        Highlight("improvement_mean", "Improvement", "mean scar volume reduction"),
        Highlight("gb_grade_change", "Goodman–Baron change", "grades down"),
        Highlight("pih_probability", "PIH risk", "over the course"),
        Highlight("scarring_probability", "Fibrotic state", "hypertrophic risk"),
    ),
    netcdf_group="",
    cacheable=False,
)
