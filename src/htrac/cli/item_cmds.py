"""Item commands: add, show, log."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.errors import InvalidValueError
from .context import Context, json_option, pass_ctx
from .render import as_json, show_text


def _fields(pairs: tuple[str, ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InvalidValueError(f"--field {pair!r}: use --field key=value")
        fields[key] = value
    return fields


def _description(text: str | None, path: Path | None, stdin: bool) -> str:
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
        return sys.stdin.read()
    return text or ""


@click.command()
@click.option("--kind", required=True, help="Kind of item (see config: work_item, invariant…).")
@click.option("--title", required=True, help="One-line title.")
@click.option("--status", help="Initial status (default: the kind's first blocking status).")
@click.option("--priority", type=int, default=2, show_default=True, help="0 (most urgent) to 4.")
@click.option("--parent", help="Parent item (ID, prefix or :N).")
@click.option("--tag", "tags", multiple=True, help="Tag (repeatable).")
@click.option("--isbefore", multiple=True, help="Item this one must finish before (repeatable).")
@click.option("--description", help="Description text.")
@click.option("--description-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Read the description from a file.")
@click.option("--description-stdin", is_flag=True, help="Read the description from stdin.")
@click.option("--pr-ref", help="Pull request reference.")
@click.option("--field", "field_pairs", multiple=True, metavar="KEY=VALUE",
              help="Custom field (repeatable).")
@click.option("--tier", default="workspace", show_default=True,
              type=click.Choice(["canonical", "workspace", "stealth"]), help="Tier to create in.")
@json_option
@pass_ctx
def add(ctx: Context, kind: str, title: str, status: str | None, priority: int,
        parent: str | None, tags: tuple[str, ...], isbefore: tuple[str, ...],
        description: str | None, description_file: Path | None, description_stdin: bool,
        pr_ref: str | None, field_pairs: tuple[str, ...], tier: str) -> None:
    """Create an item and print its ID."""
    item = ctx.tracker.add(
        kind=kind, title=title, status=status, priority=priority, parent=parent, tags=tags,
        isbefore=isbefore, pr_ref=pr_ref, fields=_fields(field_pairs), tier=tier,
        description=_description(description, description_file, description_stdin))
    click.echo(as_json({"id": item.id}, indent=None) if ctx.json else item.id)


@click.command()
@click.argument("ref")
@click.option("--include-deleted", is_flag=True, help="Show deleted (tombstoned) messages.")
@click.option("--include-history", is_flag=True, help="Show earlier texts of edited messages.")
@json_option
@pass_ctx
def show(ctx: Context, ref: str, include_deleted: bool, include_history: bool) -> None:
    """Show an item (REF: full ID, unique prefix, first word, or :N)."""
    item = ctx.tracker.show(ref)
    if ctx.json:
        click.echo(as_json(item.as_dict(history=include_history,
                                        include_deleted=include_deleted)))
    else:
        click.echo(show_text(item, include_deleted=include_deleted, history=include_history))


@click.command()
@click.argument("ref")
@json_option
@pass_ctx
def log(ctx: Context, ref: str) -> None:
    """Print an item's raw op log."""
    data = ctx.tracker.raw_log(ref)
    if ctx.json:
        click.echo(as_json({"log": data.decode("utf-8", "replace")}, indent=None))
    else:
        sys.stdout.buffer.write(data)
