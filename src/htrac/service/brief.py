"""The brief: what an agent needs after a restart or a compaction of its context, in a budget.

Not a dump: who waits for an answer, what this agent was doing — each item's goal, its
must-remember notes, its links, the latest word in its discussion — what changed since this
session last looked, and what is ready next. With an item named, that item first and whole.

Measured in tokens (`service.tokens`, the counter the MCP tool list uses too), because it goes
into a context window. Everything is rendered generously first; while the text is over budget,
descriptions and quotes get shorter and lists get cut (with `… and N more (command)`), and
must-remember notes are cut last. A brief that still doesn't fit is cut at the budget.

The ready list is numbered as `htrac ready` numbers it and replaces the `:N` aliases, so the
agent can go straight to `htrac claim :1`. With a session (`service.sessions`), the brief lists
that session's claims (each with its lease), the claims it lost while away, and keeps the
"changed since" cursor per OS user and session (`store.briefcursor`); a brief without a session
keeps none. The board's latest messages close it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.display import inline
from ..core.errors import HtracError
from ..store.layout import TIERS
from . import queries
from .listing import ready_view

if TYPE_CHECKING:
    from ..core.item import Item
    from .tracker import Tracker

DEFAULT_BUDGET = 1000
MIN_BUDGET = 50
IN_PROGRESS = "in_progress"
PROTOCOL = ("Protocol: answer humans first (htrac discuss <ID> \"<reply>\" --ack-thread); "
            "then htrac ready --claim (claims :1 for your session) → work → "
            "htrac discuss <ID> \"<what you did>\" → htrac update <ID> --status done "
            "(or htrac release <ID> to give it back).")
# The same protocol in the MCP tools' words (a server has no shell; its rows are never `:N`).
TOOLS_PROTOCOL = ("Protocol: answer humans first (show, then discuss with ack_thread); then "
                  "claim (no id: the top ready item) → work → discuss what you did → update "
                  "status done (or release to give it back).")
BOARD_MESSAGES = 3
# (list length, characters of quoted text, characters of a must-remember note), most generous
# first: what the brief gives up, step by step, to fit its budget
LEVELS = ((10, 400, 2000), (8, 240, 2000), (5, 160, 2000), (3, 100, 600), (2, 60, 300),
          (1, 40, 160), (1, 0, 80), (0, 0, 60))


@dataclass(frozen=True, slots=True)
class Brief:
    text: str
    tokens: int
    budget: int


@dataclass(slots=True)
class _Facts:
    """Everything the brief can say, gathered once; rendering only chooses how much."""

    root: str
    actor: str
    by: str
    focus: Item | None
    waiting: list[Item]
    mine: list[Item]
    claims: list[tuple[Item, str]]  # the session's live claims, with the lease left
    changed: list[tuple[Item | None, str]] | None  # None: the session's first look
    ready: list  # Summary rows
    blocking: int
    damaged: int
    session: str | None = None
    lost: list[str] = field(default_factory=list)  # claims the session lost, told once
    board: list = field(default_factory=list)  # the board's latest entries
    protocol: str = PROTOCOL
    numbered: bool = True  # the ready rows are the user's `:N` aliases


def brief(tracker: Tracker, ref: str | None = None, *, budget: int = DEFAULT_BUDGET,
          session: str | None = None, max_chars: int | None = None,
          lost: list[str] | None = None, numbered: bool = True,
          protocol: str = PROTOCOL) -> Brief:
    """The brief for this OS user (and agent `session`), fitted to `budget` tokens (and to
    `max_chars` characters, a runtime's own cap). `lost`: what the claim hooks have to tell the
    session about claims it lost (service.claimhooks). A surface that never takes `:N` (MCP)
    says `numbered=False`, so the brief neither numbers its ready rows nor renumbers the rows a
    CLI session of the same user works from, and gives its own `protocol`."""
    from .tokens import count_tokens

    budget = max(budget, MIN_BUDGET)
    facts = _gather(tracker, ref, session, numbered)
    facts.lost = list(lost or [])
    facts.protocol, facts.numbered = protocol, numbered
    text = ""
    for level in LEVELS:
        text = _render(facts, *level)
        if count_tokens(text) <= budget and (max_chars is None or len(text) <= max_chars):
            break
    else:
        text = _cut(text, budget, max_chars)
    return Brief(text, count_tokens(text), budget)


def session_brief(tracker: Tracker, *, max_chars: int = 4000, session: str | None = None,
                  budget: int = DEFAULT_BUDGET, lost: list[str] | None = None) -> str:
    """The brief as the session-start hook gives it."""
    return brief(tracker, budget=budget, session=session, max_chars=max_chars, lost=lost).text


def _cut(text: str, budget: int, max_chars: int | None) -> str:
    from .tokens import count_tokens

    if max_chars is not None:
        text = text[:max_chars - 1] + "…" if len(text) > max_chars else text
    while count_tokens(text) > budget:
        text = text[:max(0, int(len(text) * 0.9) - 1)] + "…"
    return text


# -- gathering -----------------------------------------------------------------------------

def _gather(tracker: Tracker, ref: str | None, session: str | None,
            numbered: bool = True) -> _Facts:
    config = tracker.config
    scope = queries.scope_tiers(config)
    focus = tracker.show(ref) if ref else None
    # the ready rows print from the index's columns
    view = ready_view(tracker, summary=True, numbered=numbered)
    claims = _claims(tracker, session, focus, view.claimed)
    shown = {i.id for i, _ in claims} | ({focus.id} if focus is not None else set())
    mine = [i for i in _in_progress(tracker) if i.status_actor == tracker.actor.name
            and i.id not in shown]
    return _Facts(
        root=inline(str(tracker.layout.repo_root)), actor=tracker.actor.name, by=tracker.actor.by,
        focus=focus, waiting=queries.unread_in(tracker.store, scope),
        mine=sorted(mine, key=queries.sort_key), claims=claims,
        changed=_changes(tracker, session), ready=list(view.ready),
        blocking=len(queries.todo_rows(tracker.store, config, scope)),
        damaged=sum(1 for i in view.damaged if i.tier in scope), session=session,
        board=_board(tracker))


def _claims(tracker: Tracker, session: str | None, focus: Item | None,
            claimed: list[Item]) -> list[tuple[Item, str]]:
    """The session's live claims (the focus item aside; among `claimed`, the claimed items
    already read), each with its lease left."""
    if not session:
        return []
    from ..core.lease import describe_left
    from .claims import held_by_session

    held = sorted(held_by_session(tracker, session, claimed),
                  key=lambda h: queries.sort_key(h.item))
    return [(h.item, describe_left(h.lease.seconds_left)) for h in held
            if focus is None or h.item.id != focus.id]


def _board(tracker: Tracker) -> list:
    from . import board

    try:
        return list(board.read(tracker, BOARD_MESSAGES).entries)
    except HtracError:
        return []  # an unreadable board costs its section, never the brief


def _in_progress(tracker: Tracker) -> list[Item]:
    found = tracker.store.query("matching", TIERS, [IN_PROGRESS], None)
    if found is None:
        found = tracker.items(TIERS)
    return [i for i in found if i.status == IN_PROGRESS]


def _changes(tracker: Tracker, session: str | None) -> list[tuple[Item | None, str]] | None:
    """Items added or changed since this session's last brief (newest first), and records
    what it sees now; None on the session's first look (or without a session)."""
    if session is None:
        return None
    from ..store.briefcursor import BriefCursor

    now = tracker.store.query("digests", TIERS)
    if now is None:
        now = _file_digests(tracker)
    cursor = BriefCursor(tracker.layout.root, session)
    seen = cursor.load()
    cursor.save(now)
    if seen is None:
        return None
    found: list[tuple[Item | None, str]] = []
    for key in now.keys() - seen.keys():
        found.append((_load(tracker, key), "new"))
    for key in now.keys() & seen.keys():
        if now[key] != seen[key]:
            found.append((_load(tracker, key), "changed"))
    for key in seen.keys() - now.keys():
        found.append((None, f"gone: {key.partition('/')[2]}"))
    found.sort(key=lambda pair: pair[0].updated_at if pair[0] else "", reverse=True)
    return found


def _load(tracker: Tracker, key: str) -> Item:
    tier, _, item_id = key.partition("/")
    return tracker.store.load(tier, item_id)


def _file_digests(tracker: Tracker) -> dict[str, str]:
    import hashlib

    found = {}
    for tier in TIERS:
        for item_id in tracker.layout.item_ids(tier):
            try:
                data = tracker.layout.item_path(tier, item_id).read_bytes()
            except OSError:
                data = b""
            found[f"{tier}/{item_id}"] = hashlib.sha256(data).hexdigest()[:16]
    return found


# -- rendering -----------------------------------------------------------------------------

def _render(facts: _Facts, limit: int, quote: int, note: int) -> str:
    out = [f"htrac tracker at {facts.root} — you are {facts.actor} ({facts.by}).",
           *([facts.protocol] if limit else []), ""]
    if facts.focus is not None:
        out.append("Focus:")
        out.extend(_item_block(facts.focus, max(quote, 80) * 2, max(note, 160), limit or 1))
    if facts.waiting:
        out.append(f"Humans waiting for your answer ({len(facts.waiting)} item(s)) — "
                   "reply first:")
        for item in facts.waiting[:max(limit, 1)]:
            unread = item.unread_human()
            said = inline(unread[-1].message, max(quote, 60)) if unread else ""
            out.append(f"  - {item.id}  P{item.priority}  [{inline(item.status)}]  "
                       f"{inline(item.title, 80)}  ({len(unread)} unread): \"{said}\"")
        out.extend(_more(len(facts.waiting), max(limit, 1), "htrac check-messages"))
    else:
        out.append("No unread human messages.")
    if facts.claims:
        out.append(f"Your claims (session {facts.session}) ({len(facts.claims)}):")
        shown = max(limit, 1)
        for item, left in facts.claims[:shown]:
            block = _item_block(item, quote, note, 1)
            block[0] += f"  (lease: {left} left)"
            out.extend(block)
        out.extend(_more(len(facts.claims), shown, "htrac agents"))
    out.extend(inline(text) for text in facts.lost[:5])  # told once: never cut
    if facts.mine:
        out.append(f"Your {'other ' if facts.claims else ''}work in progress "
                   f"({len(facts.mine)}):")
        shown = max(limit, 1)
        for item in facts.mine[:shown]:
            out.extend(_item_block(item, quote, note, 1))
        out.extend(_more(len(facts.mine), shown, "htrac list --status in_progress"))
    if facts.changed:
        out.append(f"Changed since you last looked ({len(facts.changed)}):")
        for item, what in facts.changed[:limit]:
            if item is None:
                out.append(f"  - {what}")
            else:
                out.append(f"  - {item.id}  [{inline(item.status)}]  {inline(item.title, 80)}  "
                           f"({what}{_last_word(item)})")
        out.extend(_more(len(facts.changed), limit, "htrac list"))
    elif facts.changed is not None:
        out.append("Nothing changed since you last looked.")
    out.append(f"Ready ({len(facts.ready)}):" if facts.ready else "Ready: nothing.")
    for n, item in enumerate(facts.ready[:limit], 1):
        mark = n if facts.numbered else "-"
        out.append(f"  {mark:>2}  {item.id}  P{item.priority}  {inline(item.status):<10} "
                   f"{inline(item.title, 100)}")
    out.extend(_more(len(facts.ready), limit, "htrac ready"))
    summary = f"Blocking items in the stop hook's scope: {facts.blocking}"
    out.append(summary + (f" ({facts.damaged} damaged: see htrac validate)."
                          if facts.damaged else "."))
    board = facts.board[-limit:] if limit else []
    if board:
        out.append("Board (latest; htrac board):")
        out.extend(f"  [{e.at}] {inline(e.actor, 40)} ({e.by}): {inline(e.message, max(quote, 60))}"
                   for e in board)
    return "\n".join(out)


def _item_block(item: Item, quote: int, note: int, messages: int) -> list[str]:
    """One item as the agent needs it back: goal, notes, links, latest words."""
    out = [f"  - {item.id}  P{item.priority}  [{inline(item.status)}]  {inline(item.title, 120)}"]
    if quote and item.description:
        out.append(f"    goal: {inline(item.description, quote)}")
    if item.memory:
        out.append("    must-remember:")
        out.extend(f"      - {m.nonce[:8]} ({m.by}) {inline(m.text, note)}" for m in item.memory)
    if quote and item.links:
        out.append(f"    links: {inline(' '.join(item.links), quote)}")
    if item.evidence:
        out.append(f"    evidence: {inline(' '.join(item.evidence), max(quote, 80))}")
    entries = [e for e in item.discussion if not e.is_tombstoned]
    if quote and entries:
        for entry in entries[-messages:]:
            out.append(f"    latest: [{entry.at}] {inline(entry.actor)} ({entry.by}): "
                       f"{inline(entry.message, quote)}")
    return out


def _last_word(item: Item) -> str:
    entries = [e for e in item.discussion if not e.is_tombstoned]
    return f", last message by {inline(entries[-1].actor)}" if entries else ""


def _more(total: int, shown: int, command: str) -> list[str]:
    return [f"  … and {total - shown} more ({command})"] if total > shown else []
