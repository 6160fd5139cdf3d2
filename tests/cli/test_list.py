from __future__ import annotations


def _ids(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines()]


def test_list_shows_every_item_by_priority(tmp_tracker):
    b = tmp_tracker.add("B", "--priority", "2")
    a = tmp_tracker.add("A", "--priority", "1")
    c = tmp_tracker.add("C", "--priority", "4", "--status", "done")
    assert _ids(tmp_tracker.ok("list")) == [a, b, c]
    assert tmp_tracker.ok("list").splitlines()[2] == f" 3  {c}  done         P4  [workspace]  C"


def test_list_filters_by_status_kind_tag_and_tier(tmp_tracker):
    todo = tmp_tracker.add("Todo", "--tag", "api")
    done = tmp_tracker.add("Done", "--status", "done")
    review = tmp_tracker.add("Review", "--status", "needs_human_review", "--tier", "canonical")
    inv = tmp_tracker.ok("add", "--kind", "invariant", "--title", "Inv", "--field", "statement=s",
                         "--field", "root_cause=r").strip()
    assert _ids(tmp_tracker.ok("list", "--status", "done")) == [done]
    assert set(_ids(tmp_tracker.ok("list", "--status", "done", "--status", "todo_hard"))) == {
        done, todo, inv}
    assert set(_ids(tmp_tracker.ok("list", "--open"))) == {todo, review, inv}
    assert _ids(tmp_tracker.ok("list", "--kind", "invariant")) == [inv]
    assert _ids(tmp_tracker.ok("list", "--tag", "api")) == [todo]
    assert _ids(tmp_tracker.ok("list", "--tier", "canonical")) == [review]


def test_list_empty_says_so(tmp_tracker):
    assert tmp_tracker.ok("list").strip() == "(no items)"
    tmp_tracker.add("One")
    assert tmp_tracker.ok("list", "--tag", "nothing").strip() == "(no items)"


def test_list_limit_and_aliases_cover_the_full_result(tmp_tracker):
    ids = [tmp_tracker.add(f"I{n}", "--priority", str(n)) for n in range(3)]
    assert _ids(tmp_tracker.ok("list", "--limit", "2")) == ids[:2]
    assert tmp_tracker.ok("show", ":3").startswith(ids[2])


def test_list_json_is_an_array_of_items(tmp_tracker, jrun):
    item = tmp_tracker.add("One", "--tag", "x")
    data = jrun(tmp_tracker, "list")
    assert [i["id"] for i in data] == [item]
    assert list(data[0]) == ["id", "kind", "title", "status", "priority", "parent", "tags",
                             "isbefore", "duplicate_of", "not_duplicate_of", "pr_ref",
                             "description", "fields", "locked_fields", "discussion", "frozen",
                             "tier", "created_at", "updated_at", "cross_tier_conflict"]
    assert jrun(tmp_tracker, "list", "--status", "done") == []


def test_list_rejects_an_unknown_tier_as_a_usage_error(tmp_tracker):
    run = tmp_tracker.htrac("list", "--tier", "nowhere")
    assert run.code == 2 and "Traceback" not in run.err
