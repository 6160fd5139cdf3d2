"""The reference's last commands: `reconcile`, `recover` (deprecated) and `migrate`."""

from __future__ import annotations

from pathlib import Path

import click

from .context import Context, json_option, pass_ctx
from .render import as_json, one_line


@click.command()
@click.option("--base-branch", metavar="BRANCH",
              help="The branch to sync with; htrac syncs the current branch with its upstream, "
                   "so this must name that branch (default: whatever it is).")
@click.option("--timeout", type=click.IntRange(min=0), metavar="SECONDS",
              help="Accepted for the reference's scripts: htrac waits for no CI run.")
@click.option("--dry-run", is_flag=True, help="Say what each step would do; change nothing.")
@json_option
@pass_ctx
def reconcile(ctx: Context, base_branch: str | None, timeout: int | None,
              dry_run: bool) -> None:
    """Put the tracker straight after a sync that failed half-way: restore ops the reference's
    journal holds and the worktree lacks, then sync (commit, merge the upstream, push)."""
    from ..service.reconcile import reconcile as run

    done = run(ctx.tracker, dry_run=dry_run, base_branch=base_branch)
    if ctx.json:
        click.echo(as_json(done.as_dict()))
        return
    _restored(done.restored)
    from .sync_cmd import print_report

    print_report(done.sync)


@click.command()
@click.option("--dry-run", is_flag=True, help="Say what would be restored; change nothing.")
@json_option
@pass_ctx
def recover(ctx: Context, dry_run: bool) -> None:
    """Deprecated (as in the reference): only the journal step of `reconcile`."""
    from ..service.reconcile import recover as run

    restored = run(ctx.tracker, dry_run=dry_run)
    if ctx.json:
        click.echo(as_json(restored.as_dict()))
        return
    click.echo("recover is deprecated: 'htrac reconcile' restores and syncs", err=True)
    _restored(restored)


def _restored(restored) -> None:
    if restored.journal is None:
        click.echo("journal: none (htrac keeps none; no reference journal for this repository)")
    else:
        verb = "would restore" if restored.dry_run else "restored"
        total = sum(restored.items.values())
        click.echo(f"journal {one_line(str(restored.journal))}: {verb} {total} op(s) on "
                   f"{len(restored.items)} item(s)")
        for item_id, count in sorted(restored.items.items()):
            click.echo(f"  {item_id}  +{count}")
    for note in restored.skipped:
        click.echo(f"  skipped: {one_line(note)}")


@click.command()
@click.option("--ledger", type=click.Path(path_type=Path, dir_okay=False),
              help="The reference's invariant-ledger.md (default: .agent/invariant-ledger.md).")
@click.option("--work-items", type=click.Path(path_type=Path, dir_okay=False),
              help="The reference's work_items.md (default: "
                   "~/hypergumbo_lab_notebook/work_items.md).")
@click.option("--dry-run", is_flag=True, help="The same: migrate never changes anything.")
@json_option
@pass_ctx
def migrate(ctx: Context, ledger: Path | None, work_items: Path | None, dry_run: bool) -> None:
    """Say what to run instead of the reference's one-shot markdown import: htrac reads the
    reference's ops as they are, and init/setup scaffold. Exit 1 while something is left."""
    from ..service import checks
    from ..service.migrate import plan

    found = plan(checks.repository(ctx.tracker_root), ledger, work_items)
    if ctx.json:
        click.echo(as_json(found.as_dict()))
    else:
        click.echo("htrac needs no migration from hypergumbo-tracker: it reads its ops files, "
                   "config and attributes as they are.")
        for path in found.markdown:
            click.echo(f"found {one_line(str(path))}: markdown the reference's migrate imports")
        if found.complete:
            click.echo("nothing to do: the tracker is here, and no markdown to import")
        for step in found.steps:
            click.echo(f"run: {one_line(step)}")
    if not found.complete:
        raise SystemExit(1)
