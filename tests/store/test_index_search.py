"""The query language answered by the index equals the query evaluated over folded items."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_support import FULL

from htrac.core import predicates
from htrac.core.ops import make_op
from htrac.core.predicates import ReadMark
from htrac.core.query import TEXT, Query, Term, parse
from htrac.core.serialize import serialize_op
from htrac.service import search
from htrac.service.tracker import Tracker
from htrac.store import index_search
from htrac.store.layout import TIERS

STATUSES = ["todo_hard", "todo_soft", "in_progress", "needs_human_review", "done", "wont_do",
            "deleted"]
TAGS = ["api", "ui", "perf", "bug", "docs", "nosuchtag"]
ACTORS = ["alpha_agent", "beta_agent", "alice", "bob", "nobody"]
GENERATOR = Path(__file__).parents[2] / "benchmarks" / "generate.py"
WORDS = ["cache", "index", "PARSER", "fold clock", "ü", "merge branch", "zzz", "wi-"]


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    repo = tmp_path_factory.mktemp("search") / "repo"
    load_generator().generate(repo, 400 if FULL else 150, seed=11)
    ops = repo / ".agent" / "tracker-workspace" / ".ops"
    files = sorted(ops.glob(".*.ops"))
    files[0].write_bytes(files[0].read_bytes() + b"- op: update  # 1234\n  garbage: [\n")
    files[1].write_bytes(b"\xff\xfe not an op\n")
    stealth = repo / ".agent" / "tracker-workspace" / "stealth"
    shutil.copy(files[2], stealth / files[2].name)
    for path in files[3:12]:  # ops the policy refuses: an agent setting a human-only status
        op = make_op("update", by="agent", actor="alpha_agent", clock=999,
                     body={"set": {"status": "deleted"}})
        path.write_text(path.read_text() + serialize_op(op))
    return repo


@pytest.fixture(scope="module")
def tracker(generated):
    tracker = Tracker.open(generated)
    assert tracker.store.index is not None
    return tracker


@pytest.fixture(scope="module")
def ids(tracker):
    return [i.id for i in tracker.items(TIERS)]


def terms(ids):
    values = {
        "status": st.lists(st.sampled_from(STATUSES), min_size=1, max_size=2),
        "tag": st.lists(st.sampled_from(TAGS), min_size=1, max_size=2),
        "kind": st.lists(st.sampled_from(["work_item", "invariant"]), min_size=1, max_size=1),
        "tier": st.lists(st.sampled_from(TIERS), min_size=1, max_size=2),
        "is": st.lists(st.sampled_from(sorted(predicates.PREDICATES)), min_size=1, max_size=2),
        "actor": st.lists(st.sampled_from(ACTORS), min_size=1, max_size=2),
        "id": st.lists(st.sampled_from(ids).map(lambda i: i[:st_len(i)]), min_size=1,
                       max_size=2),
        "parent": st.lists(st.sampled_from(ids).map(lambda i: i[:9]), min_size=1, max_size=1),
    }
    keyed = st.one_of(*[st.builds(lambda v, n, k=key: Term(k, tuple(dict.fromkeys(v)), n),
                                  strategy, st.booleans())
                        for key, strategy in values.items()])
    priority = st.builds(lambda c, v, n: Term("priority", (v,), n, c),
                         st.sampled_from(["=", "<", "<=", ">", ">="]), st.integers(0, 4),
                         st.booleans())
    text = st.builds(lambda w, n: Term(TEXT, (w,), n), st.sampled_from(WORDS), st.booleans())
    return st.lists(st.one_of(keyed, priority, text), max_size=4)


def st_len(item_id: str) -> int:
    return 3 + len(item_id) % 9


@settings(max_examples=150 if FULL else 60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_index_search_equals_folded_items(tracker, ids, data):
    query = Query(tuple(data.draw(terms(ids))))
    marks = data.draw(st.dictionaries(
        st.sampled_from(ids), st.builds(ReadMark, st.integers(0, 4), st.booleans()),
        max_size=20))
    text = query.describe()
    assert parse(text, predicates.vocabulary(tracker.config)) == Query(query.terms, text)
    # with the reader's clock, as the service gives it (is:claimed and is:stale need it)
    facts = search.facts(tracker, read_marks=marks)
    # the index itself, not `search.search`, which would fold the files if the SQL failed
    indexed = index_search.search(tracker.store.index, query, facts, items=True)
    folded = search.evaluate(tracker, query, search.facts(tracker, read_marks=marks))
    assert [(i.tier, i.id) for i in indexed] == [(i.tier, i.id) for i in folded], text
    assert index_search.count(tracker.store.index, query, facts) == len(folded), text


def test_index_search_listing_rows_equal_folded_items(tracker):
    facts = predicates.Facts.for_config(tracker.config)
    rows = index_search.search(tracker.store.index, Query(), facts)
    from htrac.core.summary import Listing

    folded = search.evaluate(tracker, Query(), predicates.Facts.for_config(tracker.config))
    assert rows == [Listing.of(i) for i in folded]


def test_index_ids_are_every_item_once_sorted(tracker):
    """What the TUI's short IDs are unique among: one entry for an ID in two tiers."""
    folded = {i.id for i in search.evaluate(tracker, Query(), predicates.Facts.for_config(
        tracker.config))}
    assert index_search.ids(tracker.store.index) == sorted(folded)
    assert search.all_ids(tracker) == sorted(folded)
    assert len(folded) < len(tracker.items(TIERS))  # the stealth copy: an ID in two tiers


@pytest.mark.parametrize("text", ["is:needs-human", "is:rejected", "is:damaged", "is:ready",
                                  "is:unread", "is:review", "tag:api", "actor:alice"])
def test_index_search_finds_something(tracker, text):
    """The generated tracker exercises each of these (so the property test isn't vacuous),
    and the index answers them itself."""
    facts = search.facts(tracker, read_marks={})
    assert index_search.search(tracker.store.index, search.parse_query(tracker, text), facts)
