from __future__ import annotations


def test_deps_shows_parent_children_and_links(tmp_tracker, jrun):
    parent = tmp_tracker.add("Parent")
    item = tmp_tracker.add("Item", "--parent", parent)
    child = tmp_tracker.add("Child", "--parent", item)
    after = tmp_tracker.add("After")
    before = tmp_tracker.add("Before", "--isbefore", item)
    tmp_tracker.ok("update", item, "--add-isbefore", after)
    assert tmp_tracker.ok("deps", item).splitlines() == [
        f"{item[:8]}  Item  [todo_hard]",
        f"  parent: {parent[:8]}  Parent  [todo_hard]",
        "  children (1):",
        f"    {child[:8]}  Child  [todo_hard]",
        "  blocks (1):",
        f"    → {after[:8]}  After  [todo_hard]",
        "  blocked by (1):",
        f"    ← {before[:8]}  Before  [todo_hard]",
    ]
    data = jrun(tmp_tracker, "deps", item)
    assert data == {
        "id": item, "title": "Item", "status": "todo_hard",
        "parent": {"id": parent, "title": "Parent"},
        "children": [{"id": child, "title": "Child", "status": "todo_hard"}],
        "blocks": [{"id": after, "title": "After", "status": "todo_hard"}],
        "blocked_by": [{"id": before, "title": "Before", "status": "todo_hard"}],
    }


def test_deps_of_a_lone_item_is_one_line(tmp_tracker, jrun):
    item = tmp_tracker.add("Alone")
    assert tmp_tracker.ok("deps", item).splitlines() == [f"{item[:8]}  Alone  [todo_hard]"]
    assert jrun(tmp_tracker, "deps", item) == {"id": item, "title": "Alone",
                                               "status": "todo_hard"}


def test_deps_does_not_replace_the_alias_stash(tmp_tracker):
    a = tmp_tracker.add("A", "--priority", "0")
    tmp_tracker.add("B", "--priority", "1")
    tmp_tracker.ok("ready")
    tmp_tracker.ok("deps", ":2")
    assert tmp_tracker.ok("show", ":1").startswith(a)
