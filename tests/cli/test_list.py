from __future__ import annotations


def _ids(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines()]


def test_list_shows_every_item_by_priority(tracker):
    b = tracker.add("B", "--priority", "2")
    a = tracker.add("A", "--priority", "1")
    c = tracker.add("C", "--priority", "4", "--status", "done")
    assert _ids(tracker.ok("list")) == [a, b, c]
    assert tracker.ok("list").splitlines()[2] == f" 3  {c}  done         P4  [workspace]  C"


def test_list_filters_by_status_kind_tag_and_tier(tracker):
    todo = tracker.add("Todo", "--tag", "api")
    done = tracker.add("Done", "--status", "done")
    review = tracker.add("Review", "--status", "needs_human_review", "--tier", "canonical")
    inv = tracker.ok("add", "--kind", "invariant", "--title", "Inv", "--field", "statement=s",
                         "--field", "root_cause=r").strip()
    assert _ids(tracker.ok("list", "--status", "done")) == [done]
    assert set(_ids(tracker.ok("list", "--status", "done", "--status", "todo_hard"))) == {
        done, todo, inv}
    assert set(_ids(tracker.ok("list", "--open"))) == {todo, review, inv}
    assert _ids(tracker.ok("list", "--kind", "invariant")) == [inv]
    assert _ids(tracker.ok("list", "--tag", "api")) == [todo]
    assert _ids(tracker.ok("list", "--tier", "canonical")) == [review]


def test_list_empty_says_so(tracker):
    assert tracker.ok("list").strip() == "(no items)"
    tracker.add("One")
    assert tracker.ok("list", "--tag", "nothing").strip() == "(no items)"


def test_list_limit_and_aliases_cover_the_full_result(tracker):
    ids = [tracker.add(f"I{n}", "--priority", str(n)) for n in range(3)]
    assert _ids(tracker.ok("list", "--limit", "2")) == ids[:2]
    assert tracker.ok("show", ":3").startswith(ids[2])


def test_list_json_is_an_array_of_items(tracker, jrun):
    item = tracker.add("One", "--tag", "x")
    data = jrun(tracker, "list")
    assert [i["id"] for i in data] == [item]
    assert list(data[0]) == ["id", "kind", "title", "status", "priority", "parent", "tags",
                             "isbefore", "duplicate_of", "not_duplicate_of", "pr_ref",
                             "description", "fields", "locked_fields", "discussion", "frozen",
                             "tier", "created_at", "updated_at", "cross_tier_conflict",
                             "version"]
    assert jrun(tracker, "list", "--status", "done") == []


def test_list_rejects_an_unknown_tier_as_a_usage_error(tracker):
    run = tracker.htrac("list", "--tier", "nowhere")
    assert run.code == 2 and "Traceback" not in run.err


def test_list_and_ready_json_hide_deleted_messages_as_the_reference(tracker, jrun):
    item = tracker.add("Thread")
    tracker.ok("discuss", item, "spam")
    tracker.ok("discuss", item, "kept")
    nonce = jrun(tracker, "show", item)["discussion"][0]["nonce"]
    tracker.ok("edit-mode", "on")
    tracker.ok("delete-msg", item, nonce, "--reason", "spam")
    for listed in (jrun(tracker, "list")[0], jrun(tracker, "ready")["ready"][0]):
        assert [e["message"] for e in listed["discussion"]] == ["kept"]
        assert listed["hidden_deleted"] == 1


def test_list_unknown_status_or_kind_is_an_error_naming_the_choices(tracker):
    """Issue 18 item 5: `list --status bogus` printed "(no items)" with exit 0."""
    tracker.add("Todo")
    for args, choices in ((("--status", "bogus"), "todo_hard, todo_soft"),
                          (("--status", "done", "--status", "Done"), "in_progress"),
                          (("--kind", "work-item"), "invariant, work_item")):
        run = tracker.htrac("list", *args)
        assert run.code == 1 and choices in run.err and run.err.count("\n") == 1, args
    assert tracker.ok("list", "--status", "wont_do").strip() == "(no items)"  # known, none


def test_list_status_column_fits_the_longest_status_shown(tracker):
    """Issue 18 item 8: `needs_human_review` pushed its row's other columns out of line."""
    tracker.add("Todo")
    tracker.add("Review", "--status", "needs_human_review")
    rows = tracker.ok("list").splitlines()
    assert len({row.index(" P2  [workspace]") for row in rows}) == 1
    assert "  todo_hard    P2  " in tracker.ok("list", "--status", "todo_hard")  # the
    # reference's width, when nothing longer is shown


def test_ambiguous_prefix_lists_titles_escaped(tracker):
    """Issue 18 item 8: candidates' titles were printed with their raw TAB (or newline)."""
    for n in range(40):
        tracker.add(f"Tab\there\nline {n}")
    ids = _ids(tracker.ok("list"))
    prefix = next(p for p in {i[:4] for i in ids} if sum(i.startswith(p) for i in ids) > 1)
    run = tracker.htrac("show", prefix)
    assert run.code == 1 and "matches several items" in run.err
    candidates = run.err.splitlines()[1:]
    assert candidates and all("Tab\\there\\nline" in line for line in candidates)
    assert "\t" not in run.err
