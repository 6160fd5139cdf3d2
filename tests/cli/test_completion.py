from __future__ import annotations


def test_completion_prints_a_script_for_each_shell(tmp_tracker):
    for shell in ("bash", "zsh", "fish"):
        assert "_HTRAC_COMPLETE" in tmp_tracker.ok("completion", shell)


def _complete(tracker, words: str, cword: int) -> list[str]:
    out = tracker.ok(env={"_HTRAC_COMPLETE": "bash_complete", "COMP_WORDS": words,
                          "COMP_CWORD": str(cword)})
    return [line.split(",", 1)[1] for line in out.splitlines()]


def test_completion_of_item_arguments_offers_ids(tmp_tracker):
    a = tmp_tracker.add("Alpha")
    b = tmp_tracker.add("Beta")
    assert set(_complete(tmp_tracker, "htrac show ", 2)) == {a, b}
    assert _complete(tmp_tracker, f"htrac update {a[:5]}", 2) == [a]
    assert _complete(tmp_tracker, f"htrac update x --add-blocked-by {b[3:8]}", 4) == [b]
    assert "ready" in _complete(tmp_tracker, "htrac rea", 1)


def test_completion_outside_a_tracker_offers_nothing_quietly(tmp_path, tmp_tracker):
    run = tmp_tracker.htrac(cwd=tmp_path, env={"_HTRAC_COMPLETE": "bash_complete",
                                                "COMP_WORDS": "htrac show ", "COMP_CWORD": "2"})
    assert run.code == 0 and run.out.strip() == "" and run.err == ""


def test_completion_of_status_and_kind_comes_from_the_config(tmp_tracker):
    assert _complete(tmp_tracker, "htrac list --status todo", 3) == ["todo_hard", "todo_soft"]
    assert _complete(tmp_tracker, "htrac add --kind ", 3) == ["invariant", "work_item"]
    assert _complete(tmp_tracker, "htrac update x --status d", 4) == ["done", "deleted"]
