"""Stop-hook commands (count-todos, hash-todos, guidance) and agent runtime hooks (hook stop,
hook session-start)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..core.errors import HtracError, InvalidValueError, TrackerNotFoundError
from . import hot
from .context import Context, json_option, pass_ctx
from .render import as_json, clean

BLOCKED_EXIT = 3  # --format text: the agent must go on; the reason is on stdout
FORMATS = click.Choice(["json", "text"])


@click.command("count-todos")
@click.option("--hard", is_flag=True, help="Only blocking statuses whose name contains 'hard'.")
@click.option("--soft", is_flag=True, help="Only the other blocking statuses (--hard wins).")
@json_option
@pass_ctx
def count_todos(ctx: Context, hard: bool, soft: bool) -> None:
    """Print how many blocking items are in the stop hook's scope (damaged items count)."""
    hot.count_todos(ctx, hard, soft)


@click.command("hash-todos")
@json_option
@pass_ctx
def hash_todos(ctx: Context) -> None:
    """Print a SHA-256 of the blocking items in scope; it changes when any of them changes."""
    hot.hash_todos(ctx)


@click.command()
@click.option("--guidance-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where to write the note (default: ~/hypergumbo_lab_notebook/guidance_log).")
@json_option
@pass_ctx
def guidance(ctx: Context, guidance_dir: Path | None) -> None:
    """Write a stop-hook guidance note (Markdown) and print its path."""
    from ..service.guidance import write_guidance

    path = write_guidance(ctx.tracker, guidance_dir)
    click.echo(as_json({"path": str(path)}, indent=None) if ctx.json else str(path))


@click.group()
def hook() -> None:
    """Hooks for agent runtimes: read the runtime's JSON on stdin, answer in its format.

    The JSON format is Claude Code's. Run where no tracker is found, a hook does nothing —
    unless a trust root governs the place: then the stop hook blocks (the tracker is missing).
    """


@hook.command()
@click.option("--format", "fmt", type=FORMATS, default="json", show_default=True,
              help="json: Claude Code's Stop hook protocol. text: the reason on stdout and "
                   f"exit status {BLOCKED_EXIT} when the agent must go on, nothing and 0 when "
                   "it may stop.")
@click.option("--max-blocks", type=click.IntRange(min=0), default=3, show_default=True,
              help="Let the agent stop after this many blocks in a row that changed nothing on "
                   "the tracker (0: never).")
@pass_ctx
def stop(ctx: Context, fmt: str, max_blocks: int) -> None:
    """Stop hook: block while blocking items or unread human messages remain."""
    from ..service.claimhooks import on_stop
    from ..service.stophook import StopVerdict, decide_stop, missing_tracker

    event = _read_event(fmt)
    continuing = _flag(event, "stop_hook_active", default=fmt == "text")
    session = _text(event, "session_id")
    claims_reason = ""
    try:
        tracker = _open(ctx, event)
        if tracker is None:
            verdict = missing_tracker(_start(event))
            if verdict is None:
                return
        else:
            claims = on_stop(tracker, session)
            verdict = decide_stop(tracker, session=session or "default",
                                  continuing=continuing, max_blocks=max_blocks)
            if claims.lost:  # a claim lost after a merge blocks once, so the agent reads it
                claims_reason = claims.reason
    except HtracError as exc:  # fails closed: a tracker it can't read is no reason to stop
        if isinstance(exc, TrackerNotFoundError):
            raise  # only a wrong --tracker-root gets here: the hook's command line is wrong
        verdict = StopVerdict(block=True, reason=f"htrac: the stop hook can't read the "
                              f"tracker ({clean(str(exc))}); do not stop yet: fix it or tell "
                              "a human.")
    block = verdict.block or bool(claims_reason)
    reason = "\n\n".join(r for r in (claims_reason, verdict.reason if verdict.block else "")
                         if r)
    if fmt == "text":
        if verdict.notice:
            click.echo(verdict.notice, err=True)
        if block:
            click.echo(reason)
            sys.exit(BLOCKED_EXIT)
        return
    if block:
        click.echo(json.dumps({"decision": "block", "reason": reason}))
    elif verdict.notice:
        click.echo(json.dumps({"systemMessage": verdict.notice}))


@hook.command("session-start")
@click.option("--format", "fmt", type=FORMATS, default="json", show_default=True,
              help="json: Claude Code's SessionStart additionalContext. text: the brief itself.")
@click.option("--budget", type=click.IntRange(min=50), default=1000, show_default=True,
              help="Most tokens the brief may take (cl100k_base, as htrac brief counts).")
@click.option("--max-chars", type=click.IntRange(min=200), default=9000, show_default=True,
              help="Most characters too (Claude Code caps hook context at about 10,000).")
@pass_ctx
def session_start(ctx: Context, fmt: str, budget: int, max_chars: int) -> None:
    """Session-start hook (startup, resume, clear, and after a compaction): the brief — humans
    waiting, your work in progress with its notes, what changed, what is ready."""
    from ..service.brief import session_brief
    from ..service.claimhooks import on_session_start

    event = _read_event(fmt)
    tracker = _open(ctx, event)
    if tracker is None:
        return
    claims = on_session_start(tracker, _text(event, "session_id"))
    text = session_brief(tracker, max_chars=max_chars, budget=budget, session=claims.session,
                         lost=claims.lost)
    if fmt == "text":
        click.echo(text)
    else:
        click.echo(json.dumps({"hookSpecificOutput": {"hookEventName": "SessionStart",
                                                      "additionalContext": text}}))


def _read_event(fmt: str) -> dict[str, Any]:
    """The runtime's hook input: a JSON object on stdin (nothing on a terminal)."""
    if sys.stdin is None or sys.stdin.isatty():
        return {}
    data = sys.stdin.read()
    if not data.strip():
        return {}
    try:
        event = json.loads(data)
    except ValueError:
        if fmt == "text":
            return {}  # a runtime without JSON hooks may pipe anything
        raise InvalidValueError("the hook input on stdin is not JSON: pipe the runtime's hook "
                                "JSON object, or use --format text") from None
    if not isinstance(event, dict):
        raise InvalidValueError("the hook input on stdin must be a JSON object")
    return event


def _flag(event: dict[str, Any], key: str, *, default: bool) -> bool:
    value = event.get(key, default)
    if not isinstance(value, bool):
        raise InvalidValueError(f"hook input: {key!r} must be true or false")
    return value


def _text(event: dict[str, Any], key: str) -> str | None:
    value = event.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidValueError(f"hook input: {key!r} must be a string")
    return value


def _start(event: dict[str, Any]) -> Path:
    """Where the runtime says the agent works (its `cwd`), else here."""
    cwd = _text(event, "cwd")
    return Path(cwd) if cwd and Path(cwd).is_dir() else Path.cwd()


def _open(ctx: Context, event: dict[str, Any]):
    """The tracker of the runtime's working directory; None where there is none — hooks
    installed machine-wide run in every project, and most have no tracker."""
    from ..service.tracker import Tracker

    try:
        return Tracker.open(start=_start(event), tracker_root=ctx.tracker_root)
    except TrackerNotFoundError:
        if ctx.tracker_root is not None:
            raise
        return None
