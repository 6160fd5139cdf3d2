from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from htrac.service.stophook import block_reason, count_todos, decide_stop, hash_todos
from htrac.service.tracker import Tracker

DAMAGED_ID = "WI-dajam-vuvuf-dubin-duhig-habap-lijog-luvoz-mabab"


def open_tracker(repo) -> Tracker:
    return Tracker.open(start=repo.path)


def write_config(repo, *, scope: str = "all", extra_status: str | None = None) -> None:
    statuses = ["todo_hard", "todo_soft", "in_progress", "needs_human_review", "done",
                "wont_do", "deleted"]
    blocking = ["todo_hard", "todo_soft"]
    if extra_status:
        statuses.insert(1, extra_status)
        blocking.insert(1, extra_status)
    (repo.agent_dir / "tracker" / "config.yaml").write_text(
        "kinds:\n  work_item: {prefix: WI}\n"
        f"statuses: [{', '.join(statuses)}]\n"
        f"stop_hook:\n  blocking_statuses: [{', '.join(blocking)}]\n"
        "  resolved_statuses: [done, wont_do, deleted]\n  human_only_statuses: [deleted]\n"
        f"  scope: {scope}\n"
        "actor_resolution: {agent_usernames: ['*_agent']}\nlamport_branches: [dev, main]\n",
        encoding="utf-8")


def damage(repo, item_id: str = DAMAGED_ID) -> Path:
    path = repo.agent_dir / "tracker-workspace" / ".ops" / f".{item_id}.ops"
    path.write_text("this is: [not an op\n", encoding="utf-8")
    return path


def expected_hash(rows: list[tuple[str, str, str]]) -> str:
    text = "".join(sorted(f"{i}\t{s}\t{t}\n" for i, s, t in rows))
    return hashlib.sha256(text.encode()).hexdigest()


def test_count_todos_counts_blocking_statuses_and_filters_hard_and_soft(tmp_tracker):
    tmp_tracker.add("Hard", "--status", "todo_hard")
    tmp_tracker.add("Soft", "--status", "todo_soft")
    tmp_tracker.add("Busy", "--status", "in_progress")
    tmp_tracker.add("Done", "--status", "done")
    tracker = open_tracker(tmp_tracker)
    assert count_todos(tracker) == 2
    assert count_todos(tracker, hard=True) == 1
    assert count_todos(tracker, soft=True) == 1
    assert count_todos(tracker, hard=True, soft=True) == 1


def test_count_todos_honours_workspace_scope(tmp_tracker):
    write_config(tmp_tracker, scope="workspace")
    tmp_tracker.add("Upstream", "--tier", "canonical")
    tmp_tracker.add("Local", "--tier", "workspace")
    tmp_tracker.add("Private", "--tier", "stealth")
    assert count_todos(open_tracker(tmp_tracker)) == 2


def test_hash_todos_is_sha256_of_sorted_blocking_lines(tmp_tracker):
    a = tmp_tracker.add("Zeta title", "--status", "todo_soft")
    b = tmp_tracker.add("Alpha \"quoted\" ünïcode")
    tmp_tracker.add("Finished", "--status", "done")
    tracker = open_tracker(tmp_tracker)
    assert hash_todos(tracker) == expected_hash(
        [(a, "todo_soft", "Zeta title"), (b, "todo_hard", "Alpha \"quoted\" ünïcode")])


def test_hash_todos_of_nothing_is_hash_of_empty_string(tmp_tracker):
    assert hash_todos(open_tracker(tmp_tracker)) == hashlib.sha256(b"").hexdigest()


def test_count_todos_counts_a_damaged_item_under_every_filter(tmp_tracker):
    tmp_tracker.add("Soft", "--status", "todo_soft")
    damage(tmp_tracker)
    tracker = open_tracker(tmp_tracker)
    assert count_todos(tracker) == 2
    assert count_todos(tracker, hard=True) == 1
    assert count_todos(tracker, soft=True) == 2


def test_hash_todos_changes_when_an_item_is_damaged(tmp_tracker):
    item = tmp_tracker.add("Soft", "--status", "todo_soft")
    before = hash_todos(open_tracker(tmp_tracker))
    damage(tmp_tracker)
    after = hash_todos(open_tracker(tmp_tracker))
    assert before != after
    assert after == expected_hash([(item, "todo_soft", "Soft"), (DAMAGED_ID, "", "")])


def test_decide_stop_lets_go_when_nothing_blocks(tmp_tracker):
    tmp_tracker.add("Done", "--status", "done")
    verdict = decide_stop(open_tracker(tmp_tracker), session="s", continuing=False)
    assert not verdict.block and verdict.reason == "" and verdict.notice == ""


def test_decide_stop_blocks_and_names_the_most_urgent_items(tmp_tracker):
    ids = [tmp_tracker.add(f"Item {n}", "--priority", str(n % 5)) for n in range(7)]
    verdict = decide_stop(open_tracker(tmp_tracker), session="s", continuing=False)
    assert verdict.block and verdict.blocking == 7
    assert f"  - {ids[0]}  P0  todo_hard  Item 0" in verdict.reason
    assert ids[4] not in verdict.reason  # P4: not among the five most urgent
    assert "  … and 2 more (htrac ready)" in verdict.reason


def test_decide_stop_breaker_lets_a_stuck_agent_go_after_max_blocks(tmp_tracker):
    tmp_tracker.add("Stuck")
    tracker = open_tracker(tmp_tracker)
    verdicts = [decide_stop(tracker, session="s", continuing=n > 0, max_blocks=2)
                for n in range(3)]
    assert [v.block for v in verdicts] == [True, True, False]
    assert "2 blocks in a row changed nothing" in verdicts[2].notice
    # After letting go, the next stop starts counting afresh.
    assert decide_stop(tracker, session="s", continuing=True, max_blocks=2).block


def test_decide_stop_fresh_stop_resets_the_breaker(tmp_tracker):
    tmp_tracker.add("Stuck")
    tracker = open_tracker(tmp_tracker)
    assert decide_stop(tracker, session="s", continuing=False, max_blocks=1).block
    assert decide_stop(tracker, session="s", continuing=False, max_blocks=1).block
    assert not decide_stop(tracker, session="s", continuing=True, max_blocks=1).block


def test_decide_stop_progress_resets_the_breaker(tmp_tracker):
    first = tmp_tracker.add("One")
    tmp_tracker.add("Two")
    tracker = open_tracker(tmp_tracker)
    assert decide_stop(tracker, session="s", continuing=False, max_blocks=1).block
    tmp_tracker.ok("update", first, "--status", "done")
    assert decide_stop(tracker, session="s", continuing=True, max_blocks=1).block
    assert not decide_stop(tracker, session="s", continuing=True, max_blocks=1).block


def test_decide_stop_sessions_count_separately(tmp_tracker):
    tmp_tracker.add("Stuck")
    tracker = open_tracker(tmp_tracker)
    assert decide_stop(tracker, session="a", continuing=False, max_blocks=1).block
    assert decide_stop(tracker, session="b", continuing=True, max_blocks=1).block
    assert not decide_stop(tracker, session="a", continuing=True, max_blocks=1).block


def test_decide_stop_max_blocks_zero_never_lets_go(tmp_tracker):
    tmp_tracker.add("Stuck")
    tracker = open_tracker(tmp_tracker)
    assert all(decide_stop(tracker, session="s", continuing=True, max_blocks=0).block
               for _ in range(10))


def test_decide_stop_blocks_on_unread_human_message_alone(tmp_tracker):
    item = tmp_tracker.add("Waiting", "--status", "in_progress")
    tmp_tracker.ok("discuss", item, "Can you explain\nthis?")
    verdict = decide_stop(open_tracker(tmp_tracker), session="s", continuing=False)
    assert verdict.block and verdict.blocking == 0 and verdict.unread == 1
    assert verdict.reason.splitlines()[1] == (
        f"  - {item}  P2  [in_progress]  Waiting  (1 unread): \"Can you explain\\nthis?\"")


def test_decide_stop_blocks_on_a_damaged_item(tmp_tracker):
    damage(tmp_tracker)
    verdict = decide_stop(open_tracker(tmp_tracker), session="s", continuing=False)
    assert verdict.block
    assert f"  - [DAMAGED] {DAMAGED_ID}  P2  ?  (no title)" in verdict.reason


def test_decide_stop_survives_a_corrupt_breaker_file(tmp_tracker, monkeypatch, tmp_path):
    tmp_tracker.add("Stuck")
    tracker = open_tracker(tmp_tracker)
    assert decide_stop(tracker, session="s", continuing=False, max_blocks=1).block
    from htrac.store.hookstate import BreakerState
    BreakerState(tracker.layout.root, "s").path.write_text("{not json")
    assert decide_stop(tracker, session="s", continuing=True, max_blocks=1).block


def test_block_reason_without_work_or_messages_is_empty():
    assert block_reason([], [], ("todo_hard",)) == ""


def test_count_todos_hard_is_zero_when_no_blocking_status_is_hard(tmp_tracker):
    (tmp_tracker.agent_dir / "tracker" / "config.yaml").write_text(
        "statuses: [todo, urgent, in_progress, done, wont_do, deleted]\n"
        "stop_hook:\n  blocking_statuses: [todo, urgent]\n", encoding="utf-8")
    tmp_tracker.add("One", "--status", "todo")
    tracker = open_tracker(tmp_tracker)
    assert count_todos(tracker, hard=True) == 0
    assert count_todos(tracker, soft=True) == 1
    damage(tmp_tracker)
    assert count_todos(open_tracker(tmp_tracker), hard=True) == 1  # damaged still counts


def test_answers_are_the_same_without_the_index(tmp_tracker):
    from htrac.service.brief import session_brief
    for n in range(4):
        tmp_tracker.add(f"Item {n}", "--status", ["todo_hard", "todo_soft", "in_progress",
                                                   "done"][n], "--priority", str(n))
    damage(tmp_tracker)

    def answers(tracker):
        verdict = decide_stop(tracker, session=f"s{id(tracker)}", continuing=False)
        return (count_todos(tracker), count_todos(tracker, hard=True), hash_todos(tracker),
                verdict.block, verdict.reason, session_brief(tracker))

    indexed = open_tracker(tmp_tracker)
    assert indexed.store.index is not None
    folded = open_tracker(tmp_tracker)
    folded.store.index = None  # the state a store falls back to when its index is unusable
    assert answers(indexed) == answers(folded)


def _empty_dir_link(repo, tmp_path, ops: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / ".gitattributes").write_text("*.ops merge=union\n")
    ops.rename(tmp_path / "kept")
    ops.symlink_to(empty)


def _file_instead(repo, tmp_path, ops: Path) -> None:
    ops.rename(tmp_path / "kept")
    ops.write_text("")


def _missing(repo, tmp_path, ops: Path) -> None:
    ops.rename(tmp_path / "kept")


def _unreadable_parent(repo, tmp_path, ops: Path) -> None:
    ops.parent.rename(tmp_path / "kept")
    ops.parent.symlink_to(tmp_path / "kept")


@pytest.mark.parametrize("replace", [_empty_dir_link, _file_instead, _missing,
                                     _unreadable_parent])
def test_stop_hook_fails_closed_when_a_tier_directory_is_replaced(tmp_tracker, tmp_path,
                                                                  replace):
    """`.ops` swapped for a link to an empty directory, a file, nothing, or its parent for a
    link: the hidden work can't be counted, so the tier counts as blocking and the hook says
    why — never 0, never a silent stop."""
    for n in range(3):
        tmp_tracker.add(f"Work {n}")
    tracker = open_tracker(tmp_tracker)
    assert count_todos(tracker) == 3
    replace(tmp_tracker, tmp_path, tmp_tracker.agent_dir / "tracker-workspace" / ".ops")
    assert int(tmp_tracker.ok("count-todos").strip()) >= 1
    verdict = decide_stop(open_tracker(tmp_tracker), session="s", continuing=False)
    assert verdict.block and "tier directories can't be read" in verdict.reason
    assert "workspace: " in verdict.reason
    run = tmp_tracker.htrac("hook", "stop", "--format", "text", input="")
    assert run.code == 3 and "can't be read" in run.out
    ready = tmp_tracker.ok("ready")
    assert "can't be read" in ready
