from __future__ import annotations


def test_update_reports_each_change_in_order(tracker):
    item = tracker.add("Alpha", "--priority", "1", "--tag", "api")
    out = tracker.ok("update", item, "--status", "in_progress", "--priority", "0",
                         "--title", "Alpha2", "--add-tag", "x", "--remove-tag", "api",
                         "--field", "k=v", "--pr-ref", "#3")
    assert out.strip() == (f"updated {item[:8]}: status: todo_hard → in_progress; "
                           "priority: P1 → P0; title: 'Alpha' → 'Alpha2'; pr_ref: #3; "
                           "tags: +x; tags: -api; fields.k: v")


def test_update_that_changes_nothing_prints_updated(tracker, jrun):
    item = tracker.add("Alpha")
    assert tracker.ok("update", item, "--status", "todo_hard").strip() == "updated"
    assert jrun(tracker, "update", item, "--remove-tag", "absent") == {"ok": True}


def test_update_json_lists_changes(tracker, jrun):
    item = tracker.add("Alpha")
    assert jrun(tracker, "update", item, "--priority", "3") == {
        "ok": True, "changes": [{"field": "priority", "detail": "P2 → P3"}]}


def test_update_links_name_the_other_item(tracker):
    a = tracker.add("Alpha")
    b = tracker.add("Beta")
    out = tracker.ok("update", b, "--add-isbefore", a, "--add-duplicate-of", a,
                         "--add-not-duplicate-of", a, "--parent", a).strip()
    assert out == (f"updated {b[:8]}: parent: now child of {a[:8]} (Alpha); "
                   f"isbefore: {b[:8]} now blocks {a[:8]} (Alpha); "
                   f"duplicate_of: +{a[:8]} (Alpha); not_duplicate_of: +{a[:8]} (Alpha)")
    out = tracker.ok("update", b, "--remove-isbefore", a, "--remove-duplicate-of", a,
                         "--remove-not-duplicate-of", a).strip()
    assert out == (f"updated {b[:8]}: isbefore: {b[:8]} no longer blocks {a[:8]} (Alpha); "
                   f"duplicate_of: removed {a[:8]} (Alpha); "
                   f"not_duplicate_of: removed {a[:8]} (Alpha)")


def test_update_blocked_by_writes_on_the_other_item(tracker, jrun):
    a = tracker.add("Alpha")
    b = tracker.add("Beta")
    data = jrun(tracker, "update", b, "--add-blocked-by", a)
    assert data["changes"] == [{"field": "blocked-by",
                                "detail": f"{a[:8]} (Alpha) now blocks {b[:8]}"}]
    assert jrun(tracker, "show", a)["isbefore"] == [b]
    assert "op: update" not in tracker.ok("log", b)
    assert [i["id"] for i in jrun(tracker, "ready")["ready"]] == [a]
    out = tracker.ok("update", b, "--remove-blocked-by", a).strip()
    assert out == f"updated {b[:8]}: blocked-by: {a[:8]} (Alpha) no longer blocks {b[:8]}"
    assert jrun(tracker, "show", a)["isbefore"] == []


def test_update_blocked_by_an_unknown_item_writes_nothing(tracker):
    b = tracker.add("Beta")
    run = tracker.htrac("update", b, "--status", "done", "--add-blocked-by", "nosuch")
    assert run.code == 1 and "nosuch" in run.err
    assert "op: update" not in tracker.ok("log", b)


def test_update_field_merges_and_remove_field_drops(tracker, jrun):
    item = tracker.add("Alpha", "--field", "a=1", "--field", "b=2")
    tracker.ok("update", item, "--field", "b=3")
    assert jrun(tracker, "show", item)["fields"] == {"a": "1", "b": "3"}
    out = tracker.ok("update", item, "--add-field", "c=4", "--remove-field", "a").strip()
    assert out == f"updated {item[:8]}: fields.c: 4; fields.a: removed"
    assert jrun(tracker, "show", item)["fields"] == {"b": "3", "c": "4"}


def test_update_field_help_says_it_merges(tracker):
    help_text = " ".join(tracker.ok("update", "--help").split())
    assert "Merges: other fields are kept" in help_text


def test_update_field_and_add_field_together_are_refused(tracker):
    item = tracker.add("Alpha")
    run = tracker.htrac("update", item, "--field", "a=1", "--add-field", "b=2")
    assert run.code == 1 and "mutually exclusive" in run.err


def test_update_field_key_spelled_like_a_declared_field_is_refused(tracker, jrun):
    inv = tracker.ok("add", "--kind", "invariant", "--title", "Inv", "--field",
                         "statement=s", "--field", "root_cause=r").strip()
    for force in ((), ("--force-field-key",)):  # validate would refuse it: so does the writer
        run = tracker.htrac("update", inv, "--field", "Root-Cause=x", *force)
        assert run.code == 1 and "'root_cause'" in run.err
    assert "Root-Cause" not in jrun(tracker, "show", inv)["fields"]
    run = tracker.htrac("update", inv, "--field", "status=x", "--force-field-key")
    assert run.code == 1 and "shadow" in run.err


def test_update_refuses_what_validate_would_refuse_and_the_hook_commits_the_rest(tracker):
    """Issue 18 item 3: `--field extra=1` on a kind whose schema lacks `extra` was written, then
    the pre-commit hook (validate --strict) refused the file."""
    inv = tracker.ok("add", "--kind", "invariant", "--title", "Inv", "--field",
                     "statement=s", "--field", "root_cause=r").strip()
    before = tracker.ok("log", inv)
    run = tracker.htrac("update", inv, "--field", "extra=1")
    assert run.code == 1 and "not in kind 'invariant' schema" in run.err
    assert run.err.count("\n") == 1 and tracker.ok("log", inv) == before
    assert "required field 'statement'" in tracker.htrac("update", inv, "--remove-field",
                                                         "statement").err
    tracker.ok("update", inv, "--field", "root_cause=found it", "--status", "in_progress")
    run = tracker.htrac("validate", "--strict")
    assert run.code == 0, run.out + run.err


def test_update_note_adds_a_discussion_entry(tracker, jrun):
    item = tracker.add("Alpha")
    assert tracker.ok("update", item, "--status", "in_progress", "--note", "on it")
    entries = jrun(tracker, "show", item)["discussion"]
    assert [e["message"] for e in entries] == ["on it"]
    assert tracker.ok("update", item, "--note", "only a note").strip() == "updated"


def test_update_description_from_file_and_stdin(tracker, jrun, tmp_path):
    item = tracker.add("Alpha")
    text = tmp_path / "d.txt"
    text.write_text("from 'file'\nline 2", encoding="utf-8")
    tracker.ok("update", item, "--description-file", str(text))
    assert jrun(tracker, "show", item)["description"] == "from 'file'\nline 2"
    tracker.ok("update", item, "--description-stdin", input="from stdin")
    assert jrun(tracker, "show", item)["description"] == "from stdin"


def test_update_with_no_change_requested_is_an_error(tracker):
    item = tracker.add("Alpha")
    run = tracker.htrac("update", item)
    assert run.code == 1 and "nothing to update" in run.err


def test_update_refuses_invalid_values_with_exit_1(tracker):
    item = tracker.add("Alpha")
    for args in (["--status", "bogus"], ["--priority", "99"], ["--add-tag", "Bad Tag"]):
        run = tracker.htrac("update", item, *args)
        assert run.code == 1 and run.err.startswith("error: "), args
    assert tracker.htrac("update", item, "--priority", "x").code == 2


def test_update_deprecated_tag_warns(tracker):
    item = tracker.add("Alpha")
    tracker.ok("tags", "deprecate", "old", "--in-favor-of", "new")
    run = tracker.htrac("update", item, "--add-tag", "old")
    assert run.code == 0
    assert "warning: tag 'old' is deprecated; use new instead" in run.err
