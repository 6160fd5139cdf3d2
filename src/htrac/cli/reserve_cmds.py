"""File reservations: reserve, reservations."""

from __future__ import annotations

import click

from ..core.ids import short
from ..core.lease import describe_left
from .completion import item_option
from .context import Context, json_option, pass_ctx, resolve_session, session_option
from .render import as_json, one_line


@click.command()
@click.argument("paths", nargs=-1, required=True)
@item_option("--item", "ref", required=True, help="The item you hold a claim on.")
@session_option
@json_option
@pass_ctx
def reserve(ctx: Context, paths: tuple[str, ...], ref: str, session_name: str | None) -> None:
    """Reserve PATHS (globs; a directory reserves what is in it) under your claim on an item.

    Released with the claim (release, done) or when its lease expires. Other actors' commits
    touching them get a warning from the pre-commit hook (or a refusal, with
    claims.reservations: refuse).
    """
    from ..service.reservations import reserve as add

    item = add(ctx.tracker, ref, list(paths), session=resolve_session(session_name))
    held = item.claim.paths if item.claim else []
    if ctx.json:
        click.echo(as_json({"id": item.id, "paths": held}, indent=None))
    else:
        click.echo(f"reserved under {short(item.id)}: {one_line(', '.join(held))}")


@click.command()
@click.argument("path", required=False)
@json_option
@pass_ctx
def reservations(ctx: Context, path: str | None) -> None:
    """Live file reservations (those covering PATH, when given)."""
    from ..service.reservations import reservations as live

    found = live(ctx.tracker, path)
    if ctx.json:
        click.echo(as_json([r.as_dict() for r in found]))
        return
    if not found:
        click.echo("(no reservations)" if path is None else f"(nothing reserves {path})")
    for r in found:
        h = r.holding
        click.echo(f"{one_line(r.glob)}  {h.item.id}  {one_line(h.holder)}  "
                   f"{describe_left(h.lease.seconds_left)} left  {one_line(h.item.title)}")
