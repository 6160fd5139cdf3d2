"""The server's subscription to tracker changes: which items changed, with their new state.

Interim: watches the tier directories with watchfiles itself until the service's shared change
feed (issue 13) lands; the server then subscribes to that instead, through this one function.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

from ..store.layout import TIERS
from .state import ServerState

log = logging.getLogger("htrac.server")


def _item_id(path: str) -> str | None:
    name = Path(path).name
    if name.startswith(".") and name.endswith(".ops") and len(name) > 5:
        return name[1:-4]
    return None


async def changes(state: ServerState) -> AsyncIterator[tuple[list, list[str]]]:
    """Yields (changed items, IDs of items gone) for every batch of changes on disk."""
    from watchfiles import awatch

    layout = state.tracker.layout
    dirs = [layout.ops_dir(t) for t in TIERS]
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    async for batch in awatch(*dirs, debounce=50, step=20, recursive=False,
                              watch_filter=lambda _c, p: _item_id(p) is not None):
        ids = sorted({i for _c, p in batch if (i := _item_id(p))})
        if ids:
            yield await state.worker.run(load_changed, state, ids)


def load_changed(state: ServerState, ids: list[str]) -> tuple[list, list[str]]:
    """The items `ids` name as they are now (and those gone), applied to the list cache."""
    store = state.tracker.store
    items, gone = [], []
    for item_id in ids:
        tiers = store.tiers_of(item_id)
        if not tiers:
            gone.append(item_id)
            continue
        try:
            items.append(store.load(tiers[0], item_id))
        except Exception:  # a file caught mid-move: the next event has it
            log.exception("could not load %s after a change", item_id)
    if state.listcache.loaded:
        state.listcache.apply(items, gone)
    return items, gone


def reload(state: ServerState) -> None:
    """Read every item again into the list cache (on the worker thread)."""
    state.listcache.reload(state.tracker.items())
