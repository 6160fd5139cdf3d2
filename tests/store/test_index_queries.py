"""The index's SQL answers equal the Python definitions in service.queries, on a realistic tracker."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from tests_support import FULL

from htrac.service import queries
from htrac.service.tracker import Tracker
from htrac.store.layout import TIERS
from htrac.store.store import Store

GENERATOR = Path(__file__).parents[2] / "benchmarks" / "generate.py"


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("gen") / "repo"
    load_generator().generate(repo, 1500 if FULL else 300, seed=7)
    ops = repo / ".agent" / "tracker-workspace" / ".ops"
    files = sorted(ops.glob(".*.ops"))
    files[0].write_bytes(files[0].read_bytes() + b"- op: update  # 1234\n  garbage: [\n")
    files[1].write_bytes(b"\xff\xfe not an op\n")  # damaged: no create
    stealth = repo / ".agent" / "tracker-workspace" / "stealth"
    shutil.copy(files[2], stealth / files[2].name)  # the same item in two tiers
    shutil.copy(files[3], stealth / files[3].name)
    return repo


@pytest.fixture
def stores(generated):
    tracker = Tracker.open(generated)
    direct = Store(tracker.layout, tracker.config, tracker.policy, use_index=False)
    assert tracker.store.query("blocking_rows", TIERS, ["todo_hard"]) is not None
    assert direct.query("blocking_rows", TIERS, ["todo_hard"]) is None
    return tracker.store, direct, tracker.config


def test_index_queries_ready(stores):
    indexed, direct, config = stores
    fast = queries.overview_in(indexed, config)[0]
    assert fast == queries.overview_in(direct, config)[0] and len(fast) > 10


@pytest.mark.parametrize("tiers", [TIERS, ("workspace", "stealth"), ("canonical",)])
def test_index_queries_unread(stores, tiers):
    indexed, direct, _ = stores
    fast = queries.unread_in(indexed, tiers)
    assert fast == queries.unread_in(direct, tiers)
    assert fast or tiers == ("canonical",)


@pytest.mark.parametrize("flags", [{}, {"hard": True}, {"soft": True}])
def test_index_queries_todo_rows_and_hash(stores, flags):
    indexed, direct, config = stores
    fast = queries.todo_rows(indexed, config, TIERS, **flags)
    slow = queries.todo_rows(direct, config, TIERS, **flags)
    assert fast == slow and fast
    assert queries.todo_hash_of(fast) == queries.todo_hash(direct.items(TIERS), config) \
        or flags
    assert len(fast) == len(queries.blocking(direct.items(TIERS), config, **flags))
    assert queries.todo_count(indexed, config, TIERS, **flags) == len(fast) \
        == queries.todo_count(direct, config, TIERS, **flags)


@pytest.mark.parametrize("statuses,kind,tiers", [
    (None, None, TIERS), (["todo_hard"], None, TIERS), (["done", "wont_do"], "invariant", TIERS),
    (None, "work_item", ("workspace",)), (["in_progress"], None, ("stealth",)),
])
def test_index_queries_matching(stores, statuses, kind, tiers):
    indexed, direct, _ = stores
    fast = indexed.query("matching", tiers, statuses, kind)
    wanted = set(statuses) if statuses is not None else None
    slow = sorted((i for i in direct.items(tiers)
                   if (wanted is None or i.status in wanted or i.damaged)
                   and (kind is None or i.kind == kind)), key=queries.sort_key)
    assert fast == slow


def test_index_queries_cli_list_and_ready_match_a_fold(generated):
    """The commands, run as processes, print what the fold says."""
    import json
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-m", "htrac", "--json", "ready"], cwd=generated,
                         capture_output=True, text=True, check=True)
    tracker = Tracker.open(generated)
    direct = Store(tracker.layout, tracker.config, tracker.policy, use_index=False)
    expected = queries.ready(direct.items(TIERS), tracker.config)
    assert [i["id"] for i in json.loads(run.stdout)["ready"]] == [i.id for i in expected]


def test_index_queries_ready_unread_and_damaged_in_one_look(stores):
    indexed, direct, config = stores
    fast = queries.overview_in(indexed, config)
    assert fast == queries.overview_in(direct, config)
    everything = direct.items(TIERS)
    assert fast[:3] == (queries.ready(everything, config),
                        queries.unread_in(direct, queries.scope_tiers(config)),
                        [i for i in everything if i.damaged])
    assert fast[3] == [i for i in everything if i.claim is not None or i.lost_claims]
    assert queries.overview_in(indexed, config, summary=True) == \
        queries.overview_in(direct, config, summary=True)


def test_index_queries_summaries_equal_the_items_they_summarize(stores):
    """A text listing prints `Summary` tuples read from columns; they must be exactly what
    `Summary.of` derives from the compiled items (damaged and two-tier items included)."""
    from htrac.core.summary import Summary

    indexed, direct, config = stores
    scope = queries.scope_tiers(config)
    args = (TIERS, config.blocking_statuses, config.resolved_statuses, scope)
    ready, unread, damaged, _claimed, _blocked = indexed.query("ready_unread_damaged", *args,
                                                              summary=True)
    full = indexed.query("ready_unread_damaged", *args)
    assert ready == [Summary.of(i) for i in full[0]] and len(ready) > 10
    assert unread == [Summary.of(i) for i in full[1]] and unread
    assert damaged == full[2] and damaged
    listed = indexed.query("matching", TIERS, None, None, summary=True)
    items = sorted(direct.items(TIERS), key=queries.sort_key)
    assert listed == [Summary.of(i) for i in items]
    assert any(s.damaged for s in listed) and len({s.tier for s in listed}) == 3


@pytest.mark.parametrize("argv", [["ready"], ["list"], ["list", "--status", "todo_hard"],
                                  ["list", "--tag", "perf"], ["ready", "--limit", "3"]])
def test_index_queries_text_listings_equal_a_fold(generated, tmp_path, argv):
    """Printed from the index's columns or from folded items, a listing is the same text."""
    import os
    import subprocess
    import sys

    def run(cache: Path) -> str:
        env = {**os.environ, "HTRAC_CACHE_DIR": str(cache)}
        return subprocess.run([sys.executable, "-m", "htrac", *argv], cwd=generated, env=env,
                              capture_output=True, text=True, check=True).stdout

    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")  # the index can't be created: every item is folded from its file
    indexed = run(tmp_path / "cache")
    assert indexed == run(blocked) and indexed.count("\n") > 3


def test_index_queries_use_their_indexes(stores):
    """`ready` reads only the covering index; the unread and damaged lists only their partial
    indexes — what keeps `ready` fast at 100,000 items (docs/performance.md)."""
    from htrac.store import index_queries

    indexed, _, config = stores
    db = indexed.index.refresh()
    plans = []
    original = db.execute

    class Recorder:
        def execute(self, sql, args=()):
            if sql.lstrip().startswith("SELECT"):
                plans.append(" ".join(r[-1] for r in original("EXPLAIN QUERY PLAN " + sql, args)))
            return original(sql, args)

    recorder = Recorder()
    index_queries._ready(recorder, TIERS, config.blocking_statuses, config.resolved_statuses, True)
    ready, plans[:] = plans[1:], []  # the first finds the blocked: a walk of the links
    assert len(ready) == len(set(config.blocking_statuses))  # one search per status
    for plan in ready:  # each in the covering index's own order: nothing sorted by SQLite
        assert "COVERING INDEX items_listing" in plan and "TEMP B-TREE" not in plan
    index_queries._with_unread(recorder, ("workspace", "stealth"), True)
    index_queries._select(recorder, f"{index_queries._in_tiers(TIERS)} AND damaged = 1",
                          "rank, id", (), True)
    assert "INDEX items_unread" in plans[0]
    assert "INDEX items_damaged" in plans[1]


def test_index_queries_link_edges_equal_the_items_links(stores):
    from htrac.service import cycles

    indexed, direct, _ = stores
    fast = cycles.graphs(indexed)
    assert fast == cycles.graphs(direct) == cycles.graphs_of(direct.items(TIERS))
    assert fast["isbefore"] and fast["parent"]


def test_index_queries_claimed_items_and_which_are_blocked(tmp_tracker):
    """The claimed items and the blocked among them, as `ready` reads them in its one look."""
    from htrac.core.ops import AGENT
    from htrac.policy.actor import Actor
    from htrac.service import claims

    held, later = tmp_tracker.add("Held"), tmp_tracker.add("Blocked after its claim")
    tmp_tracker.add("Free")
    base = Tracker.open(tmp_tracker.path)
    agent = Tracker(base.layout, base.config, Actor("bob_agent", AGENT), base.policy,
                    base.authority)
    claims.claim(agent, held, session="s1")
    claims.claim(agent, later, session="s1")
    tmp_tracker.add("A blocker that came later", "--isbefore", later)
    tracker = Tracker.open(tmp_tracker.path)
    direct = Store(tracker.layout, tracker.config, tracker.policy, use_index=False)
    fast, slow = (queries.overview_in(s, tracker.config) for s in (tracker.store, direct))
    assert fast == slow
    assert sorted(i.id for i in fast[3]) == sorted([held, later])
    assert fast[4] == frozenset({later})
