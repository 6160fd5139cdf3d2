"""The agent's loop as tools: ready, show, list, add, update, discuss, check_messages,
count_todos. Each is one service call; what the service refuses, the tool refuses."""

from __future__ import annotations

from typing import Any

from ..core.errors import InvalidValueError
from . import shapes
from .params import Param
from .tool import Call, Tool

ID = Param("id", "ref", required=True)
LIMIT_READY = Param("limit", "int", "rows (default 10; 0: all)")
LIMIT_LIST = Param("limit", "int", "rows (default 20; 0: all)")
FIELDS = Param("fields", "strs", "more item fields per row, e.g. tags, description")


def ready(call: Call) -> dict[str, Any]:
    from ..service.claimnotices import mark_told, untold
    from ..service.listing import ready_view

    fields = shapes.extra_fields(call.get("fields"))
    view = ready_view(call.tracker, summary=not shapes.needs_items(fields), numbered=False)
    data = shapes.preview(view.ready, _limit(call, 10), fields)
    for row in data["items"]:
        if row["id"] in view.notes:
            row["note"] = f"{view.notes[row['id']]}: offered again"
    lost = untold(call.tracker, lambda: call.session)
    if lost:
        data["lost_claims"] = [n.text for n in lost]
        mark_told(call.tracker, lost)
    if view.unread:
        data["awaiting_reply"] = [shapes.row(i, ("unread",)) for i in view.unread]
    if view.damaged:
        data["damaged"] = [{"id": i.id, "tier": i.tier,
                            "problem": i.problems[0].describe() if i.problems else ""}
                           for i in view.damaged]
    return data


def show(call: Call) -> dict[str, Any]:
    item = call.tracker.show(call.get("id"))
    return _with_claim(call, item, shapes.item(item))


def list_(call: Call) -> dict[str, Any]:
    from ..service.listing import ListFilter, query_items

    fields = shapes.extra_fields(call.get("fields"))
    items = query_items(call.tracker, call.get("query", ""), ListFilter(),
                        whole=shapes.needs_items(fields), numbered=False)
    return shapes.preview(items, _limit(call, 20), fields)


def add(call: Call) -> dict[str, Any]:
    from ..service.itemops import add_item

    custom = call.get("field") or {}
    if any(value is None for value in custom.values()):
        raise InvalidValueError("add: field values must be strings")
    item, warnings = add_item(
        call.tracker, kind=call.get("kind"), title=call.get("title"),
        status=call.get("status"), priority=call.get("priority", 2),
        parent=call.get("parent"), tags=tuple(call.get("tags") or ()),
        description=call.get("description", ""), fields=custom,
        tier=call.get("tier", "workspace"))
    return _with_warnings({"id": item.id}, warnings)


def update(call: Call) -> dict[str, Any]:
    from ..service.itemops import UpdateRequest, update_item

    request = UpdateRequest(
        status=call.get("status"), priority=call.get("priority"), title=call.get("title"),
        parent=call.get("parent"), pr_ref=call.get("pr_ref"),
        description=call.get("description"),
        add={"tags": call.get("add_tags")} if call.get("add_tags") else {},
        remove={"tags": call.get("remove_tags")} if call.get("remove_tags") else {},
        fields=dict(call.get("field") or {}), note=call.get("note"),
        expected_version=call.get("version"))
    result = update_item(call.tracker, call.get("id"), request)
    data: dict[str, Any] = {"id": result.item.id,
                            "changes": [f"{c.field}: {c.detail}" for c in result.changes]}
    return _with_claim(call, result.item, _with_warnings(data, result.warnings))


def discuss(call: Call) -> dict[str, Any]:
    from ..service import discussion

    item = discussion.post(call.tracker, call.get("id"), call.get("message"),
                           ack_thread=bool(call.get("ack_thread")))
    return {"id": item.id, "messages": len(item.discussion)}


def check_messages(call: Call) -> dict[str, Any]:
    from ..service.listing import check_messages as waiting

    found = waiting(call.tracker, call.get("autolimit"))
    return {"count": len(found),
            "items": [{**shapes.row(w.item), "unread": [shapes.entry(e) for e in w.unread]}
                      for w in found]}


def count_todos(call: Call) -> dict[str, Any]:
    from ..service.stophook import count_todos as count

    return {"count": count(call.tracker)}


def _limit(call: Call, default: int) -> int:
    limit = call.get("limit", default)
    if limit < 0:
        raise InvalidValueError("limit must be 0 (all) or more")
    return limit


def _with_claim(call: Call, item, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the item's claim, and what this session must know about it (lost, or held
    by another session), as the CLI tells it."""
    if item.claim is None and not item.lost_claims:
        return data
    from ..service.claimnotices import about_item
    from ..service.holdings import holding

    held = holding(call.tracker, item)
    if held is not None:
        data["claim"] = shapes.claim(held)
    notes = about_item(call.tracker, item, call.session)
    if notes:
        data["notices"] = notes
    return data


def _with_warnings(data: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    if warnings:
        data["warnings"] = warnings
    return data


TOOLS = [
    Tool("ready", "Items you may start now, most urgent first; then items where a human awaits "
         "your reply, and damaged items.", ready, (LIMIT_READY, FIELDS), read_only=True),
    Tool("show", "One item in full: values, discussion, locks.", show, (ID,), read_only=True),
    Tool("list", "Items matching a query, most urgent first.", list_,
         (Param("query", description='e.g. status:todo_hard,in_progress tag:ui is:ready '
                                     'priority:<=1 -tag:docs "some text"'),
          LIMIT_LIST, FIELDS), read_only=True),
    Tool("add", "Create an item; answers its ID.", add,
         (Param("kind", required=True, description="work_item, invariant, … (config)"),
          Param("title", required=True), Param("status"),
          Param("priority", "int", "0 (most urgent) to 4; default 2"),
          Param("parent", "ref"), Param("tags", "strs"), Param("description"),
          Param("field", "map", "custom fields"),
          Param("tier", description="workspace (default), canonical or stealth"))),
    Tool("update", "Change an item; note also posts to its discussion.", update,
         (ID, Param("status"), Param("priority", "int"), Param("title"), Param("description"),
          Param("parent", "ref"), Param("pr_ref"), Param("add_tags", "strs"),
          Param("remove_tags", "strs"), Param("field", "map", "custom fields; null removes"),
          Param("note"), Param("version", description="refuse if the item changed since this "
                                                       "version (from show)")),
         destructive=True),
    Tool("discuss", "Post to an item's discussion. After unread human messages: read them "
         "(show), then post with ack_thread.", discuss,
         (ID, Param("message", required=True), Param("ack_thread", "bool"))),
    Tool("check_messages", "Items whose human messages no agent has answered, with them.",
         check_messages, (Param("autolimit", "int", "last N unread per item"),),
         read_only=True),
    Tool("count_todos", "How many blocking items remain (the stop hook's count).", count_todos,
         read_only=True),
]
