"""The derived read index: compiled items in SQLite, never stale, never the truth.

Folding every ops file on every command costs seconds at ten thousand items, so the store keeps
what the fold produced — each file's parsed ops and compiled item — in a per-user, per-tracker
SQLite database (see `index_db`), and before answering anything checks that it still matches
the files (see `index_files`):

- every tier directory is scanned and each file's stamp compared with the one recorded; files
  added, removed or changed are re-read and re-folded, and only those (an append parses only
  the appended bytes). With this user's watcher running (`watch`), only the files it names as
  changed since the index's *token* are looked at — and every file when it can't say;
- a tier's edit-mode log changing re-folds that tier's items from their stored ops;
- a different configuration, trust root or policy (the *fingerprint*) re-folds everything from
  the stored ops; a different storage format rebuilds the database.

All of a refresh is one transaction. Deleting the database loses nothing: the next command
rebuilds it (`htrac cache-rebuild` does so explicitly).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.record import field, record
from . import index_arrivals, index_db, index_fts
from .index_db import FORMAT_KEY, IndexUnavailable, transaction
from .index_files import (
    Snapshot,
    Stamp,
    digest,
    is_item_id,
    is_racy,
    parse_appended,
    read_snapshot,
    scan_dir,
    several_links,
    stamp_names,
    stamp_path,
)
from .index_rows import COLUMNS, DERIVED
from .index_rows import derived as derive_row
from .index_stamps import StampDirectory
from .layout import Layout
from .places import EDIT_LOG as EDIT_LOG  # re-exported: other modules import them from here
from .places import RANK as RANK
from .places import TIERS
from .watch_client import WatchClient

if TYPE_CHECKING:
    from ..core.item import Item
    from ..core.oplog import OpLog
    from ..core.ops import Op
    from .index_build import Row

# Decoding, parsing, folding and building (index_codec, core.oplog, index_build) are imported by
# the methods that do them: a read that finds nothing changed needs none of it.

# (tier, item ID, parsed log, edit-log ops) -> compiled item
Folder = Callable[[str, str, "OpLog", "list[Op]"], "Item"]
# (tier, item ID) -> the log of a file that could not be read, as the store reports it
Unreadable = Callable[[str, str], "OpLog"]


@record()
class _Plan:
    """What a refresh has to do."""

    read: list[tuple[str, str]] = field(default_factory=list)
    refold: set[tuple[str, str]] = field(default_factory=set)
    remove: list[tuple[str, str]] = field(default_factory=list)
    settle: list[tuple[str, str]] = field(default_factory=list)  # racy, unchanged, now old
    edit_logs: dict[str, Stamp | None] = field(default_factory=dict)
    fingerprint: bool = False

    def __bool__(self) -> bool:
        return bool(self.read or self.refold or self.remove or self.settle or self.edit_logs
                    or self.fingerprint)


@record()
class _Look:
    """What a refresh saw of the files: every file of every tier (`disk`, a scan) or only the
    ones the watcher named as changed plus the racy ones (`named`), and the edit-mode logs."""

    edits: dict[str, Stamp | None]
    disk: dict[str, dict[str, Stamp]] | None = None
    named: dict[str, dict[str, Stamp | None]] | None = None
    since: str | None = None   # the watcher token the index held when this look began
    token: str | None = None   # the watcher's token for this look (None: no watcher)

    def worth_a_token(self) -> bool:
        """Is recording the new token worth a write when nothing else changed?"""
        if self.token is None or self.token == self.since:
            return False
        return self.disk is not None or sum(map(len, (self.named or {}).values())) >= 16


class Index:
    def __init__(self, layout: Layout, path: Path, fingerprint: str, fold: Folder,
                 unreadable: Unreadable, *, watch: bool | int | None = False) -> None:
        """`watch`: ask this user's watcher when one runs, and start one when none does —
        True: always (the `index: {watch: true}` setting); a number: when the tracker holds
        that many files (the default, `watch_client.AUTO_ITEMS`); False: never. None: never
        ask."""
        self.layout = layout
        self.path = path
        self.fingerprint = fingerprint
        self._fold = fold
        self._unreadable = unreadable
        self._watcher = (None if watch is None
                         else WatchClient(path.parent, layout.root, auto_start=watch))
        self.looked = ""  # how the last refresh looked at the files (for tests and status)
        self._db: sqlite3.Connection | None = None
        self._edit_ops: dict[str, list[Op]] = {}
        self._stamps: StampDirectory
        self._settled: bool | None = None  # inside `settled()`: were the files looked at?

    @contextmanager
    def settled(self, *, look: bool = True) -> Iterator[None]:
        """One question asked with several SQL statements (a search and the link graph its
        predicates need): inside, the files are scanned by the first full refresh only — the
        rest answer from what it found, so one answer costs one look at 100,000 files, not
        one per statement. One item's refresh (`only`) still looks at its file. Only for reads:
        a write inside would not be seen by the full refreshes after it.

        `look=False`: no scan at all — the answer is the index as it stands (as the last
        command left it), for a reader that learns what changed since from the change log
        (`index_changes.as_found` read first, then the change feed). Never when the index was
        folded under another configuration, trust root or policy (`as_found` is None then)."""
        outer = self._settled is None
        if outer:
            self._settled = not look
        try:
            yield
        finally:
            if outer:
                self._settled = None

    # -- answers -------------------------------------------------------------------------------

    def items(self, tiers: Sequence[str] = TIERS) -> list[Item]:
        """Every item of `tiers`, fresh, in tier order then file-name order."""
        from .index_codec import decode_item

        db = self.refresh()
        ranks = ",".join(str(RANK[t]) for t in tiers)
        rows = db.execute(f"SELECT item FROM blobs WHERE rank IN ({ranks}) ORDER BY rank, id")
        return [decode_item(blob) for blob, in rows]

    def item(self, tier: str, item_id: str) -> Item | None:
        """One item, fresh (None if its file does not exist)."""
        from .index_codec import decode_item

        db = self.refresh(only=(tier, item_id))
        row = db.execute("SELECT item FROM blobs WHERE rank = ? AND id = ?",
                         (RANK[tier], item_id)).fetchone()
        return decode_item(row[0]) if row else None

    def rebuild(self) -> int:
        """Forget everything and index every file again; returns the number of items."""
        db = self._connect()
        with self._write(db):
            db.execute("DELETE FROM items")
            db.execute("DELETE FROM blobs")
            for table in ("links", "parents", "tags", "actors", "changelog", "arrivals",
                          "editlogs", *index_fts.TABLES):
                db.execute(f"DELETE FROM {table}")
            index_db.new_epoch(db)
            db.execute("DELETE FROM stamps")
            db.execute("DELETE FROM stampdelta")
            db.execute("DELETE FROM meta WHERE key IN ('fingerprint', 'watch')")
        self.refresh()
        return int(db.execute("SELECT count(*) FROM items").fetchone()[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- freshness -----------------------------------------------------------------------------

    def refresh(self, only: tuple[str, str] | None = None) -> sqlite3.Connection:
        """Bring the index up to date with the files (all of them, or one item's)."""
        db = self._connect()
        if only is None and self._settled is not None:
            if self._settled:
                return db  # looked at them already for this question (`settled`)
            self._settled = True  # set before looking: if the look fails, the index is gone
        try:
            with transaction(db, write=False):
                look = self._look(db, only)
                plan = self._plan(db, look, only)
            if not plan and not look.worth_a_token():
                return db
            with self._write(db):  # someone may have refreshed meanwhile: plan again
                if look.named is not None and self._token(db) != look.since:
                    look = self._look(db, only)  # the names were relative to another token
                plan = self._plan(db, look, only)
                if plan:
                    self._apply(db, plan)
                if look.token is not None:
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('watch', ?)", (look.token,))
            if self._watcher is not None and self._watcher.spawned and len(plan.read) > 64:
                # A first build started the watcher and took long enough for it to be up: look
                # once more, so the index holds a token and the next command asks the watcher.
                self._watcher.spawned = False
                return self.refresh()
        except sqlite3.Error as exc:
            if index_db.is_corrupt(exc):
                self.close()
                index_db.remove(self.path)  # the next command builds a sound one
            raise IndexUnavailable(str(exc)) from None
        return db

    def _look(self, db: sqlite3.Connection, only: tuple[str, str] | None) -> _Look:
        """Look at the files — inside the transaction that read the token, so the names the
        watcher gives and the stamps they are compared with belong together."""
        names = {EDIT_LOG[only[0]]} if only else set(EDIT_LOG.values())
        edits = {name: stamp_path(self._edit_path(name)) for name in names}
        if only:
            tier, item_id = only
            stamp = stamp_path(self.layout.item_path(tier, item_id))
            self.looked = "item"
            return _Look(edits, disk={tier: {item_id: stamp} if stamp else {}})
        since = self._token(db)
        answer = self._watcher.changes(since) if self._watcher is not None else None
        if answer is None or answer.changes is None:
            self.looked = "scan" if answer is None else f"scan: {answer.reason}"
            disk = {tier: scan_dir(self.layout.ops_dir(tier)) for tier in TIERS}
            if answer is None and self._watcher is not None:
                self._watcher.after_scan(sum(map(len, disk.values())))
            return _Look(edits, disk=disk, since=since,
                         token=answer.token if answer is not None else None)
        wanted: dict[str, set[str]] = {tier: set() for tier in TIERS}
        for rank, item_id in db.execute("SELECT rank, id FROM items WHERE racy = 1"):
            wanted[TIERS[rank]].add(item_id)  # their stamps can't be trusted: always look
        for tier, changed in answer.changes.items():
            if tier in wanted:
                wanted[tier].update(changed)
        named = {tier: stamp_names(self.layout.ops_dir(tier), ids)
                 for tier, ids in wanted.items()}
        self.looked = "watch"
        return _Look(edits, named=named, since=since, token=answer.token)

    @staticmethod
    def _token(db: sqlite3.Connection) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = 'watch'").fetchone()
        return row[0] if row else None

    def _plan(self, db: sqlite3.Connection, look: _Look, only: tuple[str, str] | None) -> _Plan:
        plan = _Plan()
        row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        plan.fingerprint = not row or row[0] != self.fingerprint
        for name, stamp in look.edits.items():
            known = db.execute("SELECT ino, size, mtime, ctime, racy, digest FROM editlogs "
                               "WHERE name = ?", (name,)).fetchone()
            if not self._same(known, stamp, self._edit_path(name)):
                plan.edit_logs[name] = stamp
        if only:
            assert look.disk is not None  # one item's look is always a look at its file
            self._plan_one(db, plan, only, look.disk[only[0]].get(only[1]))
        elif look.named is not None:
            for tier in TIERS:
                stamps = look.named[tier]
                for item_id in sorted(stamps):
                    if is_item_id(item_id):
                        self._plan_one(db, plan, (tier, item_id), stamps[item_id])
        else:
            assert look.disk is not None  # no watcher's names: a scan of every tier
            directory = StampDirectory(db)
            for tier in TIERS:
                self._plan_tier(db, plan, tier, look.disk[tier], *directory.load(RANK[tier]))
        return plan

    def _plan_tier(self, db: sqlite3.Connection, plan: _Plan, tier: str,
                   disk: dict[str, Stamp], known: dict[str, Stamp | None],
                   racy: set[str]) -> None:
        if disk == known and not racy:
            return  # the common case: nothing changed since the last look
        plan.remove.extend((tier, i) for i in known.keys() - disk.keys())
        plan.read.extend((tier, i) for i in sorted(disk.keys() - known.keys()) if is_item_id(i))
        suspects = {i for i in disk.keys() & known.keys() if disk[i] != known[i]}
        for item_id in sorted(suspects | (racy & disk.keys())):
            self._plan_one(db, plan, (tier, item_id), disk[item_id])

    def _plan_one(self, db: sqlite3.Connection, plan: _Plan, key: tuple[str, str],
                  stamp: Stamp | None) -> None:
        known = db.execute("SELECT ino, size, mtime, ctime, racy, digest FROM items "
                           "WHERE rank = ? AND id = ?", (RANK[key[0]], key[1])).fetchone()
        if known is not None and stamp is None:
            plan.remove.append(key)
        elif not self._same(known, stamp, self.layout.item_path(*key)):
            plan.read.append(key)
        elif known is not None and stamp is not None and known[4] and not is_racy(stamp) \
                and not several_links(self.layout.item_path(*key)):
            plan.settle.append(key)

    @staticmethod
    def _same(known: tuple[Any, ...] | None, stamp: Stamp | None, path: Path) -> bool:
        """Does the recorded state `known` still describe the file at `path`?"""
        if known is None:
            return stamp is None
        if stamp is None or tuple(known[:4]) != stamp:
            return False
        if not known[4]:
            return True
        try:  # racy: the stamp can't be trusted, compare the content
            return bool(digest(read_snapshot(path).data) == known[5])
        except OSError:
            return False

    # -- updating ------------------------------------------------------------------------------

    def _apply(self, db: sqlite3.Connection, plan: _Plan) -> None:
        from .index_build import Job, build_rows
        from .index_progress import Progress

        for name in plan.edit_logs:
            self._store_edit_log(db, name)
        touched = {n for n in plan.edit_logs}
        if plan.fingerprint or touched:
            tiers = TIERS if plan.fingerprint else [t for t in TIERS if EDIT_LOG[t] in touched]
            for rank, item_id in db.execute(
                    f"SELECT rank, id FROM items WHERE rank IN "
                    f"({','.join(str(RANK[t]) for t in tiers)})").fetchall():
                plan.refold.add((TIERS[rank], item_id))
        for tier, item_id in plan.remove:
            if stamp_names(self.layout.ops_dir(tier), (item_id,))[item_id] is None:
                self._delete(db, tier, item_id)
                plan.refold.discard((tier, item_id))  # gone: nothing left to fold again
            else:  # back since it was looked at: what is recorded must be what is there now
                plan.read.append((tier, item_id))
        for tier, item_id in plan.settle:
            db.execute("UPDATE items SET racy = 0 WHERE rank = ? AND id = ?",
                       (RANK[tier], item_id))
            row = db.execute("SELECT ino, size, mtime, ctime FROM items WHERE rank = ? "
                             "AND id = ?", (RANK[tier], item_id)).fetchone()
            self._stamps.record(RANK[tier], item_id, tuple(row), False)
        existing = self._existing(db, plan.read)
        fresh = [key for key in plan.read if key not in existing]
        first = not db.execute("SELECT 1 FROM items LIMIT 1").fetchone()  # a build: no arrivals
        changed = [key for key in plan.read if key in existing]
        refold = sorted(plan.refold - set(plan.read))
        for tier in TIERS:
            self._edit_log_ops(db, tier)  # loaded before any worker forks
        with Progress(len(plan.read) + len(refold), "indexing") as progress:
            job = Job(self.layout.item_path, self._unreadable, self._row, dict(self._edit_ops))
            batch: list[Row] = []
            for row in build_rows(job, fresh):
                if row is not None:
                    batch.append(row)
                if len(batch) >= 256:
                    self._insert_rows(db, batch)
                    batch = []
                progress.step()
            self._insert_rows(db, batch)
            for tier, item_id in changed:
                self._read_item(db, tier, item_id)
                progress.step()
            for tier, item_id in refold:
                self._refold_item(db, tier, item_id)
                progress.step()
        if not first:
            index_arrivals.record_new_files(db, [(RANK[t], i) for t, i in fresh])
        index_arrivals.trim(db)
        if plan.fingerprint:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)",
                       (self.fingerprint,))
        self._stamps.flush()
        self._log_changes(db, plan, refold)

    @staticmethod
    def _log_changes(db: sqlite3.Connection, plan: _Plan,
                     refold: list[tuple[str, str]]) -> None:
        """Record which items this refresh changed, so a reader in any process (the change
        feed) learns it from the index — whoever refreshed it."""
        keys = {(RANK[t], i) for t, i in (*plan.read, *plan.remove, *refold)}
        if not keys:
            return
        if plan.fingerprint or len(keys) > CHANGELOG_ITEMS:
            keys = {(-1, "*")}
        db.executemany("INSERT INTO changelog (rank, id) VALUES (?, ?)", sorted(keys))
        db.execute("DELETE FROM changelog WHERE seq <= (SELECT max(seq) FROM changelog) - ?",
                   (CHANGELOG_KEEP,))

    @staticmethod
    def _existing(db: sqlite3.Connection, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of `keys` already have a row (a few: look each up; many: list them all)."""
        if len(keys) > 64:
            return {(TIERS[r], i) for r, i in db.execute("SELECT rank, id FROM items")}
        return {key for key in keys if db.execute(
            "SELECT 1 FROM items WHERE rank = ? AND id = ?", (RANK[key[0]], key[1])).fetchone()}

    def _delete(self, db: sqlite3.Connection, tier: str, item_id: str) -> None:
        for table in ("items", "blobs", *DERIVED):
            db.execute(f"DELETE FROM {table} WHERE rank = ? AND id = ?", (RANK[tier], item_id))
        index_fts.delete(db, RANK[tier], item_id)
        self._stamps.forget(RANK[tier], item_id)

    def _read_item(self, db: sqlite3.Connection, tier: str, item_id: str) -> None:
        path = self.layout.item_path(tier, item_id)
        try:
            snap = read_snapshot(path)
        except FileNotFoundError:
            self._delete(db, tier, item_id)
            return
        except OSError:
            # Unreadable (permissions): keep the store's report, and look again next time.
            self._insert(db, self._row(tier, item_id, self._unreadable(tier, item_id), None))
            return
        log, before = self._parse(db, tier, item_id, snap)
        self._insert(db, self._row(tier, item_id, log, snap))
        index_arrivals.record(db, RANK[tier], item_id, before, log)

    def _parse(self, db: sqlite3.Connection, tier: str, item_id: str,
               snap: Snapshot) -> tuple[OpLog, OpLog | None]:
        """The file's log, and the log recorded for it before (None: none was)."""
        from ..core.oplog import read_oplog
        from .index_codec import decode_log

        row = db.execute("SELECT size, digest, log FROM items JOIN blobs USING (rank, id) "
                         "WHERE rank = ? AND id = ?",
                         (RANK[tier], item_id)).fetchone()
        before = decode_log(row[2]) if row else None
        if before is not None and row[1] is not None and row[0] < len(snap.data):
            log = parse_appended(before, row[0], row[1], snap.data)
            if log is not None:
                return log, before
        return read_oplog(snap.data), before

    def _refold_item(self, db: sqlite3.Connection, tier: str, item_id: str) -> None:
        from .index_codec import decode_log

        row = db.execute("SELECT log FROM blobs WHERE rank = ? AND id = ?",
                         (RANK[tier], item_id)).fetchone()
        log = decode_log(row[0])
        item = self._fold(tier, item_id, log, self._edit_log_ops(db, tier))
        self._write_item(db, tier, item_id, item, log)

    def _row(self, tier: str, item_id: str, log: OpLog, snap: Snapshot | None) -> Row:
        """The index row for a file read as `snap` and parsed as `log` (no database use:
        workers call this too): (rank, tier, id, ino, size, mtime, ctime, racy, digest),
        the parsed log's blob, then `index_rows.derived` of the compiled item."""
        from .index_codec import encode_log

        stamp: tuple[int | None, ...] = snap.stamp if snap else (None, None, None, None)
        item = self._fold(tier, item_id, log, self._edit_ops[EDIT_LOG[tier]])
        racy = snap.racy if snap else True  # unreadable: look again next time
        return ((RANK[tier], tier, item_id, *stamp, int(racy), snap.digest if snap else None),
                encode_log(log), *derive_row(item, log))

    def _insert(self, db: sqlite3.Connection, row: Row) -> None:
        """Record one file's row (`_row`), replacing what was recorded for it."""
        rank, _tier, item_id = row[0][:3]
        for table in DERIVED:
            db.execute(f"DELETE FROM {table} WHERE rank = ? AND id = ?", (rank, item_id))
        self._insert_rows(db, [row])

    def _insert_rows(self, db: sqlite3.Connection, rows: list[Row]) -> None:
        """Record rows of files whose derived rows are not recorded (new ones, or after
        `_insert` dropped them), a batch at a time: a first build writes thousands."""
        db.executemany(f"INSERT OR REPLACE INTO items (rank, tier, id, ino, size, mtime, ctime, "
                       f"racy, digest, {', '.join(COLUMNS)}) VALUES "
                       f"({','.join('?' * (9 + len(COLUMNS)))})",
                       [head + columns for head, _log, _item, columns, *_ in rows])
        db.executemany("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?)",
                       [(head[0], head[2], log, item) for head, log, item, *_ in rows])
        for head, _log, _item, _columns, *derived in rows:
            self._insert_derived(db, head[0], head[2], derived)
        for head, *_ in rows:
            stamp = tuple(head[3:7])
            self._stamps.record(head[0], head[2], None if stamp[0] is None else stamp,
                                bool(head[7]))

    @staticmethod
    def _insert_derived(db: sqlite3.Connection, rank: int, item_id: str,
                        derived: list[Any]) -> None:
        links, parents, tags, actors, document = derived
        for table, values in (("links", links), ("parents", parents), ("tags", tags),
                              ("actors", actors)):
            if values:
                db.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)",
                               [(rank, item_id, v) for v in values])
        index_fts.write(db, rank, item_id, document)  # full-text search, as fresh as the rest

    def _write_item(self, db: sqlite3.Connection, tier: str, item_id: str, item: Item,
                    log: OpLog) -> None:
        blob, columns, *derived = derive_row(item, log)
        db.execute(f"UPDATE items SET {', '.join(c + ' = ?' for c in COLUMNS)} "
                   "WHERE rank = ? AND id = ?", (*columns, RANK[tier], item_id))
        db.execute("UPDATE blobs SET item = ? WHERE rank = ? AND id = ?",
                   (blob, RANK[tier], item_id))
        for table in DERIVED:
            db.execute(f"DELETE FROM {table} WHERE rank = ? AND id = ?", (RANK[tier], item_id))
        self._insert_derived(db, RANK[tier], item_id, derived)

    # -- edit-mode logs ------------------------------------------------------------------------

    def _edit_path(self, name: str) -> Path:
        tier = "canonical" if name == "tracker" else "workspace"
        return self.layout.edit_log(tier)

    def _store_edit_log(self, db: sqlite3.Connection, name: str) -> None:
        from ..core.oplog import read_oplog
        from .index_codec import encode_log

        self._edit_ops.pop(name, None)
        try:
            snap = read_snapshot(self._edit_path(name))
        except OSError:
            db.execute("DELETE FROM editlogs WHERE name = ?", (name,))
            return
        db.execute("INSERT OR REPLACE INTO editlogs VALUES (?,?,?,?,?,?,?,?)",
                   (name, *snap.stamp, int(snap.racy), snap.digest,
                    encode_log(read_oplog(snap.data))))

    def _edit_log_ops(self, db: sqlite3.Connection, tier: str) -> list[Op]:
        from .index_codec import decode_log

        name = EDIT_LOG[tier]
        if name not in self._edit_ops:
            row = db.execute("SELECT log FROM editlogs WHERE name = ?", (name,)).fetchone()
            self._edit_ops[name] = decode_log(row[0]).ops if row else []
        return self._edit_ops[name]

    # -- plumbing ------------------------------------------------------------------------------

    def folded_as_now(self) -> bool:
        """Were the rows folded under this configuration, trust root and policy? (False for
        an index never refreshed, or refreshed by a command that ran under other rules.)"""
        db = self._connect()
        row = db.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        return bool(row) and row[0] == self.fingerprint

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = index_db.connect(self.path, FORMAT_KEY)
        return self._db

    def _write(self, db: sqlite3.Connection) -> AbstractContextManager[sqlite3.Connection]:
        self._edit_ops.clear()
        self._stamps = StampDirectory(db)
        return transaction(db)


CHANGELOG_ITEMS = 2000  # a refresh that changed more is logged as "everything changed"
CHANGELOG_KEEP = 20000
