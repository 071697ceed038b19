"""Reports of runs: the self-contained HTML report and the figures it embeds.

:func:`write_report` / :func:`render_report` turn a :class:`mtzsim.pipeline.chain.ChainResult`
into one HTML file; figure functions live in ``figures_mtz`` (single MTZ) and
``figures_field`` (treatment field).
"""

from mtzsim.report.html import render_report, write_report

__all__ = ["render_report", "write_report"]
