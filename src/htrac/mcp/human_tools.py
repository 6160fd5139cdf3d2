"""Governance as tools — offered only when the server is started with `--allow-human-ops`,
since a model acting for the human can be talked into anything its tools allow. The service
refuses them to an agent user whatever the server offers."""

from __future__ import annotations

from typing import Any

from .params import Param
from .tool import Call, Tool

ID = Param("id", "ref", required=True)


def lock(call: Call) -> dict[str, Any]:
    from ..service import humanops

    item = humanops.lock_fields(call.tracker, call.get("id"), call.get("names"),
                                unlock=bool(call.get("unlock")))
    return {"id": item.id, "locked": sorted(item.locked_fields)}


def freeze(call: Call) -> dict[str, Any]:
    from ..service import humanops

    change = humanops.unfreeze if call.get("unfreeze") else humanops.freeze
    item = change(call.tracker, call.get("id"))
    return {"id": item.id, "frozen": item.frozen}


def clear_discussion(call: Call) -> dict[str, Any]:
    from ..service import discussion

    item = discussion.clear(call.tracker, call.get("id"))
    return {"id": item.id, "messages": len(item.discussion)}


def delete(call: Call) -> dict[str, Any]:
    from ..service import humanops

    item, cleared = humanops.delete(call.tracker, call.get("id"))
    return {"id": item.id, "status": item.status, "links_removed": cleared}


def _human(name: str, description: str, run, params: tuple[Param, ...] = (ID,)) -> Tool:
    return Tool(name, description + " (human only)", run, params, destructive=True,
                toolset="human", human_only=True)


TOOLS = [
    _human("lock", "Lock fields against agents: status, title, fields.<key>, discussion…", lock,
           (ID, Param("names", "strs", required=True), Param("unlock", "bool"))),
    _human("freeze", "Freeze an item: agents can change nothing on it.", freeze,
           (ID, Param("unfreeze", "bool"))),
    _human("clear_discussion", "Remove every message of an item's discussion.",
           clear_discussion),
    _human("delete", "Set status deleted and drop links to the item.", delete),
]
