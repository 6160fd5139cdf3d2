"""The route table's entries: each declares its method, path, whether it needs a login, and
what it takes and answers (the OpenAPI document is built from these declarations)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..core.errors import HtracError
from .guard import SAFE_METHODS, BodyTooLarge, origin_allowed
from .responses import HTTPError, error, from_exception
from .sessions import COOKIE, TOKEN_HEADER
from .state import ServerState

log = logging.getLogger("htrac.server")

Handler = Callable[[Request, ServerState], Awaitable[Any]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    public: bool = False
    body: dict[str, Any] | None = None  # JSON schema of the request body
    body_required: bool = True
    if_match: bool = False  # takes If-Match (409 when stale)
    query: tuple[tuple[str, str], ...] = ()  # (name, description) of query parameters
    answers: dict[int, str] = field(default_factory=dict)
    answer_schema: dict[str, Any] | None = None  # of the 2xx answer
    status: int = 200

    def route(self) -> Route:
        return Route(self.path, self._endpoint, methods=[self.method],
                     name=f"{self.method} {self.path}")

    async def _endpoint(self, request: Request) -> Response:
        state: ServerState = request.app.state.htrac
        if self.method not in SAFE_METHODS and not origin_allowed(request.scope, state.settings):
            return error(403, "cross-origin request refused")
        if not self.public:
            session = state.sessions.authenticate(request.cookies.get(COOKIE),
                                                  request.headers.get(TOKEN_HEADER))
            if session is None:
                return error(401, "Unauthorized")
            request.state.session = session
        started = time.perf_counter()
        response = await self._answer(request, state)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    async def _answer(self, request: Request, state: ServerState) -> Response:
        try:
            if self.method == "POST":
                await request.body()  # every body meets the cap, read or not
            result = await self.handler(request, state)
        except BodyTooLarge:
            raise
        except (HtracError, HTTPError) as exc:
            return from_exception(exc)
        except Exception:  # a bug: logged with its traceback, answered without it
            log.exception("%s %s failed", self.method, self.path)
            return error(500, "internal error (see the server's log)")
        if isinstance(result, Response):
            return result
        if self.method == "POST" and isinstance(result, dict):
            await _refresh_written(state, result)
        return JSONResponse(result, status_code=self.status)


async def _refresh_written(state: ServerState, result: dict[str, Any]) -> None:
    """Read your writes: the list cache learns of the item just written now, not when the
    change feed reports it a moment later."""
    item = result.get("item")
    item_id = item.get("id") if isinstance(item, dict) else result.get("id")
    if isinstance(item_id, str) and state.listcache.loaded:
        from .feed import load_changed

        await state.worker.run(load_changed, state, [item_id])


async def json_body(request: Request, *, empty_ok: bool = False) -> dict[str, Any]:
    """The request's JSON object (an empty body is `{}` when `empty_ok`); 400 otherwise."""
    raw = await request.body()
    if empty_ok and not raw.strip():
        return {}
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise HTTPError(400, "the request body is not JSON") from None
    if not isinstance(data, dict):
        raise HTTPError(400, "the request body must be a JSON object")
    return data


def field_of(data: dict[str, Any], name: str, kind: type | tuple[type, ...], *,
             required: bool = False, default: Any = None) -> Any:
    """`data[name]`, checked to be of `kind` (bool is never an int here)."""
    if name not in data or data[name] is None:
        if required:
            raise HTTPError(400, f"Missing required field: {name}")
        return default
    value = data[name]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise HTTPError(400, f"field {name!r} must be {names}")
    return value


def string_list(data: dict[str, Any], name: str) -> list[str] | None:
    value = field_of(data, name, list)
    if value is not None and not all(isinstance(v, str) for v in value):
        raise HTTPError(400, f"field {name!r} must be a list of strings")
    return value


def seen_of(data: dict[str, Any]) -> list[str] | None:
    """The op identities the page had on screen (a governance write commits to them)."""
    seen = string_list(data, "seen")
    if seen is not None and len(seen) > 100_000:
        raise HTTPError(400, "seen: too many op identities")
    return seen


def item_ref(request: Request) -> str:
    ref = request.path_params["id"]
    if ref.startswith(":"):
        raise HTTPError(400, "the web takes item IDs, not :N aliases")
    return ref
