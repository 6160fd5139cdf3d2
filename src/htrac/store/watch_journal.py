"""What the watcher remembers: which ops file changed at which sequence number, and from which
sequence number on it can vouch for anything.

Events are numbered by the batch they were read in (`begin` starts a batch; the first change in
it takes the next number). A client's token is `<instance>:<seq>`: "I have looked at every file
as it was after the events up to `seq` of watcher `instance`". The answer to a token is the set
of names changed after it, or "unknown" when the journal can't say — another instance, a token
from before a *reset* (an overflow, a watched directory replaced: events may have been missed),
or too many names for naming them to beat looking at every file.
"""

from __future__ import annotations

from collections import OrderedDict

from .layout import TIERS

LIMIT = 20_000      # names in one answer; past this a full look costs about the same
REMEMBER = 200_000  # distinct names remembered; past this the journal starts over (a reset)


class Journal:
    def __init__(self, instance: str) -> None:
        self.instance = instance
        self.seq = 0
        self.reset_seq = 0
        self.reset_reason = "the watcher has just started"
        self.resets = 0
        self._numbered = False
        # (tier, ID) -> seq of its last change, oldest first
        self._changed: OrderedDict[tuple[str, str], int] = OrderedDict()

    @property
    def token(self) -> str:
        return f"{self.instance}:{self.seq}"

    def begin(self) -> None:
        """A new batch of events was read: its first change takes a new number."""
        self._numbered = False

    def note(self, tier: str, item_id: str) -> None:
        if not self._numbered:
            self.seq += 1
            self._numbered = True
        key = (tier, item_id)
        self._changed[key] = self.seq
        self._changed.move_to_end(key)
        if len(self._changed) > REMEMBER:
            self.reset("more changed files than the watcher remembers")

    def reset(self, reason: str) -> None:
        """Events may have been missed: no token from before now can be answered."""
        self.seq += 1
        self._numbered = True
        self.reset_seq = self.seq
        self.reset_reason = reason
        self.resets += 1
        self._changed.clear()

    def since(self, token: object) -> dict[str, list[str]] | str:
        """The names changed after `token`, by tier — or why that can't be answered."""
        if not isinstance(token, str):
            return "no token yet"
        instance, _, number = token.partition(":")
        if instance != self.instance:
            return "the token is from another watcher (restarted)"
        try:
            seq = int(number)
        except ValueError:
            return "unreadable token"
        if seq < self.reset_seq:
            return self.reset_reason
        if seq > self.seq:
            return "the token is from the future"
        changes: dict[str, list[str]] = {tier: [] for tier in TIERS}
        count = 0
        for (tier, item_id), changed in reversed(self._changed.items()):
            if changed <= seq:
                break
            count += 1
            if count > LIMIT:
                return f"more than {LIMIT} files changed"
            changes[tier].append(item_id)
        return changes
