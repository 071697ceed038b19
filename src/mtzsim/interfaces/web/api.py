"""Routes of the JSON API: health, plan, plan details, compare, one MTZ, background runs."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from mtzsim.interfaces.web import planning
from mtzsim.interfaces.web.models import CompareRequest, DetailRequest, MtzRequest, PlanRequest, RunRequest

router = APIRouter()

_BUSY = {429: {"description": "all simulation slots and the wait queue are taken (Retry-After header)"},
         422: {"description": "invalid input; `detail` names the field"},
         413: {"description": "request body over the size limit"}}


def _key(kind: str, req) -> str:
    return kind + json.dumps(req.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def _encoded(fn, *args, **kwargs) -> bytes:
    """``fn``'s JSON answer, encoded once in the worker (a memo hit then costs no serialisation)."""
    return json.dumps(fn(*args, **kwargs)).encode()


async def _memo_json(request: Request, kind: str, req, fn, **kwargs) -> Response:
    s = request.app.state
    body = await s.memo.get_or_run(_key(kind, req), s.pool, _encoded, fn, req, **kwargs)
    return Response(content=body, media_type="application/json")


@router.get("/api/health")
async def health(request: Request) -> dict:
    """Liveness and load: version, simulation slots, jobs admitted now."""
    from mtzsim.pipeline.cache import model_version

    s = request.app.state
    return {"status": "ok", "model_version": model_version(), "workers": s.pool.workers, "queue": s.pool.queue,
            "admitted": s.pool.admitted}


@router.post("/api/plan", responses=_BUSY)
async def api_plan(req: PlanRequest, request: Request) -> Response:
    """Ranked plans, the Pareto front and why: the JSON of ``mtzsim plan --json`` (memoised per request)."""
    s = request.app.state
    planning.plan_inputs(req)  # refuse bad input with 422 before queueing
    return await _memo_json(request, "plan", req, planning.run_plan, cache=s.cache)


@router.post("/api/plan/detail", responses=_BUSY)
async def api_plan_detail(req: DetailRequest, request: Request) -> Response:
    """The chosen plan's wound cross-section, field spacing, healing against coverage and improvement course."""
    s = request.app.state
    planning.plan_inputs(req.plan)
    return await _memo_json(request, "detail", req, planning.run_detail, cache=s.cache)


@router.post("/api/plan/compare", responses=_BUSY)
async def api_patient_compare(req: PlanRequest, request: Request) -> Response:
    """The request's modalities (default all) at their preset settings for its patient (the page's comparison)."""
    s = request.app.state
    planning.plan_inputs(req)
    return await _memo_json(request, "pcompare", req, planning.run_patient_compare, cache=s.cache)


@router.post("/api/compare", responses=_BUSY)
async def api_compare(req: CompareRequest, request: Request) -> Response:
    """A scenario (TOML text) through every modality: the JSON of ``mtzsim compare --json``."""
    s = request.app.state
    planning.parse_scenario_text(req.scenario)
    return await _memo_json(request, "compare", req, planning.run_compare, cache=s.cache)


@router.post("/api/mtz", responses=_BUSY)
async def api_mtz(req: MtzRequest, request: Request) -> Response:
    """One microbeam in skin: the summary of ``mtzsim mtz --json``."""
    return await _memo_json(request, "mtz", req, planning.run_mtz)


@router.post("/api/run", status_code=202, responses=_BUSY)
async def api_run(req: RunRequest, request: Request) -> dict:
    """Run a scenario through the whole chain in the background; poll ``/api/runs/{id}``."""
    s = request.app.state
    scenario = planning.parse_scenario_text(req.scenario)
    rid = s.runs.new()
    try:
        s.pool.submit(s.runs.execute, rid, scenario)
    except BaseException:
        s.runs.drop(rid)
        raise
    return {"id": rid, "status": "queued", "status_url": f"/api/runs/{rid}", "report_url": f"/runs/{rid}/report"}


@router.get("/api/runs/{run_id}")
async def api_run_status(run_id: str, request: Request) -> dict:
    """Status of a web run (queued, running, done, failed), its summary and the report link."""
    r = request.app.state.runs.get(run_id)
    if r is None:
        raise HTTPException(404, f"run_id: no run {run_id!r} on this server")
    if r["status"] == "done":
        r["report_url"] = f"/runs/{run_id}/report"
    return r


@router.get("/runs/{run_id}/report", include_in_schema=False)
async def run_report(run_id: str, request: Request):
    path = request.app.state.runs.report_path(run_id)
    if path is None or not path.is_file():
        raise HTTPException(404, f"run_id: no finished run {run_id!r} on this server")
    return FileResponse(path, media_type="text/html")
