"""remember, forget, link, unlink — and what an agent may not do with a human's notes."""

from __future__ import annotations

import json


def _show(tracker, ref):
    return json.loads(tracker.ok("--json", "show", ref))


def test_remember_show_forget_by_prefix(tmp_tracker):
    item = tmp_tracker.add("Alpha")
    out = tmp_tracker.ok("remember", item, "run make lint first")
    name = out.split()[1]
    tmp_tracker.ok("remember", item, "the fixture needs root")
    shown = tmp_tracker.ok("show", item)
    assert "must-remember: (2)" in shown and f"{name}  " in shown
    assert [m["text"] for m in _show(tmp_tracker, item)["memory"]] == [
        "run make lint first", "the fixture needs root"]
    assert "forgot" in tmp_tracker.ok("forget", item, name[:5])
    assert [m["text"] for m in _show(tmp_tracker, item)["memory"]] == ["the fixture needs root"]


def test_forget_names_an_entry_clearly_or_fails_clearly(tmp_tracker):
    item = tmp_tracker.add("Alpha")
    run = tmp_tracker.htrac("forget", item, "beef")
    assert run.code == 1 and "no must-remember entry" in run.err
    run = tmp_tracker.htrac("forget", item, "not-hex!")
    assert run.code == 1 and "not an entry name" in run.err
    run = tmp_tracker.htrac("remember", item, "   ")
    assert run.code == 1 and "nothing to remember" in run.err


def test_remember_refuses_an_agents_seventeenth_entry(agent_tracker):
    item = agent_tracker.add("Alpha")
    for n in range(16):
        agent_tracker.ok("remember", item, f"note {n}")
    run = agent_tracker.htrac("remember", item, "one too many")
    assert run.code == 1 and "16 must-remember" in run.err


def _human_remembers(tracker, item_id: str, text: str) -> str:
    """Append a human's remember op (actor `boss`), as the human's own clone would write it."""
    from htrac.core.ops import make_op
    from htrac.core.serialize import serialize_op

    path = next(tracker.agent_dir.rglob(f".{item_id}.ops"))
    op = make_op("update", by="human", actor="boss", clock=50,
                 body={"set": {}, "remember": text})
    with path.open("a", encoding="utf-8") as log:
        log.write(serialize_op(op))
    return op.nonce


def test_agent_cannot_forget_the_humans_note_but_its_own(tmp_tracker, make_agent):
    item = tmp_tracker.add("Alpha")
    make_agent(tmp_tracker)
    human = _human_remembers(tmp_tracker, item, "never touch v1")
    mine = tmp_tracker.ok("remember", item, "agent note").split()[1]
    run = tmp_tracker.htrac("forget", item, human)
    assert run.code == 1 and "only a human can forget it" in run.err
    tmp_tracker.ok("forget", item, mine)
    memory = _show(tmp_tracker, item)["memory"]
    assert [(m["text"], m["by"]) for m in memory] == [("never touch v1", "human")]


def test_links_added_removed_shown_and_checked(tmp_tracker):
    item = tmp_tracker.ok("add", "--kind", "work_item", "--title", "Linked",
                          "--link", "https://example.org/pr/1").strip()
    tmp_tracker.ok("link", item, "file:///tmp/notes.md", "claude-session:abc123")
    out = tmp_tracker.ok("update", item, "--remove-link", "https://example.org/pr/1")
    assert "links: -https://example.org/pr/1" in out
    assert _show(tmp_tracker, item)["links"] == ["file:///tmp/notes.md", "claude-session:abc123"]
    tmp_tracker.ok("unlink", item, "file:///tmp/notes.md")
    assert "links: [claude-session:abc123]" in tmp_tracker.ok("show", item)
    for bad in ("not a uri", "https://x\"onmouseover=1", "/abs/path"):
        run = tmp_tracker.htrac("link", item, bad)
        assert run.code == 1 and "URI" in run.err, bad
    before = tmp_tracker.ok("log", item)
    run = tmp_tracker.htrac("add", "--kind", "work_item", "--title", "B", "--link", "nope")
    assert run.code == 1 and "add" not in tmp_tracker.ok("list")  # nothing was created
    assert tmp_tracker.ok("log", item) == before


def test_reference_shape_is_kept_when_there_is_no_memory(tmp_tracker):
    item = tmp_tracker.add("Plain")
    data = _show(tmp_tracker, item)
    assert not {"memory", "links", "evidence"} & set(data)
