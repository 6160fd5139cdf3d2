"""`htrac brief`: what an agent needs after a restart or a compaction, within a token budget."""

from __future__ import annotations

import click

from .completion import item_argument
from .context import Context, json_option, pass_ctx, resolve_session, session_option
from .render import as_json


@click.command()
@item_argument(required=False)
@click.option("--budget", type=click.IntRange(min=50), default=1000, show_default=True,
              metavar="TOKENS", help="Most tokens the brief may take (cl100k_base).")
@session_option
@json_option
@pass_ctx
def brief(ctx: Context, ref: str | None, budget: int, session_name: str | None) -> None:
    """Print your brief: humans waiting for you, your session's claims and your work in
    progress (goal, must-remember notes, links, latest message), what changed since the
    session's last brief, what is ready next, the board's latest. With REF, that item first and
    whole. Numbers the ready list as :N aliases."""
    from ..service.brief import brief as make

    result = make(ctx.tracker, ref, budget=budget, session=resolve_session(session_name))
    if ctx.json:
        click.echo(as_json({"text": result.text, "tokens": result.tokens,
                            "budget": result.budget}))
    else:
        click.echo(result.text)
