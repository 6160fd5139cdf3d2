"""The bodies of the commands agents and their stop hooks run most: `ready`, `show`,
`count-todos`, `hash-todos`. They are written without click so that `cli.entry` can run them
directly when the command line has nothing to parse; the click commands (`list_cmds`,
`item_cmds`, `hook_cmds`) call these same functions, so both ways print the same thing."""

from __future__ import annotations

from ..core.display import inline
from .render import as_json, as_json_streamed, echo, echo_notices, echo_pieces, list_rows, show_text

TYPE_CHECKING = False  # `cli.quick` prints through these too, and can't afford `typing`
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..core.item import Item
    from ..service.claimnotices import Notice
    from ..service.holdings import Holding
    from ..service.listing import ReadyView
    from ..service.tracker import Tracker
    from .state import Context


def ready(ctx: Context, limit: int | None = None) -> None:
    """Items you can start now, numbered for :N; then items with unread human messages."""
    from ..service.claimnotices import mark_told, untold
    from ..service.listing import ready_view

    view = ready_view(ctx.tracker, summary=True)
    notices = untold(ctx.tracker, lambda: _session(ctx), view.claimed)
    if ctx.json:
        echo_pieces(ready_json(ctx.tracker, view, notices, limit=limit))
    else:
        echo(ready_output(view, notices, limit=limit))
    mark_told(ctx.tracker, notices)


def ready_json(tracker: Tracker, view: ReadyView, notices: list[Notice], *,
               limit: int | None = None) -> Iterator[str]:
    """What `--json ready` prints, in pieces: whole items, each decoded as it is written."""
    from ..service.listing import whole

    rows = view.ready[:limit] if limit else view.ready  # 0: no limit, as in the reference
    rest: dict = {}
    if view.notes:
        rest["expired_claims"] = [{"id": i, "note": n} for i, n in view.notes.items()]
    if notices:
        rest["lost_claims"] = [n.text for n in notices]
    if view.unread:
        rest["items_with_unread_messages"] = [
            {"id": i.id, "title": i.title, "status": i.status, "priority": i.priority,
             "unread_count": len(i.unread_human())} for i in whole(tracker, view.unread)]
    if view.damaged:
        rest["damaged_items"] = [{"id": i.id, "tier": i.tier, "problems": len(i.problems)}
                                 for i in view.damaged]
    if view.broken:
        rest["damaged_tiers"] = [{"tier": t, "problem": p} for t, p in view.broken]
    return as_json_streamed("ready", (i.as_dict(include_deleted=False)
                                      for i in whole(tracker, rows)), rest)


def ready_output(view: ReadyView, notices: list[Notice], *, limit: int | None = None) -> str:
    """What `ready` prints as text: numbered rows of summaries, then what else it must say."""
    items = view.ready[:limit] if limit else view.ready  # 0: no limit, as in the reference
    lines = list_rows(items)
    if view.notes:  # leases that ran out: said beside their rows
        lines = [_noted(row, view.notes.get(i.id)) for row, i in zip(lines, items, strict=True)]
    lines = lines or ["(no ready items)"]
    if view.unread:
        lines += ["", f"--- {len(view.unread)} item(s) with unread human message(s) ---"]
        lines += [f"  {i.id}  [{inline(i.status)}]  {inline(i.title)}  "
                  f"({i.unread} unread)" for i in view.unread]
        lines += ["", "  View:  htrac show <ID>", "  Reply: htrac discuss <ID> \"your reply\""]
    if view.broken:
        lines += ["", f"--- {len(view.broken)} tier directory(ies) can't be read: their items "
                      "are not listed; restore them (git checkout -- .agent) ---"]
        lines += [f"  {tier}: {inline(problem)}" for tier, problem in view.broken]
    if view.damaged:
        lines += ["", f"--- {len(view.damaged)} damaged item(s): state uncertain, "
                      "see htrac show <ID> ---"]
        lines += [f"  {i.id}  [{i.tier}]  "
                  f"{inline(i.problems[0].describe() if i.problems else '')}"
                  for i in view.damaged]
    if notices:
        lines += ["", f"--- {len(notices)} claim(s) of yours lost to another session ---"]
        lines += [f"  {inline(n.text)}" for n in notices]
    return "\n".join(lines)


def _noted(row: str, note: str | None) -> str:
    return f"{row}  ({inline(note)}: offered again)" if note else row


def _session(ctx: Context) -> str:
    from ..service.sessions import current

    return current(ctx.session).name


def show(ctx: Context, ref: str, include_deleted: bool = False,
         include_history: bool = False) -> None:
    """Show an item (REF: full ID, unique prefix, first word, or :N)."""
    item = ctx.tracker.show(ref)
    held = None
    if item.claim is not None or item.lost_claims:
        from ..service.claimnotices import about_item
        from ..service.holdings import holding

        held = holding(ctx.tracker, item)
        echo_notices(about_item(ctx.tracker, item, _session(ctx)))
    echo(show_output(item, json=ctx.json, include_deleted=include_deleted,
                     include_history=include_history, holding=held))


def show_output(item: Item, *, json: bool, include_deleted: bool = False,
                include_history: bool = False, holding: Holding | None = None) -> str:
    """What `show` prints for `item` (its claim's holder and lease: `holding`)."""
    if json:
        data = item.as_dict(history=include_history, include_deleted=include_deleted)
        if holding is not None:
            data["claim"] = holding.as_dict()
        return as_json(data)
    return show_text(item, include_deleted=include_deleted, history=include_history,
                     holding=holding)


def count_todos(ctx: Context, hard: bool = False, soft: bool = False) -> None:
    """Print how many blocking items are in the stop hook's scope (damaged items count)."""
    from ..service.stophook import count_todos as count

    echo(count_output(count(ctx.tracker, hard=hard, soft=soft), json=ctx.json))


def count_output(n: int, *, json: bool) -> str:
    # `as_json({"count": n}, indent=None)`, spelled out: `json` costs a stop hook 5 ms
    return f'{{"count": {int(n)}}}' if json else str(n)


def hash_todos(ctx: Context) -> None:
    """Print a SHA-256 of the blocking items in scope; it changes when any of them changes."""
    from ..service.stophook import hash_todos as todo_hash

    echo(hash_output(todo_hash(ctx.tracker), json=ctx.json))


def hash_output(digest: str, *, json: bool) -> str:
    if json and digest.isalnum() and digest.isascii():  # hex: nothing to escape
        return f'{{"hash": "{digest}"}}'
    return as_json({"hash": digest}, indent=None) if json else digest
