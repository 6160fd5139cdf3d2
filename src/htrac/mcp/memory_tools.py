"""Memory as tools: brief, search, remember — the CLI's `htrac brief`, `htrac search` and
`htrac remember`, each one service call with the CLI's rules and refusals (`service.brief`,
`service.fulltext`, `service.memory`)."""

from __future__ import annotations

from typing import Any

from ..core.errors import InvalidValueError
from .params import Param
from .tool import Call, Tool

MIN_BUDGET, MAX_BUDGET = 50, 20000


def brief(call: Call) -> dict[str, Any]:
    from ..service.brief import DEFAULT_BUDGET, TOOLS_PROTOCOL
    from ..service.brief import brief as make

    budget = call.get("budget", DEFAULT_BUDGET)
    if not MIN_BUDGET <= budget <= MAX_BUDGET:
        raise InvalidValueError(f"budget must be {MIN_BUDGET} to {MAX_BUDGET} tokens")
    # numbered=False: the brief must not renumber the `:N` rows a CLI session of this OS user
    # works from (the tools never take `:N`)
    result = make(call.tracker, call.get("id"), budget=budget, session=call.session,
                  numbered=False, protocol=TOOLS_PROTOCOL)
    return {"text": result.text, "tokens": result.tokens}


def search(call: Call) -> dict[str, Any]:
    from ..service.fulltext import search as find

    limit = call.get("limit", 10)
    if limit < 0:
        raise InvalidValueError("limit must be 0 (all) or more")
    hits = find(call.tracker, call.get("query"), limit=limit or None)
    return {"count": len(hits),
            "items": [{"id": h.id, "title": h.title, "status": h.status,
                       "priority": h.priority, "snippet": h.snippet_text()} for h in hits]}


def remember(call: Call) -> dict[str, Any]:
    from ..service.memory import remember as add

    item, entry = add(call.tracker, call.get("id"), call.get("text"))
    return {"id": item.id, "name": entry.nonce[:8], "notes": len(item.memory)}


TOOLS = [
    Tool("brief", "Your brief after a restart or compaction: humans waiting, your claims and "
         "work (goals, must-remember notes), what changed, what is ready.", brief,
         (Param("id", "ref", "an item to put first, whole"),
          Param("budget", "int", "most tokens (default 1000)")),
         read_only=True, toolset="memory"),
    Tool("search", "Full-text search of items, best first: whole words, word* a prefix, "
         '"a phrase"; every word must occur.', search,
         (Param("query", required=True), Param("limit", "int", "rows (default 10; 0: all)")),
         read_only=True, toolset="memory"),
    Tool("remember", "Add a must-remember note to an item (max 16; brief and show list them).",
         remember, (Param("id", "ref", required=True), Param("text", required=True)),
         toolset="memory"),
]
