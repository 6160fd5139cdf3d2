"""`is:claimed` and `is:stale` (and stale claims in `is:needs-human`): the index's answer equals
the fold's, both judged with the reader's clock (injected)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from htrac.core.ops import AGENT
from htrac.policy.actor import Actor
from htrac.service import claims, search
from htrac.service.tracker import Tracker

T0 = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)


def test_claim_queries_index_and_fold_agree_as_time_passes(tmp_tracker):
    live, expired, future, free = (tmp_tracker.add(t) for t in ("Live", "Expired", "Future",
                                                               "Free"))
    base = Tracker.open(start=tmp_tracker.path)
    agent = Tracker(base.layout, base.config, Actor("bob_agent", AGENT), base.policy,
                    base.authority)
    for item, minutes in ((expired, -30), (live, -5), (future, 0)):
        agent.clock = lambda m=minutes: T0 + timedelta(minutes=m)
        claims.claim(agent, item, session="s1")
    # a renewal dated an hour ahead of the reader: not trusted, so the claim is stale
    agent.clock = lambda: T0 + timedelta(hours=1)
    claims.heartbeat(agent, [future], session="s1", force=True)
    reader = Tracker.open(start=tmp_tracker.path)
    reader.clock = lambda: T0
    expected = {"is:claimed": {live, future}, "is:stale": {expired, future},
                "is:needs-human": {expired, future}, "-is:claimed": {expired, free}}
    for text, ids in expected.items():
        query = search.parse_query(reader, text)
        indexed = {row.id for row in search.search(reader, query)}
        folded = {i.id for i in search.evaluate(reader, query, search.facts(reader))}
        assert indexed == folded == ids, text
    reader.clock = lambda: T0 + timedelta(minutes=20)  # the live one has expired too
    query = search.parse_query(reader, "is:claimed")
    assert {row.id for row in search.search(reader, query)} == set()
