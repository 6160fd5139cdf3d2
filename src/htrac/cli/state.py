"""The state every command shares — global options and the tracker, opened on first use —
without click, so the commands `cli.entry` runs directly can use it too."""

from __future__ import annotations

from ..core.record import record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from ..service.tracker import Tracker


@record()
class Context:
    """The global options of one command, and its tracker once opened."""
    tracker_root: Path | None = None
    json: bool = False
    auto_sync: bool = True
    session: str | None = None  # --session, where a command takes it
    _tracker: Tracker | None = None

    def close(self) -> None:
        """The command is over: let go of what its tracker holds open."""
        if self._tracker is not None:
            self._tracker.store.close()

    @property
    def tracker(self) -> Tracker:
        if self._tracker is None:
            from ..service.tracker import Tracker
            self._tracker = Tracker.open(tracker_root=self.tracker_root)
        return self._tracker
