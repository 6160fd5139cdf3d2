"""The human's TUI preferences: hidden statuses and tags, display order, last filter, view.

Per OS user and tracker, in the same private directory as the read state (0700), written 0600
atomically (`tui_preferences.json`). A missing or unreadable file gives the defaults."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..store.private import read_private, tracker_state_dir, write_private

FILE = "tui_preferences.json"
VERSION = 2


@dataclass
class Preferences:
    hidden_statuses: list[str] = field(default_factory=list)
    hidden_tags: list[str] = field(default_factory=list)
    display_order: list[str] = field(default_factory=list)
    last_query: str = ""
    view: str = "list"
    full_ids: bool = False

    @classmethod
    def load(cls, tracker_root: Path) -> Preferences:
        try:
            text = read_private(tracker_state_dir(tracker_root) / FILE)
            data = json.loads(text) if text else {}
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        known = {f.name: f for f in fields(cls)}
        kept = {}
        for key, value in data.items():
            if key in known and type(value) is type(getattr(cls(), key)):
                kept[key] = value
        prefs = cls(**kept)
        prefs.hidden_statuses = [s for s in prefs.hidden_statuses if isinstance(s, str)]
        prefs.hidden_tags = [t for t in prefs.hidden_tags if isinstance(t, str)]
        prefs.display_order = [i for i in prefs.display_order if isinstance(i, str)][:20000]
        return prefs

    def save(self, tracker_root: Path) -> None:
        data = {"version": VERSION, **asdict(self)}
        data["hidden_statuses"] = sorted(set(self.hidden_statuses))
        write_private(tracker_state_dir(tracker_root) / FILE, json.dumps(data, indent=1))
