"""An item's memory as a user asks for it: remember a note, forget one by name, attach and
detach links. Every write goes through the Tracker (schema, policy, signing, the locked append);
see `core.memory` for the ops and `policy.memoryrules` for who may forget what."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.errors import AmbiguousError, InvalidValueError, NotFoundError
from ..core.item import Item, Memo
from ..core.memory import ENTRY_NAME, MAX_ENTRIES, MAX_TEXT
from .links import check_link

if TYPE_CHECKING:
    from .tracker import Tracker


def remember(tracker: Tracker, ref: str, text: str) -> tuple[Item, Memo]:
    """Add a must-remember entry to the item; returns the item and the new entry."""
    text = text.strip()
    if not text:
        raise InvalidValueError("nothing to remember: give the text of the note")
    if len(text) > MAX_TEXT:
        raise InvalidValueError(f"a must-remember note is at most {MAX_TEXT} characters; "
                                "put longer text in the description or the discussion")
    before = tracker.show(ref)
    if len(before.memory) >= MAX_ENTRIES and not tracker.actor.is_human:
        # the policy refuses it too; a human is never kept out by agents' notes
        raise InvalidValueError(f"{before.id} already holds {MAX_ENTRIES} must-remember "
                                "entries: htrac forget one first")
    _, after = tracker.annotate(before.id, {"remember": text})
    known = {m.nonce for m in before.memory}
    added = [m for m in after.memory if m.nonce not in known]
    return after, added[-1]


def forget(tracker: Tracker, ref: str, name: str) -> tuple[Item, Memo]:
    """Remove the entry `name` (its nonce, or a unique prefix of at least 4 characters)."""
    item = tracker.show(ref)
    entry = find_entry(item, name)
    _, after = tracker.annotate(item.id, {"forget": [entry.nonce]})
    return after, entry


def find_entry(item: Item, name: str) -> Memo:
    name = name.strip().lower()
    if not ENTRY_NAME.fullmatch(name):
        raise InvalidValueError(f"not an entry name: {name[:40]!r} (the hex name that "
                                "htrac show lists before each must-remember entry)")
    found = {m.nonce: m for m in item.memory if m.nonce.startswith(name)}
    if not found:
        raise NotFoundError(f"{item.id} has no must-remember entry {name!r}: see htrac show")
    if len(found) > 1:
        raise AmbiguousError(f"{name!r} names several entries of {item.id} "
                             f"({', '.join(sorted(found))}): type more of the name")
    return next(iter(found.values()))


def link(tracker: Tracker, ref: str, uris: list[str], *, remove: bool = False) -> Item:
    """Attach (or detach) links; each must be an absolute URI (`service.links.check_link`)."""
    uris = list(dict.fromkeys(check_link(u) for u in uris))
    if not uris:
        raise InvalidValueError("give at least one link")
    part = {"links": uris}
    _, after = tracker.update(ref, add=None if remove else part, remove=part if remove else None)
    return after
