"""The real `htrac tui` in a real terminal (tmux): start it, type keys, read the screen —
lock a field, reply to a discussion, move a card — and find the ops in the files. Then another
process writes and the change appears on the open screen."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from htrac.service import search
from htrac.service.tracker import Tracker

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


class Terminal:
    """A terminal of our own: a private tmux server (its own socket, no configuration), so
    the program gets this test's environment — not that of whoever started the machine's
    shared tmux server (another test run's HTRAC_CACHE_DIR, COLUMNS=80 …)."""

    def __init__(self, name: str, cwd: Path, width: int = 130, height: int = 40) -> None:
        self.name = name
        self.cwd = cwd
        self.size = (width, height)

    def tmux(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.name, "-f", "/dev/null", *args],
                              capture_output=True, text=True, check=check, env=self.env)

    @property
    def env(self) -> dict[str, str]:
        # COLUMNS/LINES would fix Textual's idea of the size (it asks shutil, which believes
        # them over the terminal)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("TMUX") and k not in ("COLUMNS", "LINES")}
        env["TERM"] = "xterm-256color"
        return env

    def start(self, *command: str) -> None:
        self.tmux("kill-server")
        shell = " ".join(_quote(c) for c in command)
        self.tmux("new-session", "-d", "-s", self.name, "-x", str(self.size[0]),
                  "-y", str(self.size[1]), "-c", str(self.cwd),
                  f"{shell}; echo EXITED $?; sleep 600", check=True)

    def keys(self, *keys: str, literal: bool = False) -> None:
        for key in keys:
            args = ["-l", key] if literal else [key]
            self.tmux("send-keys", "-t", self.name, *args, check=True)

    def type(self, text: str) -> None:
        self.keys(text, literal=True)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name).stdout

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared on the screen:\n{screen}")
            time.sleep(0.2)

    def wait_gone(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text not in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never left the screen:\n{screen}")
            time.sleep(0.2)

    def close(self) -> None:
        self.tmux("kill-server")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def wait_until(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("never happened")
        time.sleep(0.2)


@pytest.fixture
def terminal(sample):
    root, _ids = sample
    term = Terminal(f"htrac-tui-{os.getpid()}", root)
    yield term
    term.close()


def test_terminal_lock_reply_and_move_a_card(terminal, sample):
    root, ids = sample
    terminal.start(sys.executable, "-m", "htrac", "tui")
    terminal.wait_for("view: needs you")
    terminal.wait_for("live: on")
    terminal.keys("1")
    terminal.wait_for("view: list")
    # lock the status of "Tidy the docs"
    terminal.type("/")
    terminal.wait_gone("d Discuss")  # the footer shows only the filter's keys: it has the focus
    terminal.type("Tidy")
    terminal.keys("Enter")
    terminal.wait_for("1 items")
    terminal.wait_for("d Discuss")  # the list has the focus again
    terminal.keys("l")
    terminal.wait_for("fields to lock")
    terminal.type("status")
    terminal.keys("Enter")
    terminal.wait_for("locked status")
    assert wait_until(lambda: "status" in Tracker.open(root).show(ids["soft"]).locked_fields)
    # reply to its discussion
    terminal.keys("d")
    terminal.wait_for("Discuss WI-")  # the form's title ("Discuss" alone is in the footer)
    terminal.type("Short it is.")
    terminal.keys("C-s")
    terminal.wait_for("sent")
    item = wait_until(lambda: (lambda i: i if i.discussion[-1].message == "Short it is."
                               else None)(Tracker.open(root).show(ids["soft"])))
    assert item.discussion[-1].by == "human"
    terminal.wait_for("🔒status")
    terminal.keys("5")
    terminal.wait_for("said: Short")
    # move a card on the board: "Tidy the docs" from todo_soft to in_progress
    terminal.keys("3")
    terminal.wait_for("▸damaged (0)")  # the first column has the focus
    terminal.keys("Right")
    terminal.wait_for("▸todo_hard (0)")
    terminal.keys("Right")
    terminal.wait_for("▸todo_soft (1)")
    terminal.keys("S-Right")
    terminal.wait_for("moved to in_progress")
    assert wait_until(lambda: Tracker.open(root).show(ids["soft"]).status == "in_progress")
    terminal.keys("q")
    after = terminal.wait_for("EXITED 0")
    # the startup line, as the reference prints it: left on the main screen
    counts = search.tier_counts(Tracker.open(root))
    assert set(counts) == {"canonical", "workspace", "stealth"}
    line = (f"htrac: {sum(counts.values())} items ({counts['canonical']} canonical, "
            f"{counts['workspace']} workspace, {counts['stealth']} stealth) loaded in ")
    assert re.search(re.escape(line) + r"\d+\.\d\ds$", after, re.M), after


def test_terminal_shows_another_process_write_live(terminal, sample):
    root, ids = sample
    terminal.start(sys.executable, "-m", "htrac", "tui")
    terminal.wait_for("live: on")
    terminal.keys("1")
    terminal.wait_for("view: list")
    subprocess.run([sys.executable, "-m", "htrac", "--no-auto-sync", "update", ids["soft"],
                    "--title", "Renamed by another process"], cwd=root, check=True,
                   capture_output=True)
    terminal.wait_for("Renamed by", timeout=30)
    subprocess.run([sys.executable, "-m", "htrac", "--no-auto-sync", "add", "--kind",
                    "work_item", "--title", "Added while you watched"], cwd=root, check=True,
                   capture_output=True)
    terminal.wait_for("Added whil", timeout=30)
    terminal.keys("q")
    terminal.wait_for("EXITED 0")
