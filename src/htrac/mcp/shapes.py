"""What the tools answer: compact JSON, because every byte of it lands in a model's context.

A list row is `id, title, status, priority`; a `fields` argument adds named item fields to each
row. `show` leaves out what is empty. Text from the tracker is never trusted to be harmless:
JSON escapes quotes and line breaks, and the characters that could make a reader see other text
than is there (C1 controls, bidirectional overrides) are escaped as well.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from ..core.errors import InvalidValueError

if TYPE_CHECKING:
    from ..core.item import Entry, Item
    from ..core.summary import Summary
    from ..service.holdings import Holding

ROW = ("id", "title", "status", "priority")
# Fields a row may add: the item's JSON shape (as `htrac --json show` prints it), and `unread`.
EXTRA = ("kind", "tier", "tags", "parent", "isbefore", "duplicate_of", "not_duplicate_of",
         "pr_ref", "description", "fields", "locked_fields", "frozen", "created_at",
         "updated_at", "version", "unread")
IN_SUMMARY = frozenset({"tier", "unread"})  # what the index's listing columns already hold
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def dumps(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def extra_fields(names: list[str] | None) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(names or ()))
    unknown = [n for n in chosen if n not in EXTRA and n not in ROW]
    if unknown:
        raise InvalidValueError(f"unknown field(s) {', '.join(map(repr, unknown))}: "
                                f"choose from {', '.join(EXTRA)}")
    return tuple(n for n in chosen if n not in ROW)


def needs_items(fields: tuple[str, ...]) -> bool:
    """Whether rows with `fields` need whole items, not just the index's summaries."""
    return not IN_SUMMARY.issuperset(fields)


def row(item: Item | Summary, fields: tuple[str, ...] = ()) -> dict[str, Any]:
    data: dict[str, Any] = {"id": item.id, "title": item.title, "status": item.status,
                            "priority": item.priority}
    if item.damaged:
        data["damaged"] = True
    if not fields:
        return data
    summary = isinstance(item, tuple)  # a `Summary` from the index
    if "unread" in fields:
        data["unread"] = item.unread if summary else len(item.unread_human())
    rest = [name for name in fields if name != "unread"]
    if rest:
        whole = item._asdict() if summary else item.as_dict(include_deleted=False)
        data.update((name, whole[name]) for name in rest)
    return data


def preview(items: list, limit: int, fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """The first `limit` rows (0: all) and how many there are in all."""
    shown = items[:limit] if limit else items
    return {"count": len(items), "items": [row(i, fields) for i in shown]}


def item(whole: Item) -> dict[str, Any]:
    """An item as `show` answers: its JSON shape without empty values, messages trimmed."""
    data = whole.as_dict(include_deleted=False)
    data["discussion"] = [entry(e) for e in whole.discussion if not e.is_tombstoned]
    if whole.problems:
        data["problems"] = [p.describe() for p in whole.problems]
    return {key: value for key, value in data.items() if not _empty(value)}


def _empty(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, (str, list, dict))
                                               and not value)


def claim(held: Holding) -> dict[str, Any]:
    """A claim as the tools show it: who holds it and how long the lease has left."""
    lease = held.lease.as_dict()
    data = {"holder": held.holder, "state": lease["state"],
            "seconds_left": lease["seconds_left"], "expires_at": lease["expires_at"]}
    if lease["suspect"]:
        data["suspect"] = True  # a renewal dated in the future: not trusted
    return data


def entry(message: Entry) -> dict[str, Any]:
    data = {"by": message.by, "actor": message.actor, "at": message.at,
            "message": message.message}
    if message.is_summary:
        data["summary"] = True
    return data
