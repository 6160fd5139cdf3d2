"""The query language every surface shares: `htrac list --query`, the TUI's filter bar, the web
UI's `?q=` and the MCP `list` tool take the same string and get the same items.

    status:todo_hard,in_progress tag:ui kind:work_item tier:canonical priority:<=1
    is:ready is:needs-human actor:alice_agent -tag:docs parser "a phrase"

A query is a sequence of terms, all of which must hold. A term is `key:value[,value…]` (any of
the values), a bare word or a `"quoted phrase"` (in the item's text as `htrac search` finds
it: whole words, case- and accent-insensitively, `word*` any word it starts; `core.textsearch`),
and a leading `-` negates any term. Keys are case-insensitive; `priority` takes `N`, `<N`,
`<=N`, `>N`, `>=N` or a list; `is:` names a predicate from the registry in `core.predicates`
(others register more, e.g. `is:claimed`). Parsing is pure and checks spellings against a
`QueryVocabulary` when one is given; errors name the column they happened at, on one line.

This module only parses. `core.predicates` says what each term means for a folded item;
`store.index_search` answers the same query in SQL over the index.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidValueError
from .ids import REFERENCE

# key -> what it matches (also the order `help` lists them in)
KEYS = {
    "status": "the item's status (a damaged item matches every status: its status is uncertain)",
    "tag": "one of the item's tags",
    "kind": "the item's kind (work_item, invariant, …)",
    "tier": "canonical, workspace or stealth",
    "priority": "N, <N, <=N, >N, >=N (0 is most urgent)",
    "is": "a named predicate (is:ready, is:blocked, is:unread, is:needs-human, …)",
    "actor": "someone who wrote an op on the item (an OS user name)",
    "id": "the item's ID starts with this",
    "parent": "the parent's ID starts with this",
}
ALIASES = {"p": "priority", "tags": "tag", "statuses": "status", "by": "actor"}
TEXT = "text"
COMPARISONS = ("<=", ">=", "<", ">", "=")


class QueryError(InvalidValueError):
    """A query that can't be read; `column` is 1-based, into the query as typed."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"query, column {column}: {message}")
        self.column = column
        self.reason = message


@dataclass(frozen=True, slots=True)
class Term:
    key: str                 # one of KEYS, or TEXT for a word or phrase
    values: tuple[Any, ...]  # strings; ints for priority
    negated: bool = False
    compare: str = "="       # for priority
    column: int = field(default=1, compare=False)

    def describe(self) -> str:
        """The term written back in the query language."""
        sign = "-" if self.negated else ""
        if self.key == TEXT:
            word = self.values[0]
            return sign + (word if _plain_word(word) else _quoted(word))
        if self.key == "priority" and self.compare != "=":
            return f"{sign}priority:{self.compare}{self.values[0]}"
        return f"{sign}{self.key}:" + ",".join(
            v if isinstance(v, str) and _plain_value(v) else _quoted(str(v)) for v in self.values)


@dataclass(frozen=True, slots=True)
class Query:
    terms: tuple[Term, ...] = ()
    text: str = ""

    def __bool__(self) -> bool:
        return bool(self.terms)

    def describe(self) -> str:
        return " ".join(t.describe() for t in self.terms)

    def keys(self) -> set[str]:
        return {t.key for t in self.terms}

    def predicates(self) -> set[str]:
        return {v for t in self.terms if t.key == "is" for v in t.values}

    def and_(self, *terms: Term) -> Query:
        return Query(self.terms + terms, self.text)


@dataclass(frozen=True, slots=True)
class QueryVocabulary:
    """What a query may name; empty sets accept anything (no config at hand)."""

    statuses: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset({"canonical", "workspace", "stealth"})
    predicates: frozenset[str] = field(default_factory=frozenset)


def parse(text: str, vocabulary: QueryVocabulary | None = None) -> Query:
    """The query `text` as terms; raises `QueryError` naming the column of the first mistake."""
    if len(text) > 4096:
        raise QueryError("a query is at most 4096 characters", 4097)
    terms = tuple(_terms(text, vocabulary or QueryVocabulary()))
    return Query(terms, text)


def _terms(text: str, vocab: QueryVocabulary) -> Iterator[Term]:
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        start = pos
        negated = text[pos] == "-" and pos + 1 < len(text) and not text[pos + 1].isspace()
        if negated:
            pos += 1
        if text[pos] == '"':
            phrase, pos = _quoted_at(text, pos)
            yield _text_term(phrase, negated, start)
            continue
        end = pos
        while end < len(text) and not text[end].isspace() and text[end] not in ':"':
            end += 1
        if end < len(text) and text[end] == ":":
            term, pos = _keyed(text, pos, end, negated, start, vocab)
            yield term
            continue
        if end < len(text) and text[end] == '"':
            raise QueryError('a quote inside a word; put the whole phrase in quotes', end + 1)
        yield _text_term(text[pos:end], negated, start)
        pos = end


def _quoted_at(text: str, pos: int, follow: str = "") -> tuple[str, int]:
    """The phrase in quotes starting at `pos` (`\\"` and `\\\\` escape), and where it ends."""
    out: list[str] = []
    i = pos + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
            out.append(text[i + 1])
            i += 2
            continue
        if ch == '"':
            end = i + 1
            if end < len(text) and not text[end].isspace() and text[end] not in follow:
                raise QueryError("put a space after a closing quote", end + 1)
            return "".join(out), end
        out.append(ch)
        i += 1
    raise QueryError("this quote is never closed", pos + 1)


def _text_term(word: str, negated: bool, start: int) -> Term:
    if not word.strip():
        raise QueryError("an empty phrase matches everything; leave it out", start + 1)
    return Term(TEXT, (word,), negated, "=", start + 1)


def _keyed(text: str, pos: int, colon: int, negated: bool, start: int,
           vocab: QueryVocabulary) -> tuple[Term, int]:
    written = text[pos:colon]
    key = ALIASES.get(written.lower(), written.lower())
    if key not in KEYS:
        raise QueryError(f"unknown key {written!r} (keys: {', '.join(KEYS)}; "
                         'put a word with a colon in quotes to search for it)', pos + 1)
    values, end, columns = _values(text, colon + 1, key)
    if key == "priority":
        return _priority(values, columns, negated, start), end
    for value, column in zip(values, columns, strict=True):
        _check_value(key, value, column, vocab)
    if key == "is":
        values = [v.lower() for v in values]
    return Term(key, tuple(dict.fromkeys(values)), negated, "=", start + 1), end


def _values(text: str, pos: int, key: str) -> tuple[list[str], int, list[int]]:
    """The comma-separated values after `key:` starting at `pos` (each may be quoted)."""
    values: list[str] = []
    columns: list[int] = []
    while True:
        columns.append(pos + 1)
        if pos < len(text) and text[pos] == '"':
            value, pos = _quoted_at(text, pos, follow=",")
        else:
            end = pos
            while end < len(text) and not text[end].isspace() and text[end] not in ',"':
                end += 1
            if end < len(text) and text[end] == '"':
                raise QueryError("a quote inside a value; quote the whole value", end + 1)
            value, pos = text[pos:end], end
        if not value:
            raise QueryError(f"{key}: needs a value here", columns[-1])
        values.append(value)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        return values, pos, columns


def _priority(values: list[str], columns: list[int], negated: bool, start: int) -> Term:
    compare = "="
    first = values[0]
    for op in COMPARISONS:
        if first.startswith(op):
            compare, first = op, first[len(op):]
            break
    if compare != "=" and len(values) > 1:
        raise QueryError("priority: a comparison takes one number (priority:<=1)", columns[1])
    numbers = []
    for value, column in zip([first, *values[1:]], columns, strict=True):
        if not (value.isascii() and value.isdigit()) or len(value) > 6:
            raise QueryError(f"priority: {value!r} is not a number (0 is most urgent)", column)
        numbers.append(int(value))
    return Term("priority", tuple(dict.fromkeys(numbers)), negated, compare, start + 1)


def _check_value(key: str, value: str, column: int, vocab: QueryVocabulary) -> None:
    known = {"status": vocab.statuses, "kind": vocab.kinds, "tier": vocab.tiers,
             "is": vocab.predicates}.get(key)
    if known and (value.lower() if key == "is" else value) not in known:
        raise QueryError(f"{key}: unknown {key if key != 'is' else 'predicate'} {value!r} "
                         f"(one of: {', '.join(sorted(known))})", column)
    if key in ("id", "parent") and not REFERENCE.fullmatch(value):
        raise QueryError(f"{key}: {value!r} is not the start of an item ID", column)
    if not value.isprintable():
        raise QueryError(f"{key}: a value can't hold control characters", column)


def _plain_word(word: str) -> bool:
    return bool(word) and not any(c.isspace() or c in ':",\\' for c in word) \
        and not word.startswith("-")


def _plain_value(value: str) -> bool:
    return bool(value) and not any(c.isspace() or c in '",\\' for c in value)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
