"""The human's read state: which discussions they have read, per OS user and tracker, outside
the repository (`private.tracker_state_dir`), so no agent can mark something read for them.

One JSON file, `readstate.json`: `{"version": 1, "items": {ID: {"read": bool,
"discussion_len": n}}}` — the reference TUI's per-item override, which holds while the
discussion still has `n` entries. The TUI, the web UI and `check-messages` read and write the
same file; writers take a lock and re-read before changing it, so two surfaces never undo each
other's marks.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..core.predicates import ReadMark
from .private import read_private, tracker_state_dir, write_private

FILE = "readstate.json"
VERSION = 1


class ReadStateFile:
    def __init__(self, tracker_root: Path) -> None:
        self.tracker_root = tracker_root
        self._dir: Path | None = None

    @property
    def path(self) -> Path:
        if self._dir is None:
            self._dir = tracker_state_dir(self.tracker_root)
        return self._dir / FILE

    def marks(self) -> dict[str, ReadMark]:
        try:
            text = read_private(self.path)
        except OSError:
            return {}
        return _parse(text) if text else {}

    def set(self, changes: Iterable[tuple[str, int, bool]]) -> None:
        """Record (item ID, discussion length, read?) marks."""
        with self._locked():
            marks = self.marks()
            for item_id, dlen, read in changes:
                marks[item_id] = ReadMark(dlen, read)
            data = {"version": VERSION, "items": {
                i: {"read": m.read, "discussion_len": m.dlen} for i, m in sorted(marks.items())}}
            write_private(self.path, json.dumps(data, indent=1))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock = self.path.with_name(".readstate.lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _parse(text: str) -> dict[str, ReadMark]:
    try:
        data = json.loads(text)
        items = data["items"]
    except (ValueError, KeyError, TypeError):
        return {}
    marks = {}
    if isinstance(items, dict):
        for item_id, mark in items.items():
            if (isinstance(mark, dict) and isinstance(mark.get("read"), bool)
                    and type(mark.get("discussion_len")) is int):
                marks[item_id] = ReadMark(mark["discussion_len"], mark["read"])
    return marks
