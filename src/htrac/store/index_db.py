"""The index's SQLite database: its tables, its version, and opening it safely.

One database file per OS user and tracker (in the user's cache directory). WAL mode lets
readers keep reading a consistent snapshot while one writer commits; every change is one
transaction, so no reader ever sees half of a refresh. Anything that makes the database unusable
— corrupt, locked for longer than `BUSY_TIMEOUT`, a read-only or missing cache directory —
raises `IndexUnavailable`, and the caller folds the files instead: the index is a cache, never
the truth, so losing it costs time and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from . import index_fts
from .index_format import FORMAT_KEY as FORMAT_KEY  # its history is there
from .index_format import FORMAT_VERSION as FORMAT_VERSION
from .index_format import SHAPE as SHAPE

BUSY_TIMEOUT = 5.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    rank INTEGER NOT NULL,          -- tier order: canonical, workspace, stealth
    tier TEXT NOT NULL,
    id TEXT NOT NULL,
    ino INTEGER, size INTEGER, mtime INTEGER, ctime INTEGER,
    racy INTEGER NOT NULL,
    digest BLOB,
    status TEXT NOT NULL,
    priority INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    damaged INTEGER NOT NULL,
    duplicate INTEGER NOT NULL,     -- has duplicate_of
    conflict INTEGER NOT NULL,      -- cross_tier_conflict
    unread INTEGER NOT NULL,        -- trailing human messages
    updated_at TEXT NOT NULL,
    parent TEXT,
    rejected INTEGER NOT NULL,      -- ops refused by the schema or the policy
    frozen INTEGER NOT NULL,
    locked INTEGER NOT NULL,        -- number of locked names
    dlen INTEGER NOT NULL,          -- discussion entries
    dlast_human INTEGER NOT NULL,   -- 1 if the last entry is a human's
    claimed INTEGER NOT NULL,       -- has a claim or a lost claim (core.claims)
    renewals TEXT NOT NULL,         -- the claim's renewal spans, JSON [[start, end], …] or ''
    PRIMARY KEY (rank, id)
);
CREATE INDEX IF NOT EXISTS items_updated ON items (updated_at);
CREATE INDEX IF NOT EXISTS items_listing ON items
    (status, damaged, duplicate, conflict, priority, created_at, rank, id, tier, title, unread,
     claimed);
CREATE INDEX IF NOT EXISTS items_damaged ON items (rank, id) WHERE damaged = 1;
CREATE INDEX IF NOT EXISTS items_unread ON items (priority, id, rank) WHERE unread > 0;
CREATE INDEX IF NOT EXISTS items_claimed ON items (rank, id) WHERE claimed = 1;
CREATE INDEX IF NOT EXISTS items_racy ON items (rank, id) WHERE racy = 1;
CREATE TABLE IF NOT EXISTS blobs (
    rank INTEGER NOT NULL, id TEXT NOT NULL,
    log BLOB NOT NULL,              -- the parsed op-log (index_codec)
    item BLOB NOT NULL,             -- the compiled item (index_codec)
    PRIMARY KEY (rank, id)
);
CREATE TABLE IF NOT EXISTS links (
    rank INTEGER NOT NULL, id TEXT NOT NULL, target TEXT NOT NULL   -- id isbefore target
);
CREATE INDEX IF NOT EXISTS links_item ON links (rank, id);
CREATE INDEX IF NOT EXISTS links_target ON links (target);
CREATE TABLE IF NOT EXISTS parents (
    rank INTEGER NOT NULL, id TEXT NOT NULL, parent TEXT NOT NULL,  -- id is part of parent
    PRIMARY KEY (rank, id)
);
CREATE TABLE IF NOT EXISTS tags (rank INTEGER NOT NULL, id TEXT NOT NULL, tag TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tags_item ON tags (rank, id);
CREATE INDEX IF NOT EXISTS tags_tag ON tags (tag);
CREATE TABLE IF NOT EXISTS actors (rank INTEGER NOT NULL, id TEXT NOT NULL, actor TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS actors_item ON actors (rank, id);
CREATE INDEX IF NOT EXISTS actors_actor ON actors (actor);
CREATE TABLE IF NOT EXISTS changelog (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    rank INTEGER NOT NULL, id TEXT NOT NULL   -- id '*': every item of the tier (rank -1: all)
);
CREATE TABLE IF NOT EXISTS arrivals (   -- ops in the order this index first read them
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    rank INTEGER NOT NULL, id TEXT NOT NULL, op TEXT NOT NULL   -- op: index_arrivals.key
);
CREATE TABLE IF NOT EXISTS stamps (rank INTEGER PRIMARY KEY, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS stampdelta (
    rank INTEGER NOT NULL, id TEXT NOT NULL,
    change BLOB NOT NULL,           -- marshal of (stamp, racy), or of None: forgotten
    PRIMARY KEY (rank, id)
);
CREATE TABLE IF NOT EXISTS editlogs (
    name TEXT PRIMARY KEY,
    ino INTEGER, size INTEGER, mtime INTEGER, ctime INTEGER,
    racy INTEGER NOT NULL,
    digest BLOB,
    log BLOB NOT NULL
);
"""
TABLES = ("meta", "items", "blobs", "links", "parents", "tags", "actors", "changelog",
          "arrivals", "stamps", "stampdelta", "editlogs", *index_fts.TABLES)
SCHEMA += ";" + index_fts.SCHEMA
RETIRED = ("texts",)  # tables older formats had: dropped with the rest on a rebuild


class IndexUnavailable(Exception):
    """The index can't be used right now; fold the files instead."""


def connect(path: Path, format_key: str) -> sqlite3.Connection:
    """An open, current-format index database at `path` (created or rebuilt as needed)."""
    try:  # its directory was made (and checked) by `aliases.cache_dir`
        return _open(path, format_key)
    except sqlite3.DatabaseError as exc:
        if not is_corrupt(exc):
            raise IndexUnavailable(str(exc)) from None
    except OSError as exc:
        raise IndexUnavailable(str(exc)) from None
    remove(path)  # corrupt: it holds nothing that can't be derived again
    try:
        return _open(path, format_key)
    except (sqlite3.Error, OSError) as exc:
        raise IndexUnavailable(str(exc)) from None


def _open(path: Path, format_key: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None,
                         check_same_thread=False)
    try:
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        if _format(db) != format_key:
            _recreate(db, format_key)
    except BaseException:
        db.close()
        raise
    return db


def _format(db: sqlite3.Connection) -> str | None:
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    return row[0] if row else None


def _recreate(db: sqlite3.Connection, format_key: str) -> None:
    with transaction(db):
        for table in (*TABLES, *RETIRED):
            db.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT INTO meta VALUES ('format', ?)", (format_key,))
        new_epoch(db)


def new_epoch(db: sqlite3.Connection) -> None:
    """Start a new numbering of `changelog`: a reader that remembered a position in the old
    one must look at everything again."""
    db.execute("INSERT OR REPLACE INTO meta VALUES ('epoch', ?)", (os.urandom(8).hex(),))


@contextlib.contextmanager
def transaction(db: sqlite3.Connection, *, write: bool = True) -> Iterator[sqlite3.Connection]:
    """One transaction: `BEGIN IMMEDIATE` for writers (so two never deadlock upgrading),
    a deferred read snapshot otherwise. Rolled back on any error."""
    db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def is_corrupt(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.unlink(f"{path}{suffix}")
