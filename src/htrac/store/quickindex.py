"""Is the index already fresh? — asked by the hot read path before `Index.refresh` is needed.

`Index.refresh()` looks at the files, plans what to re-read, and writes. When its plan would be
empty — nothing changed since the index last looked — it writes nothing, and the answer can be
read straight from the database. `fresh` decides exactly that, with the same looks (the
watcher's names or a scan of every file, the edit-mode logs, the fingerprint) and the same
comparisons, but without `pathlib`, dataclasses or the code that re-reads and folds; when
anything would have to be done (or it can't tell) it returns None, and the caller takes the
ordinary way, which does it. So a read answered here is one `Index.refresh` would have left
as it is: `tests/store/test_quickindex.py` checks the two agree through every kind of change.

It is stricter than the refresh in two places, both rare: a racy file (changed within the
last two seconds, whose stamp can't be trusted) or a watcher's token worth recording sends the
command the ordinary way.
"""

from __future__ import annotations

import os

from .index_files import Stamp, scan_dir, stamp_names, stamp_path
from .index_format import FORMAT_KEY
from .index_stamps import StampDirectory
from .places import EDIT_LOG, RANK, TIERS, edit_log, ops_dir
from .watch_client import WatchClient

TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3

BUSY_TIMEOUT = 5.0  # as `index_db`
TOKEN_WORTH = 16  # named files past which a refresh records the watcher's new token (`_Look`)


def connect(path: str) -> sqlite3.Connection | None:
    """The index database at `path`, opened as `index_db` opens it; None if there is none."""
    if not os.path.isfile(path):
        return None
    try:
        from _sqlite3 import connect as sqlite_connect  # sqlite3's own, without dbapi2
    except ImportError:  # pragma: no cover - an interpreter without the C module's name
        from sqlite3 import connect as sqlite_connect
    db: sqlite3.Connection = sqlite_connect(path, timeout=BUSY_TIMEOUT, isolation_level=None,
                                            check_same_thread=False)
    return db


def state(db: sqlite3.Connection, begun: bool = False) -> tuple[object, ...]:
    """Which state the index is in: its epoch (a rebuild starts a new one), the last change it
    logged (every refresh that changes, adds, drops or re-folds an item logs it:
    `Index._log_changes`) and the edit-mode logs' recorded stamps. Equal states hold the same
    ops. Read in a transaction of its own, or in the caller's (`begun`)."""
    if not begun:
        db.execute("BEGIN")
    try:
        epoch = db.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()
        last = db.execute("SELECT max(seq) FROM changelog").fetchone()
        logs = db.execute("SELECT name, ino, size, mtime, ctime FROM editlogs "
                          "ORDER BY name").fetchall()
    finally:
        if not begun:
            db.execute("ROLLBACK")
    return (epoch[0] if epoch else None, last[0] if last else None,
            tuple(tuple(row) for row in logs))


def fresh(db: sqlite3.Connection, root: str, cache: str, fingerprint: str,
          watch: bool | int) -> bool:
    """Begin a read transaction on `db` and say whether `Index.refresh()` would find nothing
    to do for the tracker at `root` (its `.agent` directory), built with `fingerprint`, its
    cache directory `cache`. On True the transaction stays open for the caller's queries; on
    False it is rolled back. `watch`: the index's watcher setting (`store.watch_setting`)."""
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        return False  # `index_db` makes it so before anything else
    db.execute("BEGIN")
    try:
        if _fresh(db, root, cache, fingerprint, watch):
            return True
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("ROLLBACK")
    return False


def _fresh(db: sqlite3.Connection, root: str, cache: str, fingerprint: str,
           watch: bool | int) -> bool:
    if not all(_tier_sound(root, tier) for tier in TIERS):
        return False  # the ordinary way reports it (a `tier:<name>` row, a notice)
    meta = dict(db.execute("SELECT key, value FROM meta "
                           "WHERE key IN ('format', 'fingerprint', 'watch')").fetchall())
    if meta.get("format") != FORMAT_KEY or meta.get("fingerprint") != fingerprint:
        return False  # a rebuild or a re-fold
    for name in sorted(set(EDIT_LOG.values())):
        known = db.execute("SELECT ino, size, mtime, ctime, racy FROM editlogs WHERE name = ?",
                           (name,)).fetchone()
        stamp = stamp_path(edit_log(root, name))
        if (known is None) != (stamp is None) or known is not None and (
                known[4] or tuple(known[:4]) != stamp):
            return False
    if db.execute("SELECT 1 FROM items WHERE racy = 1 LIMIT 1").fetchone():
        return False  # their content must be compared
    since = meta.get("watch")
    watcher = WatchClient(cache, root, auto_start=watch)
    answer = watcher.changes(since)
    if answer is None:
        return _scan_unchanged(db, root, watcher)
    if answer.changes is None:
        return False  # every file must be looked at, and the new token recorded
    named = 0
    for tier in TIERS:
        ids = sorted(set(answer.changes.get(tier, ())))
        named += len(ids)
        if not _named_unchanged(db, root, tier, ids):
            return False
    return answer.token == since or named < TOKEN_WORTH


def _scan_unchanged(db: sqlite3.Connection, root: str, watcher: WatchClient) -> bool:
    """No watcher: every file's stamp against the recorded ones, as a refresh compares them."""
    stamps = StampDirectory(db)
    files = 0
    same = True
    for tier in TIERS:
        disk = scan_dir(ops_dir(root, tier))
        files += len(disk)
        known, racy = stamps.load(RANK[tier])
        same = same and not racy and (disk == known or _only_strangers(disk, known))
    watcher.after_scan(files)
    return same


def _only_strangers(disk: dict[str, Stamp], known: dict[str, Stamp | None]) -> bool:
    """Do the files differ from the recorded ones only by names that are not item IDs (which
    a refresh leaves alone: `Index._plan_tier`)?"""
    if known.keys() - disk.keys() or any(disk[i] != known[i] for i in known):
        return False
    return not any(_is_item_id(name) for name in disk.keys() - known.keys())


def _named_unchanged(db: sqlite3.Connection, root: str, tier: str, ids: list[str]) -> bool:
    """Do the files the watcher named still match their rows (`Index._plan_one`)?"""
    for item_id, stamp in stamp_names(ops_dir(root, tier), ids).items():
        known = db.execute("SELECT ino, size, mtime, ctime FROM items WHERE rank = ? AND id = ?",
                           (RANK[tier], item_id)).fetchone()
        if known is None:
            if stamp is not None and _is_item_id(item_id):
                return False  # a new file to read
        elif stamp is None or tuple(known) != stamp:
            return False
    return True


def _is_item_id(name: str) -> bool:
    from .index_files import is_item_id  # its pattern costs `re`: only for a new name

    return is_item_id(name)



def _tier_sound(root: str, tier: str) -> bool:
    """`Layout.tier_problem(tier) is None`, by the same checks: the tier's directory and the one
    holding it are there, real directories (not links), and the tier's is readable."""
    import stat

    parent = f"{root}/{'tracker' if tier == 'canonical' else 'tracker-workspace'}"
    for path in (parent, ops_dir(root, tier)):
        try:
            info = os.lstat(path)
        except OSError:
            return False
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            return False
    return os.access(ops_dir(root, tier), os.R_OK | os.X_OK)
