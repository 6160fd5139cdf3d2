"""Errors every layer raises, each carrying the exit code the CLI gives it (the reference's)."""

from __future__ import annotations

TYPE_CHECKING = False  # `typing` is not imported on the hot read path
if TYPE_CHECKING:
    from .item import Item


class HtracError(Exception):
    """A failure with a one-line message that names the fix. Exit code 1: the user's to fix."""

    exit_code = 1


class NotFoundError(HtracError):
    pass


class AmbiguousError(HtracError):
    pass


class ItemExistsError(HtracError):
    pass


class InvalidValueError(HtracError):
    pass


class AuthorityError(HtracError):
    """The actor may not do this (human-only operation, locked field, frozen item)."""


class TrackerNotFoundError(HtracError):
    pass


class StaleVersionError(HtracError):
    """The item changed since the version a write was based on; nothing was written.

    `item` is the item as it is now (a surface shows it instead of overwriting it)."""

    def __init__(self, item: Item, based_on: str) -> None:
        super().__init__(f"{item.id} changed since you looked (version {based_on}, now "
                         f"{item.version}): nothing was written; look at it again")
        self.item = item
        self.based_on = based_on


class UnsafePathError(HtracError):
    """A per-user directory someone else made, can write, or can swap (`store.private`)."""


class InternalError(HtracError):
    """Something htrac can't continue from: exit code 2."""

    exit_code = 2


class ConfigError(InternalError):
    pass


class WriteError(InternalError):
    """The file system refused a write (read-only, disk full); nothing was written."""


class ClaimedError(HtracError):
    """Someone else holds the item (docs/design/claims.md); the message names the holder."""

    def __init__(self, message: str, holder: str | None = None) -> None:
        super().__init__(message)
        self.holder = holder
