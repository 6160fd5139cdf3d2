from __future__ import annotations


def test_add_with_every_flag(tracker, jrun, tmp_path):
    parent = tracker.add("Parent")
    later = tracker.add("Later")
    desc = tmp_path / "desc.md"
    desc.write_text("Long \"quoted\"\ndescription", encoding="utf-8")
    data = jrun(tracker, "add", "--kind", "work_item", "--title", "Full", "--status",
                "todo_soft", "--priority", "1", "--parent", parent[:8], "--tag", "a", "--tag",
                "b", "--isbefore", later, "--description-file", str(desc), "--pr-ref", "#9",
                "--field", "owner=bob", "--field", "eta=3d", "--tier", "canonical")
    item = jrun(tracker, "show", data["id"])
    assert (item["status"], item["priority"], item["parent"], item["tags"], item["isbefore"],
            item["description"], item["pr_ref"], item["fields"], item["tier"]) == (
        "todo_soft", 1, parent, ["a", "b"], [later], "Long \"quoted\"\ndescription", "#9",
        {"owner": "bob", "eta": "3d"}, "canonical")


def test_add_description_stdin_and_conflicting_sources(tracker, jrun):
    item = tracker.ok("add", "--kind", "work_item", "--title", "S", "--description-stdin",
                          input="from stdin").strip()
    assert jrun(tracker, "show", item)["description"] == "from stdin"
    run = tracker.htrac("add", "--kind", "work_item", "--title", "S2", "--description", "x",
                            "--description-stdin", input="y")
    assert run.code == 1 and "only one of" in run.err


def test_add_same_content_twice_is_refused(tracker):
    tracker.add("Same")
    run = tracker.htrac("add", "--kind", "work_item", "--title", "Same")
    assert run.code == 1 and "already exists" in run.err


def test_add_invariant_requires_its_fields(tracker):
    run = tracker.htrac("add", "--kind", "invariant", "--title", "Inv")
    assert run.code == 1 and "--field statement=..." in run.err


def test_show_layout_with_deleted_and_history(tracker):
    item = tracker.add("Shown", "--tag", "a", "--field", "k=v", "--description", "d")
    tracker.ok("discuss", item, "hello")
    lines = tracker.ok("show", item).splitlines()
    assert lines[0] == f"{item}  Shown"
    assert lines[1] == "  status: todo_hard  priority: P2  tags: [a]"
    assert lines[2] == "  parent: null  isbefore: []  pr_ref: null"
    assert lines[3:6] == ["  fields.k: v", "  description: d", "  discussion: (1 entries)"]
    assert lines[6].endswith(" (human): hello")
    assert lines[7].startswith("  tier: workspace  created: ")
    assert tracker.ok("show", item, "--include-deleted", "--include-history") == \
        tracker.ok("show", item)


def test_show_json_include_history_adds_edit_history(tracker, jrun):
    item = tracker.add("Shown")
    tracker.ok("discuss", item, "hello")
    assert "edit_history" not in jrun(tracker, "show", item)["discussion"][0]
    assert jrun(tracker, "show", item, "--include-history")["discussion"][0][
        "edit_history"] == []
