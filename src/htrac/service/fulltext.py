"""Full-text search: `htrac search QUERY`, ranked, with snippets.

What matches is defined once, in `core.textsearch` (whole tokens, case- and accent-insensitive,
`word*` prefixes, "phrases"; title, description, fields, discussion, notes, links, tags, ID) —
the same definition the query language's words use. The index answers with SQLite FTS5
(`store.index_fts`), ranked by bm25 with a title hit worth most, with a snippet around the best
match. Without the index the definition is applied to the folded items, unranked but with the
same results — tests hold the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.errors import InvalidValueError
from ..core.textsearch import Matcher, Term, fts_query, search_terms
from ..store.layout import TIERS

if TYPE_CHECKING:
    from ..core.item import Item
    from ..store.index import Index
    from .tracker import Tracker


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    tier: str
    title: str
    status: str
    priority: int
    score: float
    snippet: list[tuple[str, bool]]  # (text, is a match) segments

    def snippet_text(self, open_mark: str = "«", close_mark: str = "»") -> str:
        return "".join(f"{open_mark}{t}{close_mark}" if hit else t for t, hit in self.snippet)

    def as_dict(self) -> dict:
        return {"id": self.id, "tier": self.tier, "title": self.title, "status": self.status,
                "priority": self.priority, "score": round(self.score, 6),
                "snippet": self.snippet_text(),
                "snippet_parts": [[t, hit] for t, hit in self.snippet]}


def search(tracker: Tracker, query: str, *, tiers: tuple[str, ...] = TIERS,
           limit: int | None = 20) -> list[Hit]:
    """Items matching `query`, best first."""
    terms = search_terms(query)
    if not terms:
        raise InvalidValueError("nothing to search for: give at least one word")
    rows = _from_index(tracker, terms, tiers, limit)
    if rows is not None:
        return rows
    items = [i for i in tracker.items(tiers) if Matcher(terms)(i)]
    items.sort(key=lambda i: (i.priority, i.created_at))
    return [_hit(i, 0.0, [(i.title, False)]) for i in items[:limit]]


def _from_index(tracker: Tracker, terms: list[Term], tiers: tuple[str, ...],
                limit: int | None) -> list[Hit] | None:
    from ..store import index_fts
    from ..store.index import RANK

    def hits(index: Index) -> list[Hit]:
        db = index.refresh()
        rows = index_fts.query(db, fts_query(terms), [RANK[t] for t in tiers], limit)
        found = []
        for rank, item_id, score, snippet in rows:
            summary = db.execute("SELECT title, status, priority FROM items WHERE rank = ? "
                                 "AND id = ?", (rank, item_id)).fetchone()
            found.append(Hit(item_id, TIERS[rank], summary[0], summary[1], summary[2], score,
                             _segments(snippet)))
        return found

    return tracker.store.indexed(hits)


def _segments(snippet: str) -> list[tuple[str, bool]]:
    from ..store.index_fts import CLOSE, OPEN

    parts: list[tuple[str, bool]] = []
    for chunk in snippet.split(OPEN):
        inside, sep, after = chunk.partition(CLOSE)
        if sep:
            parts.append((inside, True))
            if after:
                parts.append((after, False))
        elif chunk:
            parts.append((chunk, False))
    return [(" ".join(t.split("\n")), hit) for t, hit in parts]


def _hit(item: Item, score: float, snippet: list[tuple[str, bool]]) -> Hit:
    return Hit(item.id, item.tier, item.title, item.status, item.priority, score, snippet)

