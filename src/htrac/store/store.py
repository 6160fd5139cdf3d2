"""The tracker's items on disk: reading and folding them, finding one by what a user typed."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..core.config import Config
from ..core.display import inline
from ..core.errors import AmbiguousError, InvalidValueError, NotFoundError
from ..core.ids import FULL_ID, REFERENCE
from ..core.policy import PERMISSIVE, Policy
from .aliases import AliasStash, cache_dir
from .index import Index
from .index_db import IndexUnavailable
from .layout import TIERS, Layout

T = TypeVar("T")

if TYPE_CHECKING:
    from ..core.item import Item
    from ..core.oplog import OpLog
    from ..core.ops import Op
    from ..core.trace import Step

# Parsing and folding (core.oplog, core.fold) are imported where a file is read: a read answered
# from a fresh index never needs them.

SETTLED_NS = 2_000_000_000  # a directory unchanged this long has a trustworthy mtime


class Store:
    """Items are read through the derived index (`store.index`) when it can be used, and by
    folding the files directly when it can't; both give the same items.

    `governance` is a fingerprint of whatever decides authority beyond the config (the trust
    root, its keys): when it changes, every item is folded again. `use_index=False` always
    folds the files (the reference behaviour, and what tests compare the index against)."""

    def __init__(self, layout: Layout, config: Config, policy: Policy = PERMISSIVE, *,
                 governance: str = "", use_index: bool = True) -> None:
        self.layout = layout
        self.config = config
        self.policy = policy
        self.vocab = config.vocabulary()
        self.aliases = AliasStash(layout.root)
        self._global: dict[Path, list[Op]] = {}
        self._listings: dict[str, tuple[tuple[int, int, int], list[str]]] = {}
        self.index: Index | None = None
        if use_index:
            self.index = Index(layout, cache_dir(layout.root) / "index.sqlite3",
                               self.fingerprint(governance), self._fold_for_index,
                               self.read_log, watch=watch_setting(config.index_watch))

    def close(self) -> None:
        """Let go of the index's database now (a later read opens it again): a process that
        outlives the command — a test, a server — must not keep it, or its WAL, open."""
        if self.index is not None:
            self.index.close()

    def fingerprint(self, governance: str = "") -> str:
        """What compiled items depend on besides their ops: config, policy, trust root."""
        kind = type(self.policy)
        # A dataclass policy's repr is its settings; any other's would hold a memory address.
        policy = repr(self.policy) if is_dataclass(self.policy) else ""
        text = "\0".join((repr(self.config), f"{kind.__module__}.{kind.__qualname__}", policy,
                          getattr(self.policy, "fingerprint", ""), governance))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    # -- reading -------------------------------------------------------------------------------

    def read_log(self, tier: str, item_id: str) -> OpLog:
        from ..core.oplog import OpLog, read_oplog
        from ..core.problems import DAMAGED, Problem
        from .index_files import read_snapshot

        path = self.layout.item_path(tier, item_id)
        try:  # never through a link, never blocked on a FIFO: those are damaged items
            return read_oplog(read_snapshot(path).data)
        except OSError as exc:
            log = OpLog()
            log.problems.append(Problem(DAMAGED, f"cannot read {path.name}: {exc.strerror}"))
            return log

    def global_ops(self, tier: str) -> list[Op]:
        from ..core.oplog import read_oplog

        path = self.layout.edit_log(tier)
        if path not in self._global:
            try:
                self._global[path] = read_oplog(path.read_bytes()).ops
            except OSError:
                self._global[path] = []
        return self._global[path]

    def fold_log(self, tier: str, item_id: str, log: OpLog,
                 global_ops: list[Op] | None = None,
                 trace: list[Step] | None = None) -> Item:
        """Fold `log`; `trace`, a list, receives each op's step (`core.trace`)."""
        from ..core.fold import fold

        if global_ops is None:
            global_ops = self.global_ops(tier)
        item = fold(item_id, log.ops, self.vocab, policy=self.policy,
                    global_ops=global_ops, lines=log.lines, read_problems=log.problems,
                    trace=trace)
        item.tier = tier
        return item

    def _fold_for_index(self, tier: str, item_id: str, log: OpLog, global_ops: list[Op]) -> Item:
        return self.fold_log(tier, item_id, log, global_ops)

    def load(self, tier: str, item_id: str) -> Item:
        item = self.indexed(lambda index: index.item(tier, item_id))
        if item is not None:
            return item
        return self.fold_log(tier, item_id, self.read_log(tier, item_id))

    def items(self, tiers: tuple[str, ...] = TIERS) -> list[Item]:
        found = self.indexed(lambda index: index.items(tiers))
        return found if found is not None else self.fold_items(tiers)

    def query(self, name: str, *args: Any, **options: Any) -> Any:
        """Ask the index one of its SQL questions (`index_queries.<name>`); None when the
        index can't be used, and the caller computes the answer from `items()` instead."""
        from . import index_queries

        return self.indexed(lambda index: getattr(index_queries, name)(index, *args, **options))

    def indexed(self, question: Callable[[Index], T]) -> T | None:
        """`question(index)`, or None when there is no index or it can't be used now: it is
        dropped for the rest of the command, and the caller answers from the files."""
        if self.index is None:
            return None
        try:
            return question(self.index)
        except (IndexUnavailable, sqlite3.Error):
            self.index = None
            return None

    def fold_items(self, tiers: tuple[str, ...] = TIERS) -> list[Item]:
        """Every item folded from its file, without the index."""
        return [self.fold_log(tier, item_id, self.read_log(tier, item_id)) for tier in tiers
                for item_id in self.layout.item_ids(tier)]

    def tiers_of(self, item_id: str) -> list[str]:
        return [t for t in TIERS if os.path.lexists(self.layout.item_path(t, item_id))]

    # -- resolving what a user typed ------------------------------------------------------------

    def resolve(self, ref: str) -> tuple[str, str]:
        """(tier, ID) of the item `ref` names: `:N`, a full ID, a unique prefix or first word."""
        if ref.startswith(":"):
            ref = self.aliases.lookup(ref)
        if not REFERENCE.fullmatch(ref):
            raise InvalidValueError(f"not an item ID or prefix: {_printable(ref)}")
        if FULL_ID.fullmatch(ref):
            # A whole ID names the item whose file has exactly that name (in the first tier
            # that has one): no directory is listed — at 10,000 items that is 5 ms of a write.
            exact = [t for t in TIERS if os.path.lexists(self.layout.item_path(t, ref))]
            if exact:
                return exact[0], ref
        found: dict[str, list[str]] = {}
        for tier in TIERS:
            candidates = self.layout.item_ids_matching(tier, ref, self._listing(tier))
            if ref in candidates:
                found.setdefault(ref, []).append(tier)
                continue
            if len(candidates) > 1:
                raise AmbiguousError(self._ambiguity(ref, tier, candidates))
            for candidate in candidates:
                found.setdefault(candidate, []).append(tier)
        if not found:
            raise NotFoundError(f"no item matches {ref!r}: see 'htrac list'")
        if len(found) > 1:
            lines = [f"  {i}  [{', '.join(t)}]" for i, t in sorted(found.items())]
            raise AmbiguousError(f"{ref!r} matches several items; type more of the ID:\n"
                                 + "\n".join(lines))
        (item_id, tiers), = found.items()
        return tiers[0], item_id

    def _listing(self, tier: str) -> list[str] | None:
        """The names in the tier's directory, listed again only when the directory changed: a
        command that resolves several references (update, deps) lists each directory once.

        The listing is reused only while the directory's inode, modification and change times
        are what they were and were already `SETTLED_NS` old when it was listed, so a change
        made in the same clock tick as the listing can't hide (as git does for racy entries).
        None when the directory can't be listed (the caller then tries itself)."""
        path = self.layout.ops_dir(tier)
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
        known = self._listings.get(tier)
        if known is not None and known[0] == key:
            return known[1]
        try:
            names = os.listdir(path)
        except OSError:
            return None
        if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > SETTLED_NS:
            self._listings[tier] = (key, names)
        return names

    def resolve_full(self, ref: str) -> str:
        """The full ID a reference stands for (for links written into ops)."""
        return self.resolve(ref)[1]

    def _ambiguity(self, ref: str, tier: str, candidates: list[str]) -> str:
        lines = [f"  {i}  {inline(self.load(tier, i).title)}" for i in candidates[:20]]
        more = len(candidates) - 20
        if more > 0:
            lines.append(f"  … and {more} more")
        return f"{ref!r} matches several items; type more of the ID:\n" + "\n".join(lines)


def watch_setting(index_watch: bool | None) -> bool | int:
    """What the config's `index.watch` asks of the index: start a watcher always (True), never
    (False), or for a tracker with `AUTO_ITEMS` files or more (left out)."""
    from .watch_client import AUTO_ITEMS

    return AUTO_ITEMS if index_watch is None else index_watch


def _printable(ref: str) -> str:
    text = repr(ref)
    return text if len(text) <= 60 else text[:57] + "...'"


def is_full_id(ref: str) -> bool:
    return bool(FULL_ID.fullmatch(ref))
