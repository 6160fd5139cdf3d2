"""`htrac validate`: check ops files, the staged commit, or history; exit 1 on any error."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .context import Context, json_option, pass_ctx
from .render import as_json, one_line


@click.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--staged", is_flag=True,
              help="Check what the next commit holds (the index), including append-only "
                   "against HEAD. The pre-commit hook uses this.")
@click.option("--check-locks", is_flag=True,
              help="Report agent ops on fields a human locked before them (in clock order).")
@click.option("--strict", is_flag=True, help="Treat every warning as an error (in every mode).")
@click.option("--since", metavar="REV",
              help="Also check every commit after REV for removed or altered ops.")
@json_option
@pass_ctx
def validate(ctx: Context, files: tuple[Path, ...], staged: bool, check_locks: bool,
             strict: bool, since: str | None) -> None:
    """Validate the tracker (default), FILES, the staged commit, or history since REV."""
    from ..service.validate import Options, Validator

    options = Options(files=files, staged=staged, check_locks=check_locks, strict=strict,
                      since=since)
    report = Validator(ctx.tracker).run(options)
    if ctx.json:
        click.echo(as_json(report.as_dict()))
    else:
        for line in report.errors:
            click.echo(f"ERROR: {one_line(line)}")
        for line in report.warnings:
            click.echo(f"WARNING: {one_line(line)}")
        for line in report.notices:
            click.echo(f"NOTICE: {one_line(line)}")
        if report.ok:
            click.echo("validation passed")
    if not report.ok:
        sys.exit(1)
