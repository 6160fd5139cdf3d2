"""The item routes: the reference server's (`/api/items`, `…/update`, `…/discuss`, `/api/ready`)
with its request and answer shapes, and the rest of what the human does on the page."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..service import (
    discussion,
    history,
    holdings,
    humanops,
    itemops,
    listing,
    moves,
    queries,
    readstate,
    search,
)
from ..store.layout import TIERS
from .itemjson import holding_json, item_json, summary_json
from .responses import HTTPError
from .routing import field_of, item_ref, json_body, seen_of, string_list
from .state import ServerState

UPDATE_SCALARS = {"status": str, "priority": int, "title": str, "description": str,
                  "pr_ref": str, "parent": str}
LINK_LISTS = ("tags", "isbefore", "duplicate_of", "not_duplicate_of")


def _if_match(request: Request) -> str | None:
    """The version a write was based on (`If-Match: "<version>"`), if the client gave one."""
    value = request.headers.get("if-match")
    if value is None:
        return None
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value or value == "*":
        return None
    if len(value) > 64 or not value.isalnum():
        raise HTTPError(400, "If-Match must be an item version")
    return value


# -- reading -----------------------------------------------------------------------------------

async def list_items(request: Request, state: ServerState) -> dict[str, Any]:
    view = request.query_params.get("view", "full")
    if view not in ("full", "summary"):
        raise HTTPError(400, "view must be 'full' or 'summary'")
    shape = summary_json if view == "summary" else item_json
    q = request.query_params.get("q", "").strip()
    if len(q) > 2000:
        raise HTTPError(400, "the query is too long (2,000 characters at most)")
    if q:  # the query language, answered by the index (docs/guide/query.md)
        def found() -> list[dict[str, Any]]:
            return [shape(i) for i in search.search(state.tracker, q, items=True)]

        return {"items": await state.worker.run(found)}
    if view == "summary" and state.listcache.loaded:
        body = await state.worker.run(state.listcache.encoded)
        return Response(body, media_type="application/json")

    def run() -> list[dict[str, Any]]:
        items = sorted(state.tracker.items(), key=queries.sort_key)
        return [shape(i) for i in items]

    return {"items": await state.worker.run(run)}


async def ready(request: Request, state: ServerState) -> dict[str, Any]:
    def run() -> list[dict[str, Any]]:
        t = state.tracker
        return [item_json(i) for i in queries.ready(t.items(), t.config)]

    return {"items": await state.worker.run(run)}


async def claims(request: Request, state: ServerState) -> dict[str, Any]:
    """Every claim with its holder and lease as of now (service.holdings): the lists and the
    board mark the rows they hold, and flag the expired (stale) ones."""
    def run() -> list[dict[str, Any]]:
        t = state.tracker
        found = holdings.holdings(t, items=state.listcache.claimed_items()) \
            if state.listcache.loaded else holdings.holdings(t)
        return [holding_json(h) for h in found]

    return {"claims": await state.worker.run(run)}


async def show(request: Request, state: ServerState) -> Response:
    ref = item_ref(request)

    def run() -> dict[str, Any]:
        item, op_ids = history.on_screen(state.tracker, ref)
        return {**item_json(item, state.tracker), "op_ids": op_ids}

    data = await state.worker.run(run)
    return JSONResponse(data, headers={"ETag": f'"{data["version"]}"'} if data["version"]
                        else None)


async def deps(request: Request, state: ServerState) -> dict[str, Any]:
    ref = item_ref(request)

    def run() -> dict[str, Any]:
        found = listing.deps(state.tracker, ref)
        return {"item": summary_json(found.item), "parent_id": found.parent_id,
                "parent": summary_json(found.parent) if found.parent else None,
                "children": [summary_json(i) for i in found.children],
                "blocks": [summary_json(i) for i in found.blocks],
                "blocked_by": [summary_json(i) for i in found.blocked_by]}

    return await state.worker.run(run)


async def item_history(request: Request, state: ServerState) -> dict[str, Any]:
    ref = item_ref(request)
    return {"ops": await state.worker.run(history.history, state.tracker, ref)}


# -- writing -----------------------------------------------------------------------------------

async def create(request: Request, state: ServerState) -> dict[str, Any]:
    data = await json_body(request)
    missing = [k for k in ("kind", "title") if not data.get(k)]
    if missing:
        raise HTTPError(400, f"Missing required fields: {', '.join(missing)}")
    tier = field_of(data, "tier", str, default="workspace")
    if tier not in TIERS:
        raise HTTPError(400, f"Invalid tier: {tier}")
    values: dict[str, Any] = {
        "kind": field_of(data, "kind", str), "title": field_of(data, "title", str),
        "tier": tier, "status": field_of(data, "status", str),
        "priority": field_of(data, "priority", int, default=2),
        "description": field_of(data, "description", str, default=""),
        "tags": tuple(string_list(data, "tags") or ()),
        "parent": field_of(data, "parent", str),
        "fields": _fields(data),
    }
    item, warnings = await state.worker.run(lambda: itemops.add_item(state.tracker, **values))
    return {"id": item.id, "item": item_json(item), "warnings": warnings}


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = field_of(data, "fields", dict, default={})
    for key, value in fields.items():
        if value is not None and (isinstance(value, (dict, float)) or
                                  isinstance(value, list) and
                                  not all(isinstance(v, str) for v in value)):
            raise HTTPError(400, f"field {key!r}: values are text, whole numbers, booleans or "
                                 "lists of text")
    return fields


async def update(request: Request, state: ServerState) -> dict[str, Any]:
    ref = item_ref(request)
    data = await json_body(request)
    wanted = {name: field_of(data, name, kind) for name, kind in UPDATE_SCALARS.items()}
    add_part = field_of(data, "add", dict, default={})
    remove_part = field_of(data, "remove", dict, default={})
    add = {k: v for k in LINK_LISTS if (v := string_list(add_part, k))}
    remove = {k: v for k in LINK_LISTS if (v := string_list(remove_part, k))}
    req = itemops.UpdateRequest(
        **wanted, clear_parent=field_of(data, "clear_parent", bool, default=False),
        tags=string_list(data, "tags"), add=add, remove=remove,
        add_blocked_by=string_list(data, "add_blocked_by") or [],
        remove_blocked_by=string_list(data, "remove_blocked_by") or [],
        fields=_fields(data), expected_version=_if_match(request))
    result = await state.worker.run(itemops.update_item, state.tracker, ref, req)
    return {"ok": True, "changes": [{"field": c.field, "detail": c.detail}
                                    for c in result.changes],
            "warnings": result.warnings, "item": item_json(result.item, state.tracker)}


async def discuss(request: Request, state: ServerState) -> dict[str, Any]:
    ref = item_ref(request)
    data = await json_body(request)
    message = field_of(data, "message", str, required=True)
    if not message.strip():
        raise HTTPError(400, "Missing required field: message")
    expected = _if_match(request)
    item = await state.worker.run(lambda: discussion.post(state.tracker, ref, message,
                                                          expected_version=expected))
    return {"ok": True, "item": item_json(item, state.tracker)}


# Governance writes are never refused as stale: they commit to the ops the page had on screen
# (`seen`), and any op outside that set stays bound by the decision (DESIGN, point 13).

async def _names(request: Request) -> tuple[list[str], list[str] | None]:
    data = await json_body(request)
    names = string_list(data, "fields")
    if not names:
        raise HTTPError(400, "Missing required field: fields (a list of names to lock)")
    return names, seen_of(data)


async def lock(request: Request, state: ServerState) -> dict[str, Any]:
    ref, (names, seen) = item_ref(request), await _names(request)
    item = await state.worker.run(lambda: humanops.lock_fields(state.tracker, ref, names,
                                                               seen=seen))
    return {"ok": True, "item": item_json(item, state.tracker)}


async def unlock(request: Request, state: ServerState) -> dict[str, Any]:
    ref, (names, seen) = item_ref(request), await _names(request)
    item = await state.worker.run(lambda: humanops.lock_fields(state.tracker, ref, names,
                                                               unlock=True, seen=seen))
    return {"ok": True, "item": item_json(item, state.tracker)}


async def freeze(request: Request, state: ServerState) -> dict[str, Any]:
    ref, seen = item_ref(request), seen_of(await json_body(request, empty_ok=True))
    item = await state.worker.run(lambda: humanops.freeze(state.tracker, ref, seen=seen))
    return {"ok": True, "item": item_json(item, state.tracker)}


async def unfreeze(request: Request, state: ServerState) -> dict[str, Any]:
    ref, seen = item_ref(request), seen_of(await json_body(request, empty_ok=True))
    item = await state.worker.run(lambda: humanops.unfreeze(state.tracker, ref, seen=seen))
    return {"ok": True, "item": item_json(item, state.tracker)}


async def mark_read(request: Request, state: ServerState) -> dict[str, Any]:
    """The human's read state (shared with the TUI and `check-messages`)."""
    ref = item_ref(request)
    data = await json_body(request, empty_ok=True)
    read = field_of(data, "read", bool, default=True)
    await state.worker.run(lambda: readstate.mark_ref(state.tracker, ref, read=read))
    return {"ok": True, "read": read}


async def move(request: Request, state: ServerState) -> dict[str, Any]:
    ref = item_ref(request)
    data = await json_body(request)
    target = field_of(data, "to", str, required=True)
    if target not in TIERS:
        raise HTTPError(400, f"Invalid tier: {target}")
    expected = _if_match(request)

    def run() -> dict[str, Any]:
        item_id, tier = moves.move_to(state.tracker, ref, target, expected_version=expected)
        item = state.tracker.show(item_id)
        return {"ok": True, "tier": tier, "item": item_json(item, state.tracker)}

    return await state.worker.run(run)
