"""The fold: total order, tie-breaks, LWW, field merges, sets, policy refusals, edit-mode."""

from __future__ import annotations

import itertools

from htrac.core.fold import fold
from htrac.core.problems import DAMAGED, NOTE, REJECTED, UNKNOWN

from .conftest import create, op


def compile_(ops, vocab, **kw):
    return fold("WI-x", ops, vocab, **kw)


def test_fold_is_independent_of_file_order(vocab):
    ops = [create(), op("update", clock=2, set={"status": "in_progress"}),
           op("update", clock=2, at="2026-01-01T00:00:01Z", set={"status": "done"}),
           op("discuss", clock=3, message="m"), op("lock", clock=4, by="human", lock=["title"])]
    states = {str(compile_(list(p), vocab).as_dict()) for p in itertools.permutations(ops)}
    assert len(states) == 1


def test_fold_higher_clock_wins_regardless_of_timestamp(vocab):
    item = compile_([create(), op("update", clock=3, at="2026-01-01T00:00:00Z", set={"priority": 0}),
                     op("update", clock=2, at="2026-12-31T00:00:00Z", set={"priority": 4})], vocab)
    assert item.priority == 0


def test_fold_equal_clock_later_timestamp_wins(vocab):
    item = compile_([create(), op("update", clock=2, at="2026-01-01T00:00:02Z", set={"priority": 0}),
                     op("update", clock=2, at="2026-01-01T00:00:01Z", set={"priority": 4})], vocab)
    assert item.priority == 0


def test_fold_full_tie_the_human_wins(vocab):
    human = op("update", clock=2, by="human", nonce="0000", set={"title": "human's"})
    agent = op("update", clock=2, by="agent", nonce="ffff", set={"title": "agent's"})
    assert compile_([create(), human, agent], vocab).title == "human's"
    assert compile_([create(), agent, human], vocab).title == "human's"


def test_fold_same_actor_tie_the_larger_nonce_wins(vocab):
    a = op("update", clock=2, nonce="aaaa", set={"title": "a"})
    b = op("update", clock=2, nonce="bbbb", set={"title": "b"})
    assert compile_([create(), b, a], vocab).title == "b"


def test_fold_fields_merge_per_key_and_null_deletes(vocab):
    item = compile_([create(fields={"a": "1", "b": "2"}),
                     op("update", clock=2, set={"fields": {"b": None, "c": "3"}})], vocab)
    assert item.fields == {"a": "1", "c": "3"}


def test_fold_sets_replace_add_and_remove(vocab):
    item = compile_([create(tags=["a", "b"]), op("update", clock=2, set={"tags": ["c"]}),
                     op("update", clock=3, set={}, add={"tags": ["d", "c"]}),
                     op("update", clock=4, set={}, remove={"tags": ["c", "zz"]})], vocab)
    assert item.tags == ["d"]


def test_fold_reads_legacy_before_as_isbefore(vocab):
    c = create()
    c.body["data"]["before"] = c.body["data"].pop("isbefore") + ["WI-y"]
    item = compile_([c, op("update", clock=2, set={}, add={"before": ["WI-z"]}),
                     op("lock", clock=3, by="human", lock=["before"])], vocab)
    assert item.isbefore == ["WI-y", "WI-z"] and item.locked_fields == {"isbefore"}


def test_fold_discussion_summary_and_clear(vocab):
    item = compile_([create(), op("discuss", clock=2, message="a"),
                     op("discuss", clock=3, message="b", by="human"),
                     op("discuss_summarize", clock=4, message="sum", by="human")], vocab)
    assert [(e.message, e.is_summary) for e in item.discussion] == [("sum", True)]
    cleared = compile_([create(), op("discuss", clock=2, message="a"),
                        op("discuss_clear", clock=3, by="human")], vocab)
    assert cleared.discussion == []


def test_fold_first_create_wins_and_created_at_is_the_earliest(vocab):
    first = create("first", clock=1, at="2026-01-02T00:00:00Z")
    second = create("second", clock=2, at="2026-01-01T00:00:00Z")
    item = compile_([second, first], vocab)
    assert item.title == "first" and item.created_at == "2026-01-01T00:00:00Z"


def test_fold_ops_sorting_before_the_create_still_apply(vocab):
    item = compile_([create(clock=5), op("update", clock=1, set={"priority": 0})], vocab)
    assert item.priority == 0


def test_fold_update_without_set_is_rejected_as_incomplete(vocab):
    item = compile_([create(), op("update", clock=2, add={"tags": ["x"]})], vocab)
    assert item.tags == [] and item.problems[0].kind == REJECTED


def test_fold_rejects_schema_violations_and_records_why(vocab):
    bad = [op("update", clock=2, set={"priority": "high"}), op("update", clock=3, set={"id": "X"}),
           op("update", clock=4, set={"status": "bogus"}), op("discuss", clock=5, message=7),
           op("lock", clock=6, by="human", lock=["nonsense"])]
    item = compile_([create(), *bad], vocab)
    assert item.priority == 2 and item.status == "todo_hard" and not item.locked_fields
    assert [p.kind for p in item.problems] == [REJECTED] * 5
    assert "not updatable" in item.problems[1].reason


def test_fold_create_with_bad_values_falls_back_to_defaults_and_notes_it(vocab):
    item = compile_([create(priority=None, status="bogus", tags="notalist")], vocab)
    assert (item.priority, item.status, item.tags) == (2, "todo_hard", [])
    assert [p.kind for p in item.problems] == [NOTE] * 3


def test_fold_without_a_create_is_damaged_but_still_an_item(vocab):
    item = compile_([op("discuss", clock=2, message="orphan")], vocab)
    assert item.damaged and item.id == "WI-x" and item.problems[-1].kind == DAMAGED


def test_fold_keeps_unknown_op_types_and_reports_them(vocab):
    item = compile_([create(), op("teleport", clock=2, where="mars")], vocab)
    assert item.problems[0].kind == UNKNOWN and not item.damaged


class RefuseAgentLocks:
    def actor_class(self, o, item_id):
        return o.by

    def refuse(self, o, item, who):
        if who == "agent" and o.type in ("lock", "unlock"):
            return "only a human may lock"
        return None


def test_fold_skips_ops_the_policy_refuses(vocab):
    item = compile_([create(), op("lock", clock=2, by="agent", lock=["title"]),
                     op("lock", clock=3, by="human", lock=["status"])], vocab,
                    policy=RefuseAgentLocks())
    assert item.locked_fields == {"status"}
    assert item.problems[0].kind == REJECTED and item.problems[0].reason == "only a human may lock"


def test_fold_updated_at_is_the_last_applied_op(vocab):
    item = compile_([create(at="2026-01-01T00:00:00Z"),
                     op("discuss", clock=2, at="2026-01-03T00:00:00Z", message="x"),
                     op("update", clock=3, at="2026-01-02T00:00:00Z", set={"priority": 1})], vocab)
    assert item.updated_at == "2026-01-02T00:00:00Z"


def edits_setup(vocab, *edits, window_by="human"):
    msg = op("discuss", clock=2, nonce="d15c", message="original")
    on = op("edit-mode-on", clock=0, by=window_by, at="2026-01-01T00:00:10.000000Z",
            ttl_seconds=60, cap_max=2)
    return compile_([create(), msg, *edits], vocab, global_ops=[on])


def edit(kind, at, **body):
    body.setdefault("reason", "tidy")
    return op(kind, clock=3, by="agent", at=at, item="WI-x", target_nonce="d15c", **body)


def test_fold_edit_mode_window_allows_message_edits(vocab):
    item = edits_setup(vocab, edit("edit-msg-text", "2026-01-01T00:00:20.000000Z", new_text="new"))
    (entry,) = item.discussion
    assert entry.message == "new" and entry.edit_history == ["original"]


def test_fold_edit_mode_ignores_edits_outside_a_window(vocab):
    item = edits_setup(vocab, edit("delete-msg", "2026-01-01T00:05:00.000000Z"))
    assert not item.discussion[0].is_tombstoned and item.problems[0].kind == REJECTED


def test_fold_edit_mode_window_opened_by_an_agent_counts_for_nothing(vocab):
    item = edits_setup(vocab, edit("delete-msg", "2026-01-01T00:00:20.000000Z"), window_by="agent")
    assert not item.discussion[0].is_tombstoned


def test_fold_edit_mode_cap_and_tombstones(vocab):
    item = edits_setup(
        vocab, edit("delete-msg", "2026-01-01T00:00:11.000000Z"),
        edit("edit-msg-text", "2026-01-01T00:00:12.000000Z", new_text="refused: deleted"),
        edit("undelete-msg", "2026-01-01T00:00:13.000000Z"),
        edit("edit-msg-text", "2026-01-01T00:00:14.000000Z", new_text="second"),
        edit("edit-msg-text", "2026-01-01T00:00:15.000000Z", new_text="over the cap"))
    (entry,) = item.discussion
    assert (entry.message, entry.is_tombstoned) == ("second", False)
    assert [p.reason for p in item.problems] == [
        "cannot edit a deleted message", "edit-mode window cap of 2 edits reached"]
