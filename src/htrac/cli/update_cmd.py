"""`htrac update`: change an item's values, links, fields, and leave a note."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.errors import InvalidValueError
from .completion import complete_status, item_argument, item_option
from .context import Context, json_option, pass_ctx, resolve_session
from .item_cmds import parse_fields, read_description, warn
from .render import as_json, echo_notices, one_line

LINK_OPTIONS = (("isbefore", "isbefore link (this item must finish before ID)"),
                ("duplicate-of", "duplicate-of link"),
                ("not-duplicate-of", "not-duplicate-of link (silences similarity warnings)"))


def _link_options(command):
    for name, what in reversed(LINK_OPTIONS):
        dest = name.replace("-", "_")
        command = item_option(f"--remove-{name}", f"remove_{dest}", multiple=True,
                              metavar="ID", help=f"Remove {what} (repeatable).")(command)
        command = item_option(f"--add-{name}", f"add_{dest}", multiple=True, metavar="ID",
                              help=f"Add {what} (repeatable).")(command)
    return command


@click.command()
@item_argument()
@click.option("--status", shell_complete=complete_status, help="New status.")
@click.option("--priority", type=int, help="New priority, 0 (most urgent) to 4.")
@click.option("--title", help="New title.")
@item_option("--parent", help="New parent item (an empty value is ignored, as in the "
                              "reference: use --clear-parent).")
@click.option("--clear-parent", is_flag=True, help="Remove the parent: the item stands alone.")
@click.option("--pr-ref", help="New pull request reference.")
@click.option("--description", help="New description.")
@click.option("--description-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Read the new description from a file (no shell quoting needed).")
@click.option("--description-stdin", is_flag=True, help="Read the new description from stdin.")
@click.option("--add-tag", multiple=True, help="Add a tag (repeatable).")
@click.option("--remove-tag", multiple=True, help="Remove a tag (repeatable).")
@_link_options
@item_option("--add-blocked-by", multiple=True, metavar="ID",
             help="Make ID finish before this item: adds this item to ID's isbefore, "
                  "written on ID (repeatable).")
@item_option("--remove-blocked-by", multiple=True, metavar="ID",
             help="Undo --add-blocked-by: removes this item from ID's isbefore (repeatable).")
@click.option("--field", "field_pairs", multiple=True, metavar="KEY=VALUE",
              help="Set custom field KEY (repeatable). Merges: other fields are kept, "
                   "as in the reference; use --remove-field to drop one.")
@click.option("--add-field", "add_field_pairs", multiple=True, metavar="KEY=VALUE",
              help="Add or change one custom field, keeping the others (repeatable).")
@click.option("--remove-field", multiple=True, metavar="KEY",
              help="Remove a custom field (repeatable).")
@click.option("--force-field-key", is_flag=True,
              help="Accepted for the reference's scripts; changes nothing: a field the kind's "
                   "fields_schema doesn't declare is refused either way (validate would "
                   "refuse it). Declare new fields in config.yaml.")
@click.option("--add-link", multiple=True, metavar="URI",
              help="Attach a link (an absolute URI: https://…, file:///…; repeatable).")
@click.option("--remove-link", multiple=True, metavar="URI", help="Detach a link (repeatable).")
@click.option("--evidence", multiple=True, metavar="FORM:VALUE",
              help="Evidence for the new --status: commit:SHA, pr:N, test:NAME or url:URL "
                   "(repeatable). Closing statuses the tracker's evidence rule names need it "
                   "from an agent.")
@click.option("--note", help="Also add this message to the discussion.")
@click.option("--force", is_flag=True,
              help="Leave the kind's lifecycle (allowed status transitions): humans only.")
@json_option
@pass_ctx
def update(ctx: Context, ref: str, **opts) -> None:
    """Change an item (REF: full ID, unique prefix, first word, or :N).

    Prints `updated <ID>: <change>; <change>…`, or `updated` when nothing changed.
    """
    from ..service.itemops import UpdateRequest, update_item

    result = update_item(ctx.tracker, ref, _request(UpdateRequest, opts))
    warn(result.warnings)
    if result.item.claim is not None or result.item.lost_claims:
        from ..service.claimnotices import about_item

        echo_notices(about_item(ctx.tracker, result.item, resolve_session(None)))
    if ctx.json:
        data: dict = {"ok": True}
        if result.changes:
            data["changes"] = [{"field": c.field, "detail": c.detail} for c in result.changes]
        click.echo(as_json(data, indent=None))
    elif result.changes:
        words = "; ".join(f"{c.field}: {c.detail}" for c in result.changes)
        click.echo(f"updated {_short(result.item.id)}: {one_line(words)}")
    else:
        click.echo("updated")


def _short(item_id: str) -> str:
    from ..core.ids import short
    return short(item_id)


def _request(cls, opts: dict):
    if opts["field_pairs"] and (opts["add_field_pairs"] or opts["remove_field"]):
        raise InvalidValueError("--field and --add-field/--remove-field are mutually exclusive: "
                                "use one style")
    fields: dict = {**parse_fields(opts["field_pairs"]),
                    **parse_fields(opts["add_field_pairs"], "--add-field")}
    fields.update({key: None for key in opts["remove_field"]})
    description = None
    if (opts["description"] is not None or opts["description_file"] is not None
            or opts["description_stdin"]):
        description = read_description(opts["description"], opts["description_file"],
                                       opts["description_stdin"])
    add = {"tags": list(opts["add_tag"]), "links": list(opts["add_link"])}
    remove = {"tags": list(opts["remove_tag"]), "links": list(opts["remove_link"])}
    for name, _ in LINK_OPTIONS:
        dest = name.replace("-", "_")
        add[dest] = list(opts[f"add_{dest}"])
        remove[dest] = list(opts[f"remove_{dest}"])
    return cls(status=opts["status"], priority=opts["priority"], title=opts["title"],
               parent=opts["parent"], clear_parent=opts["clear_parent"],
               pr_ref=opts["pr_ref"], description=description,
               add={k: v for k, v in add.items() if v},
               remove={k: v for k, v in remove.items() if v},
               add_blocked_by=list(opts["add_blocked_by"]),
               remove_blocked_by=list(opts["remove_blocked_by"]),
               fields=fields, force_field_key=opts["force_field_key"], note=opts["note"],
               force=opts["force"], evidence=list(opts["evidence"]))
