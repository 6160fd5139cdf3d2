"""Where an agent session last looked: the session brief's cursor.

One small file per OS user, tracker and agent session (in the user's own cache directory),
mapping each item to a digest of its file as the last brief saw it; the next brief of the same
session names the items added or changed since. A convenience for the agent, not a security
boundary: the agent user owns the directory.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .aliases import cache_dir


class BriefCursor:
    def __init__(self, tracker_root: Path, session: str) -> None:
        name = hashlib.sha256(session.encode("utf-8", "replace")).hexdigest()[:24]
        self.directory = cache_dir(tracker_root) / "brief"
        self.path = self.directory / f"{name}.json"

    def load(self) -> dict[str, str] | None:
        """The digests the session saw last, or None before its first brief."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            return None
        return data

    def save(self, seen: dict[str, str]) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            tmp.write_text(json.dumps(seen, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only cache costs the "changed since" section, never the brief
