"""`htrac search`: ranked, marked, as fresh as the index, the same without the index."""

from __future__ import annotations

import json

from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op


def _ids(tracker, *query):
    data = json.loads(tracker.ok("--json", "search", *query))
    return [r["id"] for r in data["results"]]


def test_search_ranks_a_title_hit_first_and_marks_the_match(tmp_tracker):
    deep = tmp_tracker.add("Unrelated", "--description", "mentions the parser once")
    title = tmp_tracker.add("Parser rewrite")
    assert _ids(tmp_tracker, "parser") == [title, deep]
    out = tmp_tracker.ok("search", "parser")
    assert "«Parser» rewrite" in out and "the «parser» once" in out
    data = json.loads(tmp_tracker.ok("--json", "search", "parser"))
    assert data["results"][0]["snippet_parts"] == [["Parser", True], [" rewrite", False]]


def test_search_sees_every_kind_of_text_and_phrases(tmp_tracker):
    item = tmp_tracker.add("Plain", "--field", "owner=Zoë")
    tmp_tracker.ok("discuss", item, "the flaky fixture again")
    tmp_tracker.ok("remember", item, "needs the staging credentials")
    tmp_tracker.ok("link", item, "https://ci.example.org/build/4711")
    for query in (["zoe"], ["fixture"], ["staging"], ["4711"], ['"flaky fixture"'],
                  ["flak*", "stag*"]):
        assert _ids(tmp_tracker, *query) == [item], query
    assert _ids(tmp_tracker, '"fixture flaky"') == []
    assert tmp_tracker.ok("search", "nothinglikethis").strip() == "(no matches)"


def test_search_is_as_fresh_as_the_index(tmp_tracker):
    item = tmp_tracker.add("Alpha")
    assert _ids(tmp_tracker, "omega") == []
    path = next(tmp_tracker.agent_dir.rglob(f".{item}.ops"))
    op = make_op("update", by="human", actor="alice", clock=9, body={"set": {"title": "Omega"}})
    with path.open("a", encoding="utf-8") as log:  # a hand edit (or a git pull)
        log.write(serialize_op(op))
    assert _ids(tmp_tracker, "omega") == [item]
    assert _ids(tmp_tracker, "alpha") == []
    path.unlink()
    assert _ids(tmp_tracker, "omega") == []


def test_search_without_the_index_finds_the_same(tmp_tracker):
    one = tmp_tracker.add("Café migration", "--priority", "1")
    two = tmp_tracker.add("Other", "--description", "migrate the cafe")
    tmp_tracker.add("Unrelated")
    with_index = sorted(_ids(tmp_tracker, "cafe", "migrat*"))
    cache = tmp_tracker.path / "no-cache-here"
    cache.write_text("a file where the cache directory should be")
    without = json.loads(tmp_tracker.ok("--json", "search", "cafe", "migrat*",
                                        env={"HTRAC_CACHE_DIR": str(cache)}))
    assert with_index == sorted([one, two]) == sorted(r["id"] for r in without["results"])


def test_search_needs_a_word_and_bounds_the_query(tmp_tracker):
    run = tmp_tracker.htrac("search", "*", '"')
    assert run.code == 1 and "nothing to search for" in run.err
    run = tmp_tracker.htrac("search", "x" * 2000)
    assert run.code == 1 and "at most" in run.err
