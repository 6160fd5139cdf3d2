"""`htrac brief`: what an agent needs after a restart or a compaction, within a token budget."""

from __future__ import annotations

import click

from .completion import item_argument
from .context import Context, json_option, pass_ctx
from .render import as_json


@click.command()
@item_argument(required=False)
@click.option("--budget", type=click.IntRange(min=50), default=1000, show_default=True,
              metavar="TOKENS", help="Most tokens the brief may take (cl100k_base).")
@click.option("--session", metavar="ID",
              help="Your agent session: the brief then says what changed since this "
                   "session's last brief.")
@json_option
@pass_ctx
def brief(ctx: Context, ref: str | None, budget: int, session: str | None) -> None:
    """Print your brief: humans waiting for you, your work in progress (goal, must-remember
    notes, links, latest message), what changed since you last looked, what is ready next.
    With REF, that item first and whole. Numbers the ready list as :N aliases."""
    from ..service.brief import brief as make

    result = make(ctx.tracker, ref, budget=budget, session=session)
    if ctx.json:
        click.echo(as_json({"text": result.text, "tokens": result.tokens,
                            "budget": result.budget}))
    else:
        click.echo(result.text)
