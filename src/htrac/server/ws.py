"""`/ws`: the reference's protocol (a state snapshot, then commands), after a login, and pushes
of what changed.

Before the handshake is accepted the Origin (see `guard`) and the session cookie are checked;
the first message must then be `{"type": "auth", "token": …}` with the session's token — the
cookie alone, which another localhost port also receives, is never enough. Failing either closes
with 1008. `{"type": "auth", "token": …, "snapshot": "none"}` skips the initial snapshot (the
page reads items over REST).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from ..core.errors import HtracError
from ..service import discussion, itemops, queries
from .hub import Client
from .itemjson import item_json, summary_json
from .sessions import COOKIE, Session
from .state import ServerState

AUTH_SECONDS = 10.0
SET_FIELDS = {"status": str, "priority": int, "title": str, "description": str,
              "tags": list, "pr_ref": str}


async def endpoint(ws: WebSocket) -> None:
    state: ServerState = ws.app.state.htrac
    sid = ws.cookies.get(COOKIE)
    if state.sessions.get(sid) is None:
        await ws.close(code=1008)
        return
    await ws.accept()
    session = await _authenticate(ws, state, sid)
    if session is None:
        return
    client = state.hub.add(ws, session)
    sender = asyncio.create_task(_send_queued(client))
    try:
        await _serve(ws, state, sid, client)
    except WebSocketDisconnect:
        pass
    finally:
        state.hub.remove(client)
        sender.cancel()


async def _authenticate(ws: WebSocket, state: ServerState, sid: str | None) -> Session | None:
    message: dict[str, Any] = {}
    try:
        text = await asyncio.wait_for(ws.receive_text(), AUTH_SECONDS)
        message = json.loads(text)
        if not isinstance(message, dict):
            message = {}
        token = message.get("token") if message.get("type") == "auth" else None
    except (TimeoutError, ValueError, AttributeError, KeyError, WebSocketDisconnect):
        token = None
    session = state.sessions.authenticate(sid, token if isinstance(token, str) else None)
    if session is None:
        with contextlib.suppress(Exception):
            await ws.close(code=1008, reason="authentication required")
        return None
    if message.get("snapshot") != "none":
        items = await state.worker.run(lambda: [item_json(i) for i in state.tracker.items()])
        await ws.send_json({"type": "state_snapshot", "items": items})
    await ws.send_json({"type": "ready"})
    return session


async def _send_queued(client: Client) -> None:
    with contextlib.suppress(Exception):
        while True:
            message = await client.queue.get()
            if message is None:
                await client.ws.close(code=1013, reason="too far behind; reconnect")
                return
            await client.ws.send_json(message)


async def _serve(ws: WebSocket, state: ServerState, sid: str | None, client: Client) -> None:
    limit = state.settings.ws_message_limit
    while True:
        text = await ws.receive_text()
        if state.sessions.get(sid) is not client.session:
            await ws.close(code=1008, reason="session ended")
            return
        if len(text) > limit:
            await ws.close(code=1009, reason=f"message over {limit} bytes")
            return
        reply = await _answer(text, state)
        await client.queue.put(reply)


async def _answer(text: str, state: ServerState) -> dict[str, Any]:
    try:
        message = json.loads(text)
    except ValueError:
        return _error("Invalid JSON")
    if not isinstance(message, dict) or "type" not in message:
        return _error("Missing 'type' field")
    if message["type"] != "command":
        return _error(f"Unknown message type: {message['type']}")
    action = message.get("action")
    handler = COMMANDS.get(action) if isinstance(action, str) else None
    if handler is None:
        return _error(f"Unknown action: {action}")
    try:
        return await state.worker.run(handler, state, message)
    except HtracError as exc:
        return _error(str(exc))
    except _BadCommand as exc:
        return _error(str(exc))


class _BadCommand(Exception):
    pass


def _error(text: str) -> dict[str, Any]:
    return {"type": "error", "message": text}


def _item_id(message: dict[str, Any]) -> str:
    item_id = message.get("item_id")
    if not isinstance(item_id, str) or not item_id:
        raise _BadCommand("Missing field: 'item_id'")
    if item_id.startswith(":"):
        raise _BadCommand("the web takes item IDs, not :N aliases")
    return item_id


def _list(state: ServerState, message: dict[str, Any]) -> dict[str, Any]:
    items = sorted(state.tracker.items(), key=queries.sort_key)
    shape = summary_json if message.get("view") == "summary" else item_json
    return {"type": "result", "items": [shape(i) for i in items]}


def _show(state: ServerState, message: dict[str, Any]) -> dict[str, Any]:
    item = state.tracker.show(_item_id(message))
    return {"type": "result", "item": item_json(item, state.tracker)}


def _ready(state: ServerState, message: dict[str, Any]) -> dict[str, Any]:
    t = state.tracker
    return {"type": "result", "items": [item_json(i) for i in queries.ready(t.items(), t.config)]}


def _update(state: ServerState, message: dict[str, Any]) -> dict[str, Any]:
    item_id = _item_id(message)
    given = message.get("set_fields")
    if not isinstance(given, dict):
        raise _BadCommand("Missing field: 'set_fields'")
    wanted: dict[str, Any] = {}
    for key, value in given.items():
        kind = SET_FIELDS.get(key)
        if kind is None:
            continue  # the reference ignores other keys
        if not isinstance(value, kind) or isinstance(value, bool):
            raise _BadCommand(f"set_fields.{key} must be {kind.__name__}")
        wanted[key] = value
    if "tags" in wanted and not all(isinstance(t, str) for t in wanted["tags"]):
        raise _BadCommand("set_fields.tags must be a list of strings")
    itemops.update_item(state.tracker, item_id, itemops.UpdateRequest(**wanted))
    return {"type": "event", "action": "updated", "item_id": item_id}


def _discuss(state: ServerState, message: dict[str, Any]) -> dict[str, Any]:
    item_id = _item_id(message)
    text = message.get("message")
    if not isinstance(text, str) or not text.strip():
        raise _BadCommand("Missing field: 'message'")
    discussion.post(state.tracker, item_id, text)
    return {"type": "event", "action": "discussed", "item_id": item_id}


COMMANDS = {"list": _list, "show": _show, "ready": _ready, "update": _update,
            "discuss": _discuss}
