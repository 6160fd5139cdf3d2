"""Text output: items in the reference's layouts; what others wrote set in by `core.display`'s
rule, so it can't pose as a line of the output (docs/design/output.md)."""

from __future__ import annotations

import sys

from ..core.display import block, inline, name, names, own_lines

__all__ = ["clean", "one_line", "echo", "as_json", "show_text", "entry_head", "list_row",
           "list_rows"]

TYPE_CHECKING = False  # `typing` is not imported on the hot read path
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

    from ..core.item import Entry, Item
    from ..core.summary import Summary

INDENT = "      "  # continuation lines of a multi-line value in `show`


def echo(text: str, *, err: bool = False) -> None:
    """Print one message and flush, as `click.echo` does for text (without importing click:
    see `cli.entry`). What reaches here has been through `core.display`, so there is nothing
    to strip."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


clean = own_lines  # htrac's own multi-line text (an error, a warning), made safe line by line
one_line = inline


def as_json(data: Any, *, indent: int | None = 2, sort_keys: bool = False) -> str:
    import json  # only --json answers need it

    return json.dumps(data, indent=indent, sort_keys=sort_keys)


def as_json_streamed(key: str, elements: Iterable[Any], rest: dict[str, Any]) -> Iterator[str]:
    """`as_json({key: list(elements), **rest})`, in pieces: each element is encoded when it
    comes, so a listing of 20,000 whole items is never held at once (`--json ready`)."""
    import json

    yield "{\n  " + json.dumps(key) + ": ["
    empty = True
    for element in elements:  # JSON text has no raw newline but its own: indent those
        yield ("\n    " if empty else ",\n    ") + json.dumps(element, indent=2).replace(
            "\n", "\n    ")
        empty = False
    yield "]" if empty else "\n  ]"
    for field, value in rest.items():
        yield ",\n  " + json.dumps(field) + ": " + json.dumps(value, indent=2).replace(
            "\n", "\n  ")
    yield "\n}"


def echo_pieces(pieces: Iterable[str]) -> None:
    """`echo("".join(pieces))` without joining them."""
    for piece in pieces:
        sys.stdout.write(piece)
    sys.stdout.write("\n")
    sys.stdout.flush()


def _value(value: Any) -> str:
    return "null" if value is None else inline(str(value))


def show_text(item: Item, *, include_deleted: bool = False, history: bool = False,
              holding=None) -> str:
    lines = [f"{item.id}  {inline(item.title)}" + ("  [DAMAGED]" if item.damaged else "")]
    lines.append(f"  status: {inline(item.status)}  priority: P{item.priority}  "
                 f"tags: {names(item.tags)}")
    lines.append(f"  parent: {_value(item.parent)}  isbefore: {names(item.isbefore)}  "
                 f"pr_ref: {_value(item.pr_ref)}")
    for key, value in item.fields.items():
        lines.append(f"  fields.{name(key)}: {block(str(value), INDENT)}")
    if item.description:
        lines.append(f"  description: {block(item.description, INDENT)}")
    lines.extend(_memory_lines(item))
    shown = [e for e in item.discussion if include_deleted or not e.is_tombstoned]
    lines.append(f"  discussion: ({len(shown)} entries)" if item.discussion
                 else "  discussion: (none)")
    for entry in shown:
        mark = "[DELETED] " if entry.is_tombstoned else ""
        summary = "[summary] " if entry.is_summary else ""
        lines.append(f"    {mark}{entry_head(entry)}: {summary}{block(entry.message, INDENT)}")
        if history:
            lines.extend(f"      edit-history: {block(old, INDENT)}" for old in entry.edit_history)
    hidden = len(item.discussion) - len(shown)
    if hidden:
        lines.append(f"  (not shown: {hidden} deleted messages)")
    if item.locked_fields:
        lines.append(f"  locked: {names(sorted(item.locked_fields))}")
    if item.duplicate_of:
        lines.append(f"  duplicate_of: {names(item.duplicate_of)}")
    if item.not_duplicate_of:
        lines.append(f"  not_duplicate_of: {names(item.not_duplicate_of)}")
    lines.append(f"  tier: {item.tier}  created: {inline(item.created_at)}  "
                 f"updated: {inline(item.updated_at)}")
    lines.extend(_claim_lines(item, holding))
    if item.frozen:
        lines.append("  *** FROZEN ***")
    if item.cross_tier_conflict:
        lines.append("  *** CROSS-TIER CONFLICT ***")
    lines.extend(f"  problem: {inline(p.describe())}" for p in item.problems)
    return "\n".join(lines)


def _claim_lines(item: Item, holding) -> list[str]:
    """The holder and lease left (service.holdings), reservations, lost claims."""
    lines = []
    if holding is not None:
        from ..service.holdings import describe

        claim = holding.claim
        since = f"  since {inline(claim.taken_at)}"
        taken = f"  (taken over from {inline(claim.taken_from)})" if claim.taken_from else ""
        lines.append(f"  claim: {inline(describe(holding))}{since}{taken}")
        if claim.paths:
            lines.append(f"  reserves: {names(claim.paths)}")
    for lost in item.lost_claims[-5:]:
        lines.append(f"  lost claim: {name(lost.actor)}/{inline(lost.session)} "
                     f"{inline(lost.action)} at {inline(lost.at)} — {inline(lost.reason)}")
    return lines


def entry_head(entry: Entry) -> str:
    """`[at] actor (by)`: who wrote a message, as every printer shows it."""
    return f"[{name(entry.at)}] {name(entry.actor)} ({name(entry.by)})"


def _memory_lines(item: Item) -> list[str]:
    """htrac's own state: must-remember notes, links, the evidence of the current status."""
    lines: list[str] = []
    if item.memory:
        lines.append(f"  must-remember: ({len(item.memory)})")
        lines.extend(f"    {name(m.nonce[:8])}  {name(m.actor)} ({name(m.by)}): {inline(m.text)}"
                     for m in item.memory)
    if item.links:
        lines.append(f"  links: {names(item.links)}")
    if item.evidence:
        lines.append(f"  evidence: {names(item.evidence)} ({name(item.status_by or '')} "
                     f"{name(item.status_actor or '')} set {inline(item.status)})")
    return lines


STATUS_WIDTH = 12  # the reference's status column


def _status(item: Item | Summary) -> str:
    return inline(item.status if not item.damaged else (item.status or "damaged"))


def list_rows(items: list[Item] | list[Summary]) -> list[str]:
    """Numbered rows in the reference's columns; the status column widens to the longest
    status shown (`needs_human_review` would push its row's other columns out of line).

    `ready` prints 20,000 of these at 100,000 items, so each row is one f-string: a status
    and a tier column are made once per distinct value, and a title made safe only when it
    isn't plain printable ASCII (what `inline` would return unchanged)."""
    statuses: dict[str, str] = {}
    damaged: dict[str, str] = {}
    shown = []
    for item in items:
        known = damaged if item.damaged else statuses
        status = known.get(item.status)
        if status is None:
            status = known[item.status] = _status(item)
        shown.append(status)
    width = max([STATUS_WIDTH, *map(len, statuses.values()), *map(len, damaged.values())])
    tiers: dict[str, str] = {}
    rows = []
    for n, (item, status) in enumerate(zip(items, shown, strict=True), 1):
        tier = tiers.get(item.tier)
        if tier is None:
            tier = tiers[item.tier] = f"{'[' + item.tier + ']':<12}"
        title = item.title
        if not (title.isascii() and title.isprintable()):
            title = inline(title)
        rows.append(f"{n:>2}  {item.id}  {status:<{width}} P{item.priority}  {tier} {title}")
    return rows


def list_row(n: int, item: Item | Summary, width: int = STATUS_WIDTH) -> str:
    tier = f"[{item.tier}]"
    return (f"{n:>2}  {item.id}  {_status(item):<{width}} P{item.priority}  {tier:<12} "
            f"{inline(item.title)}")


def echo_notices(lines: list[str]) -> None:
    """What a command tells this session about its claims (service.claimnotices), on stderr."""
    for text in lines:
        echo(inline(text), err=True)
