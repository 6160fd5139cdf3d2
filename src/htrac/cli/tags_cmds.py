"""`htrac tags`: the tags in use, their counts and meaning; rename, describe, deprecate."""

from __future__ import annotations

import click

from .context import Context, json_option, pass_ctx
from .render import as_json, one_line


@click.group(invoke_without_command=True)
@click.option("--count", is_flag=True,
              help="Show each tag's item count and status (by count, then name).")
@json_option
@pass_ctx
@click.pass_context
def tags(click_ctx: click.Context, ctx: Context, count: bool) -> None:
    """List the tags of canonical and workspace items; manage the tag catalog."""
    if click_ctx.invoked_subcommand is not None:
        return
    from ..service.tags import tag_rows, tags_in_use

    if ctx.json:
        click.echo(as_json({r.name: r.as_dict() for r in tag_rows(ctx.tracker)},
                           sort_keys=True))
    elif count:
        for row in tag_rows(ctx.tracker):
            click.echo(f"{one_line(row.name)}\t{row.count}\t{row.status}")
    else:
        names = tags_in_use(ctx.tracker)
        click.echo("\n".join(one_line(n) for n in names) if names else "(no tags)")


@tags.command()
@click.argument("old")
@click.argument("new")
@json_option
@pass_ctx
def rename(ctx: Context, old: str, new: str) -> None:
    """Replace tag OLD by NEW on every canonical and workspace item."""
    from ..service.tags import rename as rename_tag

    touched = rename_tag(ctx.tracker, old, new)
    click.echo(as_json({"ok": True, "items": touched}, indent=None) if ctx.json
               else f"renamed {one_line(old)} → {one_line(new)} on {touched} item(s)")


@tags.command()
@click.argument("tag")
@click.argument("text", required=False)
@json_option
@pass_ctx
def describe(ctx: Context, tag: str, text: str | None) -> None:
    """Set TAG's one-line description to TEXT, or print it."""
    from ..service.tags import describe as describe_tag

    description = describe_tag(ctx.tracker, tag, text)
    if ctx.json:
        click.echo(as_json({"tag": tag, "description": description}, indent=None))
    elif text is None:
        click.echo(one_line(description))
    else:
        click.echo(f"described {one_line(tag)}")


@tags.command()
@click.argument("tag")
@click.option("--in-favor-of", metavar="NEW", help="The tag to use instead.")
@json_option
@pass_ctx
def deprecate(ctx: Context, tag: str, in_favor_of: str | None) -> None:
    """Mark TAG deprecated: adding it later prints a warning naming NEW."""
    from ..service.tags import deprecate as deprecate_tag

    deprecate_tag(ctx.tracker, tag, in_favor_of)
    if ctx.json:
        click.echo(as_json({"ok": True}, indent=None))
    else:
        instead = f" (in favor of {one_line(in_favor_of)})" if in_favor_of else ""
        click.echo(f"deprecated {one_line(tag)}{instead}")
