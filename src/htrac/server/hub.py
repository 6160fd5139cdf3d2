"""The open WebSockets, and what is pushed to them: every change the feed reports goes to every
client as the changed items with their versions (never a whole snapshot per change). A client
too slow to keep up is dropped rather than let its backlog grow; it reconnects and starts over."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket

from .sessions import Session

log = logging.getLogger("htrac.server")
BACKLOG = 256


@dataclass(eq=False)
class Client:
    ws: WebSocket
    session: Session
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(BACKLOG))


class Hub:
    def __init__(self) -> None:
        self.clients: set[Client] = set()
        self.published = 0

    def add(self, ws: WebSocket, session: Session) -> Client:
        client = Client(ws, session)
        self.clients.add(client)
        return client

    def remove(self, client: Client) -> None:
        self.clients.discard(client)

    def publish(self, message: dict[str, Any]) -> None:
        self.published += 1
        for client in list(self.clients):
            try:
                client.queue.put_nowait(message)
            except asyncio.QueueFull:
                log.warning("dropping a WebSocket client that fell %d messages behind", BACKLOG)
                self.clients.discard(client)
                client.queue = asyncio.Queue(1)
                client.queue.put_nowait(None)  # tells its sender to close

    async def close_session(self, session: Session) -> None:
        for client in [c for c in self.clients if c.session is session]:
            self.clients.discard(client)
            with contextlib.suppress(Exception):
                await client.ws.close(code=1008, reason="logged out")

    async def close_all(self) -> None:
        for client in list(self.clients):
            self.clients.discard(client)
            with contextlib.suppress(Exception):
                await client.ws.close(code=1001, reason="server stopping")
