"""The query language's parser: terms, negation, quoting, comparisons, errors with columns."""

from __future__ import annotations

import pytest

from htrac.core import predicates
from htrac.core.config import load_config
from htrac.core.query import TEXT, QueryError, QueryVocabulary, Term, parse


@pytest.fixture
def vocab(tmp_path):
    return predicates.vocabulary(load_config(tmp_path))


def test_query_parses_every_key(vocab):
    query = parse('status:todo_hard,in_progress tag:ui kind:work_item tier:canonical '
                  'priority:<=1 is:ready is:Needs-Human actor:alice_agent id:WI-ba '
                  'parent:WI-x text words "a phrase"', vocab)
    assert [t.key for t in query.terms] == [
        "status", "tag", "kind", "tier", "priority", "is", "is", "actor", "id", "parent",
        TEXT, TEXT, TEXT]
    assert query.terms[0].values == ("todo_hard", "in_progress")
    assert query.terms[4] == Term("priority", (1,), False, "<=")
    assert query.terms[4].column == 67
    assert query.terms[6].values == ("needs-human",)
    assert query.terms[-1].values == ("a phrase",)


def test_query_negation_and_aliases():
    query = parse('-tag:docs -"two words" -word p:>2 by:bob')
    assert [(t.key, t.negated) for t in query.terms] == [
        ("tag", True), (TEXT, True), (TEXT, True), ("priority", False), ("actor", False)]
    assert query.terms[3].compare == ">" and query.terms[3].values == (2,)


def test_query_empty_is_everything():
    assert not parse("   ")
    assert parse("").terms == ()


def test_query_quotes_escape_and_values():
    query = parse(r'"say \"hi\"" tag:"odd tag",x')
    assert query.terms[0].values == ('say "hi"',)
    assert query.terms[1].values == ("odd tag", "x")


@pytest.mark.parametrize("text,column,fragment", [
    ("status:bogus", 8, "unknown status 'bogus'"),
    ("tag:ui  foo:bar", 9, "unknown key 'foo'"),
    ('"never closed', 1, "never closed"),
    ("priority:high", 10, "not a number"),
    ("priority:<1,2", 13, "one number"),
    ("is:sleepy", 4, "unknown predicate"),
    ("tag:", 5, "needs a value"),
    ("tag:a,,b", 7, "needs a value"),
    ('"a"b', 4, "space after a closing quote"),
    ('wo"rd', 3, "quote inside a word"),
    ("id:a/b", 4, "not the start of an item ID"),
    ('""', 1, "empty phrase"),
    ("tier:moon", 6, "unknown tier"),
])
def test_query_errors_name_the_column(vocab, text, column, fragment):
    with pytest.raises(QueryError) as caught:
        parse(text, vocab)
    assert caught.value.column == column
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(f"query, column {column}: ")


def test_query_without_vocabulary_accepts_any_status():
    assert parse("status:whatever", QueryVocabulary()).terms[0].values == ("whatever",)


@pytest.mark.parametrize("text", [
    'status:todo_hard,done -tag:ui "a phrase" priority:>=3 is:ready word -"x \\" y"',
    "tag:\"a b\",c id:WI-abc -parent:WI",
])
def test_query_describe_round_trips(text):
    query = parse(text)
    assert parse(query.describe()).terms == query.terms
