"""Request body size limit, as a pure ASGI middleware.

A declared Content-Length above the limit is refused before any byte is read. Bodies without
one (chunked) or that lie about it are counted as they stream in, and the request fails the
moment the count passes the limit, so a client cannot make the server buffer an unbounded
body. Pure ASGI rather than BaseHTTPMiddleware: it adds no task or stream per request.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import problems


class BodyTooLarge(Exception):
    """Raised from `receive` once the streamed body passes the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body exceeds {limit} bytes")
        self.limit = limit


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > self.max_bytes:
                    await self._refuse(scope, send)
                    return
                break
        limit = self.max_bytes
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            # Raised inside the app while it read the body; nothing was processed.
            if started:
                raise
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = problems.render("body-too-large",
                               f"request body exceeds the limit of {self.max_bytes} bytes",
                               scope.get("path", ""), limit=self.max_bytes)
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", problems.MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            # The unread rest of the body makes the connection unusable for another request.
            (b"connection", b"close"),
        ]})
        await send({"type": "http.response.body", "body": body})
