"""The first-build progress bar: on a terminal only, after a moment, erased at the end."""

from __future__ import annotations

import io
import os
import pty

import htrac.store.index_progress as progress_module
from htrac.store.index_progress import Progress


def test_progress_draws_on_a_terminal_and_erases_itself(monkeypatch):
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    monkeypatch.setattr(progress_module, "INTERVAL", 0.0)
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as terminal:
        with Progress(4, "indexing", stream=terminal) as bar:
            for _ in range(4):
                bar.step()
    shown = _read_all(master).decode()
    assert "htrac: indexing [" in shown and "4/4 items" in shown
    assert shown.endswith("\r\x1b[K")


def test_progress_stays_silent_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    captured = io.StringIO()
    with Progress(3, "indexing", stream=captured) as bar:
        for _ in range(3):
            bar.step()
    assert captured.getvalue() == ""


def test_progress_waits_a_moment_before_showing(monkeypatch):
    master, slave = pty.openpty()
    terminal = os.fdopen(slave, "w")
    with Progress(2, "indexing", stream=terminal) as bar:
        bar.step(2)  # done well within DELAY: nothing drawn, nothing to erase
    terminal.flush()
    os.set_blocking(master, False)
    try:
        shown = os.read(master, 4096)
    except BlockingIOError:
        shown = b""
    terminal.close()
    os.close(master)
    assert shown == b""


def _read_all(master: int) -> bytes:
    """Everything written to the terminal: a pty may hand it over in several reads."""
    chunks = []
    try:
        while chunk := os.read(master, 4096):
            chunks.append(chunk)
    except OSError:  # EIO: the other end is closed and everything has been read
        pass
    finally:
        os.close(master)
    return b"".join(chunks)
