"""`htrac list --query`: the query language on the command line, with the old filters."""

from __future__ import annotations


def test_list_query_filters_and_numbers(tmp_tracker, jrun):
    ui = tmp_tracker.add("Parser screen", "--tag", "ui", "--priority", "1")
    other = tmp_tracker.add("Backend job", "--priority", "3")
    done = tmp_tracker.add("Old parser work")
    tmp_tracker.ok("update", done, "--status", "done")
    out = tmp_tracker.ok("list", "--query", "parser")
    assert [line.split()[1] for line in out.splitlines()] == [ui, done]
    out = tmp_tracker.ok("list", "-q", "parser", "--status", "done")
    assert [line.split()[1] for line in out.splitlines()] == [done]
    assert [i["id"] for i in jrun(tmp_tracker, "list", "-q", "-tag:ui priority:>=2")] == \
        [done, other]
    assert [i["id"] for i in jrun(tmp_tracker, "list", "-q", "is:ready", "--tag", "ui")] == [ui]
    assert tmp_tracker.ok("show", ":1").startswith(ui)
    assert tmp_tracker.ok("list", "-q", "tag:nothing").strip() == "(no items)"


def test_list_query_errors_are_one_line(tmp_tracker):
    run = tmp_tracker.htrac("list", "--query", "status:todo_hard foo:bar")
    assert run.code == 1
    assert run.err.strip().splitlines() == [
        "error: query, column 18: unknown key 'foo' (keys: status, tag, kind, tier, priority, "
        "is, actor, id, parent; put a word with a colon in quotes to search for it)"]
