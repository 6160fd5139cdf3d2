"""Memory commands: remember, forget, link, unlink."""

from __future__ import annotations

import click

from .completion import item_argument
from .context import Context, json_option, pass_ctx
from .render import as_json, one_line


@click.command()
@item_argument()
@click.argument("text")
@json_option
@pass_ctx
def remember(ctx: Context, ref: str, text: str) -> None:
    """Add a must-remember note to an item (at most 16 per item; shown by show and brief).

    Prints the entry's name, which `htrac forget REF NAME` takes."""
    from ..service.memory import remember as add

    item, entry = add(ctx.tracker, ref, text)
    if ctx.json:
        click.echo(as_json({"ok": True, "id": item.id, "entry": entry.as_dict()}, indent=None))
    else:
        click.echo(f"remembered {entry.nonce[:8]} on {item.id}")


@click.command()
@item_argument()
@click.argument("name")
@json_option
@pass_ctx
def forget(ctx: Context, ref: str, name: str) -> None:
    """Remove a must-remember note by its NAME (as htrac show lists it; a unique prefix of at
    least 4 characters will do). An agent can't remove a human's note."""
    from ..service.memory import forget as remove

    item, entry = remove(ctx.tracker, ref, name)
    if ctx.json:
        click.echo(as_json({"ok": True, "id": item.id, "forgot": entry.nonce}, indent=None))
    else:
        click.echo(f"forgot {entry.nonce[:8]} on {item.id}: {one_line(entry.text)[:60]}")


@click.command()
@item_argument()
@click.argument("uris", nargs=-1, required=True)
@json_option
@pass_ctx
def link(ctx: Context, ref: str, uris: tuple[str, ...]) -> None:
    """Attach links (absolute URIs: https://…, file:///…, pr:12, a session ID…) to an item."""
    _links(ctx, ref, uris, remove=False)


@click.command()
@item_argument()
@click.argument("uris", nargs=-1, required=True)
@json_option
@pass_ctx
def unlink(ctx: Context, ref: str, uris: tuple[str, ...]) -> None:
    """Detach links from an item."""
    _links(ctx, ref, uris, remove=True)


def _links(ctx: Context, ref: str, uris: tuple[str, ...], *, remove: bool) -> None:
    from ..service.memory import link as change

    item = change(ctx.tracker, ref, list(uris), remove=remove)
    if ctx.json:
        click.echo(as_json({"ok": True, "id": item.id, "links": item.links}, indent=None))
    else:
        click.echo(f"{item.id}: {len(item.links)} link(s)")
