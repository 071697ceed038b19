"""Error answers of the web API: 422 naming the field, 429 with Retry-After; never a traceback to the client."""

from __future__ import annotations

import math

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mtzsim.errors import InputError
from mtzsim.interfaces.web.jobs import QueueFull


def field_name(loc) -> str:
    """``("body", "scars", 0, "depth_mm")`` → ``scars[0].depth_mm``."""
    out = ""
    loc = tuple(loc)
    if loc and loc[0] in ("body", "query", "path", "header"):  # where the value came from, not its name
        loc = loc[1:]
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "body"


def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for e in exc.errors():
        loc = tuple(p for p in e.get("loc", ()) if not (isinstance(p, str) and p.startswith(("function-", "literal["))))
        name = field_name(loc)
        message = e.get("msg", "invalid value")
        if e.get("type") == "json_invalid":
            name, message = "body", f"malformed JSON: {e.get('ctx', {}).get('error', message)}"
        errors.append({"field": name, "message": message, "input": _shown(e.get("input"))})
    detail = "; ".join(f"{x['field']}: {x['message']}" for x in errors) or "invalid request"
    return JSONResponse({"detail": detail, "errors": errors}, status_code=422)


def _input(request: Request, exc: InputError) -> JSONResponse:
    return JSONResponse({"detail": str(exc), "errors": [{"field": exc.field, "message": exc.message}]},
                        status_code=422)


async def _http(request: Request, exc: StarletteHTTPException):
    """FastAPI's 400 for a body its JSON parser gave up on (nested thousands deep) is bad input: 422 naming the body."""
    if exc.status_code == 400:
        message = f"cannot read the request body as JSON ({exc.detail})"
        return JSONResponse({"detail": f"body: {message}", "errors": [{"field": "body", "message": message}]},
                            status_code=422)
    return await http_exception_handler(request, exc)


def _busy(request: Request, exc: QueueFull) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=429, headers={"Retry-After": str(exc.retry_after)})


def _shown(value):
    """The offending input, short and JSON-safe (NaN and infinities as text: strict JSON has none)."""
    if value is None or isinstance(value, (bool, int)) or (isinstance(value, float) and math.isfinite(value)):
        return value
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(InputError, _input)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(QueueFull, _busy)
