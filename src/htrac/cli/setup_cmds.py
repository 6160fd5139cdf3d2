"""Tracker setup commands: init."""

from __future__ import annotations

from pathlib import Path

import click

from .context import Context, json_option, pass_ctx
from .render import as_json


@click.command()
@json_option
@pass_ctx
def init(ctx: Context) -> None:
    """Create the tracker directories in this directory (the repository root)."""
    from ..core.errors import InvalidValueError
    from ..gitio.sharing import is_repository
    from ..service.tracker import init_tracker

    base = ctx.tracker_root.parent if ctx.tracker_root else Path.cwd()
    if not base.is_dir() or not is_repository(base):
        raise InvalidValueError(f"{base} is not in a git repository: htrac keeps items in git "
                                f"(merges, the pre-commit hook, sync). Run 'git init' there "
                                "first, then 'htrac init'")
    layout = init_tracker(base)
    click.echo(as_json({"root": str(layout.root)}, indent=None) if ctx.json
               else f"initialized tracker at {layout.root}")
