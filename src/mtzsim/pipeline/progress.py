"""Progress of long work: one callable protocol that every stage, the chain and the CLI's bar share.

A progress reporter is any callable ``progress(stage, fraction, detail="")``: ``stage`` is the
name of the stage at work (``"mtz"``, ``"field"``), ``fraction`` how much of *that stage* is done
(0 to 1) and ``detail`` a few words on the current step. The chain calls it with ``fraction=0``
when a stage starts and ``fraction=1`` when it ends; a stage function that reports its own
progress receives a :class:`StageProgress` bound to its name, ``progress(fraction, detail)``
(the signature :func:`mtzsim.physics.field.simulate_field` already takes).

Examples
--------
>>> seen = []
>>> report = lambda stage, fraction, detail="": seen.append((stage, fraction))
>>> bound = StageProgress(report, "field")
>>> bound(0.5, "damage")
>>> seen
[('field', 0.5)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@runtime_checkable
class Progress(Protocol):
    """``progress(stage, fraction, detail="")``; ``fraction`` in [0, 1] of that stage."""

    def __call__(self, stage: str, fraction: float, detail: str = "") -> None: ...


def silent(stage: str, fraction: float, detail: str = "") -> None:
    """A :class:`Progress` that shows nothing."""


@dataclass(frozen=True)
class StageProgress:
    """A :class:`Progress` bound to one stage: ``bound(fraction, detail="")``.

    Fractions are clipped to [0, 1]; a stage may call it as often as it likes.
    """

    report: Progress
    stage: str

    def __call__(self, fraction: float, detail: str = "") -> None:
        f = float(fraction)
        f = 0.0 if not f >= 0.0 else min(f, 1.0)  # NaN → 0
        self.report(self.stage, f, str(detail))


__all__ = ["Progress", "StageProgress", "silent"]
