"""`htrac board`: tracker-wide messages between agents and humans."""

from __future__ import annotations

import click

from .context import Context, json_option, pass_ctx
from .render import as_json, entry_head, one_line


@click.command()
@click.option("-m", "--message", help="Post this message.")
@click.option("--last", type=click.IntRange(min=1), default=20, show_default=True,
              help="Show the last N messages.")
@click.option("--lock", "action", flag_value="lock", help="Close the board to agents (human).")
@click.option("--unlock", "action", flag_value="unlock", help="Open it again (human).")
@click.option("--clear", "action", flag_value="clear", help="Empty the board (human).")
@json_option
@pass_ctx
def board(ctx: Context, message: str | None, last: int, action: str | None) -> None:
    """Read the board, or post to it with -m. Stored as an op-log, merged and governed like an
    item's discussion (a human may lock or clear it)."""
    from ..service import board as boards

    if action:
        boards.govern(ctx.tracker, action)
    if message is not None:
        boards.post(ctx.tracker, message)
    view = boards.read(ctx.tracker, last)
    if ctx.json:
        click.echo(as_json({"messages": [e.as_dict() for e in view.entries], "total": view.total,
                            "locked": view.locked,
                            "problems": [p.as_dict() for p in view.board.problems]}))
        return
    if not view.entries:
        click.echo("(the board is empty)")
    for entry in view.entries:
        summary = "[summary] " if entry.is_summary else ""
        click.echo(f"{entry_head(entry)}: {summary}{one_line(entry.message)}")
    if view.locked:
        click.echo("(the board is locked: only humans may post)")
    for problem in view.board.problems:
        click.echo(f"problem: {one_line(problem.describe())}")
