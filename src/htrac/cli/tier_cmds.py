"""Tier commands: promote, demote, stealth, unstealth, reconcile-reset."""

from __future__ import annotations

import click

from .context import Context, json_option, pass_ctx
from .render import as_json

_DONE = {"promote": "promoted", "demote": "demoted", "stealth": "stealthed",
         "unstealth": "unstealthed"}
_HELP = {
    "promote": "Move an item from the workspace tier to the canonical tier.",
    "demote": "Move an item from the canonical tier to the workspace tier.",
    "stealth": "Move a workspace item to the stealth tier (local only, never committed; human).",
    "unstealth": "Move a stealth item back to the workspace tier (human).",
}


def _move_command(op_type: str) -> click.Command:
    @click.command(name=op_type, help=_HELP[op_type])
    @click.argument("ref")
    @json_option
    @pass_ctx
    def command(ctx: Context, ref: str) -> None:
        from ..service.moves import move

        move(ctx.tracker, ref, op_type)
        click.echo(as_json({"ok": True}, indent=None) if ctx.json else _DONE[op_type])

    return command


promote = _move_command("promote")
demote = _move_command("demote")
stealth = _move_command("stealth")
unstealth = _move_command("unstealth")


@click.command(name="reconcile-reset")
@click.argument("item_id")
@json_option
@pass_ctx
def reconcile_reset(ctx: Context, item_id: str) -> None:
    """Merge an item's copies in several tiers into one, keeping every distinct op (human)."""
    from ..service.moves import reconcile_reset as reset

    tier, merged, blocks = reset(ctx.tracker, item_id)
    if ctx.json:
        click.echo(as_json({"ok": True, "tier": tier, "merged_from": merged, "ops": blocks},
                           indent=None))
    else:
        click.echo(f"reconciled: {blocks} op(s) kept in {tier} (merged from {', '.join(merged)})")
