"""`htrac board`: post to and read the tracker-wide board (core.board).

The board lives at `.agent/tracker-workspace/.ops/board.log`: committed with the workspace ops,
merged by `merge=union` (a `board.log merge=union` line in that directory's `.gitattributes`,
added here when missing), appended the way item ops are — under the file's lock, checked by the
policy against the board as it stands, signed when a human's, read back before it is written.
Its name doesn't end in `.ops`, so the reference and older htrac ignore it (docs/design/
claims.md, "The board").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.board import CONTEXT, FILE_NAME, fold_board
from ..core.errors import AuthorityError, InvalidValueError, WriteError

if TYPE_CHECKING:
    from ..core.item import Entry, Item
    from .tracker import Tracker

ATTRIBUTE = f"{FILE_NAME} merge=union"
ATTEMPTS = 5


@dataclass
class Board:
    entries: list[Entry]  # the last N messages, oldest first
    total: int
    board: Item  # locks, frozen, problems

    @property
    def locked(self) -> bool:
        return "discussion" in self.board.locked_fields or self.board.frozen


def path(tracker: Tracker) -> Path:
    return tracker.layout.ops_dir("workspace") / FILE_NAME


def read(tracker: Tracker, last: int | None = None) -> Board:
    from ..core.oplog import read_oplog

    try:
        data = path(tracker).read_bytes()
    except FileNotFoundError:
        data = b""
    except OSError as exc:
        raise InvalidValueError(f"cannot read the board {path(tracker)}: {exc.strerror}") from None
    log = read_oplog(data)
    board = fold_board(log.ops, tracker.store.vocab, policy=tracker.policy, lines=log.lines,
                       read_problems=log.problems)
    shown = [e for e in board.discussion if not e.is_tombstoned]
    entries = shown[-last:] if last else shown
    return Board(entries, len(shown), board)


def post(tracker: Tracker, message: str) -> Entry:
    if not message.strip():
        raise InvalidValueError("the message is empty")
    op = _append(tracker, "discuss", {"message": message})
    return next(e for e in read(tracker).board.discussion if e.nonce == op.nonce)


def govern(tracker: Tracker, action: str) -> Board:
    """A human's `lock`, `unlock` (of the board's discussion) or `clear`."""
    if action == "clear":
        _append(tracker, "discuss_clear", {})
    elif action in ("lock", "unlock"):
        _append(tracker, action, {action: ["discussion"]})
    else:
        raise InvalidValueError(f"unknown board action {action!r}")
    return read(tracker)


def _append(tracker: Tracker, op_type: str, body: dict):
    from ..core.oplog import read_oplog
    from ..core.ops import make_op, now_at
    from ..core.schema import SchemaError, check_op
    from ..core.serialize import serialize_op
    from ..store.appendlog import FileAppeared, locked

    actor = tracker.actor
    target = path(tracker)
    _ensure_attribute(target.parent)
    for _ in range(ATTEMPTS):
        try:
            with locked(target, create=True) as log:
                current = read_oplog(log.read())
                op = make_op(op_type, by=actor.by, actor=actor.name, body=body,
                             clock=current.max_clock + 1, at=now_at(op_type, tracker.clock()))
                try:
                    check_op(op, tracker.store.vocab)
                except SchemaError as exc:
                    raise InvalidValueError(str(exc)) from None
                board = fold_board(current.ops, tracker.store.vocab, policy=tracker.policy)
                reason = tracker.policy.refuse(op, board, actor.by)
                if reason:
                    raise AuthorityError(reason.replace(f"Item {CONTEXT}", "The board"))
                if tracker.authority is not None:
                    op = tracker.authority.sign(op, CONTEXT)
                text = serialize_op(op)
                if read_oplog(text.encode("utf-8")).ops != [op]:
                    raise InvalidValueError("this op would not read back as written; "
                                            "not written")
                log.append(text)
                return op
        except FileAppeared:
            continue
    raise WriteError(f"{target.name} keeps appearing and disappearing; nothing was written")


def _ensure_attribute(directory: Path) -> None:
    """`board.log merge=union` beside the workspace's `*.ops merge=union`."""
    attributes = directory / ".gitattributes"
    try:
        text = attributes.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError:
        return
    if ATTRIBUTE in text.splitlines():
        return
    try:
        with open(attributes, "a", encoding="utf-8") as out:
            out.write(("" if not text or text.endswith("\n") else "\n") + ATTRIBUTE + "\n")
    except OSError:
        pass  # a read-only checkout still gets its message; merges then need the line
