"""`htrac textconv FILE`: an ops file as readable text, for `git diff` and `git log -p`."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def textconv(file: Path) -> None:
    """Print FILE's compiled item as text (git's `tracker` diff driver runs this)."""
    from ..service.textconv import render_file

    try:
        if not file.is_file():  # a device or FIFO could never end
            raise IsADirectoryError(0, "not a regular file")
        data = file.read_bytes()
    except OSError as exc:
        click.echo(f"error: cannot read {file}: {exc.strerror}", err=True)
        sys.exit(1)
    sys.stdout.write(render_file(file.name, data))
