"""Full-text search: FTS5 in the index finds exactly what a brute-force scan of the same text
finds (hypothesis), and stays as fresh as the index through writes, hand edits and deletes."""

from __future__ import annotations

import re
import sqlite3
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from htrac.core.item import Entry, Item, Memo
from htrac.core.textsearch import Matcher, fts_query
from htrac.core.textsearch import search_terms as parse
from htrac.store import index_fts

WORDS = ["café", "Cafe", "CAFÉ", "migrate", "migration", "migrated", "db", "data", "base",
         "root", "fixture", "naïve", "über", "x1", "2026", "lint", "make", "ready", "and",
         "or", "not", "near"]
SEPARATORS = [" ", "  ", "-", "_", ", ", ". ", "'", "/", ":", "\n", "\t", "(", ")"]


def _text():
    word = st.sampled_from(WORDS)
    sep = st.sampled_from(SEPARATORS)
    return st.lists(st.tuples(word, sep), max_size=8).map(
        lambda pairs: "".join(w + s for w, s in pairs))


def _item():
    return st.builds(
        lambda n, title, desc, msg, memo, tags: Item(
            id=f"WI-{n}", kind="work_item", title=title, description=desc, status="todo_hard",
            discussion=[Entry("agent", "a", "t", msg, "ab" * 8)] if msg else [],
            memory=[Memo("cd" * 8, memo, "human", "h", "t")] if memo else [],
            tags=tags, fields={"note": desc[:10]}, links=["https://x.org/" + title[:5]]),
        st.integers(0, 10**6), _text(), _text(), _text(), _text(),
        st.lists(st.sampled_from(["db", "ui", "migrate"]), max_size=2, unique=True))


def _query():
    word = st.sampled_from(WORDS + ["caf*", "migrat*", "d*", "zzz"])
    phrase = st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS)).map(
        lambda p: f'"{p[0]} {p[1]}"')
    junk = st.sampled_from(["AND", "OR", "-x", "col:db", "NEAR(", "*", '"'])
    return st.lists(st.one_of(word, word, phrase, junk), min_size=1, max_size=3).map(" ".join)


def _brute_tokens(text: str) -> list[str]:
    """Tokens as a reader would split them: runs of letters and digits, no case, no accents."""
    out = []
    for run in re.findall(r"[^\W_]+", text):
        plain = unicodedata.normalize("NFD", run.lower())
        out.append("".join(c for c in plain if not unicodedata.combining(c)))
    return out


def _brute_matches(item: Item, query: str) -> bool:
    return all(_brute_has(item, list(term.tokens), term.prefix) for term in parse(query))


def _brute_has(item: Item, want: list[str], prefix: bool) -> bool:
    for column in [_brute_tokens(t) for t in index_fts.document(item)]:
        for i in range(len(column) - len(want) + 1):
            window = column[i:i + len(want)]
            head_ok = window[:-1] == want[:-1]
            last_ok = window[-1] == want[-1] or (prefix and window[-1].startswith(want[-1]))
            if head_ok and last_ok:
                return True
    return False


def _keys(db, match: str) -> set[str]:
    rows = db.execute("SELECT d.id FROM fulltext AS f JOIN fulltext_docs AS d "
                      "ON d.docid = f.rowid WHERE fulltext MATCH ?", (match,))
    return {item_id for item_id, in rows}


@settings(max_examples=150, deadline=None)
@given(items=st.lists(_item(), max_size=12, unique_by=lambda i: i.id), query=_query())
def test_search_equals_a_brute_force_scan(items, query):
    terms = parse(query)
    db = sqlite3.connect(":memory:")
    db.executescript(index_fts.SCHEMA)
    for item in items:
        index_fts.write(db, 1, item.id, index_fts.document(item))
    if not terms:
        return
    found = _keys(db, fts_query(terms))
    expected = {i.id for i in items if _brute_matches(i, query)}
    assert found == expected
    assert {i.id for i in items if Matcher(terms)(i)} == expected  # the index-less fallback
    ranked = index_fts.query(db, fts_query(terms), [1], None)
    assert {row[1] for row in ranked} == expected


def test_search_rewrite_and_delete_keep_one_document_per_item():
    db = sqlite3.connect(":memory:")
    db.executescript(index_fts.SCHEMA)
    item = Item(id="WI-a", title="alpha beta")
    index_fts.write(db, 0, item.id, index_fts.document(item))
    item.title = "gamma"
    index_fts.write(db, 0, item.id, index_fts.document(item))
    assert _keys(db, '"alpha"') == set()
    assert _keys(db, '"gamma"') == {"WI-a"}
    index_fts.delete(db, 0, item.id)
    assert _keys(db, '"gamma"') == set()
    assert db.execute("SELECT count(*) FROM fulltext_docs").fetchone()[0] == 0


def test_tombstoned_messages_are_not_searchable():
    item = Item(id="WI-a", title="t", discussion=[
        Entry("agent", "a", "t", "secret words", "ab" * 8, is_tombstoned=True)])
    assert "secret" not in " ".join(index_fts.document(item))


def test_content_cannot_fake_a_highlight():
    item = Item(id="WI-a", title="plain \x02not a match\x03 words")
    assert "\x02" not in "".join(index_fts.document(item))


def _query_word():
    """One word or phrase of the query language, as core.query hands it over (no quotes)."""
    word = st.sampled_from(WORDS + ["caf*", "migrat*", "d*", "zzz", "WI", "x1-2026"])
    phrase = st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS)).map(" ".join)
    junk = st.sampled_from(["AND", "NEAR(", "*", "--", "@", "café-base", "db*"])
    return st.one_of(word, phrase, junk)


@settings(max_examples=100, deadline=None)
@given(items=st.lists(_item(), max_size=8, unique_by=lambda i: i.id), word=_query_word())
def test_query_language_halves_agree(items, word):
    """The two halves the query language's words and phrases use (its default TextMatcher):
    the SQL condition over the index's items and the Python match give the same items, equal
    to a brute-force scan — a word or phrase is its tokens in a row, `*` a prefix, and one
    without any token matches every item."""
    from htrac.core.predicates import TEXT_MATCHER

    matcher = TEXT_MATCHER[0]
    db = sqlite3.connect(":memory:")
    db.executescript(index_fts.SCHEMA)
    db.execute("CREATE TABLE items (rank INTEGER, id TEXT)")
    for item in items:
        db.execute("INSERT INTO items VALUES (1, ?)", (item.id,))
        index_fts.write(db, 1, item.id, index_fts.document(item))
    sql, args = matcher.sql(word, None)
    found = {row[0] for row in db.execute(f"SELECT i.id FROM items AS i WHERE {sql}", args)}
    assert found == {i.id for i in items if matcher.match(i, word, None)}
    want = _brute_tokens(word)
    expected = {i.id for i in items
                if not want or _brute_has(i, want, word.rstrip().endswith("*"))}
    assert found == expected


def test_the_query_language_finds_an_item_by_a_word_of_its_id_or_pr_ref():
    from htrac.core.predicates import TEXT_MATCHER

    item = Item(id="WI-dumip-talar", title="t", pr_ref="owner/repo#42")
    match = TEXT_MATCHER[0].match
    assert match(item, "dumip", None) and match(item, "repo", None)
    assert not match(item, "dumi", None) and match(item, "dumi*", None)
