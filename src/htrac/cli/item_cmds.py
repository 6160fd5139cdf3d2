"""Item commands: add, show, log."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import hot, writes
from .completion import complete_kind, complete_status, item_argument, item_option
from .context import Context, json_option, pass_ctx
from .render import as_json, clean


@click.command()
@click.option("--kind", required=True, shell_complete=complete_kind,
              help="Kind of item (see config: work_item, invariant…).")
@click.option("--title", required=True, help="One-line title.")
@click.option("--status", shell_complete=complete_status,
              help="Initial status (default: the kind's first blocking status).")
@click.option("--priority", type=int, default=2, show_default=True, help="0 (most urgent) to 4.")
@item_option("--parent", help="Parent item (ID, prefix or :N).")
@click.option("--tag", "tags", multiple=True, help="Tag (repeatable).")
@item_option("--isbefore", multiple=True,
             help="Item this one must finish before (repeatable).")
@click.option("--description", help="Description text.")
@click.option("--description-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Read the description from a file.")
@click.option("--description-stdin", is_flag=True, help="Read the description from stdin.")
@click.option("--pr-ref", help="Pull request reference.")
@click.option("--field", "field_pairs", multiple=True, metavar="KEY=VALUE",
              help="Custom field (repeatable); values are strings.")
@click.option("--force-field-key", is_flag=True,
              help="Accepted for the reference's scripts; changes nothing: a field the kind's "
                   "fields_schema doesn't declare is refused either way (validate would "
                   "refuse it). Declare new fields in config.yaml.")
@click.option("--tier", default="workspace", show_default=True,
              type=click.Choice(["canonical", "workspace", "stealth"]), help="Tier to create in.")
@click.option("--link", "links", multiple=True, metavar="URI",
              help="Attach a link (an absolute URI; repeatable).")
@click.option("--evidence", multiple=True, metavar="FORM:VALUE",
              help="Evidence for an item created closed: commit:SHA, pr:N, test:NAME, url:URL.")
@json_option
@pass_ctx
def add(ctx: Context, kind: str, title: str, status: str | None, priority: int,
        parent: str | None, tags: tuple[str, ...], isbefore: tuple[str, ...],
        description: str | None, description_file: Path | None, description_stdin: bool,
        pr_ref: str | None, field_pairs: tuple[str, ...], force_field_key: bool,
        tier: str, links: tuple[str, ...], evidence: tuple[str, ...]) -> None:
    """Create an item and print its ID."""
    writes.add(ctx, kind=kind, title=title, status=status, priority=priority, parent=parent,
               tags=tags, isbefore=isbefore, description=description,
               description_file=description_file, description_stdin=description_stdin,
               pr_ref=pr_ref, field_pairs=field_pairs, force_field_key=force_field_key,
               tier=tier, links=links, evidence=evidence)


@click.command()
@item_argument()
@click.option("--include-deleted", is_flag=True, help="Show deleted (tombstoned) messages.")
@click.option("--include-history", is_flag=True, help="Show earlier texts of edited messages.")
@click.option("--as-of", metavar="COMMIT|DATE",
              help="The item as the files were in that commit (any revision), or in the last "
                   "commit on or before that date (YYYY-MM-DD[THH:MM[:SS]]).")
@json_option
@pass_ctx
def show(ctx: Context, ref: str, include_deleted: bool, include_history: bool,
         as_of: str | None) -> None:
    """Show an item (REF: full ID, unique prefix, first word, or :N)."""
    if as_of is None:
        hot.show(ctx, ref, include_deleted, include_history)
        return
    from ..service import timetravel
    from .render import show_text

    moment = timetravel.resolve(ctx.tracker, as_of)
    item = timetravel.item_at(ctx.tracker, ref, moment)
    if ctx.json:
        click.echo(as_json(item.as_dict(history=include_history,
                                        include_deleted=include_deleted)))
    else:
        click.echo(f"{moment.describe()}:")
        click.echo(show_text(item, include_deleted=include_deleted, history=include_history))


@click.command()
@item_argument()
@click.option("--explain", is_flag=True,
              help="Each op in the order the fold judged it (ops it can't read first): "
                   "whose authority it carries, applied or rejected (and why), what it "
                   "changed.")
@json_option
@pass_ctx
def log(ctx: Context, ref: str, explain: bool) -> None:
    """Print an item's raw op log (REF: full ID, unique prefix, first word, or :N)."""
    if explain:
        _explain(ctx, ref)
        return
    data = ctx.tracker.raw_log(ref)
    if ctx.json:
        click.echo(as_json({"log": data.decode("utf-8", "replace")}, indent=None))
    elif sys.stdout.isatty():  # whoever wrote the file must not drive this terminal
        click.echo(clean(data.decode("utf-8", "replace")), nl=False)
    else:
        sys.stdout.buffer.write(data)  # the exact bytes, for a pipe or a file


def _explain(ctx: Context, ref: str) -> None:
    from ..core.display import name
    from ..service.explain import describe, explain
    from ..service.history import as_json as step_json
    from .render import one_line

    found = explain(ctx.tracker, ref)
    if ctx.json:
        click.echo(as_json({"id": found.item_id, "tier": found.tier,
                            "steps": [{"n": n, **step_json(s)}
                                      for n, s in enumerate(found.steps, 1)],
                            "damaged": found.damaged}))
        return
    click.echo(f"{found.item_id} [{found.tier}]: {len(found.steps)} op(s) in fold order")
    for n, step in enumerate(found.steps, 1):
        op = step.op
        # everything from the file is someone's text: set in by core.display's rule
        click.echo(f"{n:>3}  {name(str(op.type)):<17} {name(str(op.nonce)[:8]):<8}  "
                   f"clock {name(str(op.clock)):<4} {name(str(op.at))}  "
                   f"{name(str(op.actor or '?'))} ({step.who})  {step.outcome}")
        for change in step.changes:
            click.echo(f"       {one_line(describe(change))}")
        if step.reason:
            click.echo(f"       why: {one_line(step.reason)}")
    for line in found.damaged:
        click.echo(f"  damaged: {one_line(line)}")
