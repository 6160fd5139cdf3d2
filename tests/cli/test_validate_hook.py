"""The pre-commit hook (`htrac validate --staged --check-locks --strict`) with real commits."""

from __future__ import annotations

import subprocess

from tests.gitio.conftest import append_op, git_tracker  # noqa: F401 (fixture)


def commit(tracker) -> subprocess.CompletedProcess:
    tracker.git("add", "-A")
    return subprocess.run(["git", "commit", "-q", "-m", "change"], cwd=tracker.path,
                          capture_output=True, text=True)


def test_hook_accepts_a_clean_commit(git_tracker):
    append_op(git_tracker.item_path, "update", {"set": {"priority": 1}})
    git_tracker.add("A second item")
    result = commit(git_tracker)
    assert result.returncode == 0, result.stderr


def test_hook_refuses_an_agent_op_on_a_locked_field(git_tracker):
    append_op(git_tracker.item_path, "lock", {"lock": ["status"]}, by="human", actor="alice")
    assert commit(git_tracker).returncode == 0
    nonce = append_op(git_tracker.item_path, "update", {"set": {"status": "done"}})
    result = commit(git_tracker)
    assert result.returncode != 0
    assert nonce in result.stderr and "locked" in result.stderr


def test_hook_refuses_a_malformed_ops_file(git_tracker):
    with git_tracker.item_path.open("a", encoding="utf-8") as handle:
        handle.write("- op: update  # abcdabcdabcdabcd\n  set: {status: [unclosed  # abcdabcdabcdabcd\n")
    result = commit(git_tracker)
    assert result.returncode != 0
    assert "damaged" in result.stderr


def test_hook_refuses_a_removed_op(git_tracker):
    nonce = append_op(git_tracker.item_path, "discuss", {"message": "keep me"}, by="human",
                      actor="alice")
    assert commit(git_tracker).returncode == 0
    text = git_tracker.item_path.read_text(encoding="utf-8")
    kept = "".join(line for line in text.splitlines(keepends=True) if nonce not in line)
    git_tracker.item_path.write_text(kept, encoding="utf-8")
    result = commit(git_tracker)
    assert result.returncode != 0
    assert f"discuss op {nonce}" in result.stderr and "removed" in result.stderr


def test_hook_refuses_an_altered_op(git_tracker):
    append_op(git_tracker.item_path, "discuss", {"message": "original words"}, by="human",
              actor="alice")
    assert commit(git_tracker).returncode == 0
    text = git_tracker.item_path.read_text(encoding="utf-8")
    git_tracker.item_path.write_text(text.replace("original words", "forged words"),
                                     encoding="utf-8")
    result = commit(git_tracker)
    assert result.returncode != 0
    assert "altered" in result.stderr


def test_validate_since_catches_a_no_verify_commit(git_tracker):
    base = git_tracker.git("rev-parse", "HEAD").strip()
    nonce = append_op(git_tracker.item_path, "lock", {"lock": ["status"]}, by="human",
                      actor="alice")
    assert commit(git_tracker).returncode == 0
    text = git_tracker.item_path.read_text(encoding="utf-8")
    git_tracker.item_path.write_text(
        "".join(line for line in text.splitlines(keepends=True) if nonce not in line),
        encoding="utf-8")
    git_tracker.git("commit", "-q", "-a", "--no-verify", "-m", "sneaky")
    run = git_tracker.htrac("validate", "--since", base)
    assert run.code == 1
    assert f"lock op {nonce}" in run.out and "removed" in run.out


def test_validate_strict_fails_on_warnings_for_named_files(git_tracker):
    with git_tracker.item_path.open("a", encoding="utf-8") as handle:
        handle.write("# a stray comment is fine\n")
    text = git_tracker.item_path.read_text(encoding="utf-8")
    git_tracker.item_path.write_text(text.replace("  # ", "  #  ", 1), encoding="utf-8")
    assert git_tracker.htrac("validate", str(git_tracker.item_path)).code in (0, 1)
    run = git_tracker.htrac("validate", "--strict", "--json", str(git_tracker.item_path))
    assert run.code == 1


def test_validate_promote_is_not_an_append_only_violation(git_tracker):
    source = git_tracker.item_path
    target = git_tracker.agent_dir / "tracker" / ".ops" / source.name
    append_op(source, "promote", {}, by="human", actor="alice")
    source.rename(target)
    result = commit(git_tracker)
    assert result.returncode == 0, result.stdout + result.stderr


def test_validate_stealth_move_is_not_an_append_only_violation_here(git_tracker):
    base = git_tracker.git("rev-parse", "HEAD").strip()
    git_tracker.ok("stealth", git_tracker.item)
    result = commit(git_tracker)
    assert result.returncode == 0, result.stderr
    assert git_tracker.htrac("validate", "--since", base).code == 0


def test_hook_refuses_an_ops_file_moved_into_stealth_without_the_humans_op(git_tracker):
    stealth = git_tracker.agent_dir / "tracker-workspace" / "stealth" / git_tracker.item_path.name
    git_tracker.item_path.rename(stealth)  # what an agent can do in a shared worktree
    result = commit(git_tracker)
    assert result.returncode != 0
    assert "no human op authorises it" in result.stderr and "htrac stealth" in result.stderr
    assert result.stderr.count("no human op authorises it") == 1  # once, not once per op
    # a forged "human" stealth op (unsigned here, but an agent's actor name) changes nothing
    append_op(stealth, "stealth", {}, by="human", actor="bot_agent")
    assert commit(git_tracker).returncode != 0


def test_hook_refuses_a_deleted_ops_file_and_validate_since_finds_it(git_tracker):
    base = git_tracker.git("rev-parse", "HEAD").strip()
    git_tracker.item_path.unlink()
    result = commit(git_tracker)
    assert result.returncode != 0 and "no human op authorises it" in result.stderr
    assert f"git checkout HEAD -- .agent/tracker-workspace/.ops/{git_tracker.item_path.name}" \
        in result.stderr
    git_tracker.git("commit", "-q", "--no-verify", "-m", "gone")
    since = git_tracker.htrac("validate", "--since", base)
    assert since.code != 0 and "no human op authorises it" in since.out + since.err
