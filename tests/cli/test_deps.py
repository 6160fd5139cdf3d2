from __future__ import annotations


def test_deps_shows_parent_children_and_links(tracker, jrun):
    parent = tracker.add("Parent")
    item = tracker.add("Item", "--parent", parent)
    child = tracker.add("Child", "--parent", item)
    after = tracker.add("After")
    before = tracker.add("Before", "--isbefore", item)
    tracker.ok("update", item, "--add-isbefore", after)
    assert tracker.ok("deps", item).splitlines() == [
        f"{item[:8]}  Item  [todo_hard]",
        f"  parent: {parent[:8]}  Parent  [todo_hard]",
        "  children (1):",
        f"    {child[:8]}  Child  [todo_hard]",
        "  blocks (1):",
        f"    → {after[:8]}  After  [todo_hard]",
        "  blocked by (1):",
        f"    ← {before[:8]}  Before  [todo_hard]",
    ]
    data = jrun(tracker, "deps", item)
    assert data == {
        "id": item, "title": "Item", "status": "todo_hard",
        "parent": {"id": parent, "title": "Parent"},
        "children": [{"id": child, "title": "Child", "status": "todo_hard"}],
        "blocks": [{"id": after, "title": "After", "status": "todo_hard"}],
        "blocked_by": [{"id": before, "title": "Before", "status": "todo_hard"}],
    }


def test_deps_of_a_lone_item_is_one_line(tracker, jrun):
    item = tracker.add("Alone")
    assert tracker.ok("deps", item).splitlines() == [f"{item[:8]}  Alone  [todo_hard]"]
    assert jrun(tracker, "deps", item) == {"id": item, "title": "Alone",
                                               "status": "todo_hard"}


def test_deps_does_not_replace_the_alias_stash(tracker):
    a = tracker.add("A", "--priority", "0")
    tracker.add("B", "--priority", "1")
    tracker.ok("ready")
    tracker.ok("deps", ":2")
    assert tracker.ok("show", ":1").startswith(a)
