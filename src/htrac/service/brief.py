"""The session brief: what an agent needs to get its bearings at the start of a session or
after its context was compacted — who waits for an answer, what it was doing, what is ready.

Bounded in length: it goes into the agent's context window, so long lists are cut and counted.
The ready list is numbered as `htrac ready` numbers it and replaces the `:N` aliases, so the
agent can go straight to `htrac update :1 --status in_progress`.
"""

from __future__ import annotations

import re

from ..core.display import inline
from ..core.errors import HtracError
from ..core.item import Item
from ..core.oplog import read_oplog
from ..store.layout import TIERS
from . import queries
from .listing import ready_view
from .stophook import SNIPPET
from .tracker import Tracker

DEFAULT_MAX_CHARS = 4000
MIN_CHARS = 200
IN_PROGRESS = "in_progress"
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.-]+")  # written verbatim in an op's `actor:` line
PROTOCOL = ("Protocol: answer humans first (htrac discuss <ID> \"<reply>\" --ack-thread); "
            "then htrac ready --claim (claims :1 for your session) → work → "
            "htrac discuss <ID> \"<what you did>\" → htrac update <ID> --status done "
            "(or htrac release <ID> to give it back).")
BOARD_MESSAGES = 3


def session_brief(tracker: Tracker, *, max_chars: int = DEFAULT_MAX_CHARS,
                  session: str | None = None, lost: list[str] | None = None) -> str:
    max_chars = max(max_chars, MIN_CHARS)
    config = tracker.config
    scope = queries.scope_tiers(config)
    view = ready_view(tracker)
    ready, waiting, damaged = view.ready, view.unread, view.damaged
    mine = _in_progress_by(tracker, _in_progress(tracker))
    counts = (len(queries.todo_rows(tracker.store, config, scope)),
              sum(1 for i in damaged if i.tier in scope))
    extra = _coordination(tracker, session, lost or [], view.claimed)
    limit = 10
    while True:
        text = _render(tracker, waiting, mine, ready, counts, limit, extra)
        if len(text) <= max_chars or limit == 0:
            break
        limit //= 2
    return text if len(text) <= max_chars else text[:max_chars - 1] + "…"


def _render(tracker: Tracker, waiting: list[Item], mine: list[Item], ready: list[Item],
            counts: tuple[int, int], limit: int, extra: list[str] = ()) -> str:
    actor = tracker.actor
    blocking, damaged = counts
    where = inline(str(tracker.layout.repo_root))
    out = [f"htrac tracker at {where} — you are {actor.name} ({actor.by}).",
           PROTOCOL, ""]
    if waiting:
        out.append(f"Humans waiting for your answer ({len(waiting)} item(s)) — reply first:")
        for item in waiting[:limit]:
            unread = item.unread_human()
            out.append(f"  - {item.id}  P{item.priority}  [{inline(item.status)}]  "
                       f"{inline(item.title, 80)}  ({len(unread)} unread): "
                       f"\"{inline(unread[-1].message, SNIPPET)}\"")
        out.extend(_more(len(waiting), limit, "htrac check-messages"))
    else:
        out.append("No unread human messages.")
    if mine:
        out.append(f"In progress by you ({len(mine)}):")
        out.extend(f"  - {i.id}  P{i.priority}  {inline(i.title, 100)}" for i in mine[:limit])
        out.extend(_more(len(mine), limit, "htrac list --status in_progress"))
    out.append(f"Ready ({len(ready)}):" if ready else "Ready: nothing.")
    for n, item in enumerate(ready[:limit], 1):
        out.append(f"  {n:>2}  {item.id}  P{item.priority}  {inline(item.status):<10} "
                   f"{inline(item.title, 100)}")
    out.extend(_more(len(ready), limit, "htrac ready"))
    summary = f"Blocking items in the stop hook's scope: {blocking}"
    out.append(summary + (f" ({damaged} damaged: see htrac validate)." if damaged else "."))
    out.extend(extra)
    return "\n".join(out)


def _coordination(tracker: Tracker, session: str | None, lost: list[str],
                  claimed: list[Item]) -> list[str]:
    """The session's claims, claims it lost, and the board's latest messages."""
    from ..core.lease import describe_left
    from . import board
    from .claims import held_by_session

    out: list[str] = []
    if session:
        held = held_by_session(tracker, session, claimed)
        if held:
            out.append(f"Your claims (session {session}):")
            out.extend(f"  - {h.item.id}  {describe_left(h.lease.seconds_left)} left  "
                       f"{inline(h.item.title, 100)}" for h in held[:10])
    out.extend(inline(text) for text in lost[:5])
    try:
        messages = board.read(tracker, BOARD_MESSAGES).entries
    except HtracError:
        messages = []
    if messages:
        out.append("Board (latest; htrac board):")
        out.extend(f"  [{e.at}] {inline(e.actor, 40)} ({e.by}): {inline(e.message, SNIPPET)}"
                   for e in messages)
    return out


def _more(total: int, shown: int, command: str) -> list[str]:
    return [f"  … and {total - shown} more ({command})"] if total > shown else []


def _in_progress(tracker: Tracker) -> list[Item]:
    found = tracker.store.query("matching", TIERS, [IN_PROGRESS], None)
    return found if found is not None else tracker.items(TIERS)


def _in_progress_by(tracker: Tracker, items: list[Item]) -> list[Item]:
    """In-progress items whose status this OS user set last."""
    name = tracker.actor.name
    mine = [i for i in items if i.status == IN_PROGRESS and _status_setter(tracker, i) == name]
    return sorted(mine, key=queries.sort_key)


def _status_setter(tracker: Tracker, item: Item) -> str | None:
    try:
        data = tracker.layout.item_path(item.tier, item.id).read_bytes()
    except (OSError, ValueError):
        return None
    name = tracker.actor.name
    if _PLAIN_NAME.fullmatch(name) and name.encode() not in data:
        return None  # this user never wrote here: no need to parse (most files, at scale)
    setter = None
    for op in sorted(read_oplog(data).ops, key=lambda o: (o.clock, o.at)):
        if op.type == "create" and isinstance(op.get("data"), dict) and "status" in op.get("data"):
            setter = op.actor
        elif op.type == "update" and isinstance(op.get("set"), dict) and "status" in op.get("set"):
            setter = op.actor
    return setter
