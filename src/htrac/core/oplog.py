"""Reading an ops file: lines → op blocks → ops, isolating whatever is broken.

An ops file is a YAML list, but htrac never parses it as one document: one bad byte would
make the whole item unreadable. Instead:

1. Each line's trailing `  # <nonce>` tag says which op it belongs to. Lines are grouped by
   tag, so a union merge that interleaves two branches' appends still reads as two ops.
   An untagged `- ` line starts an op of its own (a hand edit) and the untagged lines after it
   belong to it; untagged lines after a tagged line stand alone, so they can't spoil that op.
2. A group is split into blocks at its `- ` lines. Byte-identical blocks (a rebase followed
   by a merge) count once; distinct blocks with one tag (a 16-bit nonce collision) stay apart.
3. Each block is parsed on its own. A block that is not valid UTF-8, can't be parsed, is too
   large, has lines before its `- ` line, or is the unterminated tail of a torn write is
   *damaged*: reported with its line number, never dropped silently, never deleted. A block that
   parses but lacks a well-typed header is *rejected* with the reason. The rest fold normally.
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import Any

from .ops import HEADER, SIGNATURE, Op
from .problems import DAMAGED, REJECTED, Problem
from .record import field, record
from .yamlread import YamlError, load_block

MAX_OP_BYTES = 1 << 20
_TAG = re.compile(r"  # ([0-9a-f]{4,64})$")
_TAG_LINES = re.compile(r"  # ([0-9a-f]{4,64})$", re.MULTILINE)
_OP_START = re.compile(r"^- ", re.MULTILINE)
_NONCE = re.compile(r"[0-9a-f]{4,64}")
_NOT_BODY = frozenset((*HEADER, SIGNATURE))


@record()
class OpLog:
    """What a file holds: its ops in file order, and what could not be read."""

    ops: list[Op] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # nonce → first line number
    duplicates: int = 0

    @property
    def max_clock(self) -> int:
        return max((op.clock for op in self.ops), default=0)


@record()
class _Block:
    """One op's lines as read, and what went wrong reading them."""
    tag: str | None
    first_line: int
    lines: list[str] = field(default_factory=list)
    bad_utf8: bool = False
    torn: bool = False
    orphan: bool = False


def read_oplog(data: bytes) -> OpLog:
    log = OpLog()
    tidy = _tidy_blocks(data)
    if tidy is not None:
        for block, text in tidy:
            _read_block(block, text, log)
        return log
    seen: set[tuple[str | None, str]] = set()
    for block in _blocks(data):
        text = "\n".join(block.lines) + "\n"
        key = (block.tag, text)
        if key in seen and not block.torn:
            log.duplicates += 1
            continue
        seen.add(key)
        _read_block(block, text, log)
    return log


def _tidy_blocks(data: bytes) -> list[tuple[_Block, str]] | None:
    """The blocks of a file exactly as `_blocks` finds them, for the shape every writer
    produces — clean UTF-8 ending in a newline, every line tagged, each tag's lines together and
    starting with the op's one `- ` line — found with a few whole-text scans instead of a loop
    over lines (a cold index build reads every file). None for any other shape."""
    if not data.endswith(b"\n"):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    tags = _TAG_LINES.findall(text)
    if "\0" in text or len(tags) != text.count("\n"):
        return None  # some line is untagged (or the text holds NUL)
    runs = [(tag, len(list(group))) for tag, group in groupby(tags)]
    starts = [match.start() for match in _OP_START.finditer(text)]
    if len(starts) != len(runs) or len({tag for tag, _ in runs}) != len(runs):
        return None  # an op split by another's lines, or a line starting a second op
    blocks: list[tuple[_Block, str]] = []
    line = 1
    newlines = 0
    previous = 0
    starts.append(len(text))
    # `starts` holds one more entry than `runs` (the end of the text): zip stops at the runs
    for (tag, length), start, end in zip(runs, starts, starts[1:], strict=False):
        newlines += text.count("\n", previous, start)
        if newlines + 1 != line:
            return None  # this op does not start where its tag's lines do
        blocks.append((_Block(tag, line), _TAG_LINES.sub("", text[start:end])))
        previous = start
        line += length
    return blocks


def _blocks(data: bytes) -> list[_Block]:
    raw_lines = data.split(b"\n")
    torn_line = None
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    elif raw_lines:
        torn_line = len(raw_lines)  # the file does not end with a newline
    groups: dict[Any, list[_Block]] = {}
    order: list[_Block] = []
    current: Any = None
    previous: _Block | None = None  # the block holding the line before this one
    texts, bad_lines = _decode(data, raw_lines)
    for number, text in enumerate(texts, 1):
        bad = number in bad_lines
        stripped = text.strip()
        if not stripped or (stripped.startswith("#") and not _TAG.search(text)):
            if number == torn_line and previous is not None:
                previous.torn = True  # cut just after a newline, inside the next line's indent
            continue
        match = _TAG.search(text)
        starts = text.startswith("- ") or text.rstrip() == "-"
        if match:
            key: Any = match.group(1)
            content = text[:match.start()]
        else:
            # An untagged line continues an untagged op (a hand edit); after a tagged line it
            # is foreign to that op and stands alone, so it can't spoil the op before it.
            continuing = isinstance(current, tuple) and not starts
            key = current if continuing else ("untagged", number)
            content = text.rstrip()
        current = key
        blocks = groups.setdefault(key, [])
        if starts or not blocks:
            tag = key if isinstance(key, str) else None
            block = _Block(tag, number, orphan=not starts)
            blocks.append(block)
            order.append(block)
        block = blocks[-1]
        block.lines.append(content)
        block.bad_utf8 |= bad
        if number == torn_line:
            # The write was cut inside this line; if the cut took its tag too, the line has
            # left its op, which is then the block before it. Both are the torn op.
            block.torn = True
            if previous is not None and not starts:
                previous.torn = True
        previous = block
    return order


def _decode(data: bytes, raw_lines: list[bytes]) -> tuple[list[str], set[int]]:
    """Each line's text, and the numbers of lines that are not clean UTF-8 (or hold NUL).
    A clean file — the usual case — is decoded in one call instead of line by line."""
    try:
        whole = data.decode("utf-8")
    except UnicodeDecodeError:
        whole = None
    if whole is not None and "\0" not in whole:
        return whole.split("\n")[:len(raw_lines)], set()
    texts: list[str] = []
    bad: set[int] = set()
    for number, raw in enumerate(raw_lines, 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "replace")
            bad.add(number)
        if "\0" in text:
            bad.add(number)
        texts.append(text)
    return texts, bad


def _read_block(block: _Block, text: str, log: OpLog) -> None:
    def damaged(reason: str) -> None:
        log.problems.append(Problem(DAMAGED, reason, line=block.first_line, nonce=block.tag))

    if block.bad_utf8:
        return damaged("not valid UTF-8 text (or contains NUL)")
    if block.torn:
        return damaged("torn write: the file ends in the middle of this op")
    if block.orphan:
        return damaged("lines that belong to no op (no '- ' line starts them)")
    if len(text) > MAX_OP_BYTES:
        return damaged(f"op larger than {MAX_OP_BYTES} bytes")
    try:
        value = load_block(text)
    except YamlError as exc:
        return damaged(f"unreadable YAML: {exc}")
    if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict)):
        return damaged("not a single op mapping")
    mapping = value[0]
    try:
        op = op_from_mapping(mapping)
    except ValueError as exc:
        log.problems.append(Problem(REJECTED, str(exc), line=block.first_line,
                                    nonce=_nonce_of(mapping, block.tag),
                                    op=_str_or_none(mapping.get("op"))))
        return
    if block.tag is not None and op.nonce != block.tag:
        return damaged(f"line tags say nonce {block.tag} but the op says {op.nonce}")
    log.ops.append(op)
    log.lines.setdefault(op.nonce, block.first_line)


def op_from_mapping(mapping: dict[str, Any]) -> Op:
    """An Op from a parsed mapping; ValueError names the first header problem."""
    try:
        op_type, at, by = mapping["op"], mapping["at"], mapping["by"]
        clock, nonce = mapping["clock"], mapping["nonce"]
    except KeyError:
        for key in ("op", "at", "by", "clock", "nonce"):
            if key not in mapping:
                raise ValueError(f"missing required field '{key}'") from None
        raise
    actor, sig = mapping.get("actor"), mapping.get(SIGNATURE)
    if not isinstance(op_type, str) or not op_type:
        raise ValueError("'op' must be a non-empty string")
    if not isinstance(at, str):
        raise ValueError("'at' must be a timestamp string")
    if not isinstance(by, str):
        raise ValueError("'by' must be 'agent' or 'human'")
    if actor is not None and not isinstance(actor, str):
        raise ValueError("'actor' must be a string")
    if not isinstance(clock, int) or isinstance(clock, bool) or not 0 <= clock < 1 << 62:
        raise ValueError(f"'clock' must be a non-negative integer, got {_show(clock)}")
    if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
        raise ValueError(f"'nonce' must be 4 to 64 lowercase hex digits, got {_show(nonce)}")
    if sig is not None and not isinstance(sig, str):
        raise ValueError("'sig' must be a string")
    body = {k: v for k, v in mapping.items() if k not in _NOT_BODY}
    return Op(op_type, at, by, actor, clock, nonce, body, sig)


def _nonce_of(mapping: dict[str, Any], tag: str | None) -> str | None:
    nonce = mapping.get("nonce")
    return nonce if isinstance(nonce, str) else tag


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
