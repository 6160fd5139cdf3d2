"""The write command lines `cli.entry` runs without click (`cli.writeline`) must be
indistinguishable from the same lines through click: the same parameters, the same output,
errors, exit status and ops written — and every other line goes to click."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from htrac.cli.writeline import parse

THROUGH_CLICK = "import sys; sys.argv[0] = 'htrac'; from htrac.cli.main import main; main()"

SIMPLE = [
    ["update", "REF", "--priority", "1"],
    ["update", "REF", "--status", "in_progress", "--note", "started", "--json"],
    ["--json", "update", "--title", "New title", "REF", "--add-tag", "a", "--add-tag", "b"],
    ["update", "REF", "--remove-tag", "x", "--pr-ref", "", "--description", "two\nlines"],
    ["update", "REF", "--parent", "OTHER", "--priority", "03"],
    ["update", "REF", "--status", "no_such_status"],
    ["update", "REF"],
    ["discuss", "REF", "a message"],
    ["discuss", "--ack-thread", "REF", "a message"],
    ["discuss", "REF", "a message", "--ack-thread", "--json"],
    ["discuss", "REF", ""],
    ["add", "--kind", "work_item", "--title", "Made"],
    ["add", "--title", "Made", "--kind", "work_item", "--priority", "0", "--tag", "t",
     "--tag", "u", "--status", "todo_soft", "--description", "d", "--pr-ref", "7"],
    ["add", "--kind", "work_item", "--title", "Child", "--parent", "REF", "--json"],
    ["add", "--kind", "invariant", "--title", "Missing its fields"],
    ["add", "--kind", "nope", "--title", "Bad kind"],
    ["add", "--kind", "work_item", "--title", "Bad priority", "--priority", "9"],
    ["update", "WI-nothing", "--priority", "1"],
    ["discuss", "WI-nothing", "hello"],
]
# Lines click must read (an option's value that looks like an option, `=`, help, a global
# option, extra or missing arguments, a repeated single option, a malformed number…).
OTHER = [
    ["update", "REF", "--priority=1"], ["update", "REF", "--priority", "-1"],
    ["update", "REF", "--priority", "x"], ["update", "REF", "--priority", "+1"],
    ["update", "REF", "--title", "--json"], ["update", "REF", "--title"],
    ["update", "REF", "--title", "a", "--title", "b"], ["update", "--help"],
    ["update", "REF", "--clear-parent"], ["update", "REF", "EXTRA", "--priority", "1"],
    ["update", "--", "REF", "--priority", "1"], ["--no-auto-sync", "update", "REF"],
    ["--tracker-root", ".", "update", "REF", "--priority", "1"],
    ["discuss", "REF"], ["discuss", "REF", "-x"], ["discuss", "REF", "m", "--clear"],
    ["discuss", "--ack-thread", "--ack-thread", "REF", "m"], ["discuss", "REF", "a", "b"],
    ["add", "--kind", "work_item"], ["add", "--title", "t"],
    ["add", "--kind", "work_item", "--title", "t", "--tier", "stealth"],
    ["add", "--kind", "work_item", "--title", "t", "extra"], ["add", "-h"],
    ["update", "REF", "--priority", "\udcff"],
]


def _click_params(argv: list[str]) -> tuple[str, dict]:
    from htrac.cli.main import cli

    args = [a for a in argv if a != "--json"]
    command = cli.get_command(None, args[0])  # type: ignore[arg-type]
    ctx = command.make_context(args[0], list(args[1:]))
    return args[0], dict(ctx.params)


@pytest.mark.parametrize("argv", SIMPLE, ids=" ".join)
def test_writeline_parses_as_click_does(argv):
    line = parse(argv)
    assert line is not None
    command, json, params = line
    assert json == ("--json" in argv)
    name, expected = _click_params(argv)
    assert command == name
    assert {k: v for k, v in expected.items() if k not in params} \
        in ({}, {"clear": False, "summarize": None})
    assert params == {k: expected[k] for k in params}


@pytest.mark.parametrize("argv", OTHER, ids=" ".join)
def test_writeline_leaves_other_lines_to_click(argv):
    assert parse(argv) is None


def _run(cwd: Path, argv: list[str], fast: bool) -> tuple:
    prefix = ["-m", "htrac"] if fast else ["-c", THROUGH_CLICK]
    done = subprocess.run([sys.executable, *prefix, *argv], cwd=cwd, capture_output=True,
                          text=True, env=os.environ.copy())
    return done.returncode, done.stdout, done.stderr


def _ops(repo: Path) -> list[str]:
    """The ops files' lines without what differs from one write to the next (time, nonce)."""
    lines = []
    for path in sorted(repo.glob(".agent/*/.ops/*.ops")):
        for line in path.read_text().splitlines():
            line = line.rsplit("  # ", 1)[0]  # each line ends with its op's nonce
            if line.strip().split(":", 1)[0] not in ("at", "nonce"):
                lines.append(f"{path.name}: {line}")
    return lines


@pytest.mark.parametrize("argv", SIMPLE + OTHER, ids=" ".join)
def test_writeline_writes_and_fails_as_click_does(tmp_tracker, tmp_path, argv):
    ref = tmp_tracker.add("Something", "--priority", "2")
    other = tmp_tracker.add("Another")
    tmp_tracker.ok("discuss", ref, "earlier")
    copy = tmp_path / "copy"
    shutil.copytree(tmp_tracker.path, copy, symlinks=True)
    argv = [ref if a == "REF" else other if a == "OTHER" else a for a in argv]
    fast = _run(tmp_tracker.path, argv, fast=True)
    slow = _run(copy, argv, fast=False)
    here = str(tmp_tracker.path)
    assert fast == tuple(x.replace(str(copy), here) if isinstance(x, str) else x for x in slow)
    assert _ops(tmp_tracker.path) == _ops(copy)


def test_writeline_auto_syncs_and_closes_as_click_does(tmp_tracker):
    """Auto-sync follows a write made without click as it follows one through click: here a
    branch without an upstream, which auto-sync leaves alone, silently."""
    run = tmp_tracker.htrac("add", "--kind", "work_item", "--title", "Local",
                            env={"TRACKER_AUTO_SYNC_THRESHOLD": "1"})
    assert run.code == 0 and run.err == ""
    assert tmp_tracker.git("status", "--porcelain").strip()  # nothing was committed
