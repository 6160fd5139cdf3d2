"""The state every command shares — global options and the tracker, opened on first use —
without click, so the commands `cli.entry` runs directly can use it too."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from ..service.tracker import Tracker


class Context:
    """The global options of one command, and its tracker once opened. A plain class: a
    dataclass costs about a millisecond to create at import, on every command."""

    def __init__(self, tracker_root: Path | None = None, json: bool = False,
                 auto_sync: bool = True, session: str | None = None,
                 _tracker: Tracker | None = None) -> None:
        self.tracker_root = tracker_root
        self.json = json
        self.auto_sync = auto_sync
        self.session = session  # --session, where a command takes it
        self._tracker = _tracker

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
