"""Auto-sync's threshold: how many uncommitted ops lines a mutating command waits for before it
syncs (`TRACKER_AUTO_SYNC_THRESHOLD`, else `auto_sync_threshold` in config.yaml, else 80; 0 or
less turns auto-sync off).

Its own small module so a write can learn that auto-sync is off without loading the sync
machinery (`service.sync`, the git plumbing) or starting a git process.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_THRESHOLD = 80


def threshold(tracker_dir: Path) -> int:
    raw = os.environ.get("TRACKER_AUTO_SYNC_THRESHOLD")
    if raw is None:
        raw = _config_threshold(tracker_dir)
    try:
        return int(raw) if raw is not None else DEFAULT_THRESHOLD
    except ValueError:
        return DEFAULT_THRESHOLD


def _config_threshold(tracker_dir: Path) -> str | None:
    from ..core.yamlread import YamlError, load_block

    for name in ("config.yaml", "config.yaml.template"):
        try:
            raw = load_block((tracker_dir / name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YamlError):
            continue
        if isinstance(raw, dict) and "auto_sync_threshold" in raw:
            return str(raw["auto_sync_threshold"])
        return None
    return None
