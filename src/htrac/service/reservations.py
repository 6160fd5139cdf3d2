"""File reservations: path globs a claim holder says it is changing (docs/design/claims.md).

A reservation belongs to a claim: `reserve` adds globs to the caller's live claim (and renews
it), and they end with the claim — released, done, or expired. The pre-commit hook compares
every staged path with the live reservations of *other* actors and warns or, with
`claims.reservations: refuse`, refuses.

Globs: `*`, `?` and `[…]` as in the shell, except that `*` also crosses `/`; a glob naming a
directory (with or without a trailing `/`) reserves everything under it. Paths are
repository-relative, `/`-separated.
"""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import ClaimedError, InvalidValueError
from ..core.ids import short
from .holdings import Holding, describe, holding, holdings

if TYPE_CHECKING:
    from ..core.item import Item
    from .tracker import Tracker


@dataclass(frozen=True, slots=True)
class Reservation:
    holding: Holding
    glob: str

    def as_dict(self) -> dict[str, object]:
        h = self.holding
        return {"path": self.glob, "id": h.item.id, "title": h.item.title, "holder": h.holder,
                "seconds_left": h.lease.seconds_left}


def reserve(tracker: Tracker, ref: str, paths: list[str], *, session: str) -> Item:
    tier, item_id = tracker.store.resolve(ref)
    item = tracker.store.load(tier, item_id)
    h = holding(tracker, item)
    if h is None or not h.live or not h.held_by(tracker.actor.name, session):
        what = describe(h) if h is not None else "held by nobody"
        raise ClaimedError(f"{short(item_id)} is {what}: reservations belong to your claim — "
                           f"claim it first (htrac claim {short(item_id)})",
                           h.holder if h else None)
    globs = list(dict.fromkeys(normalise(tracker, p) for p in paths))
    if not globs:
        raise InvalidValueError("give at least one path to reserve")
    body = {"action": "reserve", "session": session,
            "ttl_seconds": tracker.config.claims.ttl_seconds, "paths": globs}
    return tracker.write_claim(tier, item_id, {}, body)


def normalise(tracker: Tracker, path: str) -> str:
    """A repository-relative, `/`-separated glob; refuses paths outside the repository."""
    text = path.replace("\\", "/") if "\\" in path and "/" not in path else path
    if text.startswith("/"):
        try:
            text = Path(text).relative_to(tracker.layout.repo_root.resolve()).as_posix()
        except ValueError:
            raise InvalidValueError(f"{path!r} is outside the repository "
                                    f"{tracker.layout.repo_root}") from None
    trailing = text.endswith("/")
    text = posixpath.normpath(text)
    if text in ("", ".") or text == ".." or text.startswith("../"):
        raise InvalidValueError(f"{path!r}: give a path inside the repository")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidValueError(f"{path!r}: a path may not hold control characters")
    return text + "/" if trailing else text


def matches(glob: str, path: str) -> bool:
    base = glob.rstrip("/")
    return (fnmatch.fnmatchcase(path, base) or path.startswith(base + "/")
            or fnmatch.fnmatchcase(path, base + "/*"))


def reservations(tracker: Tracker, path: str | None = None) -> list[Reservation]:
    """Live reservations (touching `path`, when given), by item then glob."""
    wanted = normalise(tracker, path) if path else None
    found = []
    for h in holdings(tracker):
        if not h.live:
            continue
        for glob in h.claim.paths:
            if wanted is None or matches(glob, wanted.rstrip("/")):
                found.append(Reservation(h, glob))
    return found


def reserved_by_others(tracker: Tracker, paths: list[str]) -> list[tuple[str, Reservation]]:
    """(path, reservation) for each of `paths` inside another actor's live reservation."""
    mine = tracker.actor.name
    live = [r for r in reservations(tracker) if r.holding.claim.actor != mine]
    return [(p, r) for p in paths for r in live if matches(r.glob, p)]
