"""The `htrac` command under click: global options and lazy subcommands (`entry` runs the few
hot command lines that need no parsing without it)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from .. import __version__
from .context import Context
from .entry import fail, guarded

# Subcommands load their module only when run, so `htrac ready` pays for nothing else.
COMMANDS = {
    "init": "htrac.cli.setup_cmds:init",
    "add": "htrac.cli.item_cmds:add",
    "show": "htrac.cli.item_cmds:show",
    "log": "htrac.cli.item_cmds:log",
    "lock": "htrac.cli.governance_cmds:lock",
    "unlock": "htrac.cli.governance_cmds:unlock",
    "freeze": "htrac.cli.governance_cmds:freeze",
    "unfreeze": "htrac.cli.governance_cmds:unfreeze",
    "repair-drift": "htrac.cli.governance_cmds:repair_drift",
    "delete": "htrac.cli.governance_cmds:delete",
    "edit-mode": "htrac.cli.governance_cmds:edit_mode",
    "delete-msg": "htrac.cli.governance_cmds:delete_msg",
    "undelete-msg": "htrac.cli.governance_cmds:undelete_msg",
    "edit-msg-text": "htrac.cli.governance_cmds:edit_msg_text",
    "keys": "htrac.cli.governance_cmds:keys",
    "fork-setup": "htrac.cli.governance_cmds:fork_setup",
    "setup": "htrac.cli.doctor_cmds:setup",
    "doctor": "htrac.cli.doctor_cmds:doctor",
    "validate": "htrac.cli.validate_cmd:validate",
    "textconv": "htrac.cli.textconv_cmd:textconv",
    "cache-rebuild": "htrac.cli.cache_cmd:cache_rebuild",
    "watch": "htrac.cli.watch_cmds:watch",
    "sync": "htrac.cli.sync_cmd:sync",
    "promote": "htrac.cli.tier_cmds:promote",
    "demote": "htrac.cli.tier_cmds:demote",
    "stealth": "htrac.cli.tier_cmds:stealth",
    "unstealth": "htrac.cli.tier_cmds:unstealth",
    "reconcile-reset": "htrac.cli.tier_cmds:reconcile_reset",
    "count-todos": "htrac.cli.hook_cmds:count_todos",
    "hash-todos": "htrac.cli.hook_cmds:hash_todos",
    "guidance": "htrac.cli.hook_cmds:guidance",
    "hook": "htrac.cli.hook_cmds:hook",
    "update": "htrac.cli.update_cmd:update",
    "discuss": "htrac.cli.discuss_cmd:discuss",
    "ready": "htrac.cli.list_cmds:ready",
    "list": "htrac.cli.list_cmds:list_",
    "check-messages": "htrac.cli.list_cmds:check_messages",
    "deps": "htrac.cli.list_cmds:deps",
    "tags": "htrac.cli.tags_cmds:tags",
    "batch": "htrac.cli.batch_cmd:batch",
    "completion": "htrac.cli.completion:completion",
    "serve": "htrac.cli.serve_cmds:serve",
    "mcp": "htrac.cli.mcp_cmd:mcp",
    "reconcile": "htrac.cli.reconcile_cmds:reconcile",
    "recover": "htrac.cli.reconcile_cmds:recover",
    "migrate": "htrac.cli.reconcile_cmds:migrate",
    "claim": "htrac.cli.claim_cmds:claim",
    "release": "htrac.cli.claim_cmds:release",
    "heartbeat": "htrac.cli.claim_cmds:heartbeat",
    "stale": "htrac.cli.claim_cmds:stale",
    "agents": "htrac.cli.claim_cmds:agents",
    "reserve": "htrac.cli.reserve_cmds:reserve",
    "reservations": "htrac.cli.reserve_cmds:reservations",
    "board": "htrac.cli.board_cmd:board",
    "tui": "htrac.cli.tui_cmd:tui",
    "remember": "htrac.cli.memory_cmds:remember",
    "forget": "htrac.cli.memory_cmds:forget",
    "link": "htrac.cli.memory_cmds:link",
    "unlink": "htrac.cli.memory_cmds:unlink",
    "search": "htrac.cli.search_cmd:search",
    "verify": "htrac.cli.verify_cmd:verify",
    "brief": "htrac.cli.brief_cmd:brief",
    "clusters": "htrac.cli.analysis_cmds:clusters",
    "priority-trend": "htrac.cli.analysis_cmds:priority_trend",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx: click.Context):
        return guarded(lambda: super(LazyGroup, self).invoke(ctx),
                       passthrough=(click.exceptions.Exit, click.ClickException, click.Abort))


@click.group(cls=LazyGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--tracker-root", type=click.Path(path_type=Path, file_okay=False),
              help="The tracker's .agent directory (default: found by walking up from here).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--no-auto-sync", is_flag=True, help="Don't commit and push ops after this command.")
@click.version_option(__version__, "--version", prog_name="htrac")
@click.pass_context
def cli(ctx: click.Context, tracker_root: Path | None, as_json: bool, no_auto_sync: bool) -> None:
    """htrac: a work tracker in your git repository, for AI agents and the humans who govern
    them."""
    ctx.obj = Context(tracker_root=tracker_root, json=as_json, auto_sync=not no_auto_sync)
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(1)


@cli.result_callback()
@click.pass_context
def _after_command(ctx: click.Context, _result: object, **_options: object) -> None:
    from .sync_cmd import after_command
    after_command(ctx)


def main() -> None:
    try:
        code = cli.main(prog_name="htrac", standalone_mode=False)
    except UnicodeDecodeError:
        fail("an argument is not valid text in this locale", 2)
    except click.exceptions.Exit as done:
        raise SystemExit(done.exit_code) from None
    except click.Abort:
        fail("aborted", 1)
    except click.UsageError as exc:
        fail(usage_line(exc), exc.exit_code)
    except click.ClickException as exc:
        fail(exc.format_message(), exc.exit_code)
    if isinstance(code, int) and code:  # click returns what ctx.exit(code) asked for
        raise SystemExit(code)


def usage_line(exc: click.UsageError) -> str:
    """A usage error as one line, as every other error is: click's own message, lower-cased
    as htrac's messages are, and where the help is (click prints usage, a hint and the error
    on four lines)."""
    message = exc.format_message().replace("\n", " ")
    message = message[:1].lower() + message[1:]
    where = exc.ctx.command_path if exc.ctx is not None else "htrac"
    if where == "htrac":  # an option of a subcommand can fail before its context exists
        named = next((a for a in sys.argv[1:] if a in COMMANDS), None)
        where = f"htrac {named}" if named else where
    return f"{message.rstrip('.')} (see '{where} --help')"
