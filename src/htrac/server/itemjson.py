"""Items as the API returns them: the CLI's JSON item (a superset of the reference server's
smaller item dict, so its clients find every key they expect) plus the item's `version`."""

from __future__ import annotations

from typing import Any

from ..core.item import Item


def version_of(item: Item) -> str | None:
    return getattr(item, "version", None)


def item_json(item: Item) -> dict[str, Any]:
    data = item.as_dict()
    data["version"] = version_of(item)
    data["damaged"] = item.damaged
    return data


def summary_json(item: Item) -> dict[str, Any]:
    """What a list row needs: no description, no discussion text — only its length and whether
    its last word is a human's (for `needs you`)."""
    last = item.discussion[-1] if item.discussion else None
    return {
        "id": item.id, "kind": item.kind, "title": item.title, "status": item.status,
        "priority": item.priority, "parent": item.parent, "tags": list(item.tags),
        "isbefore": list(item.isbefore), "locked_fields": sorted(item.locked_fields),
        "frozen": item.frozen, "tier": item.tier, "created_at": item.created_at,
        "updated_at": item.updated_at, "discussion_count": len(item.discussion),
        "last_by": last.by if last else None, "damaged": item.damaged,
        "version": version_of(item),
    }
