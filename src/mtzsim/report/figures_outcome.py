"""Figures of the outcome stage: improvement distribution, scar types, course, risks, Sobol indices."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_improvement_distribution(res, ax=None):
    """Histogram of the patients' improvement with the quartile edges."""
    if ax is None:
        ax = _plt().subplots()[1]
    d = res.to_dict()
    ax.hist(100 * np.asarray(res.improvement_samples), bins=np.linspace(0, 100, 41), color="#4a7fb5", edgecolor="white")
    for e in (25, 50, 75):
        ax.axvline(e, color="0.4", lw=0.8, ls="--")
    q = d["quartile_shares"]
    ax.set_title(f"Improvement at follow-up (n = {res.cohort_size})\n"
                 f"quartiles {q[0]:.0f} / {q[1]:.0f} / {q[2]:.0f} / {q[3]:.0f} %", fontsize=10)
    ax.set_xlabel("scar volume reduction [%]")
    ax.set_ylabel("virtual patients")
    return ax


def plot_per_scar_type(res, ax=None):
    """Mean improvement per scar type with the 95 % range of the patients."""
    if ax is None:
        ax = _plt().subplots()[1]
    d = res.to_dict()["per_scar_type"]
    names = list(d)
    means = [d[k]["improvement_mean"] for k in names]
    lo = [m - d[k]["improvement_interval"][0] for k, m in zip(names, means)]
    hi = [d[k]["improvement_interval"][1] - m for k, m in zip(names, means)]
    ax.bar(names, means, yerr=[lo, hi], color="#7fb54a", capsize=4)
    ax.set_ylabel("improvement [%] (bars: 95 % of patients)")
    ax.set_title("Per scar type", fontsize=10)
    ax.set_ylim(0, 100)
    return ax


def plot_course(res, ax=None):
    """Mean improvement over the months of the course."""
    if ax is None:
        ax = _plt().subplots()[1]
    c = res.to_dict()["course"]
    ax.plot(c["month"], c["improvement_mean"], "o-", color="#b54a7f")
    ax.set_xlabel("months after the first session")
    ax.set_ylabel("mean improvement [%]")
    ax.set_title("Course", fontsize=10)
    ax.set_ylim(0, 100)
    return ax


def plot_risks(res, ax=None):
    """PIH (with its 95 % posterior interval), prolonged erythema, HSV and fibrotic-state risks."""
    if ax is None:
        ax = _plt().subplots()[1]
    d = res.to_dict()
    labels = ["PIH", "erythema > 8 wk", "HSV", "fibrotic state"]
    vals = [d["pih_probability"], d["prolonged_erythema_probability"], d["hsv_probability"], d["scarring_probability"]]
    err = [[vals[0] - d["pih_interval"][0], 0, 0, 0], [d["pih_interval"][1] - vals[0], 0, 0, 0]]
    ax.bar(labels, vals, yerr=err, color="#b5874a", capsize=4)
    ax.set_ylabel("probability over the course [%]")
    dt = "not computed (no healing stage)" if d["downtime_days"] is None else f"{d['downtime_days']:.1f} d"
    ax.set_title(f"Risks (PIH bar: 95 % posterior)\ndowntime: {dt}", fontsize=10)
    return ax


def outcome_figure(res):
    """Four panels: improvement histogram, per-scar-type bars, course over months, risks."""
    plt = _plt()
    fig, ax = plt.subplots(2, 2, figsize=(10, 7.5))
    plot_improvement_distribution(res, ax[0, 0])
    plot_per_scar_type(res, ax[0, 1])
    plot_course(res, ax[1, 0])
    plot_risks(res, ax[1, 1])
    fig.tight_layout()
    return fig


def sobol_figure(res):
    """First-order and total Sobol indices per output (bars with 95 % half-widths)."""
    plt = _plt()
    outs = list(res.indices)
    fig, ax = plt.subplots(len(outs), 1, figsize=(10, 3.2 * len(outs)), squeeze=False)
    x = np.arange(len(res.names))
    for a, out in zip(ax[:, 0], outs):
        d = res.indices[out]
        a.bar(x - 0.2, d["S1"], 0.4, yerr=d["S1_conf"], label="first order S1", color="#4a7fb5", capsize=2)
        a.bar(x + 0.2, d["ST"], 0.4, yerr=d["ST_conf"], label="total ST", color="#b5874a", capsize=2)
        a.set_xticks(x)
        a.set_xticklabels(res.names, rotation=60, ha="right", fontsize=8)
        a.set_title(f"Sobol indices of {out} ({res.n_runs} runs)", fontsize=10)
        a.set_ylim(-0.05, 1.05)
        a.legend(fontsize=8)
    fig.tight_layout()
    return fig


def save_outcome_figures(res, folder) -> list[Path]:
    """Write the outcome panels as ``outcome.png`` into ``folder``."""
    folder = Path(folder)
    path = folder / "outcome.png"
    fig = outcome_figure(res)
    fig.savefig(path, dpi=110)
    _plt().close(fig)
    return [path]
