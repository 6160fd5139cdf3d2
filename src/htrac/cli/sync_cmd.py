"""`htrac sync`, and auto-sync after mutating commands."""

from __future__ import annotations

import click

from .context import Context, json_option, pass_ctx
from .render import as_json, one_line
from .writes import after_write


def after_command(ctx: click.Context) -> None:
    """Run auto-sync once a mutating command succeeded (`writes.after_write`)."""
    if isinstance(ctx.obj, Context):
        after_write(ctx.invoked_subcommand, ctx.obj)


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
