"""The bodies of the writes agents make all day — `update`, `discuss ID MESSAGE`, `add` — and
what follows a write (auto-sync), without click.

The click commands (`update_cmd`, `discuss_cmd`, `item_cmds`) call these same functions, and
`cli.entry` calls them directly for a command line simple enough to need no parser
(`cli.writeline`), so both ways print the same thing. Importing and setting up click is about a
fifth of such a write.
"""

from __future__ import annotations

import sys

from ..core.errors import InvalidValueError
from .render import as_json, clean, echo, echo_notices, one_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from ..core.item import Item
    from .state import Context

# The link options of `update`: --add-NAME / --remove-NAME.
LINK_OPTIONS = (("isbefore", "isbefore link (this item must finish before ID)"),
                ("duplicate-of", "duplicate-of link"),
                ("not-duplicate-of", "not-duplicate-of link (silences similarity warnings)"))

# Commands after which auto-sync may run, and only when they wrote (`Tracker.wrote`): reading
# a thread with `discuss ID` or `edit-mode status` never starts a git process.
MUTATING = frozenset({
    "add", "update", "discuss", "lock", "unlock", "freeze", "unfreeze", "repair-drift",
    "promote", "demote", "stealth", "unstealth", "delete", "reconcile-reset", "batch",
    "edit-mode", "delete-msg", "undelete-msg", "edit-msg-text", "recover",
})


# -- update ----------------------------------------------------------------------------------

def update(ctx: Context, ref: str, opts: dict[str, Any]) -> None:
    """`htrac update REF …`; `opts` holds every option of the click command, by its name."""
    from ..service.itemops import UpdateRequest, update_item

    result = update_item(ctx.tracker, ref, _request(UpdateRequest, opts))
    warn(result.warnings)
    if result.item.claim is not None or result.item.lost_claims:
        _notices(ctx, result.item)
    if ctx.json:
        data: dict = {"ok": True}
        if result.changes:
            data["changes"] = [{"field": c.field, "detail": c.detail} for c in result.changes]
        echo(as_json(data, indent=None))
    elif result.changes:
        from ..core.ids import short

        words = "; ".join(f"{c.field}: {c.detail}" for c in result.changes)
        echo(f"updated {short(result.item.id)}: {one_line(words)}")
    else:
        echo("updated")


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


# -- add -------------------------------------------------------------------------------------

def add(ctx: Context, *, kind: str, title: str, status: str | None, priority: int,
        parent: str | None, tags: tuple[str, ...], isbefore: tuple[str, ...],
        description: str | None, description_file: Path | None, description_stdin: bool,
        pr_ref: str | None, field_pairs: tuple[str, ...], force_field_key: bool,
        tier: str, links: tuple[str, ...], evidence: tuple[str, ...]) -> None:
    """`htrac add …`: create an item and print its ID."""
    from ..service.itemops import add_item

    item, warnings = add_item(
        ctx.tracker, force_field_key=force_field_key, links=links,
        kind=kind, title=title, status=status, priority=priority, parent=parent, tags=tags,
        isbefore=isbefore, pr_ref=pr_ref, fields=parse_fields(field_pairs), tier=tier,
        evidence=evidence,
        description=read_description(description, description_file, description_stdin))
    warn(warnings)
    echo(as_json({"id": item.id}, indent=None) if ctx.json else item.id)


# -- discuss ID MESSAGE ----------------------------------------------------------------------

def post(ctx: Context, ref: str, message: str, ack_thread: bool) -> None:
    """`htrac discuss REF MESSAGE`: add a message to the item's thread."""
    from ..service import discussion

    try:
        item = discussion.post(ctx.tracker, ref, message, ack_thread=ack_thread)
    except discussion.UnreadThreadError as gate:
        echo(gate_text(gate.item, gate.unread))
        raise
    if item.claim is not None or item.lost_claims:
        _notices(ctx, item)
    echo(as_json({"ok": True}, indent=None) if ctx.json else "discussed")


def gate_text(item: Item, unread) -> str:
    from ..core.display import inline, name

    lines = ["", "Not posted: a human wrote last on this item, and you have not acknowledged it:"]
    lines += [f"  [{name(e.at)}] {name(e.actor)}: {inline(e.message)}" for e in unread]
    lines += ["", "Read the thread, then post again with --ack-thread:",
              f"  htrac discuss {item.id} \"<your reply>\" --ack-thread"]
    return "\n".join(lines)


# -- shared ----------------------------------------------------------------------------------

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
        echo(f"warning: {clean(message)}", err=True)


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


def _notices(ctx: Context, item: Item) -> None:
    from ..service.claimnotices import about_item
    from ..service.sessions import current

    echo_notices(about_item(ctx.tracker, item, current(None).name))


def after_write(command: str | None, obj: Context) -> None:
    """Run auto-sync once a mutating command succeeded; its failures are notes, never errors."""
    if command not in MUTATING or not obj.auto_sync:
        return
    if obj._tracker is None or not obj._tracker.wrote:
        return
    from ..service.autosync import threshold

    if threshold(obj._tracker.layout.tracker_dir) <= 0:
        return  # off: neither the sync machinery nor a git process
    try:
        from ..service.sync import Syncer
        note = Syncer(obj.tracker).auto()
    except Exception as exc:  # the command already succeeded; sync is best effort
        note = f"auto-sync skipped: {exc}"
    if note:
        echo(one_line(note), err=True)
