"""Reading many items: ready, list, check-messages, deps."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..core.display import block, inline
from ..core.ids import short
from ..store.layout import TIERS
from . import hot
from .completion import complete_kind, complete_status, item_argument
from .context import Context, json_option, pass_ctx, resolve_session, session_option
from .render import as_json, echo_notices, entry_head, list_rows

if TYPE_CHECKING:
    from ..core.item import Entry, Item

PREVIEW = 500  # characters of description check-messages shows
PRIOR_PREVIEW = 200


def _limited(items: list[Item], limit: int | None) -> list[Item]:
    return items[:limit] if limit else items  # 0 means no limit, as in the reference


@click.command()
@click.option("--limit", type=click.IntRange(min=0), help="Show at most N items.")
@click.option("--claim", "take", is_flag=True,
              help="Claim the top ready item for this session (the next one when a racer got "
                   "it first); it becomes :1.")
@session_option
@json_option
@pass_ctx
def ready(ctx: Context, limit: int | None, take: bool, session_name: str | None) -> None:
    """Items you can start now, numbered for :N; then items with unread human messages.
    Items whose claim's lease expired are offered again; a live claim never is."""
    ctx.session = session_name
    if not take:
        hot.ready(ctx, limit)
        return
    from ..service.claims import claim_ready
    from .claim_cmds import show_claimed

    session = resolve_session(session_name)
    got = claim_ready(ctx.tracker, session=session)
    if got is None:
        click.echo(as_json({"id": None}, indent=None) if ctx.json else "(no ready items)")
        return
    ctx.tracker.store.aliases.save([got.item.id])
    show_claimed(ctx, got, session)


@click.command("list")
@click.option("--status", "statuses", multiple=True, shell_complete=complete_status,
              help="Only this status (repeatable).")
@click.option("--open", "open_", is_flag=True,
              help="Only open items (todo_hard, todo_soft, violated, pending_validation, "
                   "needs_human_review and any configured blocking status).")
@click.option("--kind", shell_complete=complete_kind,
              help="Only this kind (its name, e.g. work_item).")
@click.option("--tag", help="Only items with this tag.")
@click.option("--tier", type=click.Choice(TIERS), help="Only this tier.")
@click.option("--limit", type=click.IntRange(min=0), help="Show at most N items.")
@click.option("--query", "-q", "query", metavar="QUERY",
              help="Only items matching QUERY, in the query language (docs/guide/query.md), "
                   'e.g. "is:ready tag:ui -status:done parser"; the other filters add to it.')
@click.option("--as-of", metavar="COMMIT|DATE",
              help="The items as the files were in that commit, or in the last commit on or "
                   "before that date (YYYY-MM-DD…); not numbered for :N.")
@json_option
@pass_ctx
def list_(ctx: Context, statuses: tuple[str, ...], open_: bool, kind: str | None,
          tag: str | None, tier: str | None, limit: int | None, query: str | None,
          as_of: str | None) -> None:
    """List items by priority, numbered for :N."""
    from ..service.holdings import describe, of_listed
    from ..service.listing import ListFilter, list_items, query_items

    how = ListFilter(statuses, open_, kind, tag, tier)
    if as_of is not None:
        from ..core.errors import InvalidValueError
        from ..service.listing import list_items_as_of

        if query is not None:
            raise InvalidValueError("--as-of and --query can't be combined yet: use the "
                                    "other filters with --as-of")
        moment, items = list_items_as_of(ctx.tracker, how, as_of)
        items = _limited(items, limit)
        if ctx.json:
            click.echo(as_json([i.as_dict(include_deleted=False) for i in items]))
        else:
            rows = [f"{moment.describe()}:", *list_rows(items)]
            click.echo("\n".join(rows) if items else rows[0] + "\n(no items)")
        return
    if query is not None:
        items = _limited(query_items(ctx.tracker, query, how, whole=ctx.json), limit)
    else:
        items = _limited(list_items(ctx.tracker, how, summary=not ctx.json), limit)
    held = of_listed(ctx.tracker, items)
    if ctx.json:
        rows = []
        for i in items:
            row = i.as_dict(include_deleted=False)
            if i.id in held:
                row["claim"] = held[i.id].as_dict()
            rows.append(row)
        click.echo(as_json(rows))
    else:
        click.echo("\n".join(row + (f"  [{inline(describe(held[i.id]))}]" if i.id in held
                                    else "")
                              for row, i in zip(list_rows(items), items, strict=True))
                   or "(no items)")


@click.command("check-messages")
@click.option("--autolimit", type=click.IntRange(min=0), metavar="N",
              help="Show only the last N unread messages per item.")
@click.option("--human", "for_human", is_flag=True,
              help="The human's side: discussions with messages you have not read, by your "
                   "read state (the one the TUI and the web UI show and set).")
@click.option("--mark-read", is_flag=True,
              help="With --human: mark the discussions shown as read.")
@json_option
@pass_ctx
def check_messages(ctx: Context, autolimit: int | None, for_human: bool,
                   mark_read: bool) -> None:
    """Items whose discussion ends in human messages no agent has answered (--human: the
    discussions with messages the human has not read)."""
    from ..service.claimnotices import mark_told, untold
    from ..service.listing import check_messages as waiting_items
    from ..service.listing import unread_for_human

    if mark_read and not for_human:
        raise click.UsageError("--mark-read goes with --human")
    if for_human:
        waiting = unread_for_human(ctx.tracker, autolimit, mark_read=mark_read)
    else:
        waiting = waiting_items(ctx.tracker, autolimit)
    if not waiting and for_human:
        click.echo("[]" if ctx.json else "(no unread messages)")
        return
    notices = [] if for_human else untold(ctx.tracker, lambda: resolve_session(None))
    if ctx.json:
        click.echo(as_json([_waiting_dict(w) for w in waiting]))
        echo_notices([n.text for n in notices])  # the reference's JSON shape is a list
        mark_told(ctx.tracker, notices)
        return
    lost = [f"--- {len(notices)} claim(s) of yours lost to another session ---",
            *(f"  {inline(n.text)}" for n in notices)] if notices else []
    mark_told(ctx.tracker, notices)
    if not waiting:
        click.echo("\n".join(["(no unread human messages)", *lost]))
        return
    click.echo(waiting_text(waiting, lost))


def waiting_text(waiting, lost: tuple[str, ...] | list[str] = ()) -> str:
    blocks = []
    for w in waiting:
        item = w.item
        lines = [f"{item.id}  P{item.priority}  {inline(item.status)}  [{item.tier}]  "
                 f"{inline(item.title)}"]
        if item.description:
            lines.append(f"  description: {inline(_cut(item.description, PREVIEW))}")
        if item.pr_ref:
            lines.append(f"  pr_ref: {inline(item.pr_ref)}")
        if w.prior:
            lines.append("  prior discussion:")
            lines += [f"    {_entry_line(e, '      ', PRIOR_PREVIEW)}" for e in w.prior]
        lines += [f"  {_entry_line(e, '    ')}" for e in w.unread]
        blocks.append("\n".join(lines))
    if lost:
        blocks.append("\n".join(lost))
    return "\n\n".join(blocks)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _entry_line(entry: Entry, indent: str, limit: int | None = None) -> str:
    message = _cut(entry.message, limit) if limit else entry.message
    return f"{entry_head(entry)}: {block(message, indent)}"


def _waiting_dict(w) -> dict:
    item = w.item
    data = {"id": item.id, "title": item.title, "status": item.status,
            "priority": item.priority, "tier": item.tier, "description": item.description,
            "pr_ref": item.pr_ref,
            "unread_messages": [{"by": e.by, "actor": e.actor, "at": e.at,
                                 "message": e.message, "is_summary": e.is_summary}
                                for e in w.unread]}
    if item.discussion:
        data["prior_discussion"] = [{"by": e.by, "actor": e.actor, "at": e.at,
                                     "message": e.message} for e in w.prior]
    return data


@click.command()
@item_argument()
@json_option
@pass_ctx
def deps(ctx: Context, ref: str) -> None:
    """An item's parent, children, what it blocks and what blocks it."""
    from ..service.listing import deps as item_deps

    found = item_deps(ctx.tracker, ref)
    item = found.item
    if ctx.json:
        data: dict = {"id": item.id, "title": item.title, "status": item.status}
        if found.parent_id:
            data["parent"] = {"id": found.parent_id,
                              "title": found.parent.title if found.parent else None}
        for key, group in (("children", found.children), ("blocks", found.blocks),
                           ("blocked_by", found.blocked_by)):
            if group:
                data[key] = [{"id": i.id, "title": i.title, "status": i.status} for i in group]
        click.echo(as_json(data, indent=None))
        return
    lines = [_dep_line(item)]
    if found.parent_id:
        lines.append("  parent: " + (_dep_line(found.parent) if found.parent
                                     else f"{short(found.parent_id)}  (not found)"))
    for label, group, arrow in (("children", found.children, ""),
                                ("blocks", found.blocks, "→ "),
                                ("blocked by", found.blocked_by, "← ")):
        if group:
            lines.append(f"  {label} ({len(group)}):")
            lines += [f"    {arrow}{_dep_line(i)}" for i in group]
    click.echo("\n".join(lines))


def _dep_line(item: Item) -> str:
    return f"{short(item.id)}  {inline(item.title)}  [{inline(item.status)}]"
