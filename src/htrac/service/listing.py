"""Numbered lists (`ready`, `list`), an item's neighbours (`deps`) and the messages waiting for an
agent (`check-messages`). The two numbered lists replace the user's `:N` alias stash with the
whole sorted result, before any `--limit`, so `:N` means the N-th row of the full list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.errors import InvalidValueError
from ..core.summary import Summary
from ..store.layout import TIERS
from . import queries

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..core.item import Entry, Item
    from .tracker import Tracker

# `list --open` in the reference: a fixed set, kept for compatibility, plus whatever this
# tracker's configuration calls blocking.
OPEN_STATUSES = ("todo_hard", "todo_soft", "violated", "pending_validation", "needs_human_review")


@dataclass
class ReadyView:
    ready: list[Item] | list[Summary]
    # items whose discussion ends in human messages, in the hook's scope
    unread: list[Item] | list[Summary]
    damaged: list[Item]  # never offered as work, never hidden either (DESIGN, point 7)
    claimed: list[Item] = field(default_factory=list)  # items with claims (service.holdings)
    blocked: frozenset[str] = frozenset()  # which of those must wait (isbefore)
    notes: dict[str, str] = field(default_factory=dict)  # item ID → why it is offered again
    broken: list[tuple[str, str]] = field(default_factory=list)  # (tier, why it can't be read)


def ready_view(tracker: Tracker, *, summary: bool = False, numbered: bool = True) -> ReadyView:
    """What `htrac ready` shows; with `summary`, the ready and unread items as `Summary` tuples
    (what a text listing prints, read from the index without decoding an item). `numbered`
    makes the list the user's `:N` aliases; a surface that never takes `:N` (MCP) says no, so
    it can't renumber the rows a CLI session of the same user is working from. Items whose
    claim's lease expired are offered again (service.holdings); a live claim never is."""
    from .holdings import describe, expired_offers

    view = ReadyView(*queries.overview_in(tracker.store, tracker.config, summary=summary),
                     broken=queries.broken_tiers(tracker.layout, TIERS))
    offers = expired_offers(tracker, view.claimed, view.blocked)
    if offers:
        again = [Summary.of(h.item) if summary else h.item for h in offers]
        view.ready = sorted([*view.ready, *again], key=lambda i: (i.priority, i.created_at))
        view.notes = {h.item.id: describe(h) for h in offers}
    if numbered:
        tracker.store.aliases.save([i.id for i in view.ready])
    return view


def whole(tracker: Tracker, rows: list[Summary]) -> Iterator[Item]:
    """The whole items of listing `rows`, one at a time: `--json ready` at 100,000 items writes
    20,000 items as each is decoded instead of holding them all (issue 19: ≤ 100 MB a command)."""
    keys = [(row.tier, row.id) for row in rows]
    from ..store import index_queries

    found = tracker.store.indexed(lambda index: index_queries.decoded(index, keys))
    yield from found if found is not None else (tracker.store.load(t, i) for t, i in keys)


@dataclass
class ListFilter:
    statuses: tuple[str, ...] = ()
    open: bool = False
    kind: str | None = None
    tag: str | None = None
    tier: str | None = None

    def wanted_statuses(self, tracker: Tracker) -> set[str] | None:
        if not self.statuses and not self.open:
            return None
        wanted = set(self.statuses)
        if self.open:
            wanted.update(OPEN_STATUSES, tracker.config.blocking_statuses)
        return wanted

    def keeps(self, item: Item, statuses: set[str] | None) -> bool:
        return ((statuses is None or item.status in statuses or item.damaged)
                and (self.kind is None or item.kind == self.kind)
                and (self.tag is None or self.tag in item.tags))


def list_items(tracker: Tracker, how: ListFilter, *, summary: bool = False,
               numbered: bool = True) -> list[Item] | list[Summary]:
    """Items matching every filter, by (priority, created_at). A damaged item is always listed:
    its status is uncertain, and hiding it would hide the damage. With `summary`, their
    `Summary` tuples; `numbered`: as in `ready_view`."""
    unknown = [s for s in how.statuses if s not in tracker.config.statuses]
    if unknown:
        raise InvalidValueError(f"unknown status {unknown[0]!r}: use one of "
                                f"{', '.join(tracker.config.statuses)}")
    tiers = (how.tier,) if how.tier else TIERS
    statuses = how.wanted_statuses(tracker)
    chosen = None
    if how.tag is None:  # tags are not indexed columns: filter those in Python
        chosen = tracker.store.query("matching", tiers, statuses and sorted(statuses), how.kind,
                                     summary=summary)
    if chosen is None:
        chosen = sorted((i for i in tracker.items(tiers) if how.keeps(i, statuses)),
                        key=queries.sort_key)
        if summary:
            chosen = [Summary.of(i) for i in chosen]
    if not chosen and how.kind is not None and how.kind not in tracker.config.kinds:
        # an unconfigured kind still lists the items that have it (merged from elsewhere)
        raise InvalidValueError(f"unknown kind {how.kind!r}: use one of "
                                f"{', '.join(tracker.config.kinds)}")
    if numbered:
        tracker.store.aliases.save([i.id for i in chosen])
    return chosen


def query_items(tracker: Tracker, text: str, how: ListFilter, *,
                whole: bool = False, numbered: bool = True) -> list[Item] | list:
    """Items matching the query `text` and every filter of `how` (each one a term added to
    the query), by (priority, created_at); `Listing` rows unless `whole`. `numbered`: as in
    `ready_view`."""
    from ..core.query import Term
    from .search import parse_query, search

    query = parse_query(tracker, text)
    statuses = how.wanted_statuses(tracker)
    extra = [Term(key, (value,)) for key, value in
             (("kind", how.kind), ("tag", how.tag), ("tier", how.tier)) if value]
    if statuses is not None:
        extra.append(Term("status", tuple(sorted(statuses))))
    chosen = search(tracker, query.and_(*extra), items=whole)
    if numbered:
        tracker.store.aliases.save([i.id for i in chosen])
    return chosen


def list_items_as_of(tracker: Tracker, how: ListFilter, when: str):
    """(the moment, the items matching `how` as they were then), by (priority, created_at).
    The alias stash is left alone: `:N` means what it meant."""
    from . import timetravel

    moment = timetravel.resolve(tracker, when)
    tiers = (how.tier,) if how.tier else TIERS
    statuses = how.wanted_statuses(tracker)
    items = [i for i in timetravel.items_at(tracker, moment, tiers) if how.keeps(i, statuses)]
    return moment, sorted(items, key=queries.sort_key)


@dataclass
class Deps:
    item: Item
    parent: Item | None = None
    parent_id: str | None = None
    children: list[Item] = field(default_factory=list)
    blocks: list[Item] = field(default_factory=list)
    blocked_by: list[Item] = field(default_factory=list)


def deps(tracker: Tracker, ref: str) -> Deps:
    """The item's parent, children, the items it must finish before, and the ones before it."""
    item = tracker.show(ref)
    by_id: dict[str, Item] = {}
    for other in tracker.items(TIERS):
        by_id.setdefault(other.id, other)  # canonical > workspace > stealth, as resolution
    result = Deps(item, parent=by_id.get(item.parent) if item.parent else None,
                  parent_id=item.parent)
    for other in by_id.values():
        if other.id == item.id:
            continue
        if other.parent == item.id:
            result.children.append(other)
        if item.id in other.isbefore:
            result.blocked_by.append(other)
    result.blocks = [by_id[i] for i in item.isbefore if i in by_id]
    return result


@dataclass
class Waiting:
    item: Item
    unread: list[Entry]
    prior: list[Entry]


def check_messages(tracker: Tracker, autolimit: int | None = None) -> list[Waiting]:
    """Items in the stop hook's scope with human messages no agent has answered. With
    `autolimit`, only the last N unread messages are shown; the earlier ones join the context."""
    waiting = []
    for item in queries.with_unread(tracker.items(queries.scope_tiers(tracker.config))):
        unread = item.unread_human()
        earlier = item.discussion[:len(item.discussion) - len(unread)]
        if autolimit and autolimit > 0 and len(unread) > autolimit:
            earlier = earlier + unread[:-autolimit]
            unread = unread[-autolimit:]
        waiting.append(Waiting(item, unread, earlier[-3:]))
    return waiting


def unread_for_human(tracker: Tracker, autolimit: int | None = None, *,
                     mark_read: bool = False) -> list[Waiting]:
    """Discussions with messages the human has not read (their read state, shared with the TUI
    and the web UI), every tier, by priority: the messages since the human's last word (or the
    last one, for a discussion they marked unread), and up to three before them. With
    `mark_read`, those discussions are then marked read."""
    from . import readstate
    from .search import search

    items = search(tracker, "is:unread", items=True)
    waiting = []
    for item in items:
        run = 0
        for entry in reversed(item.discussion):
            if entry.by == "human":
                break
            run += 1
        run = max(run, 1) if item.discussion else 0
        if autolimit and autolimit > 0:
            run = min(run, autolimit)
        split = len(item.discussion) - run
        waiting.append(Waiting(item, item.discussion[split:], item.discussion[:split][-3:]))
    if mark_read and items:
        readstate.mark(tracker, items, read=True)
    return waiting

