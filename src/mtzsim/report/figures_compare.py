"""Side-by-side figure of the modality comparison: improvement, downtime and PIH per modality."""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: Short labels of the modalities for the axes.
LABELS = {"co2_fractional": "CO2\nfract.", "co2_full_field": "CO2\nfull field", "eryag_fractional": "Er:YAG\nfract.",
          "eryag_full_field": "Er:YAG\nfull field",
          "erglass_nonablative": "1.55 µm\nnon-abl.", "microneedling": "micro-\nneedling", "microneedle_rf": "MN\nRF"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def comparison_figure(res):
    """Three panels over the modalities: mean improvement (95 % CI), downtime per session, PIH (95 % CI)."""
    plt = _plt()
    d = res.to_dict()["modalities"]
    names = list(d)
    x = np.arange(len(names))
    fig, axes = plt.subplots(1, 3, figsize=(12.5, 4.0), constrained_layout=True)
    colors = ["#c0392b" if n.startswith("co2") else "#e67e22" if n.startswith("er") else "#2e86c1" for n in names]
    imp = np.array([d[n]["improvement_mean"] for n in names])
    ci = np.array([d[n]["improvement_ci"] for n in names])
    axes[0].bar(x, imp, color=colors, yerr=[imp - ci[:, 0], ci[:, 1] - imp], capsize=3)
    axes[0].set_ylabel("mean improvement [%]")
    axes[0].set_title("Scar volume reduction (95 % CI of the mean)", fontsize=10)
    down = np.array([d[n]["downtime_days"] for n in names])
    axes[1].bar(x, down, color=colors)
    axes[1].set_ylabel("downtime per session [d]")
    axes[1].set_title("Downtime (healing stage)", fontsize=10)
    pih = np.array([d[n]["pih_probability"] for n in names])
    pci = np.array([d[n]["pih_interval"] for n in names])
    axes[2].bar(x, pih, color=colors, yerr=[np.maximum(pih - pci[:, 0], 0), np.maximum(pci[:, 1] - pih, 0)], capsize=3)
    axes[2].set_ylabel("PIH over the course [%]")
    axes[2].set_title(f"PIH, Fitzpatrick {res.fitzpatrick} (95 % interval)", fontsize=10)
    for ax in axes:
        ax.set_xticks(x)
        ax.set_xticklabels([LABELS.get(n, n) for n in names], fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"Modalities at their preset settings, {res.sessions} sessions (full field: one); "
                 f"κ thermal {res.kappa.thermal:.3g}, mechanical {res.kappa.mechanical:.3g}", fontsize=10)
    return fig


def save_comparison_figure(res, path) -> Path:
    """Write :func:`comparison_figure` to ``path`` (PNG)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = comparison_figure(res)
    fig.savefig(path, dpi=110)
    _plt().close(fig)
    return path
