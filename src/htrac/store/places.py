"""Where a tracker keeps its files and this user keeps its cache, as plain strings.

`Layout` (pathlib) says the same for every command; this module is what the hot read path
(`store.quickindex`, `service.quick`) uses instead, because it can't afford `pathlib`,
`dataclasses` or `hashlib` at start-up. `Layout` and `aliases.cache_dir` are built on these
names, so the two can't disagree.
"""

from __future__ import annotations

import os

TIERS = ("canonical", "workspace", "stealth")
RANK = {tier: rank for rank, tier in enumerate(TIERS)}
# Each tier's directory of `.<ID>.ops` files, relative to the `.agent` directory.
OPS_DIRS = {"canonical": "tracker/.ops", "workspace": "tracker-workspace/.ops",
            "stealth": "tracker-workspace/stealth"}
# Which edit-mode log each tier folds with (workspace and stealth share one), and where it is.
EDIT_LOG = {"canonical": "tracker", "workspace": "tracker-workspace",
            "stealth": "tracker-workspace"}
EDIT_LOG_FILE = ".edit-mode/edit-mode.ops"  # beside the tier's directory
HOLDS_TRACKER = ("tracker", "tracker-workspace")  # either one makes `.agent` a tracker
# The configuration: the first of these that is a file (`core.config.load_config`).
CONFIG_FILES = ("tracker/config.yaml", "tracker/config.yaml.template")


def ops_dir(root: str, tier: str) -> str:
    return f"{root}/{OPS_DIRS[tier]}"


def edit_log(root: str, name: str) -> str:
    """The edit-mode log called `name` (a value of `EDIT_LOG`)."""
    return f"{root}/{name}/{EDIT_LOG_FILE}"


def find_root(start: str) -> str | None:
    """The `.agent` directory of the tracker a command run in `start` (a real path, as
    `os.getcwd()` gives) belongs to: the nearest one, walking up, that holds a tier's home
    directory; None if there is none. `layout.find_root` walks the same way."""
    here = start
    while True:
        candidate = os.path.join(here, ".agent")
        if any(os.path.isdir(f"{candidate}/{name}") for name in HOLDS_TRACKER):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def cache_base() -> str:
    """This user's htrac cache directory: $HTRAC_CACHE_DIR, else $XDG_CACHE_HOME/htrac, else
    ~/.cache/htrac."""
    base = os.environ.get("HTRAC_CACHE_DIR")
    if base:
        return base
    xdg = os.environ.get("XDG_CACHE_HOME")
    return os.path.join(xdg, "htrac") if xdg else os.path.expanduser("~/.cache/htrac")


def cache_dir(root: str) -> str:
    """This user's cache directory for the tracker whose `.agent` directory is `root`: keyed
    by the first 16 hex digits of SHA-256 of its real path, so two clones never share one."""
    real = os.path.realpath(root)
    return os.path.join(cache_base(), sha256_hex(real.encode())[:16])


def sha256_hex(data: bytes) -> str:
    """SHA-256 from the C module hashlib itself falls back to: importing hashlib loads OpenSSL
    (3 ms of a command that should take twenty)."""
    try:
        from _sha256 import sha256  # type: ignore[import-not-found]  # Python 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found]  # 3.12 and later
        except ImportError:
            from hashlib import sha256
    digest: str = sha256(data).hexdigest()
    return digest
