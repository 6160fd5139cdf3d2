"""The item list the page loads, kept in memory and encoded once.

Decoding 10,000 items from the index takes seconds; the page needs their summaries on every
load. So the server keeps every item's summary already encoded as JSON, re-encodes only the
items the change feed reports, and after a change joins the encoded summaries in sorted order
(no whole-list encoding). The feed is the freshness guarantee; as a backstop for anything it
could miss (a watch lost on a replaced directory), the whole list is read again from the
tracker every `RELOAD_SECONDS` (5 minutes) and whenever the feed restarts.
"""

from __future__ import annotations

import json

from .itemjson import summary_json

RELOAD_SECONDS = 300.0


def _entry(item) -> tuple[tuple, bytes]:
    summary = summary_json(item)
    priority = summary["priority"] if type(summary["priority"]) is int else 0
    return ((priority, summary["created_at"], summary["id"]),
            json.dumps(summary, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


class ListCache:
    def __init__(self) -> None:
        # ID → (sort key, encoded summary); an item in two tiers (a conflict) shows its highest
        # tier's copy, as resolving its ID does
        self._summaries: dict[str, tuple[tuple, bytes]] = {}
        self._encoded: bytes | None = None
        self.claimed: dict[str, object] = {}  # ID → the item, for those with a claim (few)
        self.loaded = False

    def reload(self, items) -> None:
        summaries: dict[str, tuple[tuple, bytes]] = {}
        claimed = {}
        for item in items:  # canonical, then workspace, then stealth
            if item.id not in summaries:
                summaries[item.id] = _entry(item)
                if item.claim is not None:
                    claimed[item.id] = item
        self._summaries = summaries
        self._encoded = None
        self.claimed = claimed
        self.loaded = True

    def apply(self, changed, gone: list[str]) -> None:
        for item_id in gone:
            self._summaries.pop(item_id, None)
            self.claimed.pop(item_id, None)
        for item in changed:
            self._summaries[item.id] = _entry(item)
            if item.claim is not None:
                self.claimed[item.id] = item
            else:
                self.claimed.pop(item.id, None)
        self._encoded = None

    def claimed_items(self) -> list:
        """The items with a claim (for `/api/claims`: their leases are judged per request)."""
        return sorted(self.claimed.values(), key=lambda item: item.id)

    def encoded(self) -> bytes:
        if self._encoded is None:
            ordered = sorted(self._summaries.values(), key=lambda entry: entry[0])
            self._encoded = b'{"items":[' + b",".join(e[1] for e in ordered) + b"]}"
        return self._encoded
