"""`htrac discuss`: read an item's thread, post to it, summarize or clear it."""

from __future__ import annotations

import click

from ..core.display import block, inline, name
from ..core.errors import InvalidValueError
from ..core.item import Item
from . import writes
from .completion import item_argument
from .context import Context, json_option, pass_ctx
from .render import as_json
from .writes import gate_text  # noqa: F401 (tests and other surfaces import it from here)


@click.command()
@item_argument()
@click.argument("message", required=False)
@click.option("--clear", is_flag=True, help="Remove every message (human only).")
@click.option("--summarize", metavar="TEXT",
              help="Replace the thread with this summary (an agent's summary keeps the "
                   "humans' messages).")
@click.option("--ack-thread", is_flag=True,
              help="Confirm you have read the human's unread messages (agents must, to post "
                   "after a human).")
@json_option
@pass_ctx
def discuss(ctx: Context, ref: str, message: str | None, clear: bool, summarize: str | None,
            ack_thread: bool) -> None:
    """Show an item's discussion, or add MESSAGE to it (REF: ID, prefix, or :N)."""
    from ..service import discussion

    actions = [a for a in (message is not None, clear, summarize is not None) if a]
    if len(actions) > 1:
        raise InvalidValueError("give only one of MESSAGE, --clear, --summarize")
    if not actions:
        item = discussion.thread(ctx.tracker, ref)
        click.echo(as_json([e.as_dict(history=True) for e in item.discussion]) if ctx.json
                   else thread_text(item))
        return
    if clear:
        discussion.clear(ctx.tracker, ref)
    elif summarize is not None:
        discussion.summarize(ctx.tracker, ref, summarize)
    else:
        writes.post(ctx, ref, message or "", ack_thread)
        return
    click.echo(as_json({"ok": True}, indent=None) if ctx.json else "discussed")


def thread_text(item: Item) -> str:
    # Deleted messages stay hidden here as in `show` (the reference prints them unmarked).
    entries = [e for e in item.discussion if not e.is_tombstoned]
    hidden = len(item.discussion) - len(entries)
    head = f"{item.id} — {inline(item.title)}"
    footer = [f"(not shown: {hidden} deleted messages)"] if hidden else []
    if not entries:
        return "\n".join([head, "Discussion: (no entries)", *footer])
    lines = [head, f"Discussion ({len(entries)} entries):"]
    for n, entry in enumerate(entries, 1):
        summary = "  (summary)" if entry.is_summary else ""
        lines += ["", f"  [{n}] {name(entry.at)}  {name(entry.by)}  {name(entry.actor)}"
                      f"{summary}", "      " + block(entry.message, "      ")]
    if footer:
        lines += ["", *footer]
    return "\n".join(lines)
