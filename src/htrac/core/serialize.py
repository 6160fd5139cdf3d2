"""Writing an op exactly as the reference writes it.

The layout (observed from hypergumbo-tracker 0.11 and pinned by byte-for-byte tests):

    - op: update  # 8a5f1c...
      at: '2026-11-21T04:55:35Z'  # 8a5f1c...
      ...
      set:  # 8a5f1c...
        status: in_progress  # 8a5f1c...
      add:  # 8a5f1c...
        tags: [api]  # 8a5f1c...

Mappings indent by two; a block list's dashes sit at its key's indentation; lists under
`add:`/`remove:` (and htrac's `seen:`) are one-line flow lists, every other list is a block list
(`[]` when empty); empty mappings are `{}`; null is an empty value. Human text (titles,
descriptions, messages, reasons, string field values) is always double-quoted, so it stays on
one physical line; every other string takes the emitter's own style (see `scalars`). Each line
ends with `  # <nonce>` so that git's union merge never sees two ops share a line.
"""

from __future__ import annotations

from typing import Any

from .ops import HEADER, SEEN, SIGNATURE, Op
from .scalars import format_scalar

# Paths whose string values are always double-quoted. `*` matches any key.
_FORCED = {
    ("data", "title"), ("data", "description"), ("data", "fields", "*"),
    ("set", "title"), ("set", "description"), ("set", "fields", "*"),
    ("message",), ("reason",), ("new_text",), ("claim", "reason"), ("remember",),
}
_FLOW_LIST_PARENTS = {"add", "remove"}


def serialize_op(op: Op) -> str:
    """The op as ops-file text: one tagged line per YAML line, ending in a newline."""
    lines: list[str] = []
    header = (op.type, op.at, op.by, op.actor, op.clock, op.nonce)
    for key, value in zip(HEADER, header, strict=True):
        _emit(key, value, 2, (key,), lines)
    for key, value in op.body.items():
        _emit(key, value, 2, (key,), lines)
    if op.sig is not None:
        _emit(SIGNATURE, op.sig, 2, (SIGNATURE,), lines)
    lines[0] = "- " + lines[0][2:]
    tag = "  # " + op.nonce
    return "".join(line + tag + "\n" for line in lines)


def _forced(path: tuple[str, ...]) -> bool:
    return path in _FORCED or (len(path) == 3 and (path[0], path[1], "*") in _FORCED)


def _emit(key: str, value: Any, indent: int, path: tuple[str, ...], out: list[str]) -> None:
    pad = " " * indent
    prefix = f"{pad}{_key(key)}:"
    if isinstance(value, dict):
        if not value:
            out.append(prefix + " {}")
            return
        out.append(prefix)
        for k, v in value.items():
            _emit(k, v, indent + 2, path + (k,), out)
    elif isinstance(value, list):
        if not value:
            out.append(prefix + " []")
        elif (len(path) == 2 and path[0] in _FLOW_LIST_PARENTS) or path == (SEEN,):
            items = ", ".join(format_scalar(v, flow=True) for v in value)
            out.append(f"{prefix} [{items}]")
        else:
            out.append(prefix)
            for item in value:
                _emit_item(item, indent, path, out)
    else:
        text = format_scalar(value, force_double=_forced(path) and isinstance(value, str))
        out.append(f"{prefix} {text}" if text else prefix)


def _emit_item(item: Any, indent: int, path: tuple[str, ...], out: list[str]) -> None:
    pad = " " * indent
    if isinstance(item, dict) and item:
        start = len(out)
        for k, v in item.items():
            _emit(k, v, indent + 2, path + (k,), out)
        out[start] = pad + "- " + out[start][indent + 2:]
    elif isinstance(item, list) and item:
        start = len(out)
        for sub in item:
            _emit_item(sub, indent + 2, path, out)
        out[start] = pad + "- " + out[start][indent + 2:]
    elif isinstance(item, (dict, list)):
        out.append(pad + ("- {}" if isinstance(item, dict) else "- []"))
    else:
        text = format_scalar(item)
        out.append(f"{pad}- {text}" if text else f"{pad}-")


def _key(key: str) -> str:
    return format_scalar(key)
