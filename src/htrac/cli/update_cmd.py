"""`htrac update`: change an item's values, links, fields, and leave a note."""

from __future__ import annotations

from pathlib import Path

import click

from . import writes
from .completion import complete_status, item_argument, item_option
from .context import Context, json_option, pass_ctx
from .writes import LINK_OPTIONS


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
    writes.update(ctx, ref, opts)
