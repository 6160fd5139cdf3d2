"""Setup/doctor checks for agent integration: Claude Code hooks, and the protocol block in
AGENTS.md / CLAUDE.md.

Options read from `CheckContext.options`:
- `hooks`: `auto` (default), `managed`, `project` or `skip` — where `setup` installs the hooks.
  `auto` installs machine-wide only when a `confirm` callable is given and says yes (setup
  asks on a terminal); otherwise it uses the project's `.claude/settings.json`.
- `confirm`: `callable(question) -> bool`, for the interactive offer.
- `claude_managed_settings`: the managed settings path (tests point it elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ...core.errors import HtracError
from .. import claudesettings as cs
from . import ERROR, FIXED, OK, WARN, CheckContext, Result, files

NAME = "agent_hooks"
MODES = ("auto", "managed", "project", "skip")
BEGIN = "<!-- BEGIN tracker-governance (managed by htrac setup — edits may be overwritten) -->"
END = "<!-- END tracker-governance -->"
BLOCK = f"""{BEGIN}
## Work tracker (htrac)

Work items live in this repository's tracker; use `htrac` for them (`--json` for JSON).

1. `htrac ready` lists the items you may start now as `:1`, `:2`, …, and under them the items
   where a human waits for your answer. Answer humans first:
   `htrac discuss <ID> "<reply>" --ack-thread` (after reading the thread with `htrac show <ID>`).
2. `htrac ready --claim` claims the top ready item for your session (status in_progress, a
   lease; a racer's item is skipped) — or `htrac claim <ID>` for a chosen one. A claim someone
   else holds is refused: pick another item. Your writes, `htrac heartbeat` and the hooks keep
   the lease alive; `htrac reserve <PATH>… --item <ID>` tells others which files you change.
3. `htrac discuss <ID> "<what you found, did or need>"` records progress on the item;
   `htrac remember <ID> "<fact you must not lose>"` keeps a note the brief shows you again.
4. `htrac update <ID> --status done --evidence commit:<sha>` when it is finished (the commit
   that did it; `pr:N`, `test:NAME`, `url:…` also count where the tracker's rule allows; that
   ends the claim), or `htrac release <ID> --reason "<why>"` to give it back unfinished. If
   htrac says you lost a claim, stop working on that item.

After a restart or a compaction, `htrac brief` (the session-start hook gives it to you) says
what you were doing, your notes, what changed and what is ready; `htrac search <words>` finds
items by their text.

The stop hook (`htrac hook stop`) keeps you working while `htrac count-todos` is above 0 or a
human waits for an answer. Never edit `.agent/**/*.ops` files by hand; locks, deletion and other
human-only operations are refused to agents.
{END}"""
MD_FILES = ("AGENTS.md", "CLAUDE.md")


def check_agent_hooks(ctx: CheckContext) -> Iterator[Result]:
    mode = ctx.options.get("hooks") or "auto"
    if mode not in MODES:
        yield Result(NAME, ERROR, f"unknown hooks option {mode!r}",
                     fix=f"use one of: {', '.join(MODES)}")
        return
    managed = Path(ctx.options.get("claude_managed_settings") or cs.MANAGED_SETTINGS)
    project = ctx.repo / cs.PROJECT_SETTINGS
    try:
        in_managed = cs.installed(cs.load(managed))
        in_project = cs.installed(cs.load(project))
    except HtracError as exc:
        yield Result(NAME, ERROR, str(exc), fix="fix the JSON, then run htrac setup again")
        return
    if ctx.fix and mode != "skip" and not _complete(in_managed):
        target = _target(ctx, mode, managed, in_project)
        if isinstance(target, Result):
            yield target
            return
        if target is not None:
            yield _install(ctx, target, absolute=target == managed, outside=target == managed)
            return
    yield _report(managed, in_managed, project, in_project)
    yield from _disabled(ctx.repo)


def _complete(events: set[str]) -> bool:
    return events >= set(cs.EVENTS)


def _target(ctx: CheckContext, mode: str, managed: Path, in_project: set[str]):
    """Where setup installs: a path, None (nothing to do) or a Result saying why it can't."""
    if mode == "managed":
        if not cs.can_write(managed):
            return Result(NAME, ERROR, f"no permission to write {managed}",
                          fix="run as root: sudo htrac setup --hooks managed")
        return managed
    if mode == "auto" and cs.can_write(managed):
        confirm = ctx.options.get("confirm")
        question = (f"Install htrac's Claude Code hooks machine-wide in {managed}, where the "
                    "agent user can't remove them (applies to every project on this machine)?")
        if callable(confirm) and confirm(question):
            return managed
    if _complete(in_project) or ctx.foreign_owner:
        return None  # the project's file is its owner's to write (checks.foreign_owner)
    return ctx.repo / cs.PROJECT_SETTINGS


def _install(ctx: CheckContext, path: Path, *, absolute: bool, outside: bool) -> Result:
    try:
        settings = cs.with_hooks(cs.load(path), cs.program(absolute))
        if outside:
            cs.write(path, settings)
        else:  # in the worktree: never through a link an agent planted
            files.replace_text(ctx.repo, str(cs.PROJECT_SETTINGS), cs.dumps(settings))
    except files.UnsafePath as exc:
        return Result(NAME, ERROR, f"refused: {exc}", fix="look at it, move it aside, then "
                      "htrac setup")
    except HtracError as exc:
        return Result(NAME, ERROR, str(exc), fix="fix the JSON, then run htrac setup again")
    except OSError as exc:
        return Result(NAME, ERROR, f"cannot write {path}: {exc.strerror}",
                      fix="check the permissions, or run htrac setup --hooks project")
    where = (f"{path} (machine-wide, outside the repository; the agent user can't remove them)"
             if outside else f"{path} (the project's settings; an agent can edit this file)")
    return Result(NAME, FIXED, f"installed the Claude Code Stop and SessionStart hooks in {where}")


def _report(managed: Path, in_managed: set[str], project: Path, in_project: set[str]) -> Result:
    if _complete(in_managed):
        loose = cs.loosely_owned(managed)
        if loose:
            return Result(NAME, WARN, f"Claude Code hooks are in {managed}, but {loose}",
                          fix=f"sudo chown root:root {managed} && sudo chmod 644 {managed}")
        if in_project:
            return Result(NAME, WARN, f"Claude Code hooks are in {managed} and again in the "
                                      f"project's {cs.PROJECT_SETTINGS}, so they run twice",
                          fix=f"remove the htrac hook entries from {cs.PROJECT_SETTINGS}")
        return Result(NAME, OK, f"Claude Code hooks are in the managed settings {managed}; "
                                "the agent user can't remove them")
    if _complete(in_project | in_managed):
        return Result(NAME, WARN, f"Claude Code hooks are in the project's {cs.PROJECT_SETTINGS}, "
                                  "which an agent can edit or remove",
                      fix="sudo htrac setup --hooks managed (machine-wide managed settings)")
    missing = sorted(set(cs.EVENTS) - in_project - in_managed)
    return Result(NAME, WARN, f"no htrac hook for Claude Code's {', '.join(missing)}",
                  fix="htrac setup (project settings) or sudo htrac setup --hooks managed")


def _disabled(repo: Path) -> Iterator[Result]:
    for rel in (cs.PROJECT_SETTINGS, cs.LOCAL_SETTINGS):
        try:
            settings = cs.load(repo / rel)
        except HtracError:
            continue
        if settings and settings.get("disableAllHooks") is True:
            yield Result(NAME, WARN, f"{rel} sets disableAllHooks: project hooks don't run",
                         fix=f"remove \"disableAllHooks\" from {rel}")


def check_agents_md(ctx: CheckContext) -> Iterator[Result]:
    present = [name for name in MD_FILES if (ctx.repo / name).is_file()]
    for name in present or [MD_FILES[0]]:
        yield _agents_md(ctx, ctx.repo / name)


def _agents_md(ctx: CheckContext, path: Path) -> Result:
    name = "agents_md"
    try:
        text = files.read_text(ctx.repo, path.name)
    except files.UnsafePath as exc:
        return Result(name, ERROR, f"refused: {exc}", fix=f"look at {path.name}, move it aside, "
                      "then htrac setup")
    except (OSError, UnicodeDecodeError) as exc:
        return Result(name, ERROR, f"cannot read {path.name}: {exc}", fix=f"check {path}")
    updated = with_block(text)
    if updated is None:
        return Result(name, ERROR, f"{path.name} has a tracker-governance BEGIN marker without "
                      "its END (or the reverse)", fix=f"remove the stray marker from {path.name}")
    if updated == text:
        return Result(name, OK, f"{path.name} describes the htrac protocol (managed block)")
    if not ctx.writes_worktree:
        what = "an outdated" if text and BEGIN in text else "no"
        return Result(name, WARN, f"{path.name} has {what} htrac protocol block",
                      fix=ctx.setup_command)
    try:
        files.replace_text(ctx.repo, path.name, updated)
    except files.UnsafePath as exc:
        return Result(name, ERROR, f"refused: {exc}", fix=f"look at {path.name}, move it aside, "
                      "then htrac setup")
    except OSError as exc:
        return Result(name, ERROR, f"cannot write {path.name}: {exc.strerror}",
                      fix=f"check the permissions of {path}")
    verb = "created" if text is None else "updated the htrac block in"
    return Result(name, FIXED, f"{verb} {path.name}")


def with_block(text: str | None) -> str | None:
    """`text` with the managed block in place (appended when absent); None when the markers
    are unbalanced, so nobody's text is overwritten by guesswork."""
    if text is None:
        return f"# Agent Instructions\n\n{BLOCK}\n"
    begin, end = text.find(BEGIN), text.find(END)
    if begin < 0 and end < 0:
        return text.rstrip("\n") + "\n\n" + BLOCK + "\n" if text.strip() else BLOCK + "\n"
    if begin < 0 or end < begin or text.count(BEGIN) != 1 or text.count(END) != 1:
        return None
    return text[:begin] + BLOCK + text[end + len(END):]


CHECKS = [check_agent_hooks, check_agents_md]
