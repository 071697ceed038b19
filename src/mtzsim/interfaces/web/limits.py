"""Request-size limit: a body over the limit is answered 413 before it is read into memory."""

from __future__ import annotations

import json

#: Largest request body [bytes]: a scenario file is a few kB, a plan request a few hundred bytes.
DEFAULT_MAX_BODY = 256 * 1024


class BodyTooLarge(Exception):
    """Raised inside the body stream when more than the limit has arrived."""


class BodySizeLimit:
    """ASGI middleware: 413 on a ``Content-Length`` over ``max_body``, and on a streamed body that grows past it.

    Parameters
    ----------
    app : ASGI app
    max_body : int
        Largest accepted body [bytes].
    """

    def __init__(self, app, max_body: int = DEFAULT_MAX_BODY):
        self.app = app
        self.max_body = int(max_body)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await _answer(send, 400, "content-length: not a whole number")
                    return
                if length > self.max_body:
                    await _answer(send, 413, self._message(length))
                    return
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge
            return message

        async def tracked_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await _answer(send, 413, self._message(seen))

    def _message(self, length: int) -> str:
        return (f"body: the request is {length} bytes, over the limit of {self.max_body} bytes "
                "(a scenario or plan request is a few kB)")


async def _answer(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
