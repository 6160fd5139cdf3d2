"""The hot command lines (`cli.entry`) run without click and must be indistinguishable from the
same commands run through click: same output, same errors, same exit status."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from htrac.cli.entry import FAST, FAST_WITH_ITEM

# The same command line through click, whatever `entry` would do with it.
THROUGH_CLICK = "import sys; sys.argv[0] = 'htrac'; from htrac.cli.main import main; main()"
FAST_LINES = [[name] for name in FAST] + [["--json", name] for name in FAST] + \
    [[name, "--json"] for name in FAST] + [["--json", "ready", "--json"]] + \
    [[name, ":1"] for name in FAST_WITH_ITEM] + [["--json", name, ":1"] for name in FAST_WITH_ITEM] \
    + [[name, "FIRST", "--json"] for name in FAST_WITH_ITEM]


def both(cwd: Path, argv: list[str]) -> tuple[tuple, tuple]:
    def run(*prefix: str) -> tuple:
        done = subprocess.run([sys.executable, *prefix, *argv], cwd=cwd, capture_output=True,
                              text=True, env=os.environ.copy())
        return done.returncode, done.stdout, done.stderr

    return run("-m", "htrac"), run("-c", THROUGH_CLICK)


@pytest.mark.parametrize("argv", FAST_LINES, ids=" ".join)
def test_entry_fast_lines_print_what_click_prints(tmp_tracker, argv):
    first = tmp_tracker.add("First thing", "--priority", "1")
    tmp_tracker.add("Second thing")
    tmp_tracker.ok("update", first, "--status", "in_progress")
    tmp_tracker.ok("discuss", first, "a message")
    tmp_tracker.ok("ready")  # numbers the items for :N
    ops = tmp_tracker.path / ".agent" / "tracker-workspace" / ".ops"
    (ops / ".WI-babab-babab-babab-babab-babab-babab-babab-babab.ops").write_bytes(
        b"\xff\xfe not an op\n")  # a damaged item: listed apart, counted as blocking
    argv = [first[:12] if a == "FIRST" else a for a in argv]
    fast, slow = both(tmp_tracker.path, argv)
    assert fast == slow
    assert fast[0] == 0 and fast[1]
    if "ready" in argv:
        assert "babab" in fast[1] and "Second thing" in fast[1]


@pytest.mark.parametrize("argv", [["ready"], ["count-todos", "--json"], ["hash-todos"],
                                  ["show", "WI-nothing"]])
def test_entry_fast_lines_fail_as_click_does(tmp_path, argv):
    fast, slow = both(tmp_path, argv)  # no tracker here
    assert fast == slow
    assert fast[0] != 0 and fast[2].startswith("error: ") and fast[2].count("\n") == 1


@pytest.mark.parametrize("argv", [["ready", "--limit", "1"], ["--tracker-root", ".", "ready"],
                                  ["count-todos", "--hard"], ["ready", "--help"],
                                  ["ready", "extra"], ["--no-auto-sync", "hash-todos"],
                                  ["show"], ["show", "-x"], ["show", ":1", ":2"],
                                  ["show", "--include-deleted", ":1"], ["show", "--", ":1"],
                                  ["--json", "--json", "show", ":1"]])
def test_entry_other_lines_go_to_click(tmp_tracker, argv):
    tmp_tracker.add("Something")
    tmp_tracker.ok("ready")
    fast, slow = both(tmp_tracker.path, argv)
    assert fast == slow


@pytest.mark.parametrize("ref", [":9", "nope", "WI-zzzzz", "..", "a/b", "x" * 200, "\udcff"])
def test_entry_show_of_a_bad_reference_fails_as_click_does(tmp_tracker, ref):
    tmp_tracker.add("Something")
    fast, slow = both(tmp_tracker.path, ["show", ref])
    assert fast == slow and fast[0] != 0 and fast[2].startswith("error: ")
