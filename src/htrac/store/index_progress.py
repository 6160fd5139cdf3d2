"""A progress bar on stderr for index builds that take more than a moment.

Shown only when stderr is a terminal (scripts and hooks that capture stderr get no noise) and
only once a build has run for `DELAY` seconds, so ordinary commands never flash it.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

DELAY = 0.5
INTERVAL = 0.1
WIDTH = 30


class Progress:
    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total = total
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self._start = time.monotonic()
        self._next = self._start + DELAY
        self._shown = False
        self._enabled = total > 0 and _is_tty(self.stream)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def step(self, count: int = 1) -> None:
        self.done += count
        if not self._enabled:
            return
        now = time.monotonic()
        if now >= self._next:
            self._next = now + INTERVAL
            self._draw()

    def _draw(self) -> None:
        filled = WIDTH * self.done // self.total
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\rhtrac: {self.label} [{bar}] {self.done}/{self.total} items")
        self.stream.flush()
        self._shown = True


def _is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
