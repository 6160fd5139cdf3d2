"""Telling a session about claims it does not hold although it may think so.

Across clones two sessions can both claim an item; after the merge the fold picks one
(core.claims) and the other's take is recorded as lost. Nothing tells the loser but the ops, so
every command that touches the item says so (`about_item`), and `ready`, `check-messages` and
`hook stop` say so once per lost claim (`untold`, then `mark_told`; remembered in the user's
cache directory). A write to an item another session holds gets a note too.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from ..core.claims import parse_at
from ..core.ids import short
from ..store.aliases import cache_dir
from .holdings import claimed_items, describe, holding

if TYPE_CHECKING:
    from ..core.claims import LostClaim
    from ..core.item import Item
    from .tracker import Tracker

RECENT = timedelta(days=1)  # a lost claim older than this is news only while the winner holds


@dataclass(frozen=True, slots=True)
class Notice:
    item_id: str
    lost: LostClaim
    text: str


def lost_claim(tracker: Tracker, item: Item, session: str) -> LostClaim | None:
    """This session's latest lost claim op on `item`, while the session doesn't hold it."""
    name = tracker.actor.name
    if item.claim is not None and item.claim.held_by(name, session):
        return None
    mine = [c for c in item.lost_claims if c.actor == name and c.session == session]
    if not mine:
        return None
    latest = mine[-1]
    winner_holds = item.claim is not None and item.claim.holder == latest.winner
    if not winner_holds and tracker.clock() - parse_at(latest.at) > RECENT:
        return None
    return latest


def about_item(tracker: Tracker, item: Item, session: str) -> list[str]:
    """What a command that touched `item` tells this session about its claims."""
    lost = lost_claim(tracker, item, session)
    if lost is not None:
        return [_lost_text(tracker, item, lost)]
    h = holding(tracker, item)
    if h is not None and h.live and not h.held_by(tracker.actor.name, session):
        return [f"note: {short(item.id)} is {describe(h)}; you ({tracker.actor.name}/"
                f"{session}) don't hold it"]
    return []


def untold(tracker: Tracker, session: str | Callable[[], str],
           claimed: list[Item] | None = None) -> list[Notice]:
    """Lost claims of this session not yet told by `ready`, `check-messages` or `hook stop`.
    `session` may be a function: it is only asked when some item has a lost claim at all.
    `claimed`: the claimed items, when the caller has read them already."""
    found = claimed if claimed is not None else claimed_items(tracker)
    losers = [i for i in found if i.lost_claims]
    if not losers:
        return []
    name = session() if callable(session) else session
    known = _Told(tracker, name).load()
    notices = []
    for item in losers:
        lost = lost_claim(tracker, item, name)
        if lost is not None and lost.nonce not in known:
            notices.append(Notice(item.id, lost, _lost_text(tracker, item, lost)))
    return notices


def mark_told(tracker: Tracker, notices: list[Notice]) -> None:
    if notices:
        _Told(tracker, notices[0].lost.session).add(n.lost.nonce for n in notices)


def _lost_text(tracker: Tracker, item: Item, lost: LostClaim) -> str:
    h = holding(tracker, item)
    now = describe(h) if h is not None else "held by nobody"
    return (f"htrac: you ({lost.actor}/{lost.session}) do not hold {item.id}: your claim "
            f"({lost.action} at {lost.at}) lost — {lost.reason}. It is now {now}, status "
            f"{item.status}. Stop working on it, or talk to the holder "
            f"(htrac discuss {short(item.id)} \"…\").")


class _Told:
    """Nonces of lost claims already told to one session, in the user's cache directory."""

    def __init__(self, tracker: Tracker, session: str) -> None:
        name = hashlib.sha256(session.encode()).hexdigest()[:24]
        self.path = cache_dir(tracker.layout.root) / "claims-told" / name

    def load(self) -> set[str]:
        try:
            return set(self.path.read_text(encoding="utf-8").split())
        except (OSError, UnicodeDecodeError):
            return set()

    def add(self, nonces) -> None:
        known = self.load() | set(nonces)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            tmp.write_text("".join(f"{n}\n" for n in sorted(known)), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # telling again next time is the worst that happens
