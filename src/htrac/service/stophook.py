"""The stop hook: how much blocking work is left, whether it changed, may the agent stop.

`count_todos` and `hash_todos` answer as the reference does over the items in
`stop_hook.scope`, except that a damaged item always counts (DESIGN, point 7), and so does a
tier directory that is missing, replaced or unreadable (it hides its items). `decide_stop`
is what `htrac hook stop` asks: an agent may stop when no blocking item and no unread human
message is in scope. A circuit breaker keyed on the todo hash lets an agent go after
`max_blocks` consecutive blocks in which nothing on the tracker changed, so a stuck agent does
not burn its budget forever; `max_blocks=0` turns the breaker off.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.display import inline
from ..store.hookstate import BreakerState
from . import queries

if TYPE_CHECKING:
    from ..core.item import Item
    from .tracker import Tracker

TOP_ITEMS = 5  # items named in a block reason; the rest are counted
SNIPPET = 160  # characters of a human's latest message quoted to the agent
DEFAULT_MAX_BLOCKS = 3

def scope_items(tracker: Tracker) -> list[Item]:
    """The items the stop hook looks at (`stop_hook.scope`)."""
    return tracker.items(queries.scope_tiers(tracker.config))


def count_todos(tracker: Tracker, *, hard: bool = False, soft: bool = False) -> int:
    """Blocking items in scope; `hard` (wins over `soft`) keeps statuses named `*hard*`,
    `soft` the others. Damaged items and unproven closes count under every filter."""
    return len(todo_rows(tracker, hard=hard, soft=soft))


def hash_todos(tracker: Tracker) -> str:
    return queries.todo_hash_of(todo_rows(tracker))


def todo_rows(tracker: Tracker, *, hard: bool = False,
              soft: bool = False) -> list[tuple[str, str, str]]:
    """(id, status, title) of what keeps the agent from stopping: blocking items, and items an
    agent closed whose evidence the rule needs and git no longer confirms (service.evidence)."""
    scope = queries.scope_tiers(tracker.config)
    rows = queries.todo_rows(tracker.store, tracker.config, scope, hard=hard, soft=soft)
    return rows + _unproven(tracker, scope)


def _unproven(tracker: Tracker, scope: tuple[str, ...]) -> list[tuple[str, str, str]]:
    if not tracker.config.evidence.require:
        return []  # nothing needs evidence: no git, nothing more imported (the hot path)
    from .evidence import unproven_rows

    return unproven_rows(tracker, scope)


def blocking_items(tracker: Tracker) -> list[Item]:
    """The blocking items in scope, most urgent first."""
    config = tracker.config
    scope = queries.scope_tiers(config)
    found = tracker.store.query("matching", scope, sorted(config.blocking_statuses), None)
    if found is None:
        found = queries.blocking(tracker.items(scope), config)
    return sorted(found, key=_urgency)


@dataclass(frozen=True, slots=True)
class StopVerdict:
    block: bool
    reason: str = ""  # for the agent: why it must go on, and what to do
    notice: str = ""  # for the human: why the agent was let go although work remains
    blocking: int = 0
    unread: int = 0
    key: str = ""


def decide_stop(tracker: Tracker, *, session: str, continuing: bool,
                max_blocks: int = DEFAULT_MAX_BLOCKS) -> StopVerdict:
    """May the agent stop now? `continuing` is the runtime's `stop_hook_active`: this stop
    attempt comes right after one this hook blocked."""
    config = tracker.config
    scope = queries.scope_tiers(config)
    unproven = _unproven(tracker, scope)
    rows = queries.todo_rows(tracker.store, config, scope) + unproven
    waiting = queries.unread_in(tracker.store, scope)
    state = BreakerState(tracker.layout.root, session)
    if not rows and not waiting:
        state.clear()
        return StopVerdict(block=False)
    key = _progress_key(queries.todo_hash_of(rows), waiting)
    previous_key, count = state.load()
    # A fresh stop (not a continuation) or any change on the tracker starts the count again.
    count = count + 1 if continuing and previous_key == key else 1
    if max_blocks and count > max_blocks:
        state.clear()
        notice = (f"htrac: letting the agent stop although {len(rows)} blocking item(s) and "
                  f"{len(waiting)} item(s) with unread human messages remain: "
                  f"{max_blocks} blocks in a row changed nothing on the tracker.")
        return StopVerdict(block=False, notice=notice, blocking=len(rows),
                           unread=len(waiting), key=key)
    state.save(key, count)
    todo = blocking_items(tracker) if len(rows) > len(unproven) else []
    broken = queries.broken_tiers(tracker.layout, scope)
    reason = block_reason(todo, waiting, config.blocking_statuses, broken)
    if unproven:
        reason += ("\n\n" if reason else "") + unproven_reason(unproven)
    return StopVerdict(block=True, reason=reason, blocking=len(rows), unread=len(waiting),
                       key=key)


def unproven_reason(rows: list[tuple[str, str, str]]) -> str:
    lines = [f"htrac: {len(rows)} item(s) closed without evidence git still confirms; they "
             "count as open. Show the work with htrac update <ID> --status <status> "
             "--evidence commit:<sha> (see htrac verify):"]
    lines.extend(f"  - {i}  {inline(s)}  {inline(t, 100)}" for i, s, t in rows[:TOP_ITEMS])
    lines.extend(_more(len(rows), "htrac verify"))
    return "\n".join(lines)


def missing_tracker(start: Path) -> StopVerdict | None:
    """The verdict where no tracker was found from `start`: a block when a trust root governs
    `start` or a directory above it (the tracker of a governed repository was deleted or
    moved: the work in it can't be counted), else None — a hook installed machine-wide runs
    in every project, and most have no tracker."""
    from ..policy import trustroot

    start = start.resolve()
    root = trustroot.find([start, *start.parents])
    if root is None:
        return None
    reason = (f"htrac: no tracker found in {inline(str(start))}, which the trust root "
              f"{root.path} governs: its .agent directory is missing or was moved, so the work "
              "in it can't be counted. Do not stop yet: restore it (git checkout -- .agent) "
              "or tell a human.")
    return StopVerdict(block=True, reason=reason, blocking=1)


def _urgency(item: Item) -> tuple[int, int, str]:
    # Damaged items first: until a human repairs them nobody knows what they hold.
    return (0 if item.damaged else 1, item.priority, item.created_at)


def _progress_key(todo_hash: str, waiting: list[Item]) -> str:
    """The todo hash, extended by who is waiting for an answer when anybody is: replying to
    one of two humans is progress even though no blocking item changed."""
    if not waiting:
        return todo_hash
    unread = "".join(f"{i.id}\t{len(i.unread_human())}\n" for i in waiting)
    return hashlib.sha256(f"{todo_hash}\n{unread}".encode()).hexdigest()


def block_reason(todo: list[Item], waiting: list[Item], statuses: tuple[str, ...],
                 broken: list[tuple[str, str]] = ()) -> str:
    """What the agent reads when it may not stop: who waits, what blocks, what to do next."""
    lines: list[str] = []
    if broken:
        lines.append(f"htrac: {len(broken)} of the tracker's tier directories can't be read, so "
                     "the work in them can't be counted: do not stop yet. Restore them "
                     "(git checkout -- .agent) or tell a human:")
        lines.extend(f"  - {tier}: {inline(problem)}" for tier, problem in broken)
        lines.append("")
    if waiting:
        lines.append(f"htrac: {len(waiting)} item(s) have human messages nobody has answered. "
                     "Answer them first (htrac show <ID>, then "
                     "htrac discuss <ID> \"<reply>\" --ack-thread):")
        lines.extend(_waiting_row(i) for i in waiting[:TOP_ITEMS])
        lines.extend(_more(len(waiting), "htrac check-messages"))
    if todo:
        if lines:
            lines.append("")
        lines.append(f"htrac: {len(todo)} blocking item(s) remain (status "
                     f"{', '.join(statuses)}); do not stop yet. Most urgent:")
        lines.extend(_todo_row(i) for i in todo[:TOP_ITEMS])
        lines.extend(_more(len(todo), "htrac ready"))
        if any(i.damaged for i in todo):
            lines.append("A [DAMAGED] item counts as blocking until its file is repaired: "
                         "see htrac show <ID> and htrac validate, and tell a human.")
        lines.append("")
        lines.append("Next: htrac ready --claim (claims the top item for you), do the work, "
                     "htrac discuss <ID> \"<what you did>\", htrac update <ID> --status done. "
                     "If you cannot go on with an item, say why with htrac discuss <ID>.")
    return "\n".join(lines)


def _todo_row(item: Item) -> str:
    mark = "[DAMAGED] " if item.damaged else ""
    return (f"  - {mark}{item.id}  P{item.priority}  {inline(item.status) or '?'}  "
            f"{inline(item.title, 100) or '(no title)'}")


def _waiting_row(item: Item) -> str:
    unread = item.unread_human()
    last = inline(unread[-1].message, SNIPPET) if unread else ""
    return (f"  - {item.id}  P{item.priority}  [{inline(item.status)}]  {inline(item.title, 80)}  "
            f"({len(unread)} unread): \"{last}\"")


def _more(total: int, command: str) -> list[str]:
    more = total - TOP_ITEMS
    return [f"  … and {more} more ({command})"] if more > 0 else []
