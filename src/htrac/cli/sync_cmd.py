"""`htrac sync`, and auto-sync after mutating commands."""

from __future__ import annotations

import click

from .context import Context, json_option, pass_ctx
from .render import as_json, one_line

# Commands after which auto-sync may run, and only when they wrote (`Tracker.wrote`): reading
# a thread with `discuss ID` or `edit-mode status` never starts a git process.
MUTATING = frozenset({
    "add", "update", "discuss", "lock", "unlock", "freeze", "unfreeze", "repair-drift",
    "promote", "demote", "stealth", "unstealth", "delete", "reconcile-reset", "batch",
    "edit-mode", "delete-msg", "undelete-msg", "edit-msg-text", "recover",
})


def after_command(ctx: click.Context) -> None:
    """Run auto-sync once a mutating command succeeded; its failures are notes, never errors."""
    obj = ctx.obj
    if ctx.invoked_subcommand not in MUTATING or not isinstance(obj, Context) or not obj.auto_sync:
        return
    if obj._tracker is None or not obj._tracker.wrote:
        return
    try:
        from ..service.sync import Syncer
        note = Syncer(obj.tracker).auto()
    except Exception as exc:  # the command already succeeded; sync is best effort
        note = f"auto-sync skipped: {exc}"
    if note:
        click.echo(one_line(note), err=True)


@click.command()
@click.option("--dry-run", is_flag=True, help="Show what would be committed; change nothing.")
@json_option
@pass_ctx
def sync(ctx: Context, dry_run: bool) -> None:
    """Commit the ops files, merge the upstream's ops (merge=union) and push."""
    from ..service.sync import Syncer

    report = Syncer(ctx.tracker).run(dry_run=dry_run)
    if ctx.json:
        click.echo(as_json(report.as_dict()))
        return
    print_report(report)


def print_report(report) -> None:
    """A sync's report as text (`sync`, `reconcile`)."""
    dry_run = report.dry_run
    verb = "would commit" if dry_run else "committed"
    if report.committed_files:
        click.echo(f"{verb} {len(report.committed_files)} ops file(s) "
                   f"({report.pending_lines} lines)")
        if dry_run:
            for path in report.committed_files:
                click.echo(f"  {one_line(path)}")
    else:
        click.echo("no local ops to commit")
    if report.arrived:
        click.echo(f"arrived: {sum(report.arrived.values())} op(s) on "
                   f"{len(report.arrived)} item(s)")
        for item_id, count in sorted(report.arrived.items()):
            click.echo(f"  {item_id}  +{count}")
    if report.other_files:
        shown = ", ".join(report.other_files[:5])
        more = f" and {len(report.other_files) - 5} more" if len(report.other_files) > 5 else ""
        click.echo(one_line(f"merged {len(report.other_files)} other file(s) from "
                            f"{report.upstream}: {shown}{more}"))
    if not report.arrived and not report.other_files and not dry_run and report.upstream:
        click.echo(f"nothing new from {report.upstream}")
    if report.pushed:
        click.echo(f"pushed to {report.upstream}")
    for note in report.notes:
        click.echo(one_line(note))
