"""Loops of `isbefore` and `parent` links: refused when a write would close one, reported when
one arrives by merge (`validate`, the pre-commit hook, `show`, `doctor`).

An item on an isbefore loop is never ready and blocks the stop hook for good; an item on a
parent loop is its own ancestor. `looped_ids(store)` is the predicate the "needs the human"
query uses: the IDs of every item on a loop of either kind, from the index's link tables
(no item is decoded).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core import graph
from ..core.errors import InvalidValueError
from ..core.ids import short
from ..store.layout import TIERS

if TYPE_CHECKING:
    from ..core.item import Item
    from ..store.store import Store

LINKS = ("isbefore", "parent")
# link name -> item ID -> the IDs its links of that name point to
Graphs = dict[str, dict[str, set[str]]]


@dataclass(frozen=True, slots=True)
class Loop:
    """A loop of isbefore or parent links."""
    link: str  # "isbefore" or "parent"
    ids: tuple[str, ...]  # a closed path: the first ID is also the last

    def describe(self) -> str:
        return f"{self.link} loop: {' -> '.join(short(i) for i in self.ids)}"

    @property
    def harm(self) -> str:
        if self.link == "parent":
            return "each item on it is its own ancestor"
        return "no item on it can ever be ready, and the stop hook never lets go"

    @property
    def fix(self) -> str:
        """The command that breaks the loop at its first link."""
        if self.link == "parent":
            return f"htrac update {self.ids[0]} --clear-parent"
        return f"htrac update {self.ids[0]} --remove-isbefore {self.ids[1]}"


def graphs_of(items: Iterable[Item]) -> Graphs:
    found: Graphs = {link: {} for link in LINKS}
    for item in items:
        if item.isbefore:
            found["isbefore"].setdefault(item.id, set()).update(item.isbefore)
        if item.parent:
            found["parent"].setdefault(item.id, set()).add(item.parent)
    return found


def graphs(store: Store, tiers: tuple[str, ...] = TIERS) -> Graphs:
    """Every item's links, from the index when it can answer (no item decoded)."""
    fast = store.query("link_edges", tiers)
    if fast is None:
        return graphs_of(store.items(tiers))
    found: Graphs = {link: {} for link in LINKS}
    for link, pairs in zip(LINKS, fast, strict=True):
        for item_id, target in pairs:
            found[link].setdefault(item_id, set()).add(target)
    return found


def loops_in(found: Graphs) -> list[Loop]:
    return [Loop(link, tuple(ids)) for link in LINKS for ids in graph.loops(found[link])]


def new_loops(before: Graphs, after: Graphs) -> list[Loop]:
    """Loops of `after` whose tangle of links `before` did not have (what a commit brings)."""
    found = []
    for link in LINKS:
        old = {frozenset(c) for c in graph.components(before[link])}
        fresh = [c for c in graph.components(after[link]) if frozenset(c) not in old]
        for component in fresh:
            inside = set(component)
            sub = {n: [t for t in after[link].get(n, ()) if t in inside] for n in component}
            found.extend(Loop(link, tuple(ids)) for ids in graph.loops(sub))
    return found


def with_items(found: Graphs, ids: Iterable[str], items: Iterable[Item]) -> Graphs:
    """`found` with the links of `items` in place of what it had for `ids`."""
    updated: Graphs = {link: dict(found[link]) for link in LINKS}
    items = list(items)
    for item_id in {*ids, *(item.id for item in items)}:
        for link in LINKS:
            updated[link].pop(item_id, None)
    for link, edges in graphs_of(items).items():
        updated[link].update(edges)
    return updated


def loops(store: Store) -> list[Loop]:
    """One loop per tangle of links, for `validate` and `doctor`."""
    return loops_in(graphs(store))


def looped_ids(store: Store) -> set[str]:
    """IDs of the items on a loop of isbefore or parent links (`is:needs-human`)."""
    return looped_in(graphs(store))


def looped_in(found: Graphs) -> set[str]:
    return set().union(*(graph.looped(found[link]) for link in LINKS))


class LinksOf:
    """One kind of link as a graph that reads an item only when a walk reaches it, so asking
    about one item's loops costs what its links lead to, not a look at every file."""

    def __init__(self, store: Store, link: str, known: Item | None = None) -> None:
        self.store, self.link = store, link
        self._seen: dict[str, list[str]] = {}
        if known is not None:
            self._seen[known.id] = _targets(known, link)

    def get(self, item_id: str, default: Iterable[str] = ()) -> Iterable[str]:
        if item_id not in self._seen:
            tiers = self.store.tiers_of(item_id)
            self._seen[item_id] = _targets(self.store.load(tiers[0], item_id), self.link) \
                if tiers else []
        return self._seen[item_id]


def _targets(item: Item, link: str) -> list[str]:
    if link == "parent":
        return [item.parent] if item.parent else []
    return list(item.isbefore)


def loops_through(store: Store, item: Item) -> list[Loop]:
    """The shortest loop of each kind that passes through `item` (for `show`)."""
    result = []
    for link in LINKS:
        if _targets(item, link):
            ids = graph.path(LinksOf(store, link, item), item.id, item.id)
            if ids is not None:
                result.append(Loop(link, tuple(ids)))
    return result


def refuse_loop(store: Store, item_id: str, link: str, targets: Iterable[str]) -> None:
    """Raise InvalidValueError, naming the loop, if new links `item_id -> target` of kind
    `link` would close one."""
    ids = graph.closes_loop(LinksOf(store, link), item_id, targets)
    if ids is None:
        return
    loop = Loop(link, tuple(ids)).describe()
    if link == "parent":
        raise InvalidValueError(f"refused: {short(ids[1])} as the parent of {short(item_id)} "
                                f"would make a loop ({loop}): an item can't be its own "
                                "ancestor")
    raise InvalidValueError(f"refused: {short(item_id)} isbefore {short(ids[1])} would make a "
                            f"loop ({loop}): no item on it could ever be ready")
