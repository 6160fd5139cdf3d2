"""Item commands: add, show, log."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.errors import InvalidValueError
from . import hot
from .completion import complete_kind, complete_status, item_argument, item_option
from .context import Context, json_option, pass_ctx
from .render import as_json, clean


def parse_fields(pairs: tuple[str, ...], option: str = "--field") -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InvalidValueError(f"{option} {pair!r}: use {option} key=value")
        fields[key] = value
    return fields


def warn(messages: list[str]) -> None:
    for message in messages:
        click.echo(f"warning: {clean(message)}", err=True)


def read_description(text: str | None, path: Path | None, stdin: bool) -> str:
    given = [x for x in (text is not None, path is not None, stdin) if x]
    if len(given) > 1:
        raise InvalidValueError("give only one of --description, --description-file, "
                                "--description-stdin")
    if path is not None:
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidValueError(f"--description-file {path}: {exc}") from None
    if stdin:
        try:
            return sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidValueError("--description-stdin: the input is not UTF-8 text") from None
    return text or ""


@click.command()
@click.option("--kind", required=True, shell_complete=complete_kind,
              help="Kind of item (see config: work_item, invariant…).")
@click.option("--title", required=True, help="One-line title.")
@click.option("--status", shell_complete=complete_status,
              help="Initial status (default: the kind's first blocking status).")
@click.option("--priority", type=int, default=2, show_default=True, help="0 (most urgent) to 4.")
@item_option("--parent", help="Parent item (ID, prefix or :N).")
@click.option("--tag", "tags", multiple=True, help="Tag (repeatable).")
@item_option("--isbefore", multiple=True,
             help="Item this one must finish before (repeatable).")
@click.option("--description", help="Description text.")
@click.option("--description-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Read the description from a file.")
@click.option("--description-stdin", is_flag=True, help="Read the description from stdin.")
@click.option("--pr-ref", help="Pull request reference.")
@click.option("--field", "field_pairs", multiple=True, metavar="KEY=VALUE",
              help="Custom field (repeatable); values are strings.")
@click.option("--force-field-key", is_flag=True,
              help="Accepted for the reference's scripts; changes nothing: a field the kind's "
                   "fields_schema doesn't declare is refused either way (validate would "
                   "refuse it). Declare new fields in config.yaml.")
@click.option("--tier", default="workspace", show_default=True,
              type=click.Choice(["canonical", "workspace", "stealth"]), help="Tier to create in.")
@json_option
@pass_ctx
def add(ctx: Context, kind: str, title: str, status: str | None, priority: int,
        parent: str | None, tags: tuple[str, ...], isbefore: tuple[str, ...],
        description: str | None, description_file: Path | None, description_stdin: bool,
        pr_ref: str | None, field_pairs: tuple[str, ...], force_field_key: bool,
        tier: str) -> None:
    """Create an item and print its ID."""
    from ..service.itemops import add_item

    item, warnings = add_item(
        ctx.tracker, force_field_key=force_field_key,
        kind=kind, title=title, status=status, priority=priority, parent=parent, tags=tags,
        isbefore=isbefore, pr_ref=pr_ref, fields=parse_fields(field_pairs), tier=tier,
        description=read_description(description, description_file, description_stdin))
    warn(warnings)
    click.echo(as_json({"id": item.id}, indent=None) if ctx.json else item.id)


@click.command()
@item_argument()
@click.option("--include-deleted", is_flag=True, help="Show deleted (tombstoned) messages.")
@click.option("--include-history", is_flag=True, help="Show earlier texts of edited messages.")
@json_option
@pass_ctx
def show(ctx: Context, ref: str, include_deleted: bool, include_history: bool) -> None:
    """Show an item (REF: full ID, unique prefix, first word, or :N)."""
    hot.show(ctx, ref, include_deleted, include_history)


@click.command()
@item_argument()
@json_option
@pass_ctx
def log(ctx: Context, ref: str) -> None:
    """Print an item's raw op log (REF: full ID, unique prefix, first word, or :N)."""
    data = ctx.tracker.raw_log(ref)
    if ctx.json:
        click.echo(as_json({"log": data.decode("utf-8", "replace")}, indent=None))
    elif sys.stdout.isatty():  # whoever wrote the file must not drive this terminal
        click.echo(clean(data.decode("utf-8", "replace")), nl=False)
    else:
        sys.stdout.buffer.write(data)  # the exact bytes, for a pipe or a file
