"""Tags across the tracker: which are in use, what they mean, which are retired, and renaming one.

Counts come from canonical and workspace items (stealth items never leave this clone, so they
don't shape the shared vocabulary). The catalog (`store.tagcatalog`) records descriptions,
deprecations and when a tag was first and last used; a tag is `deprecated` if flagged, else
`active` when some item carries it, else `inactive`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from ..core.errors import InvalidValueError
from ..store.layout import COMMITTED_TIERS
from ..store.tagcatalog import TagCatalog, TagInfo
from .tracker import Tracker
from .values import tag_list


@dataclass
class TagRow:
    """One tag as `htrac tags` lists it."""
    name: str
    count: int
    status: str
    info: TagInfo

    def as_dict(self) -> dict[str, object]:
        return {"count": self.count, "created_on": self.info.created_on,
                "deprecated": self.info.deprecated, "description": self.info.description,
                "in_favor_of": self.info.in_favor_of, "last_modified": self.info.last_modified,
                "last_used": self.info.last_used, "status": self.status}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def catalog(tracker: Tracker) -> TagCatalog:
    return TagCatalog(tracker.layout.tracker_dir)


def tag_rows(tracker: Tracker) -> list[TagRow]:
    """Every tag in use or in the catalog, by count (descending) then name."""
    counts = Counter(t for item in tracker.items(COMMITTED_TIERS) for t in item.tags)
    known = catalog(tracker).load()
    rows = []
    for name in set(counts) | set(known):
        info = known.get(name, TagInfo())
        status = ("deprecated" if info.deprecated
                  else "active" if counts[name] else "inactive")
        rows.append(TagRow(name, counts[name], status, info))
    return sorted(rows, key=lambda r: (-r.count, r.name))


def tags_in_use(tracker: Tracker) -> list[str]:
    return sorted({t for item in tracker.items(COMMITTED_TIERS) for t in item.tags})


def record_use(tracker: Tracker, tags: list[str]) -> list[str]:
    """Note that `tags` were just put on an item; return a warning for each deprecated one."""
    if not tags:
        return []
    store = catalog(tracker)
    known = store.load()
    now = _now()
    warnings = []
    for name in tags:
        info = known.setdefault(name, TagInfo(created_on=now))
        info.last_used = now
        if info.deprecated:
            instead = f"; use {info.in_favor_of} instead" if info.in_favor_of else ""
            warnings.append(f"tag {name!r} is deprecated{instead}")
    store.save(known)
    return warnings


def describe(tracker: Tracker, name: str, text: str | None) -> str:
    """Set a tag's description (one line), or read it when `text` is None."""
    store = catalog(tracker)
    known = store.load()
    if text is None:
        return known[name].description if name in known else ""
    tag_list([name])
    info = known.setdefault(name, TagInfo(created_on=_now()))
    info.description = " ".join(text.split())
    info.last_modified = _now()
    store.save(known)
    return info.description


def deprecate(tracker: Tracker, name: str, in_favor_of: str | None) -> None:
    tag_list([name])
    if in_favor_of is not None:
        tag_list([in_favor_of])
        if in_favor_of == name:
            raise InvalidValueError(f"tag {name!r} can't be deprecated in favour of itself")
    store = catalog(tracker)
    known = store.load()
    info = known.setdefault(name, TagInfo(created_on=_now()))
    info.deprecated = True
    info.in_favor_of = in_favor_of
    info.last_modified = _now()
    store.save(known)


def rename(tracker: Tracker, old: str, new: str) -> int:
    """Replace tag `old` by `new` on every canonical and workspace item; return how many."""
    tag_list([new])
    if old == new:
        raise InvalidValueError("the old and new tag names are the same")
    touched = 0
    for item in tracker.items(COMMITTED_TIERS):
        if old not in item.tags:
            continue
        add = {"tags": [new]} if new not in item.tags else {}
        tracker.update(item.id, add=add, remove={"tags": [old]})
        touched += 1
    store = catalog(tracker)
    known = store.load()
    now = _now()
    info = known.setdefault(new, TagInfo(created_on=now))
    info.last_used = info.last_modified = now
    if old in known:
        known[old].last_modified = now
    store.save(known)
    return touched
