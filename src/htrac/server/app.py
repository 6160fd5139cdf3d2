"""The app: its route table, its middleware, and its life (the change feed runs as long as it)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute

from . import routes_auth as auth
from . import routes_governance as gov
from . import routes_items as items
from . import schemas as s
from . import static, ws
from .feed import changes, reload
from .guard import Guard
from .hub import Hub
from .itemjson import summary_json
from .listcache import RELOAD_SECONDS
from .openapi import document
from .routing import Endpoint
from .state import ServerState

log = logging.getLogger("htrac.server")


async def health(request: Request, state: ServerState) -> dict[str, Any]:
    return {"status": "ok", "pid": os.getpid(),
            "uptime_seconds": round(time.monotonic() - state.started, 3)}


async def openapi(request: Request, state: ServerState) -> dict[str, Any]:
    return document(ENDPOINTS)


ID = "/api/items/{id}"
ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/health", health, "Liveness (public)", public=True,
             answer_schema=s.HEALTH),
    Endpoint("GET", "/api/openapi.json", openapi, "This document (public)", public=True),
    Endpoint("GET", "/api/auth/status", auth.auth_status,
             "Which login methods are set up (public)", public=True),
    Endpoint("POST", "/api/auth/login", auth.login, "Log in with the password (send the "
             "device secret an earlier login gave as X-Htrac-Device: held back only by its "
             "own failures)", public=True,
             body=s.LOGIN, answers={401: "wrong password", 429: "back off"},
             answer_schema=s.SESSION),
    Endpoint("POST", "/api/auth/logout", auth.logout, "End this session"),
    Endpoint("GET", "/api/auth/session", auth.whoami,
             "Who is logged in, and the tracker's statuses, kinds and tiers"),
    Endpoint("POST", "/api/auth/passkey/register/options", auth.passkey_register_options,
             "Start registering a passkey (logged in)"),
    Endpoint("POST", "/api/auth/passkey/register", auth.passkey_register,
             "Finish registering a passkey", body=s.PASSKEY_REGISTER),
    Endpoint("POST", "/api/auth/passkey/login/options", auth.passkey_login_options,
             "Start a passkey login", public=True, answers={404: "no passkey registered"}),
    Endpoint("POST", "/api/auth/passkey/login", auth.passkey_login, "Finish a passkey login",
             public=True, body=s.PASSKEY_LOGIN, answers={401: "did not verify"},
             answer_schema=s.SESSION),
    Endpoint("GET", "/api/items", items.list_items, "Items by priority: all, or those a query "
             "keeps", query=(("view", "full (default) or summary"),
                             ("q", "the query language, e.g. is:needs-human tag:ui")),
             answer_schema=s.ITEMS),
    Endpoint("POST", "/api/items", items.create, "Create an item", body=s.CREATE, status=201),
    Endpoint("GET", "/api/claims", items.claims, "Every claim: its holder and lease as of now "
             "(`live`, or expired: stale), and the sentence the CLI shows",
             answer_schema=s.CLAIMS),
    Endpoint("GET", "/api/ready", items.ready, "Items an agent may start now",
             answer_schema=s.ITEMS),
    Endpoint("GET", "/api/activity", gov.recent, "The latest ops across the tracker, newest "
             "first: who did what, on which item, with whose authority (`counts_as`)",
             query=(("limit", "how many ops (1 to 1000, default 200)"),),
             answer_schema=s.ACTIVITY),
    Endpoint("GET", "/api/edit-mode", gov.edit_mode, "Whether an edit-mode window is open, "
             "for how long, and how many message edits it has used", answer_schema=s.EDIT_MODE),
    Endpoint("POST", "/api/edit-mode", gov.switch_edit_mode, "Open (`on`: true) or close an "
             "edit-mode window (human only)", body=s.EDIT_SWITCH, answer_schema=s.EDIT_MODE),
    Endpoint("GET", ID, items.show, "One item, with the identities of its ops (`op_ids`: "
             "what a governance write says it saw)", answers={404: "no such item"},
             answer_schema=s.ITEM),
    Endpoint("POST", ID + "/update", items.update, "Change an item's fields", body=s.UPDATE,
             if_match=True),
    Endpoint("POST", ID + "/discuss", items.discuss, "Post to the discussion", body=s.DISCUSS,
             if_match=True),
    Endpoint("GET", ID + "/deps", items.deps, "Parent, children, what it blocks and what "
             "blocks it"),
    Endpoint("GET", ID + "/history", items.item_history, "Every op in fold order"),
    Endpoint("POST", ID + "/lock", items.lock, "Lock fields (human only)", body=s.FIELDS),
    Endpoint("POST", ID + "/unlock", items.unlock, "Unlock fields (human only)", body=s.FIELDS),
    Endpoint("POST", ID + "/freeze", items.freeze, "Freeze (human only)", body=s.SEEN,
             body_required=False),
    Endpoint("POST", ID + "/unfreeze", items.unfreeze, "Unfreeze (human only)", body=s.SEEN,
             body_required=False),
    Endpoint("POST", ID + "/clear", gov.clear, "Clear the discussion (human only; commits to "
             "the ops the page showed, `seen`, and is never refused as stale)", body=s.SEEN,
             body_required=False),
    Endpoint("POST", ID + "/repair", gov.repair, "Put back the ops a frozen item's log lost "
             "since it was frozen (human only)", answer_schema=s.REPAIR),
    Endpoint("POST", ID + "/release", gov.release, "Free the item from its claim (a human: "
             "anyone's; an agent: its own, or an expired one where claims.reclaim allows); the "
             "item goes back to its status before the claim", body=s.RELEASE,
             body_required=False),
    Endpoint("POST", ID + "/move", items.move, "Move to another tier", body=s.MOVE,
             if_match=True),
    Endpoint("POST", ID + "/read", items.mark_read, "Mark the discussion read (or unread) "
             "for the human", body=s.READ, body_required=False),
]


def create_app(state: ServerState, *, watch: bool = True) -> Starlette:
    routes: list[Any] = [e.route() for e in ENDPOINTS]
    routes += [
        WebSocketRoute("/ws", ws.endpoint),
        Route("/api/{rest:path}", _no_route, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Mount("/assets", app=static.assets(), name="assets"),
        Route("/", static.index, methods=["GET"]),
        Route("/{path:path}", static.index, methods=["GET"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        state.hub = Hub()
        tasks = [asyncio.create_task(_pump(state)), asyncio.create_task(_backstop(state))] \
            if watch else []
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await state.hub.close_all()
            state.worker.close()

    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(Guard, settings=state.settings)])
    app.state.htrac = state
    return app


async def _no_route(request: Request) -> JSONResponse:
    from starlette.routing import Match

    scope = dict(request.scope, path=request.url.path)
    if any(e.route().matches(scope)[0] == Match.PARTIAL for e in ENDPOINTS):
        return JSONResponse({"error": "Method Not Allowed"}, status_code=405)
    return JSONResponse({"error": "Not Found"}, status_code=404)


async def _backstop(state: ServerState) -> None:
    """Read the whole list again now (the feed starts meanwhile), soon after (anything changed
    before the feed's watch was in place), and then every RELOAD_SECONDS."""
    delay = 2.0
    while True:
        try:
            await state.worker.run(reload, state)
        except Exception:
            log.exception("reading the item list failed")
        await asyncio.sleep(delay)
        delay = RELOAD_SECONDS


async def _pump(state: ServerState) -> None:
    """Push every change the feed reports to every open WebSocket."""
    while True:
        try:
            async for changed, gone, reset in changes(state):
                if reset:  # statuses or authority may differ: every page reloads
                    state.hub.publish({"type": "reset", "at": time.time()})
                    continue
                state.hub.publish({"type": "changed",
                                   "items": [summary_json(i) for i in changed],
                                   "removed": gone, "at": time.time()})
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the change feed stopped; restarting it")
            await asyncio.sleep(1.0)
            await state.worker.run(reload, state)
