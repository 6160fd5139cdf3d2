"""clusters and priority-trend: the reference's flags, answers checked on known data, and the
chart's SVG parsed and checked."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op

SVG = "{http://www.w3.org/2000/svg}"


def _data(title: str, priority: int) -> dict:
    return {"kind": "work_item", "title": title, "status": "todo_hard", "priority": priority,
            "parent": None, "tags": [], "isbefore": [], "duplicate_of": [],
            "not_duplicate_of": [], "pr_ref": None, "description": "", "fields": {}}


def _write(tracker, name: str, ops) -> None:
    path = tracker.agent_dir / "tracker-workspace/.ops" / f".WI-{name}.ops"
    path.write_text("".join(serialize_op(op) for op in ops))


def _op(op_type, day: int, clock: int, **body):
    return make_op(op_type, by="human", actor="alice", clock=clock, body=body,
                   at=f"2026-03-{day:02d}T10:00:00Z")


def test_priority_trend_replays_the_days(tmp_tracker, tmp_path):
    _write(tmp_tracker, "a", [_op("create", 1, 1, data=_data("A", 1)),
                              _op("update", 3, 2, set={"status": "done"})])
    _write(tmp_tracker, "b", [_op("create", 2, 1, data=_data("B", 3)),
                              _op("update", 5, 2, set={"priority": 0})])
    out = tmp_tracker.ok("priority-trend", "--csv")
    assert out.splitlines() == ["day,open,mean_priority", "2026-03-01,1,1", "2026-03-02,2,2",
                                "2026-03-03,1,3", "2026-03-04,1,3", "2026-03-05,1,0"]
    data = json.loads(tmp_tracker.ok("--json", "priority-trend", "--since", "2026-03-02",
                                     "--until", "2026-03-03"))
    assert data == {"resolved_statuses": ["done", "wont_do", "deleted"], "svg": None,
                    "points": [{"day": "2026-03-02", "open": 2, "mean_priority": 2.0},
                               {"day": "2026-03-03", "open": 1, "mean_priority": 3.0}]}
    text = tmp_tracker.ok("priority-trend")  # text mode writes the chart in the working dir
    assert text.startswith("wrote tracker-priority-trend.svg: 5 day(s), 2026-03-01 to "
                           "2026-03-05; open items 1 -> 1; mean priority of open items "
                           "1.00 -> 0.00")
    svg = ET.parse(tmp_tracker.path / "tracker-priority-trend.svg").getroot()
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert "Open items" in texts and "Mean priority of open items" in texts
    assert "1 open" in texts and "P0.00" in texts  # each line labelled where it ends
    lines = [p.get("points").split() for p in svg.iter(f"{SVG}polyline")]
    assert [len(points) for points in lines] == [5, 5]
    priority_y = [float(p.split(",")[1]) for p in lines[1]]
    assert priority_y[-1] < priority_y[0] < priority_y[2]  # P0 highest, P3 lowest
    for bad in (["--since", "March"], ["--since", "2026-03-05", "--until", "2026-03-01"]):
        run = tmp_tracker.htrac("priority-trend", "--csv", *bad)
        assert run.code == 1 and "Traceback" not in run.err


def test_priority_trend_of_an_empty_tracker(tmp_tracker):
    out = tmp_tracker.ok("priority-trend", "--out", "empty.svg")
    assert out.strip() == "wrote empty.svg: no items yet"
    assert "nothing to chart" in (tmp_tracker.path / "empty.svg").read_text()


def test_clusters_group_similar_open_items(tmp_tracker):
    parser = [tmp_tracker.add(t) for t in ("Parser drops YAML comments",
                                            "YAML comments lost by the parser",
                                            "Parser loses comments in YAML lists")]
    login = [tmp_tracker.add(t) for t in ("Login times out behind the proxy",
                                           "Proxy login timeout", "Login timeout on proxy")]
    for title in ("Write the release notes", "Rotate the signing keys", "Upgrade sqlite"):
        tmp_tracker.add(title)
    done = tmp_tracker.add("Parser YAML comments dropped again")
    tmp_tracker.ok("update", done, "--status", "done")
    data = json.loads(tmp_tracker.ok("--json", "clusters", "--k", "3", "--shared", "1"))
    groups = [sorted(m["id"] for m in c["members"]) for c in data["clusters"]]
    assert sorted(groups) == sorted([sorted(parser), sorted(login)])
    assert data["items"] == 9 and data["fit_items"] == 10 and data["k"] == 3
    everything = json.loads(tmp_tracker.ok("--json", "clusters", "--k", "3", "--shared", "1",
                                           "--all"))
    assert any(done in [m["id"] for m in c["members"]] for c in everything["clusters"])
    text = tmp_tracker.ok("clusters", "--k", "3", "--shared", "1", "--limit", "1")
    assert text.startswith("1 cluster(s) over 3 of 9 item(s)  (k=3, shared=1; fit on 10 items)")
    only = json.loads(tmp_tracker.ok("--json", "clusters", "--status", "done", "--k", "3"))
    assert only["items"] == 1 and only["clusters"] == []
