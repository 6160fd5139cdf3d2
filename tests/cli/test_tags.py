from __future__ import annotations


def test_tags_lists_names_in_use_and_counts(tracker, jrun):
    assert tracker.ok("tags").strip() == "(no tags)"
    tracker.add("A", "--tag", "api", "--tag", "db")
    tracker.add("B", "--tag", "api")
    tracker.add("C", "--tag", "secret", "--tier", "stealth")
    assert tracker.ok("tags").splitlines() == ["api", "db"]
    assert tracker.ok("tags", "--count").splitlines() == [
        "api\t2\tactive", "db\t1\tactive", "secret\t0\tinactive"]
    data = jrun(tracker, "tags")
    assert list(data) == ["api", "db", "secret"]
    assert list(data["api"]) == ["count", "created_on", "deprecated", "description",
                                 "in_favor_of", "last_modified", "last_used", "status"]


def test_tags_describe_and_deprecate(tracker, jrun):
    tracker.add("A", "--tag", "old")
    assert tracker.ok("tags", "describe", "old", "The old\nway").strip() == "described old"
    assert tracker.ok("tags", "describe", "old").strip() == "The old way"
    out = tracker.ok("tags", "deprecate", "old", "--in-favor-of", "new").strip()
    assert out == "deprecated old (in favor of new)"
    assert "old\t1\tdeprecated" in tracker.ok("tags", "--count")
    run = tracker.htrac("add", "--kind", "work_item", "--title", "B", "--tag", "old")
    assert run.code == 0 and "warning: tag 'old' is deprecated; use new instead" in run.err
    catalog = (tracker.agent_dir / "tracker" / "tag_catalog.yaml").read_text()
    assert catalog.startswith("tags:\n  new:\n") or "\n  old:\n" in catalog
    assert jrun(tracker, "tags")["old"]["in_favor_of"] == "new"


def test_tags_rename_rewrites_every_item(tracker, jrun):
    a = tracker.add("A", "--tag", "api")
    b = tracker.add("B", "--tag", "api", "--tag", "rest")
    tracker.add("C", "--tag", "other")
    assert tracker.ok("tags", "rename", "api", "rest").strip() == \
        "renamed api → rest on 2 item(s)"
    assert jrun(tracker, "show", a)["tags"] == ["rest"]
    assert jrun(tracker, "show", b)["tags"] == ["rest"]
    assert tracker.htrac("tags", "rename", "rest", "Bad Name").code == 1


def test_tags_catalog_written_by_the_reference_layout_is_read(tracker, jrun):
    (tracker.agent_dir / "tracker" / "tag_catalog.yaml").write_text(
        "tags:\n  api:\n    description: The API\n    created_on: '2026-01-01T00:00:00Z'\n"
        "    last_modified: null\n    last_used: '2026-01-01T00:00:00Z'\n"
        "    deprecated: false\n    in_favor_of: null\n", encoding="utf-8")
    assert jrun(tracker, "tags")["api"]["description"] == "The API"


def test_tags_broken_catalog_never_fails_a_write(tracker, jrun):
    (tracker.agent_dir / "tracker" / "tag_catalog.yaml").write_text("tags: [unclosed\n")
    run = tracker.htrac("add", "--kind", "work_item", "--title", "Tagged", "--tag", "api")
    assert run.code == 0 and "warning: tag catalog not updated" in run.err
    assert jrun(tracker, "show", run.out.strip())["tags"] == ["api"]
    assert tracker.htrac("tags", "--count").code == 2
