"""An ops file as raw op blocks: the exact bytes of each op, grouped by its nonce tag.

The fold reads ops; history checks and copy merges need the bytes. A block is every line that
carries one nonce tag, split where a line starts a new list element (`- `), so two ops that
share a 16-bit nonce stay two blocks, and a union merge that interleaved two branches' lines
still gives each op back whole. Untagged lines (hand edits, a torn tail) stay with the line
before them. Two blocks are the same op only if their bytes are identical — never by nonce
alone, since distinct ops can share a short nonce.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TAG = re.compile(rb"  # ([0-9a-f]{4,64})\s*$")


@dataclass(slots=True)
class Block:
    tag: str | None
    first_line: int
    lines: list[bytes] = field(default_factory=list)

    @property
    def data(self) -> bytes:
        """The block as file bytes, one newline after each line."""
        return b"".join(line + b"\n" for line in self.lines)


def op_blocks(data: bytes) -> list[Block]:
    """The blocks of an ops file, in the order their first lines appear."""
    groups: dict[object, list[Block]] = {}
    order: list[Block] = []
    current: object = None
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, 1):
        line = line.rstrip(b"\r")
        if not line.strip():
            continue
        match = _TAG.search(line)
        starts = line.startswith(b"- ") or line.rstrip() == b"-"
        if match:
            key: object = match.group(1).decode()
        elif starts or current is None:
            key = ("untagged", number)
        else:
            key = current
        current = key
        blocks = groups.setdefault(key, [])
        if starts or not blocks:
            block = Block(key if isinstance(key, str) else None, number)
            blocks.append(block)
            order.append(block)
        blocks[-1].lines.append(line)
    return order


def distinct_blocks(*files: bytes) -> list[Block]:
    """Every distinct block of the files, in file order, byte-identical repeats counted once."""
    seen: set[bytes] = set()
    result: list[Block] = []
    for data in files:
        for block in op_blocks(data):
            if block.data not in seen:
                seen.add(block.data)
                result.append(block)
    return result
