"""What the human governs beyond one field: clearing a discussion, repairing a frozen item's
drift, releasing a claim, opening and closing an edit-mode window — and the activity feed that
shows who did what.
Authority is the service's: an agent's server is refused (403) exactly as the agent's CLI is."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from ..service import activity, claims, editwindow, humanops
from .itemjson import item_json
from .responses import HTTPError
from .routing import field_of, item_ref, json_body, seen_of
from .state import ServerState


async def clear(request: Request, state: ServerState) -> dict[str, Any]:
    """Empty the discussion. A governance write: it commits to the ops the page showed
    (`seen`) and is never refused as stale."""
    ref, seen = item_ref(request), seen_of(await json_body(request, empty_ok=True))
    item = await state.worker.run(lambda: state.tracker.clear_discussion(ref, seen=seen))
    return {"ok": True, "item": item_json(item, state.tracker)}


async def repair(request: Request, state: ServerState) -> dict[str, Any]:
    """Append again the ops the item's freeze sentinel holds that its log lost."""
    ref = item_ref(request)

    def run() -> dict[str, Any]:
        done = humanops.repair_drift(state.tracker, ref)
        item = state.tracker.show(ref)
        return {"ok": True, "restored": done.restored, "has_sentinel": done.has_sentinel,
                "item": item_json(item, state.tracker)}

    return await state.worker.run(run)


WEB_SESSION = "web"  # the session a release from the page is written under


async def release(request: Request, state: ServerState) -> dict[str, Any]:
    """Free the item from its claim, as `htrac release` does: a human may release anyone's;
    an agent its own, or an expired one where `claims.reclaim` allows (the service decides)."""
    ref = item_ref(request)
    data = await json_body(request, empty_ok=True)
    reason = field_of(data, "reason", str, default="released from the web page")

    def run() -> dict[str, Any]:
        done = claims.release(state.tracker, ref, session=WEB_SESSION, reason=reason)
        return {"ok": True, "released": done.released_from,
                "item": item_json(done.item, state.tracker)}

    return await state.worker.run(run)


def _status_json(status: editwindow.Status) -> dict[str, Any]:
    """As `htrac --json edit-mode status` says it."""
    return {"active": status.active, "remaining": status.remaining, "ops_used": status.used,
            "cap_max": status.cap}


async def edit_mode(request: Request, state: ServerState) -> dict[str, Any]:
    return _status_json(await state.worker.run(editwindow.status, state.tracker))


async def switch_edit_mode(request: Request, state: ServerState) -> dict[str, Any]:
    data = await json_body(request)
    on = field_of(data, "on", bool, required=True)
    ttl = field_of(data, "ttl_seconds", int, default=1800)
    cap = field_of(data, "cap_max", int, default=500)

    def run() -> editwindow.Status:
        editwindow.switch(state.tracker, on, ttl, cap)
        return editwindow.status(state.tracker)

    return _status_json(await state.worker.run(run))


async def recent(request: Request, state: ServerState) -> dict[str, Any]:
    raw = request.query_params.get("limit", "200").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        raise HTTPError(400, "limit must be a whole number")
    limit = int(raw)
    return {"ops": await state.worker.run(activity.feed, state.tracker, limit)}
