"""Posting to an item's discussion, and the gate that makes an agent read a human's words first.

When the last entry of a thread is a human's, an agent must acknowledge it (`--ack-thread`)
before adding to it: the human asked something, and an agent that has not read it must not talk
past it. Humans are never gated — a human may say two things in a row (the reference gates
everyone, which is a defect).
"""

from __future__ import annotations

from ..core.errors import HtracError
from ..core.item import Entry, Item
from .tracker import Tracker


class UnreadThreadError(HtracError):
    """An agent tried to post after unread human messages without `--ack-thread`."""

    def __init__(self, item: Item, unread: list[Entry]) -> None:
        super().__init__(f"{item.id} has {len(unread)} unread human message(s): read them, "
                         "then post again with --ack-thread")
        self.item = item
        self.unread = unread


def unread_for(tracker: Tracker, item: Item) -> list[Entry]:
    """The human messages the current actor must acknowledge before posting (none for humans)."""
    if tracker.actor.is_human:
        return []
    return item.unread_human()


def thread(tracker: Tracker, ref: str) -> Item:
    return tracker.show(ref)


def post(tracker: Tracker, ref: str, message: str, *, ack_thread: bool = False,
         expected_version: str | None = None) -> Item:
    """`expected_version`: the item's version the poster was looking at; a reply to a thread
    that moved on meanwhile is refused (StaleVersionError) rather than posted past it."""
    item = tracker.show(ref)
    unread = unread_for(tracker, item)
    if unread and not ack_thread:
        raise UnreadThreadError(item, unread)
    return tracker.discuss(item.id, message, expected_version=expected_version)


def summarize(tracker: Tracker, ref: str, text: str) -> Item:
    return tracker.discuss(ref, text, summarize=True)


def clear(tracker: Tracker, ref: str) -> Item:
    return tracker.clear_discussion(ref)
