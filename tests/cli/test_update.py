from __future__ import annotations


def test_update_reports_each_change_in_order(tmp_tracker):
    item = tmp_tracker.add("Alpha", "--priority", "1", "--tag", "api")
    out = tmp_tracker.ok("update", item, "--status", "in_progress", "--priority", "0",
                         "--title", "Alpha2", "--add-tag", "x", "--remove-tag", "api",
                         "--field", "k=v", "--pr-ref", "#3")
    assert out.strip() == (f"updated {item[:8]}: status: todo_hard → in_progress; "
                           "priority: P1 → P0; title: 'Alpha' → 'Alpha2'; pr_ref: #3; "
                           "tags: +x; tags: -api; fields.k: v")


def test_update_that_changes_nothing_prints_updated(tmp_tracker, jrun):
    item = tmp_tracker.add("Alpha")
    assert tmp_tracker.ok("update", item, "--status", "todo_hard").strip() == "updated"
    assert jrun(tmp_tracker, "update", item, "--remove-tag", "absent") == {"ok": True}


def test_update_json_lists_changes(tmp_tracker, jrun):
    item = tmp_tracker.add("Alpha")
    assert jrun(tmp_tracker, "update", item, "--priority", "3") == {
        "ok": True, "changes": [{"field": "priority", "detail": "P2 → P3"}]}


def test_update_links_name_the_other_item(tmp_tracker):
    a = tmp_tracker.add("Alpha")
    b = tmp_tracker.add("Beta")
    out = tmp_tracker.ok("update", b, "--add-isbefore", a, "--add-duplicate-of", a,
                         "--add-not-duplicate-of", a, "--parent", a).strip()
    assert out == (f"updated {b[:8]}: parent: now child of {a[:8]} (Alpha); "
                   f"isbefore: {b[:8]} now blocks {a[:8]} (Alpha); "
                   f"duplicate_of: +{a[:8]} (Alpha); not_duplicate_of: +{a[:8]} (Alpha)")
    out = tmp_tracker.ok("update", b, "--remove-isbefore", a, "--remove-duplicate-of", a,
                         "--remove-not-duplicate-of", a).strip()
    assert out == (f"updated {b[:8]}: isbefore: {b[:8]} no longer blocks {a[:8]} (Alpha); "
                   f"duplicate_of: removed {a[:8]} (Alpha); "
                   f"not_duplicate_of: removed {a[:8]} (Alpha)")


def test_update_blocked_by_writes_on_the_other_item(tmp_tracker, jrun):
    a = tmp_tracker.add("Alpha")
    b = tmp_tracker.add("Beta")
    data = jrun(tmp_tracker, "update", b, "--add-blocked-by", a)
    assert data["changes"] == [{"field": "blocked-by",
                                "detail": f"{a[:8]} (Alpha) now blocks {b[:8]}"}]
    assert jrun(tmp_tracker, "show", a)["isbefore"] == [b]
    assert "op: update" not in tmp_tracker.ok("log", b)
    assert [i["id"] for i in jrun(tmp_tracker, "ready")["ready"]] == [a]
    out = tmp_tracker.ok("update", b, "--remove-blocked-by", a).strip()
    assert out == f"updated {b[:8]}: blocked-by: {a[:8]} (Alpha) no longer blocks {b[:8]}"
    assert jrun(tmp_tracker, "show", a)["isbefore"] == []


def test_update_blocked_by_an_unknown_item_writes_nothing(tmp_tracker):
    b = tmp_tracker.add("Beta")
    run = tmp_tracker.htrac("update", b, "--status", "done", "--add-blocked-by", "nosuch")
    assert run.code == 1 and "nosuch" in run.err
    assert "op: update" not in tmp_tracker.ok("log", b)


def test_update_field_merges_and_remove_field_drops(tmp_tracker, jrun):
    item = tmp_tracker.add("Alpha", "--field", "a=1", "--field", "b=2")
    tmp_tracker.ok("update", item, "--field", "b=3")
    assert jrun(tmp_tracker, "show", item)["fields"] == {"a": "1", "b": "3"}
    out = tmp_tracker.ok("update", item, "--add-field", "c=4", "--remove-field", "a").strip()
    assert out == f"updated {item[:8]}: fields.c: 4; fields.a: removed"
    assert jrun(tmp_tracker, "show", item)["fields"] == {"b": "3", "c": "4"}


def test_update_field_help_says_it_merges(tmp_tracker):
    help_text = " ".join(tmp_tracker.ok("update", "--help").split())
    assert "Merges: other fields are kept" in help_text


def test_update_field_and_add_field_together_are_refused(tmp_tracker):
    item = tmp_tracker.add("Alpha")
    run = tmp_tracker.htrac("update", item, "--field", "a=1", "--add-field", "b=2")
    assert run.code == 1 and "mutually exclusive" in run.err


def test_update_field_key_spelled_like_a_declared_field_needs_force(tmp_tracker, jrun):
    inv = tmp_tracker.ok("add", "--kind", "invariant", "--title", "Inv", "--field",
                         "statement=s", "--field", "root_cause=r").strip()
    run = tmp_tracker.htrac("update", inv, "--field", "Root-Cause=x")
    assert run.code == 1 and "--force-field-key" in run.err
    tmp_tracker.ok("update", inv, "--field", "Root-Cause=x", "--force-field-key")
    assert jrun(tmp_tracker, "show", inv)["fields"]["Root-Cause"] == "x"
    run = tmp_tracker.htrac("update", inv, "--field", "status=x", "--force-field-key")
    assert run.code == 1 and "shadow" in run.err


def test_update_note_adds_a_discussion_entry(tmp_tracker, jrun):
    item = tmp_tracker.add("Alpha")
    assert tmp_tracker.ok("update", item, "--status", "in_progress", "--note", "on it")
    entries = jrun(tmp_tracker, "show", item)["discussion"]
    assert [e["message"] for e in entries] == ["on it"]
    assert tmp_tracker.ok("update", item, "--note", "only a note").strip() == "updated"


def test_update_description_from_file_and_stdin(tmp_tracker, jrun, tmp_path):
    item = tmp_tracker.add("Alpha")
    text = tmp_path / "d.txt"
    text.write_text("from 'file'\nline 2", encoding="utf-8")
    tmp_tracker.ok("update", item, "--description-file", str(text))
    assert jrun(tmp_tracker, "show", item)["description"] == "from 'file'\nline 2"
    tmp_tracker.ok("update", item, "--description-stdin", input="from stdin")
    assert jrun(tmp_tracker, "show", item)["description"] == "from stdin"


def test_update_with_no_change_requested_is_an_error(tmp_tracker):
    item = tmp_tracker.add("Alpha")
    run = tmp_tracker.htrac("update", item)
    assert run.code == 1 and "nothing to update" in run.err


def test_update_refuses_invalid_values_with_exit_1(tmp_tracker):
    item = tmp_tracker.add("Alpha")
    for args in (["--status", "bogus"], ["--priority", "99"], ["--add-tag", "Bad Tag"]):
        run = tmp_tracker.htrac("update", item, *args)
        assert run.code == 1 and run.err.startswith("error: "), args
    assert tmp_tracker.htrac("update", item, "--priority", "x").code == 2


def test_update_deprecated_tag_warns(tmp_tracker):
    item = tmp_tracker.add("Alpha")
    tmp_tracker.ok("tags", "deprecate", "old", "--in-favor-of", "new")
    run = tmp_tracker.htrac("update", item, "--add-tag", "old")
    assert run.code == 0
    assert "warning: tag 'old' is deprecated; use new instead" in run.err
