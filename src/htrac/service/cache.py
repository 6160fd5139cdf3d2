"""The derived index as something a user can rebuild (`htrac cache-rebuild`)."""

from __future__ import annotations

from ..core.errors import WriteError
from ..store.index_db import IndexUnavailable
from .tracker import Tracker


def rebuild_cache(tracker: Tracker) -> int:
    """Throw away this user's index of the tracker and build it again; returns the item count."""
    index = tracker.store.index
    if index is None:
        raise WriteError("the index is turned off for this tracker; nothing to rebuild")
    try:
        return index.rebuild()
    except IndexUnavailable as exc:
        raise WriteError(f"cannot rebuild the index at {index.path}: {exc} "
                         "(commands still work, folding the files directly)") from None
