"""Figure of `mtzsim validate`: every case's deviation from its measurement, in units of its tolerance.

Each case is one row: its deviation ``d`` (a dot: filled when it passes, open when it fails, coloured by
its role: fitted, leave-one-out or held out) over the band of deviations that pass (a grey bar). The
deviation is the case's own error over its own tolerance, so cases of every kind share one axis:

* two-sided: d = (predicted − measured) / (measured · tolerance), band [−1, 1];
* absolute: d = (predicted − measured) / tolerance (a difference that should vanish), band [−1, 1];
* factor: d = ln(predicted / measured) / ln(factor), band [−1, 1];
* greater (the measurement is a lower bound): d = (predicted / measured − 1) / s with s = max(tolerance, 0.2)
  (the ±20 % of the project's single stated values when the bound has no tolerance), band [−tolerance / s, ∞).

A case passes exactly when its dot lies on its band (:func:`deviation` follows
:func:`mtzsim.verify.validation.evaluate`; tests/test_validate_figure.py holds the two together).
"""

from __future__ import annotations

import math
from pathlib import Path

#: Colours of the roles (:func:`mtzsim.verify.validation.role`).
ROLE_COLOURS = {"fitted": "#2e86c1", "LOO": "#8e44ad", "held out": "#d35400"}
#: Deviations beyond this are drawn at the edge of the axis (with their value written beside them).
CLIP = 4.0
#: Scale of a lower-bound case's deviation when it states no tolerance (the ±20 % convention).
GREATER_SCALE = 0.2


def deviation(outcome) -> tuple[float, float, float]:
    """(d, lo, hi): a case's deviation and the band that passes, in units of its tolerance.

    Parameters
    ----------
    outcome : mtzsim.verify.validation.Outcome

    Returns
    -------
    tuple of float
        ``d`` (NaN for a prediction that is not a finite number) and the passing band [lo, hi]
        (hi may be ``inf``).
    """
    c, p = outcome.case, outcome.predicted
    if not math.isfinite(p):
        return float("nan"), -1.0, 1.0
    if c.kind == "absolute":
        return (p - c.measured) / c.tolerance, -1.0, 1.0
    if c.kind == "factor":
        return (math.log(p / c.measured) / math.log(c.tolerance) if p > 0 else -math.inf), -1.0, 1.0
    if c.kind == "greater":
        s = max(c.tolerance, GREATER_SCALE)
        return (p / c.measured - 1.0) / s, -c.tolerance / s, math.inf
    return (p - c.measured) / (c.measured * c.tolerance), -1.0, 1.0


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def validation_figure(outcomes):
    """One row per case, grouped by model (in the order the models first appear): the deviation over its passing
    band (:func:`deviation`)."""
    from mtzsim.verify.validation import role

    plt = _plt()
    order = list(dict.fromkeys(o.case.model for o in outcomes))
    rows = sorted(outcomes, key=lambda o: order.index(o.case.model))  # stable: each model's cases in their order
    n = len(rows)
    fig, ax = plt.subplots(figsize=(10.0, 1.2 + 0.24 * n), constrained_layout=True)
    model = None
    for i, o in enumerate(rows):
        y = n - 1 - i
        d, lo, hi = deviation(o)
        ax.plot([max(lo, -CLIP), min(hi, CLIP)], [y, y], color="#cccccc", lw=6, solid_capstyle="butt", zorder=1)
        colour = ROLE_COLOURS[role(o.case)]
        x = min(max(d, -CLIP), CLIP) if math.isfinite(d) else (-CLIP if d < 0 else CLIP)
        ax.plot([x], [y], "o", ms=6, color=colour, mfc=colour if o.passed else "white", mew=1.5, zorder=3)
        if not (-CLIP <= d <= CLIP):
            ax.annotate(f"{d:+.3g}", (x, y), xytext=(-4 if x > 0 else 4, 0), textcoords="offset points",
                        ha="right" if x > 0 else "left", va="center", fontsize=6)
        if o.case.model != model:
            model = o.case.model
            if i:
                ax.axhline(y + 0.5, color="#888888", lw=0.6)
            ax.text(CLIP * 1.02, y, model, fontsize=8, va="center", ha="left", weight="bold")
    ax.set_yticks(range(n))
    ax.set_yticklabels([o.case.name[:70] for o in reversed(rows)], fontsize=6)
    ax.set_xlim(-CLIP * 1.05, CLIP * 1.05)
    ax.set_ylim(-0.7, n - 0.3)
    ax.axvline(0.0, color="#444444", lw=0.8)
    ax.set_xlabel("deviation from the measurement, in units of the case's tolerance (grey: passes)")
    for name, colour in ROLE_COLOURS.items():
        ax.plot([], [], "o", color=colour, label=name)
    ax.plot([], [], "o", color="#555555", mfc="white", label="fails (open)")
    ax.legend(loc="lower left", fontsize=7, ncol=4, frameon=False, bbox_to_anchor=(0.0, 1.0))
    failed = sum(not o.passed for o in rows)
    ax.set_title(f"mtzsim validate: {n - failed} pass, {failed} fail", fontsize=10, loc="right")
    ax.grid(axis="x", alpha=0.3)
    return fig


def save_validation_figure(outcomes, path) -> Path:
    """Write :func:`validation_figure` to ``path`` (its suffix sets the format: png, pdf or svg)."""
    path = Path(path)
    fig = validation_figure(outcomes)
    fig.savefig(path, dpi=110)
    _plt().close(fig)
    return path
