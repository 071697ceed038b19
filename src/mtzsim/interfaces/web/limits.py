"""Request-size limit: a body over the limit is answered 413 before it is read into memory."""

from __future__ import annotations

import json

#: Largest request body [bytes]: a scenario file is a few kB, a plan request a few hundred bytes.
DEFAULT_MAX_BODY = 256 * 1024


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
        # read the body here (at most max_body bytes are kept), then hand it on: the app never sees an
        # oversize body, and a streamed one without Content-Length is cut off as soon as it passes the limit
        chunks, seen = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_body:
                await _answer(send, 413, self._message(seen, streamed=True))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _message(self, length: int, *, streamed: bool = False) -> str:
        size = f"more than {self.max_body}" if streamed else f"{length}"
        return (f"body: the request is {size} bytes, over the limit of {self.max_body} bytes "
                "(a scenario or plan request is a few kB)")


async def _answer(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
