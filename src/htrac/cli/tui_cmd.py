"""`htrac tui`: the human's console (loads Textual only when run)."""

from __future__ import annotations

import click

from .context import Context, pass_ctx


@click.command()
@click.option("--no-live", is_flag=True, help="Don't follow changes made by others.")
@pass_ctx
def tui(ctx: Context, no_live: bool) -> None:
    """The human's console: lists, board, needs-you, activity, detail; every action by key."""
    import sys
    import time

    from ..tui.backend import opening

    started = time.monotonic()
    # counts the items and reads the first rows while Textual is imported
    backend = opening(ctx.tracker_root, live=not no_live)
    from ..tui.app import create_app

    app = create_app(live=not no_live, backend=backend)
    # as the reference: on the terminal's main screen (left there when the TUI's screen goes)
    print(backend.startup_line(started), file=sys.stderr, flush=True)
    app.run()
