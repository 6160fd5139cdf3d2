"""Hostile input: every command answers with one line and an exit code, never a traceback, and
touches nothing outside the tracker."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import pytest

FULL = bool(os.environ.get("HTRAC_FULL_TESTS"))



HOSTILE = [
    "\x1b[31mred\x1b[0m \x1b]0;owned\x07 title",
    "line one\nline two\r\n\tindented",
    "bidi \u202e reversed \u2066",
    "nul \x00 inside",
    "quote \" and ' and # and: colon",
    "x" * 100_000,
]
BAD_REFS = ["../x", "/etc/passwd", "..", ".", "-", "WI-../../etc", "a/b", "x" * 5000, ":0",
            ":-1", ":abc", ":99", "WI-zzzzz-"]


def _snapshot(root: Path) -> dict[str, float]:
    files = {}
    for path in root.rglob("*"):
        if ".agent" in path.parts or ".git" in path.parts:
            continue
        files[str(path)] = path.stat().st_mtime_ns if path.exists() else 0
    return files


def _assert_clean(run, code: int | tuple[int, ...]) -> None:
    codes = code if isinstance(code, tuple) else (code,)
    assert run.code in codes, (run.code, run.err)
    assert "Traceback" not in run.err and "Traceback" not in run.out
    if run.code:
        lines = run.err.strip().splitlines()
        assert lines and (lines[-1].startswith("error: ") or "Usage:" in run.err), run.err
        assert "\x1b" not in run.err


@pytest.fixture
def watched(tmp_tracker, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    before = _snapshot(tmp_path)
    yield tmp_tracker
    assert _snapshot(tmp_path) == before


def test_bad_refs_are_refused_for_every_item_command(watched):
    item = watched.add("Real")
    refs = BAD_REFS if FULL else BAD_REFS[:4] + BAD_REFS[-4:]
    for ref in refs:  # the reading commands, each its own process
        for cmd in ("show", "log", "deps"):
            _assert_clean(watched.htrac(cmd, ref), (1, 2))
    lines = []  # the writing commands, many lines through one batch
    for ref in BAD_REFS:
        quoted = shlex.quote(ref)
        lines += [f"discuss {quoted} hi", f"update {quoted} --priority 1",
                  f"update {item} --parent {quoted}", f"update {item} --add-blocked-by {quoted}",
                  f"update {item} --add-isbefore {quoted}",
                  f"add --kind work_item --title t --parent {quoted}"]
    run = watched.htrac("--json", "batch", "-", input="\n".join(lines) + "\n")
    data = json.loads(run.out)
    assert run.code == 1 and data["failed"] == len(lines), [
        r for r in data["results"] if r["ok"]]
    assert "Traceback" not in run.err


def test_hostile_titles_and_messages_are_stored_and_printed_harmlessly(watched, tracker):
    for text in HOSTILE:
        if "\x00" in text:
            continue  # argv can't carry NUL; see the stdin test
        run = watched.htrac("add", "--kind", "work_item", "--title", text)
        if len(text) > 4096:
            _assert_clean(run, 1)
            continue
        _assert_clean(run, 0)
        item = run.out.strip()
        _assert_clean(watched.htrac("discuss", item, text), 0)
        for view in (["show", item], ["list"], ["ready"], ["discuss", item], ["deps", item],
                     ["check-messages"]):
            out = tracker.ok(*view)  # in-process: the same renderers, faster
            assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
        data = json.loads(tracker.ok("--json", "show", item))
        assert data["title"] == text and data["discussion"][0]["message"] == text


def test_nul_and_huge_values_through_stdin_and_batch(watched, tmp_path_factory):
    item = watched.add("Target")
    run = watched.htrac("update", item, "--description-stdin", input="a\x00b")
    _assert_clean(run, (0, 1))
    run = watched.htrac("update", item, "--description-stdin", input="d" * 100_000)
    _assert_clean(run, 0)
    assert json.loads(watched.ok("--json", "show", item))["description"] == "d" * 100_000
    script = tmp_path_factory.mktemp("scripts") / "batch.txt"
    script.write_bytes(f"discuss {item} \"nul \x00 here\"\nupdate ../x --priority 1\n"
                       f"update {item} --title {'t' * 100_000}\n".encode())
    before = script.stat().st_mtime_ns
    run = watched.htrac("batch", str(script))
    assert run.code == 1 and "Traceback" not in run.err and "batch: 0/3" in run.out
    assert script.stat().st_mtime_ns == before
    script.write_bytes(b"update \xff\xfe --priority 1\n")
    _assert_clean(watched.htrac("batch", str(script)), 1)


def test_bad_numbers_and_choices_are_usage_errors(watched):
    item = watched.add("Target")
    for args in (["ready", "--limit", "-1"], ["list", "--limit", "x"],
                 ["update", item, "--priority", "1.5"], ["add", "--kind", "work_item"],
                 ["check-messages", "--autolimit", "no"], ["completion", "tcsh"],
                 ["nosuchcommand"]):
        _assert_clean(watched.htrac(*args), 2)


def test_values_outside_the_schema_are_refused_with_exit_1(watched):
    item = watched.add("Target")
    for args in (["add", "--kind", "nokind", "--title", "t"],
                 ["add", "--kind", "work_item", "--title", "t", "--priority", "5"],
                 ["add", "--kind", "work_item", "--title", "   "],
                 ["add", "--kind", "work_item", "--title", "t", "--tier", "x"],
                 ["add", "--kind", "work_item", "--title", "t", "--field", "novalue"],
                 ["update", item, "--field", "=x"], ["update", item, "--status", "nope"],
                 ["tags", "describe", "Bad Tag", "x"]):
        run = watched.htrac(*args)
        _assert_clean(run, (1, 2))


def test_no_tracker_is_a_clear_error(tmp_path):
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-m", "htrac", "ready"], cwd=tmp_path,
                         capture_output=True, text=True, env=dict(os.environ))
    assert run.returncode == 1 and run.stderr.startswith("error: no tracker found")


def test_tracker_root_without_a_tracker_is_a_clear_error(tmp_tracker, tmp_path):
    """Issue 18 item 5: `--tracker-root DIR` with no tracker there answered `ready`, exit 0."""
    run = tmp_tracker.htrac("--tracker-root", ".", "ready")
    assert run.code == 1 and "no tracker there" in run.err
    assert f"--tracker-root {tmp_tracker.agent_dir}" in run.err  # the repository: name .agent
    run = tmp_tracker.htrac("--tracker-root", str(tmp_path), "count-todos")
    assert run.code == 1 and "htrac init" in run.err and run.err.count("\n") == 1
    assert tmp_tracker.htrac("--tracker-root", ".agent", "ready").code == 0


def test_usage_errors_are_one_line_naming_the_help(tmp_tracker):
    """Issue 18 item 8: usage errors were four lines (usage, hint, blank, error)."""
    item = tmp_tracker.add("Target")
    for args, where in ((["update", item, "--bogus"], "htrac update --help"),
                        (["update", item, "--add-isbefore"], "htrac update --help"),
                        (["list", "--limit", "x"], "htrac list --help"),
                        (["tags", "rename", "a"], "htrac tags rename --help"),
                        (["nosuchcommand"], "htrac --help")):
        run = tmp_tracker.htrac(*args)
        assert run.code == 2 and run.err.count("\n") == 1, (args, run.err)
        assert run.err.startswith("error: ") and f"(see '{where}')" in run.err
    assert tmp_tracker.htrac().code == 1  # no command: the help, exit 1, as the reference
