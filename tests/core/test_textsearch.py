"""What a text search means (core.textsearch), on folded items: the definition both
`htrac search` and the query language's words use."""

from __future__ import annotations

import pytest

from htrac.core.errors import InvalidValueError
from htrac.core.item import Entry, Item, Memo
from htrac.core.textsearch import (
    Term,
    document,
    fts_query,
    phrase_term,
    search_terms,
    tokens,
    word_matches,
    word_sql,
)


def _item() -> Item:
    return Item(id="WI-dumip-talar", title="Migrate the Café database", pr_ref="owner/repo#42",
                description="lock file first", tags=["db"],
                discussion=[Entry(by="human", actor="alice", at="2026-01-01T00:00:00Z",
                                  message="ship the parser", nonce="n1")],
                memory=[Memo(nonce="m1", text="never touch prod", by="agent", actor="a",
                             at="2026-01-01T00:00:00Z")])


def test_tokens_fold_case_and_accents_and_split_on_underscore():
    assert tokens("Café_NAÏVE x1-2026") == ["cafe", "naive", "x1", "2026"]


@pytest.mark.parametrize("word, found", [
    ("migrate", True), ("MIGRATE", True), ("migrat", False), ("migrat*", True),
    ("cafe", True), ("café", True), ("the café", True), ("café the", False),
    ("lock file", True), ("lock-file", True), ("prod", True), ("parser", True),
    ("dumip", True), ("repo", True), ("42", True), ("db", True), ("nowhere", False),
    ("--", True),  # no token at all: holds for every item, as in the index
])
def test_word_matches(word, found):
    assert word_matches(_item(), word) is found


def test_a_phrase_does_not_cross_kinds_of_text():
    item = _item()  # title ends "database", description starts "lock"
    assert not word_matches(item, "database lock")


def test_search_terms_reads_everything_as_words():
    assert search_terms('AND "lock file" migrat* -x col:y') == [
        Term(("and",)), Term(("lock", "file")), Term(("migrat",), True), Term(("x",)),
        Term(("col", "y"))]
    assert fts_query(search_terms('say "hi"')) == '"say" AND "hi"'
    with pytest.raises(InvalidValueError):
        search_terms("x" * 1001)


def test_phrase_term_and_sql_for_a_word_without_tokens():
    assert phrase_term("@@") is None
    assert word_sql("@@") == ("1", [])
    sql, args = word_sql("Café*")
    assert "MATCH ?" in sql and args == ['"cafe"*']


def test_markers_are_blanked_in_the_document():
    item = _item()
    item.title = "a\x02b\x03c"
    assert "\x02" not in "".join(document(item)) and "\x03" not in "".join(document(item))
