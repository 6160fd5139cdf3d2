"""Items as the API returns them: the CLI's JSON item (a superset of the reference server's
smaller item dict, so its clients find every key they expect) plus the item's `version`, and
its claim as this reader sees it now (`holding`, from service.holdings — never judged here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.item import Item

if TYPE_CHECKING:
    from ..service.holdings import Holding
    from ..service.tracker import Tracker


def version_of(item: Item) -> str | None:
    return getattr(item, "version", None)


def item_json(item: Item, tracker: Tracker | None = None) -> dict[str, Any]:
    """With `tracker`, also the claim's holder and lease as of now (`holding`, or null)."""
    data = item.as_dict()
    data["version"] = version_of(item)
    data["damaged"] = item.damaged
    if tracker is not None:
        from ..service.holdings import holding

        held = holding(tracker, item)
        data["holding"] = holding_json(held) if held is not None else None
    return data


def holding_json(h: Holding) -> dict[str, Any]:
    """A claim as the service judges it now: holder, lease (`state` live or expired, seconds
    left, until when, `suspect`) and the sentence every surface shows (`text`)."""
    from ..service.holdings import describe

    return {"id": h.item.id, "title": h.item.title, "status": h.item.status,
            "holder": h.holder, **h.as_dict(), "live": h.live, "text": describe(h)}


def summary_json(item: Item) -> dict[str, Any]:
    """What a list row needs: no description, no discussion text — only its length and whether
    its last word is a human's (for `needs you`). `claimed`: the item has a claim (its holder
    and lease, which change with time, come from `/api/claims`)."""
    last = item.discussion[-1] if item.discussion else None
    return {
        "id": item.id, "kind": item.kind, "title": item.title, "status": item.status,
        "priority": item.priority, "parent": item.parent, "tags": list(item.tags),
        "isbefore": list(item.isbefore), "locked_fields": sorted(item.locked_fields),
        "frozen": item.frozen, "tier": item.tier, "created_at": item.created_at,
        "updated_at": item.updated_at, "discussion_count": len(item.discussion),
        "last_by": last.by if last else None, "damaged": item.damaged,
        "claimed": item.claim is not None, "version": version_of(item),
    }
