"""The stop hook's circuit-breaker state: how many times in a row it blocked on the same state.

One small JSON file per agent session, in the user's cache directory for this tracker (so one
OS user's runs never touch another's, and parallel sessions never contend for one file). It is a
liveness aid, not a security boundary: the agent user owns its cache directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from .aliases import cache_dir

STALE_AFTER = 7 * 24 * 3600  # sessions untouched this long are forgotten


class BreakerState:
    def __init__(self, tracker_root: Path, session: str) -> None:
        name = hashlib.sha256(session.encode("utf-8", "replace")).hexdigest()[:24]
        self.directory = cache_dir(tracker_root) / "stop-hook"
        self.path = self.directory / f"{name}.json"

    def load(self) -> tuple[str, int]:
        """(progress key, consecutive blocks) of the last block; ("", 0) when none."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            key, count = data["key"], data["count"]
        except (OSError, ValueError, KeyError, TypeError):
            return "", 0
        if not isinstance(key, str) or not isinstance(count, int) or count < 0:
            return "", 0
        return key, count

    def save(self, key: str, count: int) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            tmp.write_text(json.dumps({"key": key, "count": count, "at": int(time.time())}),
                           encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # without a writable cache the hook still blocks; it just can't count
        self._forget_stale()

    def clear(self) -> None:
        try:
            self.path.unlink()
        except OSError:
            pass

    def _forget_stale(self) -> None:
        cutoff = time.time() - STALE_AFTER
        try:
            with os.scandir(self.directory) as entries:
                for entry in entries:
                    if entry.name.endswith(".json") and entry.stat().st_mtime < cutoff:
                        os.unlink(entry.path)
        except OSError:
            pass
