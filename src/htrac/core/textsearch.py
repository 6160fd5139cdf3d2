"""What a text search means: the one definition `htrac search` and the query language's words
and "phrases" share, answered by FTS5 in the index and, here, on a folded item.

An item's searchable text is a document with a column per kind of text (`document`): title,
description, custom fields, the visible discussion, must-remember notes, links, tags, and its
references (ID, pr_ref). Words match whole tokens, case- and accent-insensitively (`cafe`
finds `Café`); a word ending in `*` matches any token it starts (`migrat*`); a phrase matches
its tokens in a row, within one column. Tokens are runs of letters and digits, as SQLite's
`unicode61` tokenizer (with `remove_diacritics 2`) cuts them, so the Python half here and the
FTS5 half in the index agree (tests hold them equal with hypothesis).

`search_terms` reads what a user types into `htrac search`: words and "quoted phrases", and
everything else — `AND`, `-x`, `col:`, stray quotes — as plain words, so a search can never be
a syntax error. The query language parses its own terms (`core.query`); each word or phrase
there is one `phrase_term`, matched by `word_matches` on an item and by `word_sql` over the
index — the `TextMatcher` `core.predicates` uses.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from .errors import InvalidValueError
from .record import record

if TYPE_CHECKING:
    from .item import Item

MAX_QUERY = 1000
# The document's columns (the index's FTS5 table has the same, in this order).
COLUMNS = ("title", "description", "fields", "discussion", "memory", "links", "tags", "refs")
# Markers around a match in a snippet: characters no stored text carries (controls are escaped
# or refused on the way in), blanked in documents so content can't fake a highlight.
OPEN, CLOSE = "\x02", "\x03"
_BLANK = {ord(OPEN): " ", ord(CLOSE): " "}
_TERM = re.compile(r'"([^"]*)"|(\S+)')
# unicode61's token characters (letters, numbers, private use) as Python's `\w` sees them,
# without the underscore, which unicode61 treats as a separator
_TOKEN = re.compile(r"[^\W_]+")


@record(frozen=True)
class Term:
    """One term of a text search: a token, or a phrase of several."""
    tokens: tuple[str, ...]  # folded tokens; a phrase has several
    prefix: bool = False     # the last token matches any token it starts


def fold_token(text: str) -> str:
    """A token as unicode61 with remove_diacritics compares it: lower case, no accents."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    return [fold_token(t) for t in _TOKEN.findall(text)]


def document(item: Item) -> tuple[str, ...]:
    """The item's searchable text, one string per column of `COLUMNS`."""
    fields = "\n".join(f"{key}: {_text(value)}" for key, value in item.fields.items())
    discussion = "\n".join(e.message for e in item.discussion
                           if not e.is_tombstoned and isinstance(e.message, str))
    memory = "\n".join(m.text for m in item.memory)
    refs = " ".join(r for r in (item.id, item.pr_ref) if isinstance(r, str))
    columns = (item.title or "", item.description or "", fields, discussion, memory,
               "\n".join(item.links), " ".join(item.tags), refs)
    return tuple(str(c).translate(_BLANK) for c in columns)


def _text(value: object) -> str:
    if isinstance(value, list):
        return " ".join(map(str, value))
    return str(value)


def phrase_term(text: str) -> Term | None:
    """One word or phrase as a term (`foo-bar` and `"foo bar"` alike: its tokens in a row; a
    trailing `*` makes the last token a prefix), or None when it holds no token at all."""
    found = tuple(t for t in tokens(text) if t)
    return Term(found, text.rstrip().endswith("*")) if found else None


def search_terms(query: str) -> list[Term]:
    """The terms of an `htrac search` query; an empty list when it has no word at all."""
    if len(query) > MAX_QUERY:
        raise InvalidValueError(f"a search query is at most {MAX_QUERY} characters")
    terms = []
    for phrase, word in _TERM.findall(query):
        term = phrase_term(phrase) if phrase else phrase_term(word)
        if term is not None:
            terms.append(Term(term.tokens, bool(word) and word.endswith("*")))
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


# -- the query language's words and phrases (a `core.predicates.TextMatcher`) ------------------
# A word or phrase with no token in it (`--`, `@`) matches every item, in both halves.

def word_matches(item: Item, word: str, facts: object = None) -> bool:
    """Does `item`'s text match `word` (a query-language word or phrase)? — the Python half."""
    term = phrase_term(word)
    return term is None or Matcher([term])(item)


def word_sql(word: str, facts: object = None) -> tuple[str, list[Any]]:
    """The same, as a condition on the index's `items AS i` — the SQL half (FTS5)."""
    term = phrase_term(word)
    if term is None:
        return "1", []
    return ("(i.rank, i.id) IN (SELECT d.rank, d.id FROM fulltext AS f JOIN fulltext_docs AS d "
            "ON d.docid = f.rowid WHERE fulltext MATCH ?)", [fts_query([term])])
