"""Append-only history: no commit may remove or alter an op an earlier version held.

Ops files only ever grow. An op block present in the old version of an item must still be in
the new version, byte for byte — in the same file or, after a tier move or a reconcile, in the
item's file in another tier. A block whose nonce is still there with other bytes was *altered*
(a rewritten message); one whose nonce is gone was *removed* (an agent deleting a human's lock).
Items compare across tiers by ID, so `promote` (a delete here and an add there) passes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from ..core.blocks import op_blocks
from .findings import ERROR, WARNING, Finding

_OP_TYPE = re.compile(rb"^- op: ([A-Za-z_-]+)")

# item ID -> [(path, file bytes)] of every tier's copy in one version of the tree
Version = dict[str, list[tuple[str, bytes]]]


def group_by_item(files: dict[str, bytes | None], item_of) -> Version:
    version: Version = defaultdict(list)
    for path, data in files.items():
        item_id = item_of(path)
        if item_id and data is not None:
            version[item_id].append((path, data))
    return version


def compare(old: Version, new: Version, *, old_name: str, new_name: str,
            restore_rev: str) -> Iterator[Finding]:
    """Findings for each op block of `old` that `new` lost or changed."""
    for item_id, old_files in sorted(old.items()):
        kept = {block.data for _, data in new.get(item_id, []) for block in op_blocks(data)}
        kept_tags = {block.tag for _, data in new.get(item_id, []) for block in op_blocks(data)}
        for path, data in old_files:
            for block in op_blocks(data):
                if block.data in kept:
                    continue
                what = "altered" if block.tag is not None and block.tag in kept_tags \
                    else "removed"
                kind = _OP_TYPE.match(block.lines[0])
                op_name = f"{kind.group(1).decode()} op" if kind else "op"
                ident = f" {block.tag}" if block.tag else ""
                yield Finding(
                    ERROR, path,
                    f"{op_name}{ident} present in {old_name} was {what} in {new_name}: "
                    "ops files are append-only",
                    f"restore the file (git checkout {restore_rev} -- {path}) and append "
                    "your change with htrac instead of editing ops",
                    block.first_line, block.tag)


def clock_regressions(old: list[Version], new: Version, *, old_name: str,
                      new_name: str) -> Iterator[Finding]:
    """Ops `new` holds that none of the `old` versions did (its parents: one, or several for a
    merge) and whose clock is not above the item's highest clock there — a back-dated op.

    A diagnostic, not the guarantee: an op's clock doesn't decide where a human's decision puts
    it (`core.causal`), so `htrac show` still says what such an op did or why it was refused."""
    from ..core.identity import op_id
    from ..core.oplog import read_oplog

    for item_id, files in sorted(new.items()):
        before = [read_oplog(data).ops for version in old for _, data in version.get(item_id, [])]
        if not before:
            continue  # a new item: nothing to regress against
        known = {op_id(op, item_id) for ops in before for op in ops}
        ceiling = max((op.clock for ops in before for op in ops), default=0)
        for path, data in files:
            log = read_oplog(data)
            for op in log.ops:
                if op.clock <= ceiling and op_id(op, item_id) not in known:
                    yield Finding(
                        WARNING, path,
                        f"{op.type} op {op.nonce} was added in {new_name} with clock "
                        f"{op.clock}, not above the item's clock {ceiling} in {old_name}: a "
                        "back-dated op (htrac orders it after every human decision that did "
                        "not see it, whatever its clock)",
                        "see what it did with 'htrac show' (rejected ops are listed); append "
                        "changes with htrac, which never writes a lower clock",
                        log.lines.get(op.nonce, 0), op.nonce)
