"""`guidance`: a Markdown note for an agent about to stop, in the reference's file layout.

When a human waits for an answer anywhere in scope, the note is a REPLY-FIRST cycle that lists
only those items: answering people comes before more work. Otherwise it lists the blocking items
by class — hard (status names containing `hard`), invariant violations (status `violated`),
soft (the rest) — and, htrac's addition, damaged items, which block until repaired. The
reference's optional LLM call for `[[tag]]` messages is deliberately not built: htrac makes no
network calls.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from ..core.config import Config
from ..core.display import inline
from ..core.errors import InvalidValueError
from ..core.item import Item
from . import queries
from .stophook import scope_items
from .tracker import Tracker

VIOLATED = "violated"


def default_directory() -> Path:
    """Where the reference writes its notes (hook scripts may look there)."""
    return Path(os.path.expanduser("~")) / "hypergumbo_lab_notebook" / "guidance_log"


def file_name(now: datetime) -> str:
    """`stop_guidance_MMDDYYYY_HHMM.md` in UTC: runs in the same minute share one file."""
    return now.astimezone(UTC).strftime("stop_guidance_%m%d%Y_%H%M.md")


def write_guidance(tracker: Tracker, directory: Path | None = None,
                   now: datetime | None = None) -> Path:
    """Write the note for the tracker's current state; returns its absolute path."""
    now = now or datetime.now(UTC)
    directory = (directory or default_directory()).expanduser().absolute()
    text = render(scope_items(tracker), tracker.config, now)
    path = directory / file_name(now)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise InvalidValueError(f"cannot write the guidance note in {directory}: "
                                f"{exc.strerror}; choose another --guidance-dir") from None
    return path


def render(items: list[Item], config: Config, now: datetime) -> str:
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    waiting = queries.with_unread(items)
    if waiting:
        return _reply_first(waiting, config, stamp)
    return _todo_note(items, config, stamp)


def _row(item: Item, suffix: str = "") -> str:
    return f"- [{item.id}] P{item.priority} {inline(item.title, tabs=True) or '(no title)'}{suffix}"


def _by_priority(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.priority, i.id))


def _reply_first(waiting: list[Item], config: Config, stamp: str) -> str:
    messages = sum(len(i.unread_human()) for i in waiting)
    blocking = [i for i in waiting if queries.is_blocking(i, config)]
    other = [i for i in waiting if not queries.is_blocking(i, config)]
    out = [f"# REPLY-FIRST CYCLE — {stamp}", "",
           f"**{messages} unread human message(s) across {len(waiting)} item(s).**", "",
           "Humans are waiting for answers. Before any new work — no new code, no picking from "
           "`htrac ready` — reply to every item below:", "",
           "1. `htrac show <ID>` — read the description and the whole thread.",
           "2. Decide what each message is: an approval, an instruction or a question.",
           "3. For a question, find the answer first (read the code, search, run it); "
           "don't guess.",
           "4. `htrac discuss <ID> \"<your reply>\" --ack-thread` — answer.", ""]
    for title, group in (("Blocking items with unread messages", blocking),
                         ("Non-blocking items with unread messages", other)):
        if group:
            out.append(f"## {title}")
            out.extend(_row(i, f" ({len(i.unread_human())} unread)") for i in group)
            out.append("")
    out.append("Go back to TODO work only when every thread above has your reply; "
               "the TODO list is left out of this note on purpose.")
    return "\n".join(out) + "\n"


def _todo_note(items: list[Item], config: Config, stamp: str) -> str:
    blocking = queries.blocking(items, config)
    damaged = _by_priority([i for i in blocking if i.damaged])
    sound = [i for i in blocking if not i.damaged]
    hard = _by_priority([i for i in sound if "hard" in i.status])
    violated = _by_priority([i for i in sound if i.status == VIOLATED])
    soft = _by_priority([i for i in sound if "hard" not in i.status and i.status != VIOLATED])
    out = [f"# Stop Hook Guidance — {stamp}", "", "## Status", f"- Hard TODO Items: {len(hard)}"]
    if violated:
        out.append(f"- Invariant Violations: {len(violated)}")
    out.append(f"- Soft TODO Items: {len(soft)}")
    if damaged:
        out.append(f"- Damaged Items: {len(damaged)}")
    out.append("")
    for title, group in (("Damaged Items", damaged), ("Hard TODO Items", hard),
                         ("Invariant Violations", violated), ("Soft TODO Items", soft)):
        if group:
            out.append(f"## {title}")
            out.extend(_row(i) for i in group)
            out.append("")
    out.append("## Guidance")
    if damaged:
        out.append("Damaged items: part of the file could not be read, so the item blocks until "
                   "it is repaired. Run `htrac validate`, and ask a human; never delete ops.")
    out.append("Hard TODO items: look for the cause, not the symptom — a hard item usually "
               "points at a defect in the structure, so fix that.")
    if violated:
        out.append("Invariant violations: they block. Find out why the invariant broke, then "
                   "fix it or escalate to a human.")
    out.append("Soft TODO items: do them in the usual way, and change your plan when what you "
               "learn says so.")
    return "\n".join(out) + "\n"
