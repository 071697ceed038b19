"""Figures of the healing stage: closure, debris, barrier and erythema curves, and the closing field."""

from __future__ import annotations

import numpy as np

from mtzsim.constants import DAY  # noqa: E402  [s]


def _fig(nrows, ncols, size):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt.subplots(nrows, ncols, figsize=size)


def plot_courses(result, axes=None):
    """Four panels over days: open wound and debris, TEWL and hydration, erythema index, edema."""
    if axes is None:
        fig, axes = _fig(2, 2, (9, 6.5))
        axes = axes.ravel()
    else:
        fig = axes[0].figure
    t = result.time / DAY
    a = axes[0]
    a.plot(t, 100 * result.open_fraction, label="open wound")
    a.plot(t, 100 * result.debris_fraction, "--", label="crust / MENDs")
    a.axvline(result.reepithelialization_days_95 / DAY, color="0.6", lw=0.8)
    a.set(xlabel="days", ylabel="% of initial wound", title="Re-epithelialisation and debris")
    a.legend(fontsize=8)
    a = axes[1]
    a.plot(t, result.tewl_ratio, label="TEWL")
    a.plot(t, result.hydration_ratio, label="hydration")
    a.axhline(1.0, color="0.6", lw=0.8)
    a.set(xlabel="days", ylabel="ratio to baseline", title="Barrier")
    a.legend(fontsize=8)
    a = axes[2]
    a.plot(t, result.erythema_index, color="#b03a2e")
    from mtzsim.biology import healing_parameters as hp

    a.axhline(hp.value("erythema_threshold"), color="0.5", ls=":", label="visible threshold")
    a.set(xlabel="days", ylabel="erythema index above baseline", title="Erythema")
    a.legend(fontsize=8)
    a = axes[3]
    a.plot(t, result.edema, color="#3a6ea5")
    a.set(xlabel="days", ylabel="relative to peak", title="Edema")
    lo, hi = result.downtime_interval
    fig.suptitle(f"{result.regime}: downtime {result.downtime_days / DAY:.1f} d, set by "
                 f"{result.downtime_driver} (interval {lo / DAY:.1f}-{hi / DAY:.1f} d)", fontsize=10)
    fig.tight_layout()
    return fig


def plot_closing_field(result, *, window=None):
    """The open wound (dark) at each stored time, side by side (x, y in mm)."""
    n = result.frames.shape[0]
    fig, axes = _fig(1, n, (2.2 * n, 2.5))
    axes = np.atleast_1d(axes)
    ny, nx = result.frames.shape[1:]
    if window is not None:
        k = int(min(window / result.pixel_size, ny, nx))
        sl = (slice((ny - k) // 2, (ny - k) // 2 + k), slice((nx - k) // 2, (nx - k) // 2 + k))
    else:
        sl = (slice(None), slice(None))
    for ax, f, t in zip(axes, result.frames, result.frame_times):
        img = f[sl]
        ext = [0, img.shape[1] * result.pixel_size * 1e3, 0, img.shape[0] * result.pixel_size * 1e3]
        ax.imshow(img, cmap="Reds", vmin=0, vmax=1.5, extent=ext, origin="lower", interpolation="nearest")
        ax.set_title(f"day {t / DAY:.1f}: {100 * img.mean():.1f} % open", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def save_healing_figures(result, folder):
    """Write healing_courses.png and healing_closing_field.png into ``folder``; returns the paths."""
    import pathlib

    import matplotlib.pyplot as plt

    folder = pathlib.Path(folder)
    out = []
    for name, fig in (("healing_courses.png", plot_courses(result)),
                      ("healing_closing_field.png", plot_closing_field(result, window=3e-3))):
        p = folder / name
        fig.savefig(p, dpi=110)
        plt.close(fig)
        out.append(p)
    return out


# ---- one axis each (the report's FigureSpec calls ``function(result, ax=ax)``) -------------------


def _ax(ax):
    if ax is None:
        _, ax = _fig(1, 1, (5.2, 3.8))
    return ax


def plot_closure(result, ax=None):
    """Open wound and crust/MENDs over days, with the 95 % closure marked."""
    ax = _ax(ax)
    t = result.time / DAY
    ax.plot(t, 100 * result.open_fraction, label="open wound")
    ax.plot(t, 100 * result.debris_fraction, "--", label="crust / MENDs")
    ax.axvline(result.reepithelialization_days_95 / DAY, color="0.6", lw=0.8, label="95 % closed")
    ax.set(xlabel="days after treatment", ylabel="% of initial wound",
           xlim=(0, max(3 * result.downtime_days / DAY, 5)))
    ax.legend(fontsize=8)
    return ax


def plot_barrier(result, ax=None):
    """TEWL and hydration relative to baseline over days."""
    ax = _ax(ax)
    t = result.time / DAY
    ax.plot(t, result.tewl_ratio, label="TEWL")
    ax.plot(t, result.hydration_ratio, label="hydration")
    ax.axhline(1.0, color="0.6", lw=0.8)
    ax.set(xlabel="days after treatment", ylabel="ratio to baseline")
    ax.legend(fontsize=8)
    return ax


def plot_erythema(result, ax=None):
    """Erythema index above baseline with the visible threshold, and edema (right axis)."""
    from mtzsim.biology import healing_parameters as hp

    ax = _ax(ax)
    t = result.time / DAY
    ax.plot(t, result.erythema_index, color="#b03a2e", label="erythema index")
    ax.axhline(hp.value("erythema_threshold"), color="0.5", ls=":", label="visible threshold")
    ax.set(xlabel="days after treatment", ylabel="erythema index above baseline")
    ax2 = ax.twinx()
    ax2.plot(t, result.edema, color="#3a6ea5", lw=0.9, label="edema")
    ax2.set_ylabel("edema (relative to peak)")
    ax.legend(fontsize=8, loc="upper right")
    return ax


def plot_closing_field_strip(result, ax=None, *, window=3e-3):
    """The closing field as one strip of pictures (open wound dark) in a single axis."""
    ax = _ax(ax)
    ny, nx = result.frames.shape[1:]
    k = int(min(window / result.pixel_size, ny, nx))
    y0, x0 = (ny - k) // 2, (nx - k) // 2
    gap = max(k // 20, 1)
    tiles = []
    for f in result.frames:
        tiles.append(f[y0:y0 + k, x0:x0 + k].astype(float))
        tiles.append(np.full((k, gap), np.nan))
    img = np.concatenate(tiles[:-1], axis=1) if tiles else np.zeros((1, 1))
    ax.imshow(img, cmap="Reds", vmin=0, vmax=1.5, origin="lower", interpolation="nearest")
    for i, t in enumerate(result.frame_times):
        ax.text(i * (k + gap) + k / 2, k * 1.04, f"day {t / DAY:.1f}", ha="center", va="bottom", fontsize=7)
    ax.set_axis_off()
    ax.set_title(f"{k * result.pixel_size * 1e3:.1f} mm squares", fontsize=8, pad=14)
    return ax
