"""Reports of runs: the self-contained HTML report, the figures it embeds and the zone palette.

:func:`write_report` / :func:`render_report` turn a :class:`mtzsim.pipeline.chain.ChainResult`
into one HTML file; figure functions live in ``figures_mtz`` (single MTZ) and
``figures_field`` (treatment field); their colours in ``palette``.
"""

__all__ = ["render_report", "write_report"]


def __getattr__(name):  # lazy: mtzsim.report.palette must not pull in the HTML writer
    if name in __all__:
        from mtzsim.report import html

        return getattr(html, name)
    raise AttributeError(name)
