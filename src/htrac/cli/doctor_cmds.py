"""`htrac setup` (the idempotent wizard, which fixes) and `htrac doctor` (which only reports)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .context import Context, json_option, pass_ctx
from .render import as_json, one_line

MARKS = {"ok": "[ok]", "fixed": "[fixed]", "warn": "[warn]", "error": "[error]"}


def _run_checks(ctx: Context, fix: bool, options: dict, root: Path | None = None) -> None:
    from ..service import checks

    repo = checks.repository(ctx.tracker_root, root)
    results = checks.run(checks.CheckContext(repo=repo, fix=fix, options=options))
    counts = checks.summary(results)
    if ctx.json:
        click.echo(as_json({"results": [r.as_dict() for r in results], "summary": counts}))
    else:
        for result in results:
            click.echo(f"{MARKS[result.status]} {result.name}: {one_line(result.message)}")
            for line in result.details:
                click.echo(f"      {one_line(line)}")
            if result.fix and result.status in ("warn", "error"):
                click.echo(f"      fix: {one_line(result.fix)}")
        stopped = fix and any(r.fatal and r.status == "error" for r in results)
        word = ("Setup stopped: nothing changed." if stopped else
                "Setup complete." if fix else "Doctor done.")
        click.echo(f"{word} ok={counts['ok']} fixed={counts['fixed']} warn={counts['warn']} "
                   f"error={counts['error']}")
    if counts["error"]:
        raise SystemExit(1)


@click.group(invoke_without_command=True)
@click.option("--agent-user", help="The agent's OS user: configure a two-user layout for it.")
@click.option("--human-user", help="The human's OS user (default: you); their public key goes "
                                   "into the trust root.")
@click.option("--layout", type=click.Choice(["clones", "shared"]),
              help="clones (recommended): separate clones and a shared bare repository; "
                   "shared: one worktree with group-writable ops directories.")
@click.option("--shared-repo", type=click.Path(path_type=Path),
              help="The bare repository both users push to (clones layout).")
@click.option("--agent-clone", type=click.Path(path_type=Path),
              help="Where the agent's clone goes (clones layout).")
@click.option("--group", help="The group both users share (default: this worktree's group).")
@click.option("--root", "root_dir", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="The repository to set up (default: the one you are in).")
@click.option("--no-signing", is_flag=True,
              help="Don't require signed human ops (doctor will report it).")
@click.option("--hooks", type=click.Choice(["auto", "managed", "project", "skip"]),
              default="auto", show_default=True,
              help="Where to install the Claude Code hooks: managed = machine-wide settings the "
                   "agent user can't change (needs root); auto offers that on a terminal, else "
                   "uses the project's .claude/settings.json.")
@click.option("--mcp", "mcp", type=click.Choice(["auto", "user", "managed", "skip"]),
              default="auto", show_default=True,
              help="Where to register `htrac mcp` for Claude Code: user = the agent user's own "
                   "~/.claude.json (--agent-user, else yours); managed = the machine's "
                   "managed-mcp.json (root; then only the servers it names run, for everyone); "
                   "auto = user with --agent-user or when you say yes on a terminal.")
@json_option
@pass_ctx
@click.pass_context
def setup(click_ctx: click.Context, ctx: Context, agent_user: str | None,
          human_user: str | None, layout: str | None, shared_repo: Path | None,
          agent_clone: Path | None, group: str | None, root_dir: Path | None,
          no_signing: bool, hooks: str, mcp: str) -> None:
    """Set up (or repair) htrac here: directories, git, hooks, users, the trust root."""
    if click_ctx.invoked_subcommand is not None:
        return
    if layout and not agent_user:
        raise click.UsageError("--layout needs --agent-user")
    if agent_user and not layout:
        layout = "clones" if shared_repo or agent_clone else None
    options = {"agent_user": agent_user, "human_user": human_user, "layout": layout,
               "shared_repo": shared_repo, "agent_clone": agent_clone, "group": group,
               "no_signing": no_signing, "hooks": hooks, "mcp": mcp,
               "confirm": _confirm if sys.stdin.isatty() else None}
    _run_checks(ctx, True, options, root_dir)


def _confirm(question: str) -> bool:
    return click.confirm(question, default=False)


@setup.command()
@pass_ctx
def configure(ctx: Context) -> None:
    """Edit the tracker config in $EDITOR; saved only if valid (human only)."""
    from ..service import configedit
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    changed = configedit.configure(ctx.tracker, editor)
    click.echo("config saved" if changed else "config unchanged")


@click.command()
@json_option
@pass_ctx
def doctor(ctx: Context) -> None:
    """Check everything setup sets up, and what an agent could use against the human; exit 1
    on any error. Changes nothing."""
    _run_checks(ctx, False, {})
