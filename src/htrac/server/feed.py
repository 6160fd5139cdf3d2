"""The server's subscription to the service's change feed (`service.changefeed`): what changed
on disk — by the CLI, an agent, `git pull` — reaches the in-memory list and every WebSocket."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from .state import ServerState

log = logging.getLogger("htrac.server")


async def changes(state: ServerState) -> AsyncIterator[tuple[list, list[str], bool]]:
    """Yields (changed items, IDs of items gone, reset) for every batch the feed reports; after
    a reset (the config or the trust root changed) the server's tracker has been reopened."""
    from ..service.changefeed import ChangeFeed

    feed = await state.worker.run(ChangeFeed, state.tracker)
    try:
        async for batch in feed:
            if batch.reset:
                await state.worker.run(_reopen, state)
                yield [], [], True
                continue
            gone = [item_id for _tier, item_id in batch.removed]
            items, gone = await state.worker.run(_apply, state, batch.items, gone)
            yield items, gone, False
    finally:
        feed.close()


def _apply(state: ServerState, items: list, removed: list[str]) -> tuple[list, list[str]]:
    """Items the feed reports go into the list as they are; for a removed file, the item is
    looked up again (a move leaves it in another tier)."""
    moved, gone = load_changed(state, removed, apply=False)
    changed = items + moved
    if state.listcache.loaded:
        state.listcache.apply(changed, gone)
    return changed, gone


def _reopen(state: ServerState) -> None:
    from ..service.tracker import Tracker

    state.tracker = Tracker.open(tracker_root=state.tracker.layout.root)
    reload(state)


def load_changed(state: ServerState, ids: list[str], *,
                 apply: bool = True) -> tuple[list, list[str]]:
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
        except Exception:  # a file caught mid-move: the next batch has it
            log.exception("could not load %s after a change", item_id)
    if apply and state.listcache.loaded:
        state.listcache.apply(items, gone)
    return items, gone


def reload(state: ServerState) -> None:
    """Read every item again into the list cache (on the worker thread)."""
    state.listcache.reload(state.tracker.items())
