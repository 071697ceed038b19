"""The web app factory: routes, error answers, the request-size limit, the job pool, the cache and the runs."""

from __future__ import annotations

import contextlib
from pathlib import Path

from fastapi import FastAPI

from mtzsim.interfaces.web import api, errors, page
from mtzsim.interfaces.web.jobs import JobPool, Memo
from mtzsim.interfaces.web.limits import DEFAULT_MAX_BODY, BodySizeLimit
from mtzsim.interfaces.web.runs import RunBook


def create_app(*, workers: int | None = None, queue: int | None = None, max_body: int = DEFAULT_MAX_BODY,
               runs_dir=None, db=None, cache=None, retry_after: int = 5) -> FastAPI:
    """The mtzsim web app (planner page and JSON API).

    Parameters
    ----------
    workers : int, optional
        Simulations at once (default: the machine's cores).
    queue : int, optional
        Jobs waiting for a worker before requests are refused with 429 (default ``2 * workers``).
    max_body : int
        Largest request body [bytes]; larger → 413.
    runs_dir, db : path, optional
        Server-side folder of web runs (default ``runs/web``) and the run registry (default the CLI's).
    cache : ResultCache, optional
        The result cache shared by every request (default the user's, ``$MTZSIM_CACHE_DIR``).
    """
    from mtzsim.io.store import DEFAULT_DB
    from mtzsim.pipeline.cache import default_cache

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        app.state.pool.shutdown()

    app = FastAPI(title="mtzsim", version="0.1.0", lifespan=lifespan,
                  description="Fractional CO2 laser treatment of atrophic acne scars, simulated end to end: the "
                              "planner and its simulations. Research and education tool, not medical advice.")
    app.state.pool = JobPool(workers, queue, retry_after=retry_after)
    app.state.memo = Memo()
    app.state.cache = default_cache() if cache is None else cache
    app.state.runs = RunBook(Path("runs/web") if runs_dir is None else runs_dir, DEFAULT_DB if db is None else db,
                             cache=app.state.cache)
    app.include_router(api.router)
    app.include_router(page.router)
    errors.install(app)
    app.add_middleware(BodySizeLimit, max_body=max_body)

    return app
