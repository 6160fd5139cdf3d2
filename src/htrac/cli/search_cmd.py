"""`htrac search`: full-text search over every item's text."""

from __future__ import annotations

import click

from .context import Context, json_option, pass_ctx
from .render import as_json, one_line


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="Most results to print (0: all).")
@click.option("--tier", "tiers", multiple=True,
              type=click.Choice(["canonical", "workspace", "stealth"]),
              help="Search only this tier (repeatable; default all).")
@json_option
@pass_ctx
def search(ctx: Context, query: tuple[str, ...], limit: int, tiers: tuple[str, ...]) -> None:
    """Find items by the words in their title, description, fields, discussion, must-remember
    notes, links and tags; best match first, with the match marked «like this».

    Words match whole words, ignoring case and accents; `word*` matches words starting with it;
    "a phrase" matches those words in a row. Every word and phrase must occur."""
    from ..service.fulltext import search as find
    from ..store.layout import TIERS

    hits = find(ctx.tracker, " ".join(query), tiers=tiers or TIERS, limit=limit or None)
    if ctx.json:
        click.echo(as_json({"query": " ".join(query), "results": [h.as_dict() for h in hits]}))
        return
    if not hits:
        click.echo("(no matches)")
        return
    for n, hit in enumerate(hits, 1):
        click.echo(f"{n:>2}  {hit.id}  {one_line(hit.status):<12} P{hit.priority}  "
                   f"{'[' + hit.tier + ']':<12} {one_line(hit.title)}")
        click.echo(f"      {one_line(hit.snippet_text())}")
