"""What a query's terms mean: for a folded item (here, in Python) and over the index (SQL).

Every term has two halves that must agree — `match(item, facts)` on a compiled item, and an SQL
condition over the index's `items` row `i` (columns listed in docs/design/surfaces.md) — so a
query answered by the index gives exactly the items a fold of every file would
(`tests/store/test_index_search.py` checks that with hypothesis). Both halves live side by side
here so that nobody changes one without the other.

Extending it:
- `register(Predicate(...))` adds an `is:` predicate (claims adds `is:claimed`);
- `needs_human(name)` adds a predicate to the union `is:needs-human` means (stale claims,
  cycles, tampering…);
- `set_text_matcher(...)` replaces how words and phrases match (by default as `htrac search`
  matches: `core.textsearch`, FTS5 in the index).

Facts a predicate needs beyond the item (the configured status sets, which items are blocked,
the human's read state, who wrote each item's ops) come in a `Facts`; the SQL half gets the same
facts and may refer to the index's tables (`links`, `tags`, `actors`, `fulltext`) and to the
per-query table `temp.readmarks(id, dlen, read)` holding the human's read marks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import textsearch
from .query import TEXT, Query, QueryVocabulary, Term

if TYPE_CHECKING:
    from .config import Config
    from .item import Item
    from .summary import Listing

HUMAN = "human"
# Statuses that ask a human to decide: any configured status whose name says review.
REVIEW_MARK = "review"


@dataclass(frozen=True, slots=True)
class ReadMark:
    """The human read (or marked unread) the item's discussion when it had `dlen` entries."""

    dlen: int
    read: bool


@dataclass(slots=True)
class Facts:
    """What matching needs besides the item. `blocked` is the set of IDs that an unresolved
    item's `isbefore` names (computed over every tier); `actors[(tier, id)]` the OS users who
    wrote ops on that item; `read_marks` the human's read state by item ID."""

    blocking: tuple[str, ...]
    resolved: tuple[str, ...]
    review: tuple[str, ...]
    blocked: frozenset[str] = frozenset()
    actors: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    read_marks: Mapping[str, ReadMark] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # for predicates others register

    @classmethod
    def for_config(cls, config: Config, **known: Any) -> Facts:
        return cls(tuple(config.blocking_statuses), tuple(config.resolved_statuses),
                   review_statuses(config.statuses), **known)

    def with_items(self, items: Iterable[Item]) -> Facts:
        """These facts with `blocked` computed from `items` (all of them, every tier)."""
        resolved = set(self.resolved)
        self.blocked = frozenset(target for item in items if item.status not in resolved
                                 for target in item.isbefore)
        return self


def review_statuses(statuses: Iterable[str]) -> tuple[str, ...]:
    return tuple(s for s in statuses if REVIEW_MARK in s)


SqlPart = tuple[str, list[Any]]  # a condition over `items AS i`, and its parameters


@dataclass(frozen=True, slots=True)
class Predicate:
    name: str
    help: str
    match: Callable[[Item, Facts], bool]
    sql: Callable[[Facts], SqlPart]


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values)) or "NULL"


def _ready(item: Item, facts: Facts) -> bool:
    return (item.status in facts.blocking and not item.duplicate_of
            and not item.cross_tier_conflict and not item.damaged
            and item.id not in facts.blocked)


def _ready_sql(facts: Facts) -> SqlPart:
    blocked = _BLOCKED.format(resolved=_marks(facts.resolved))
    return (f"(i.status IN ({_marks(facts.blocking)}) AND i.duplicate = 0 AND i.conflict = 0 "
            f"AND i.damaged = 0 AND i.id NOT IN ({blocked}))",
            [*facts.blocking, *facts.resolved])


_BLOCKED = ("SELECT l.target FROM links AS l JOIN items AS s ON s.rank = l.rank AND s.id = l.id "
            "WHERE s.status NOT IN ({resolved})")


def _blocked_sql(facts: Facts) -> SqlPart:
    resolved = _marks(facts.resolved)
    return (f"(i.status NOT IN ({resolved}) AND i.id IN "
            f"({_BLOCKED.format(resolved=resolved)}))", [*facts.resolved, *facts.resolved])


def unread_for_human(item: Item, marks: Mapping[str, ReadMark]) -> bool:
    """Does the discussion hold something the human hasn't read? Their own mark decides while
    the discussion still has the length it had when they set it; otherwise it is unread when
    its last entry is not a human's (as the reference's TUI decides)."""
    mark = marks.get(item.id)
    if mark is not None and mark.dlen == len(item.discussion):
        return not mark.read
    return bool(item.discussion) and item.discussion[-1].by != HUMAN


def unread_listing(row: Listing, marks: Mapping[str, ReadMark]) -> bool:
    """`unread_for_human` for a `Listing` row (its `dlen` and `dlast_human` columns)."""
    mark = marks.get(row.id)
    if mark is not None and mark.dlen == row.dlen:
        return not mark.read
    return row.dlen > 0 and not row.dlast_human


UNREAD_SQL = ("coalesce((SELECT 1 - r.read FROM temp.readmarks AS r "
              "WHERE r.id = i.id AND r.dlen = i.dlen), i.dlen > 0 AND i.dlast_human = 0)")

PREDICATES: dict[str, Predicate] = {}
NEEDS_HUMAN: list[str] = []  # the predicates `is:needs-human` is the union of


def register(predicate: Predicate) -> None:
    PREDICATES[predicate.name] = predicate


def needs_human(name: str) -> None:
    """Make `is:needs-human` also hold for items `is:<name>` holds for."""
    if name not in PREDICATES:
        raise KeyError(f"no predicate is:{name}")
    if name not in NEEDS_HUMAN:
        NEEDS_HUMAN.append(name)


def _needs_human(item: Item, facts: Facts) -> bool:
    return any(PREDICATES[name].match(item, facts) for name in NEEDS_HUMAN)


def _needs_human_sql(facts: Facts) -> SqlPart:
    parts = [PREDICATES[name].sql(facts) for name in NEEDS_HUMAN]
    return ("(" + " OR ".join(f"coalesce({sql}, 0)" for sql, _ in parts) + ")",
            [a for _, args in parts for a in args])


# `facts.extra[LOOPED]`: the IDs on a loop of links, a property of the whole graph the service
# computes (`service.cycles.looped_ids`) when a query asks for it.
LOOPED = "looped"


def _looped_sql(facts: Facts) -> SqlPart:
    ids = sorted(facts.extra.get(LOOPED, ()))
    return f"i.id IN ({_marks(ids)})", ids


def _simple(name: str, help: str, match: Callable[[Item, Facts], bool], sql: str) -> Predicate:
    return Predicate(name, help, match, lambda facts: (sql, []))


for _p in (
    Predicate("ready", "an agent may start it now (what `htrac ready` lists)", _ready,
              _ready_sql),
    Predicate("blocked", "unresolved, and an unresolved item must finish before it",
              lambda i, f: i.status not in f.resolved and i.id in f.blocked, _blocked_sql),
    Predicate("unread", "the discussion has something the human hasn't read",
              lambda i, f: unread_for_human(i, f.read_marks), lambda f: (UNREAD_SQL, [])),
    Predicate("review", "its status asks for a human's review (a status named *review*)",
              lambda i, f: i.status in f.review,
              lambda f: (f"i.status IN ({_marks(f.review)})", list(f.review))),
    _simple("rejected", "an op of it was read but refused (authority or schema)",
            lambda i, f: any(p.kind == "rejected" for p in i.problems), "i.rejected > 0"),
    _simple("damaged", "bytes of it can't be read, or it has no create",
            lambda i, f: i.damaged, "i.damaged = 1"),
    _simple("frozen", "frozen by a human", lambda i, f: i.frozen, "i.frozen = 1"),
    _simple("locked", "a human locked at least one field", lambda i, f: bool(i.locked_fields),
            "i.locked > 0"),
    Predicate("resolved", "its status is a resolved one (done, wont_do, …)",
              lambda i, f: i.status in f.resolved,
              lambda f: (f"i.status IN ({_marks(f.resolved)})", list(f.resolved))),
    _simple("waiting", "a human's message waits for an agent's answer",
            lambda i, f: bool(i.unread_human()), "i.unread > 0"),
    _simple("conflict", "the same item is in two tiers",
            lambda i, f: i.cross_tier_conflict, "i.conflict = 1"),
    Predicate("looped", "on a loop of isbefore or parent links (never ready; break the loop)",
              lambda i, f: i.id in f.extra.get(LOOPED, ()), _looped_sql),
    Predicate("needs-human", "waits on a human: unread, review, rejected, damaged, looped",
              _needs_human, _needs_human_sql),
):
    register(_p)
for _name in ("unread", "review", "rejected", "damaged", "looped"):
    needs_human(_name)


# -- text --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TextMatcher:
    """How a word or phrase matches: on a folded item, and as SQL over the index."""

    match: Callable[[Item, str, Facts], bool]
    sql: Callable[[str, Facts], SqlPart]


# Words and phrases match as `htrac search` does (core.textsearch: whole tokens, case- and
# accent-insensitive, `word*` a prefix), answered in SQL by the index's FTS5 table.
TEXT_MATCHER = [TextMatcher(textsearch.word_matches, textsearch.word_sql)]


def set_text_matcher(matcher: TextMatcher) -> None:
    TEXT_MATCHER[0] = matcher


# -- terms -------------------------------------------------------------------------------------

_COMPARE = {"=": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _priority_of(item: Item) -> int:
    from .summary import sortable_priority

    return sortable_priority(item.priority)


def term_matches(term: Term, item: Item, facts: Facts) -> bool:
    key, values = term.key, term.values
    if key == TEXT:
        found = TEXT_MATCHER[0].match(item, values[0], facts)
    elif key == "status":
        found = item.damaged or item.status in values
    elif key == "tag":
        found = any(v in item.tags for v in values)
    elif key == "kind":
        found = item.kind in values
    elif key == "tier":
        found = item.tier in values
    elif key == "priority":
        found = any(_COMPARE[term.compare](_priority_of(item), v) for v in values)
    elif key == "is":
        found = any(PREDICATES[v].match(item, facts) for v in values)
    elif key == "actor":
        found = bool(facts.actors.get((item.tier, item.id), frozenset()) & set(values))
    elif key == "id":
        found = any(item.id.startswith(v) for v in values)
    elif key == "parent":
        found = item.parent is not None and any(item.parent.startswith(v) for v in values)
    else:
        raise KeyError(key)
    return found != term.negated


def matches(query: Query, item: Item, facts: Facts) -> bool:
    return all(term_matches(term, item, facts) for term in query.terms)


def sort_key(item: Item) -> tuple[int, str, int, str]:
    from .summary import sortable_priority

    return (sortable_priority(item.priority), item.created_at, _RANK.get(item.tier, 9), item.id)


_RANK = {"canonical": 0, "workspace": 1, "stealth": 2}


def select(query: Query, items: Iterable[Item], facts: Facts) -> list[Item]:
    """The items `query` keeps, by (priority, created_at, tier, ID) — the index's order."""
    return sorted((i for i in items if matches(query, i, facts)), key=sort_key)


def vocabulary(config: Config) -> QueryVocabulary:
    return QueryVocabulary(frozenset(config.statuses), frozenset(config.kinds),
                           predicates=frozenset(PREDICATES))


from . import claimterms  # noqa: E402,F401 — registers is:claimed and is:stale

__all__ = ["Facts", "Predicate", "ReadMark", "TextMatcher", "PREDICATES", "NEEDS_HUMAN",
           "register", "needs_human", "set_text_matcher", "matches", "select", "vocabulary",
           "unread_for_human"]
