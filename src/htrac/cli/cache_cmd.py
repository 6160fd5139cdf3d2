"""`htrac cache-rebuild`: rebuild this user's derived index."""

from __future__ import annotations

import click

from .context import Context, json_option, pass_ctx


@click.command("cache-rebuild")
@json_option
@pass_ctx
def cache_rebuild(ctx: Context) -> None:
    """Rebuild the derived index from the ops files (it is only a cache; nothing is lost)."""
    from ..service.cache import rebuild_cache

    rebuild_cache(ctx.tracker)
    click.echo('{"ok": true}' if ctx.json else "cache rebuilt")
