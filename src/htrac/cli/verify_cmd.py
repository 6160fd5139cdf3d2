"""`htrac verify`: re-check closed items' evidence against git."""

from __future__ import annotations

import sys

import click

from .completion import item_argument
from .context import Context, json_option, pass_ctx
from .render import as_json, one_line


@click.command()
@item_argument(required=False, nargs=-1)
@json_option
@pass_ctx
def verify(ctx: Context, ref: tuple[str, ...]) -> None:
    """Re-check the evidence of closed items (REF…, or every closed item that cites evidence or
    whose kind needs it) against git: cited commits still exist and are on the evidence rule's
    branches, cited tests are still in the files, cited pull requests were merged.

    Exit status 1 when an item an agent closed under the rule is unproven (evidence gone,
    unverifiable or missing) — the items the stop hook counts as open. For CI."""
    from ..service.evidence import closed_items
    from ..service.evidence import verify as check
    from ..store.layout import TIERS

    tracker = ctx.tracker
    items = [tracker.show(r) for r in ref] if ref else closed_items(tracker, TIERS)
    verdicts = check(tracker, items)
    failed = [v for v in verdicts if v.counts_open]
    if ctx.json:
        click.echo(as_json({"ok": not failed, "items": [
            {"id": v.item.id, "status": v.item.status, "closed_by": v.item.status_by,
             "state": v.state, "evidence": v.item.evidence, "details": v.details}
            for v in verdicts]}))
    else:
        for v in verdicts:
            click.echo(f"{v.state:<13} {v.item.id}  {one_line(v.item.status)}  "
                       f"{one_line(v.item.title)}")
            for detail in v.details:
                click.echo(f"    {one_line(detail)}")
        click.echo(f"{len(verdicts)} item(s) checked, {len(failed)} unproven"
                   if verdicts else "(no closed items with evidence to check)")
    if failed:
        sys.exit(1)
