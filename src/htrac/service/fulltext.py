"""Full-text search: `htrac search QUERY`, and the matcher the query language's text terms use.

A query is words and "quoted phrases"; an item matches when every one of them occurs in its
text (title, description, custom fields, discussion, must-remember notes, links, tags). Words
match whole tokens, case- and accent-insensitively (`cafe` finds `Café`); a word ending in `*`
matches any token it starts (`migrat*`); a phrase matches its tokens in a row, within one kind
of text. Everything else a user might type — `AND`, `-x`, `col:`, stray quotes — is taken as
plain words, so a query can never be a syntax error.

The index answers with SQLite FTS5 (`store.index_fts`), ranked by bm25 with a title hit worth
most, with a snippet around the best match. Without the index the same definition is applied to
the folded items (`Matcher`), unranked but with the same results — tests hold the two equal.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.errors import InvalidValueError
from ..store.layout import TIERS

if TYPE_CHECKING:
    from ..core.item import Item
    from .tracker import Tracker

MAX_QUERY = 1000
_TERM = re.compile(r'"([^"]*)"|(\S+)')
# unicode61's token characters (letters, numbers, private use) as Python's `\w` sees them,
# without the underscore, which unicode61 treats as a separator
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Term:
    tokens: tuple[str, ...]  # folded tokens; a phrase has several
    prefix: bool = False     # the last token matches any token it starts


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


def fold_token(text: str) -> str:
    """A token as unicode61 with remove_diacritics compares it: lower case, no accents."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    return [fold_token(t) for t in _TOKEN.findall(text)]


def parse(query: str) -> list[Term]:
    """The terms of a query; an empty list when it has no word at all."""
    if len(query) > MAX_QUERY:
        raise InvalidValueError(f"a search query is at most {MAX_QUERY} characters")
    terms: list[Term] = []
    for phrase, word in _TERM.findall(query):
        text = phrase if phrase else word
        prefix = bool(word) and word.endswith("*")
        found = tuple(t for t in tokens(text) if t)
        if len(found) > 1 and not phrase:  # `foo-bar` is the phrase "foo bar", as FTS5 reads it
            terms.append(Term(found, prefix))
        elif found:
            terms.append(Term(found, prefix))
    return terms


def fts_query(terms: list[Term]) -> str:
    """The FTS5 query for `terms`: every term a quoted string, so nothing is an operator."""
    parts = []
    for term in terms:
        text = '"' + " ".join(term.tokens).replace('"', '""') + '"'
        parts.append(text + ("*" if term.prefix else ""))
    return " AND ".join(parts)


class Matcher:
    """The definition of a match, applied to a folded item (no index needed)."""

    def __init__(self, terms: list[Term]) -> None:
        self.terms = terms

    def __call__(self, item: Item) -> bool:
        from ..store.index_fts import document

        columns = [tokens(text) for text in document(item)]
        return all(any(_has(column, term) for column in columns) for term in self.terms)


def _has(column: list[str], term: Term) -> bool:
    n = len(term.tokens)
    for start in range(len(column) - n + 1):
        window = column[start:start + n]
        if window[:-1] != list(term.tokens[:-1]):
            continue
        last, want = window[-1], term.tokens[-1]
        if last == want or (term.prefix and last.startswith(want)):
            return True
    return False


def search(tracker: Tracker, query: str, *, tiers: tuple[str, ...] = TIERS,
           limit: int | None = 20) -> list[Hit]:
    """Items matching `query`, best first."""
    terms = parse(query)
    if not terms:
        raise InvalidValueError("nothing to search for: give at least one word")
    rows = _from_index(tracker, terms, tiers, limit)
    if rows is not None:
        return rows
    items = [i for i in tracker.items(tiers) if Matcher(terms)(i)]
    items.sort(key=lambda i: (i.priority, i.created_at))
    return [_hit(i, 0.0, [(i.title, False)]) for i in items[:limit]]


def matching_keys(tracker: Tracker, query: str,
                  tiers: tuple[str, ...] = TIERS) -> set[tuple[str, str]]:
    """(tier, ID) of every item whose text matches `query`: what the query language's text
    words select. An empty query matches everything."""
    terms = parse(query)
    if not terms:
        return {(i.tier, i.id) for i in tracker.items(tiers)}
    index = tracker.store.index
    if index is not None:
        from ..store import index_fts
        from ..store.index import RANK
        from ..store.index_db import IndexUnavailable

        try:
            found = index_fts.keys(index.refresh(), fts_query(terms),
                                      [RANK[t] for t in tiers])
            return {(TIERS[rank], item_id) for rank, item_id in found}
        except (IndexUnavailable, sqlite3.Error):
            tracker.store.index = None
    match = Matcher(terms)
    return {(i.tier, i.id) for i in tracker.items(tiers) if match(i)}


def _from_index(tracker: Tracker, terms: list[Term], tiers: tuple[str, ...],
                limit: int | None) -> list[Hit] | None:
    index = tracker.store.index
    if index is None:
        return None
    from ..store import index_fts
    from ..store.index import RANK
    from ..store.index_db import IndexUnavailable

    try:
        db = index.refresh()
        rows = index_fts.query(db, fts_query(terms), [RANK[t] for t in tiers], limit)
        hits = []
        for rank, item_id, score, snippet in rows:
            summary = db.execute("SELECT title, status, priority FROM items WHERE rank = ? "
                                 "AND id = ?", (rank, item_id)).fetchone()
            hits.append(Hit(item_id, TIERS[rank], summary[0], summary[1], summary[2], score,
                            _segments(snippet)))
        return hits
    except (IndexUnavailable, sqlite3.Error):
        tracker.store.index = None
        return None


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


# -- the query language's text words (core.query, core.predicates: a `TextMatcher`) ------------
# Both halves of one definition, in the shape the predicate registry takes:
#     predicates.set_text_matcher(TextMatcher(fulltext.word_matches, fulltext.word_sql))

def word_matches(item: Item, word: str, facts: object = None) -> bool:
    """Does `item`'s text match `word` (a query word or "phrase") — the Python half."""
    return Matcher(parse(word))(item)


def word_sql(word: str, facts: object = None) -> tuple[str, list]:
    """The same, as a condition on the index's `items AS i` — the SQL half (FTS5)."""
    terms = parse(word)
    if not terms:
        return "1", []
    return ("(i.rank, i.id) IN (SELECT d.rank, d.id FROM fulltext AS f JOIN fulltext_docs AS d "
            "ON d.docid = f.rowid WHERE fulltext MATCH ?)", [fts_query(terms)])
