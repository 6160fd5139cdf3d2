"""The page's item list kept in memory: what a change feed batch does to it."""

from __future__ import annotations

import json

from htrac.core.item import Entry, Item
from htrac.server.listcache import ListCache


def item(item_id: str, tier: str = "workspace", priority: int = 2, title: str = "t",
         created: str = "2026-01-01T00:00:00Z") -> Item:
    return Item(id=item_id, kind="work_item", title=title, status="todo_hard", priority=priority,
                tier=tier, created_at=created)


def ids(cache: ListCache) -> list[str]:
    return [i["id"] for i in json.loads(cache.encoded())["items"]]


def test_reload_sorts_and_keeps_the_highest_tier_copy():
    cache = ListCache()
    cache.reload([item("A", "canonical", title="canonical copy"), item("B", priority=0),
                  item("A", "workspace", title="workspace copy")])
    assert ids(cache) == ["B", "A"]
    assert json.loads(cache.encoded())["items"][1]["title"] == "canonical copy"


def test_apply_changes_moves_and_removals():
    cache = ListCache()
    cache.reload([item("A"), item("B", created="2026-01-02T00:00:00Z")])
    first = cache.encoded()
    assert cache.encoded() is first  # encoded once until something changes
    changed = item("B", "canonical", priority=1)
    changed.discussion.append(Entry("agent", "a_agent", "x", "hi", "n1"))
    cache.apply([changed], ["A"])
    listed = json.loads(cache.encoded())["items"]
    assert [(i["id"], i["tier"], i["last_by"]) for i in listed] == [("B", "canonical", "agent")]


def claimed(item_id: str, tier: str = "workspace") -> Item:
    from htrac.core.claims import Claim

    found = item(item_id, tier)
    found.claim = Claim("a_agent", "s1", "agent", "2026-01-01T00:00:00Z", 900, "n1",
                        "todo_hard", ["2026-01-01T00:00:00Z"])
    return found


def test_claimed_items_follow_the_shown_copy_and_the_feed():
    cache = ListCache()
    # the canonical copy is the one shown: a claim only on the workspace copy is not listed
    cache.reload([item("A", "canonical"), claimed("A"), claimed("B"), item("C")])
    assert [i.id for i in cache.claimed_items()] == ["B"]
    assert [i["claimed"] for i in json.loads(cache.encoded())["items"]] == [False, True, False]
    cache.apply([claimed("C"), item("B")], [])  # C claimed, B released
    assert [i.id for i in cache.claimed_items()] == ["C"]
    cache.apply([], ["C"])
    assert cache.claimed_items() == []
