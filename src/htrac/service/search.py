"""Answering the query language (`core.query`) for any surface: parse once, answer from the
index, or — when the index can't be used — by folding every file and matching in Python. Both
ways give the same items in the same order (tests/store/test_index_search.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core import predicates
from ..core.query import Query, parse
from ..store.layout import TIERS

if TYPE_CHECKING:
    from ..core.item import Item
    from ..core.summary import Listing
    from .tracker import Tracker


# `facts.extra[LINK_GRAPHS]`: every item's links (`cycles.graphs`), when the caller has them
LINK_GRAPHS = "link-graphs"


def parse_query(tracker: Tracker, text: str) -> Query:
    """`text` parsed against this tracker's statuses, kinds and the registered predicates;
    `QueryError` (one line, with the column) when it can't be read."""
    return parse(text, predicates.vocabulary(tracker.config))


def facts(tracker: Tracker, *, read_marks: dict | None = None) -> predicates.Facts:
    """The facts the predicates need; the human's read marks from their read state unless
    given."""
    if read_marks is None:
        from .readstate import read_marks as load

        read_marks = load(tracker)
    known = predicates.Facts.for_config(tracker.config, read_marks=read_marks)
    # is:claimed and is:stale compare leases with this reader's clock (core.claimterms)
    known.extra.update(now=tracker.clock().timestamp(),
                       skew=tracker.config.claims.clock_skew_seconds)
    return known


def _with_graph_facts(tracker: Tracker, query: Query, known: predicates.Facts) -> None:
    """Loops are a property of the whole graph of links: found once, only for a query that
    asks (`is:looped`, or `is:needs-human`, which includes it)."""
    wanted = query.predicates()
    if predicates.LOOPED not in known.extra and {"looped", "needs-human"} & wanted:
        from .cycles import looped_ids, looped_in

        found = known.extra.get(LINK_GRAPHS)  # the caller read them already
        known.extra[predicates.LOOPED] = frozenset(
            looped_in(found) if found is not None else looped_ids(tracker.store))


def search(tracker: Tracker, query: Query | str, *, items: bool = False,
           limit: int | None = None,
           known: predicates.Facts | None = None) -> list[Listing] | list[Item]:
    """The items `query` keeps, by (priority, created_at, tier, ID): their `Listing` rows, or
    whole items with `items=True`."""
    if isinstance(query, str):
        query = parse_query(tracker, query)
    known = known or facts(tracker, read_marks=None if query.predicates() else {})
    index = tracker.store.index
    if index is not None:
        from ..store.index_search import search as indexed

        with index.settled():  # the link graph and the rows: one look at the files
            _with_graph_facts(tracker, query, known)
            rows = tracker.store.indexed(
                lambda index: indexed(index, query, known, items=items, limit=limit))
        if rows is not None:
            return rows
    _with_graph_facts(tracker, query, known)
    chosen = evaluate(tracker, query, known)
    chosen = chosen[:limit] if limit else chosen
    if items:
        return chosen
    from ..core.summary import Listing

    return [Listing.of(i) for i in chosen]


def count(tracker: Tracker, query: Query | str, *,
          known: predicates.Facts | None = None) -> int:
    """How many items `query` keeps: `len(search(...))` without building the rows (a screen
    that shows the first rows says how many there are)."""
    if isinstance(query, str):
        query = parse_query(tracker, query)
    known = known or facts(tracker, read_marks=None if query.predicates() else {})
    index = tracker.store.index
    if index is not None:
        from ..store.index_search import count as indexed

        with index.settled():
            _with_graph_facts(tracker, query, known)
            found = tracker.store.indexed(lambda index: indexed(index, query, known))
        if found is not None:
            return found
    return len(search(tracker, query, known=known))


def all_ids(tracker: Tracker) -> list[str]:
    """Every item's ID in the tracker (each once), sorted: what a unique prefix is unique
    among."""
    from ..store.index_search import ids

    found = tracker.store.indexed(ids)
    if found is not None:
        return found
    return sorted({i for tier in TIERS for i in tracker.store.layout.item_ids(tier)})


def tier_counts(tracker: Tracker) -> dict[str, int]:
    """How many items each tier holds, in tier order (tiers with none left out)."""
    from ..store.index_search import tier_counts as indexed

    found = tracker.store.indexed(indexed)
    if found is not None:
        return found
    counts = {tier: len(tracker.store.layout.item_ids(tier)) for tier in TIERS}
    return {tier: n for tier, n in counts.items() if n}


def evaluate(tracker: Tracker, query: Query, known: predicates.Facts) -> list[Item]:
    """`query` over every item folded from its file, matched in Python — the definition the
    index's answer must equal."""
    store = tracker.store
    folded, actors = [], {}
    for tier in TIERS:
        for item_id in store.layout.item_ids(tier):
            log = store.read_log(tier, item_id)
            folded.append(store.fold_log(tier, item_id, log))
            actors[(tier, item_id)] = frozenset(op.actor for op in log.ops
                                                if isinstance(op.actor, str) and op.actor)
    known.actors = actors
    known.with_items(folded)
    return predicates.select(query, folded, known)
