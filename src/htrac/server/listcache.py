"""The item list the page loads, kept in memory and encoded once.

Decoding 10,000 items from the index takes seconds; the page needs their summaries on every
load. So the server keeps every item's summary, updated from the change feed as items change,
and the JSON of the whole sorted list, encoded again only after a change. The feed is the
freshness guarantee; as a backstop for anything it could miss (a watch lost on a replaced
directory), the whole list is read again from the tracker every `RELOAD_SECONDS` (5 minutes) and whenever
the feed restarts.
"""

from __future__ import annotations

import json
from typing import Any

from .itemjson import summary_json

RELOAD_SECONDS = 300.0


def _key(summary: dict[str, Any]) -> tuple:
    priority = summary["priority"] if type(summary["priority"]) is int else 0
    return (priority, summary["created_at"], summary["id"])


class ListCache:
    def __init__(self) -> None:
        # ID → summary; an item in two tiers (a conflict) shows its highest tier's copy, as
        # resolving its ID does
        self._summaries: dict[str, dict[str, Any]] = {}
        self._encoded: bytes | None = None
        self.loaded = False

    def reload(self, items) -> None:
        summaries: dict[str, dict[str, Any]] = {}
        for item in items:  # canonical, then workspace, then stealth
            summaries.setdefault(item.id, summary_json(item))
        self._summaries = summaries
        self._encoded = None
        self.loaded = True

    def apply(self, changed, gone: list[str]) -> None:
        for item_id in gone:
            self._summaries.pop(item_id, None)
        for item in changed:
            self._summaries[item.id] = summary_json(item)
        self._encoded = None

    def encoded(self) -> bytes:
        if self._encoded is None:
            ordered = sorted(self._summaries.values(), key=_key)
            self._encoded = json.dumps({"items": ordered}, ensure_ascii=False,
                                       separators=(",", ":")).encode("utf-8")
        return self._encoded
