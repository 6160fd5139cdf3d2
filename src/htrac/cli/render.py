"""Text output: items in the reference's layouts, with terminal escapes made harmless."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.item import Item
    from ..core.summary import Summary

# C0 controls but newline and tab, DEL, C1 controls, and bidirectional overrides that can make a
# terminal show text other than what is in the file.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def echo(text: str, *, err: bool = False) -> None:
    """Print one message and flush, as `click.echo` does for text (without importing click:
    see `cli.entry`). What reaches here has been through `clean`, so there is nothing to strip."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def clean(text: str, *, multiline: bool = True) -> str:
    """`text` with every character that could drive a terminal shown as an escape."""
    if text.isprintable():  # the common case: nothing to escape (C0/C1, bidi, \n, \t are not)
        return text
    text = _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", text)
    if not multiline:
        text = text.replace("\n", "\\n").replace("\t", "\\t")
    return text


def one_line(text: str) -> str:
    return clean(text, multiline=False)


def as_json(data: Any, *, indent: int | None = 2, sort_keys: bool = False) -> str:
    import json  # only --json answers need it

    return json.dumps(data, indent=indent, sort_keys=sort_keys)


def _list(values: list[str]) -> str:
    return "[" + ", ".join(one_line(str(v)) for v in values) + "]"


def _value(value: Any) -> str:
    return "null" if value is None else one_line(str(value))


def show_text(item: Item, *, include_deleted: bool = False, history: bool = False) -> str:
    lines = [f"{item.id}  {one_line(item.title)}" + ("  [DAMAGED]" if item.damaged else "")]
    lines.append(f"  status: {one_line(item.status)}  priority: P{item.priority}  "
                 f"tags: {_list(item.tags)}")
    lines.append(f"  parent: {_value(item.parent)}  isbefore: {_list(item.isbefore)}  "
                 f"pr_ref: {_value(item.pr_ref)}")
    for key, value in item.fields.items():
        lines.append(f"  fields.{one_line(key)}: {clean(str(value))}")
    if item.description:
        lines.append(f"  description: {clean(item.description)}")
    shown = [e for e in item.discussion if include_deleted or not e.is_tombstoned]
    lines.append(f"  discussion: ({len(shown)} entries)" if item.discussion
                 else "  discussion: (none)")
    for entry in shown:
        mark = "[DELETED] " if entry.is_tombstoned else ""
        summary = "[summary] " if entry.is_summary else ""
        lines.append(f"    {mark}[{entry.at}] {one_line(entry.actor)} ({entry.by}): "
                     f"{summary}{clean(entry.message)}")
        if history:
            lines.extend(f"      edit-history: {clean(old)}" for old in entry.edit_history)
    hidden = len(item.discussion) - len(shown)
    if hidden:
        lines.append(f"  (not shown: {hidden} deleted messages)")
    if item.locked_fields:
        lines.append(f"  locked: {_list(sorted(item.locked_fields))}")
    if item.duplicate_of:
        lines.append(f"  duplicate_of: {_list(item.duplicate_of)}")
    if item.not_duplicate_of:
        lines.append(f"  not_duplicate_of: {_list(item.not_duplicate_of)}")
    lines.append(f"  tier: {item.tier}  created: {item.created_at}  updated: {item.updated_at}")
    if item.frozen:
        lines.append("  *** FROZEN ***")
    if item.cross_tier_conflict:
        lines.append("  *** CROSS-TIER CONFLICT ***")
    lines.extend(f"  problem: {one_line(p.describe())}" for p in item.problems)
    return "\n".join(lines)


def list_row(n: int, item: Item | Summary) -> str:
    tier = f"[{item.tier}]"
    status = item.status if not item.damaged else (item.status or "damaged")
    return (f"{n:>2}  {item.id}  {one_line(status):<12} P{item.priority}  {tier:<12} "
            f"{one_line(item.title)}")
