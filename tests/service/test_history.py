"""An item's history: the fold's own account — every op in the order judged, whose it is, what
it changed, why it was refused."""

from __future__ import annotations

from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from htrac.service.history import history
from htrac.service.tracker import Tracker


def test_history_lists_ops_in_fold_order_with_changes_and_refusals(tmp_tracker):
    item = tmp_tracker.add("Traced")
    config = tmp_tracker.agent_dir / "tracker/config.yaml"
    tmp_tracker.ok("update", item, "--status", "in_progress", "--title", "Renamed")
    tmp_tracker.ok("lock", item, "status")
    forged = make_op("update", by="agent", actor="bot_agent", clock=9,
                     body={"set": {"status": "done"}})
    with open(tmp_tracker.agent_dir / "tracker-workspace/.ops" / f".{item}.ops", "a") as f:
        f.write(serialize_op(forged))
    assert not config.exists()
    steps = history(Tracker.open(start=tmp_tracker.path), item)
    assert [s["type"] for s in steps] == ["create", "update", "lock", "update"]
    assert [s["outcome"] for s in steps] == ["applied", "applied", "applied", "rejected"]
    changed = {c["field"]: (c["before"], c["after"]) for c in steps[1]["changes"]}
    assert changed == {"status": ("todo_hard", "in_progress"), "title": ("Traced", "Renamed")}
    assert steps[2]["changes"] == [{"field": "locked", "before": [], "after": ["status"]}]
    assert "locked" in steps[3]["rejected"] and steps[3]["nonce"] == forged.nonce
    assert len({s["id"] for s in steps}) == 4
