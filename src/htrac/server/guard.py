"""Checks every request meets before any route sees it: a Host this server answers to (a page
on another name resolved to 127.0.0.1 — DNS rebinding — gets nothing), a body no larger than the
cap, and, for a state-changing request or a WebSocket, an Origin this server allows."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .settings import ServerSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def origin_allowed(scope: Scope, settings: ServerSettings) -> bool:
    """A browser always names the page's origin on a POST and a WebSocket; a request without one
    comes from a program (curl, a script), which still needs the cookie and the token."""
    origin = header(scope, b"origin")
    if origin is None:
        site = header(scope, b"sec-fetch-site")
        return site in (None, "same-origin", "none")
    return origin.lower() in settings.origins


def host_allowed(scope: Scope, settings: ServerSettings) -> bool:
    host = header(scope, b"host")
    return host is not None and host.lower() in settings.allowed_hosts()


async def _json(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


class BodyTooLarge(Exception):
    pass


class Guard:
    """ASGI middleware: Host on everything, the body cap on HTTP, Origin on WebSockets."""

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            if not host_allowed(scope, self.settings) or not origin_allowed(scope, self.settings):
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not host_allowed(scope, self.settings):
            await _json(send, 421, {"error": "this server does not answer to that host name"})
            return
        limit = self.settings.body_limit
        length = header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _json(send, 413 if length.isdigit() else 400,
                        {"error": f"request body over {limit} bytes"
                         if length.isdigit() else "bad Content-Length"})
            return
        await self._capped(scope, receive, send, limit)

    async def _capped(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _json(send, 413, {"error": f"request body over {limit} bytes"})
