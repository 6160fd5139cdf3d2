"""Checks of one ops file: its bytes, its ops, the item they fold to, and its locks.

The same checks run on a file in the worktree, on the staged version the pre-commit hook sees,
and on a version read out of git history; the caller passes the bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC

from ..core.blocks import op_blocks
from ..core.config import Config
from ..core.fold import order
from ..core.item import Item
from ..core.itemrules import ERROR as RULE_ERROR
from ..core.itemrules import breaches
from ..core.oplog import OpLog, read_oplog
from ..core.ops import BODY_KEYS, DATA_KEYS, HEADER, HUMAN, SIGNATURE, Op, canonical_key
from ..core.problems import DAMAGED, NOTE, REJECTED, TAMPERED, UNKNOWN
from ..policy.rules import HUMAN_ONLY_OPS, locked_by, touched
from ..store.store import Store
from .findings import ERROR, WARNING, Finding

_KEY = re.compile(rb"^(?:- |  )([A-Za-z_][A-Za-z0-9_-]*):")
_DATA_KEY = re.compile(rb"^    ([A-Za-z_][A-Za-z0-9_-]*):")
_TAGGED = re.compile(rb"  # [0-9a-f]{4,64}\s*$")


def check_file(store: Store, path: str, tier: str, item_id: str, data: bytes, *,
               check_locks: bool = False) -> list[Finding]:
    def finding(level: str, message: str, fix: str, line: int = 0,
                nonce: str | None = None) -> Finding:
        return Finding(level, path, message, fix, line, nonce)

    if not data.strip():
        return [finding(ERROR, "empty ops file: an item needs at least its create op",
                        f"restore it from git (git checkout HEAD -- {path}) or delete it")]
    log = read_oplog(data)
    # A file outside the tier directories (`tier` ""): no tier's edit-mode windows apply.
    item = store.fold_log(tier, item_id, log, None if tier else [])
    findings = list(_format(data, log, finding))
    findings.extend(_problems(item, finding))
    findings.extend(_item_rules(store.config, item, finding))
    findings.extend(_future_claims(store.config, log, finding))
    if check_locks:
        reported = {f.nonce for f in findings if f.nonce}
        findings.extend(f for f in _locks(store, item, log, finding) if f.nonce not in reported)
    return findings


def _format(data: bytes, log: OpLog, finding) -> Iterator[Finding]:
    if log.ops and log.ops[0].type != "create":
        yield finding(ERROR, f"first op is '{log.ops[0].type}', not 'create'",
                      "an item's file must start with its create op; restore it from git",
                      log.lines.get(log.ops[0].nonce, 0), log.ops[0].nonce)
    types = {op.nonce: op.type for op in log.ops}
    for number, line in enumerate(data.split(b"\n"), 1):
        text = line.strip()
        if text and not text.startswith(b"#") and not _TAGGED.search(line):
            yield finding(WARNING, "line has no '  # <nonce>' tag",
                          "end the line with two spaces, '#', a space and its op's nonce, "
                          "so union merges keep ops apart", number)
    for block in op_blocks(data):
        if block.tag in types:
            yield from _key_order(block, types[block.tag], finding)


def _key_order(block, op_type: str, finding) -> Iterator[Finding]:
    keys = [m.group(1).decode() for line in block.lines if (m := _KEY.match(line))]
    expected = [k for k in (*HEADER, *BODY_KEYS.get(op_type, ()), SIGNATURE) if k in keys]
    if [k for k in keys if k in expected] != expected:
        yield finding(WARNING, f"{op_type} op keys out of order ({', '.join(keys)})",
                      f"write them as {', '.join(expected)} (htrac and the reference do)",
                      block.first_line, block.tag)
    if op_type == "create":
        data_keys = [m.group(1).decode() for line in block.lines if (m := _DATA_KEY.match(line))]
        want = [k for k in DATA_KEYS if k in data_keys]
        if [k for k in data_keys if k in want] != want:
            yield finding(WARNING, "create data keys out of order",
                          f"write them as {', '.join(DATA_KEYS)}", block.first_line, block.tag)


def _future_claims(config: Config, log: OpLog, finding) -> Iterator[Finding]:
    """A claim op dated after this machine's clock (beyond the allowed skew) would hold its
    item longer than it should: readers don't trust it, and it is not to be committed."""
    from datetime import datetime, timedelta

    from ..core.claims import claim_of, parse_at

    horizon = datetime.now(UTC) + timedelta(seconds=config.claims.clock_skew_seconds)
    for op in log.ops:
        if claim_of(op) is None:
            continue
        try:
            future = parse_at(op.at) > horizon
        except ValueError:
            continue  # a malformed `at` is the schema's finding
        if future:
            yield finding(ERROR, f"claim op {op.nonce} is dated {op.at}, in the future",
                          "remove the op; claims are written with the writer's clock (htrac "
                          "claim)", log.lines.get(op.nonce, 0), op.nonce)


def _problems(item: Item, finding) -> Iterator[Finding]:
    fixes = {
        DAMAGED: "restore the op from git or from the other clone that wrote it; "
                 "htrac never deletes it for you",
        REJECTED: "the op has no effect; append a valid op with htrac instead",
        UNKNOWN: "upgrade htrac, or remove the op if a tool wrote it by mistake",
        NOTE: "append an update op that sets a valid value",
        TAMPERED: "restore the removed ops from git history (git log -p -- <file>, then "
                  "git checkout <commit> -- <file>) or from the clone that holds them",
    }
    for problem in item.problems:
        level = WARNING if problem.kind == NOTE else ERROR
        what = f"{problem.op} op {problem.nonce}" if problem.op else "item"
        fix = fixes.get(problem.kind, "see htrac show for what the item holds")
        yield finding(level, f"{problem.kind} {what}: {problem.reason}", fix, problem.line,
                      problem.nonce)


def _item_rules(config: Config, item: Item, finding) -> Iterator[Finding]:
    """The configuration's rules, as the writer applies them (`core.itemrules`)."""
    for breach in breaches(config, item):
        yield finding(ERROR if breach.level == RULE_ERROR else WARNING, breach.message,
                      breach.fix)


def _locks(store: Store, item: Item, log: OpLog, finding) -> Iterator[Finding]:
    """Agent ops that touch a field a human had locked before them, in the fold's order (an
    agent op goes after every human decision that did not see it, whatever its clock)."""
    human_only = store.config.human_only_statuses
    locked: set[str] = set()
    for op, who, _ident in order(item.id, log.ops, store.policy):
        line = log.lines.get(op.nonce, 0)
        if who == HUMAN:
            _track(locked, op)
            continue
        if op.type in HUMAN_ONLY_OPS:
            yield finding(ERROR, f"agent {op.type} op {op.nonce}: only a human may do this",
                          "remove the op before committing (it was never applied)", line,
                          op.nonce)
            continue
        hit = sorted({name for name in touched(op) if locked_by(name.lower(), locked)})
        if hit:
            yield finding(ERROR, f"agent {op.type} op {op.nonce} changes locked "
                          f"{', '.join(hit)}",
                          "remove the op before committing; ask a human to unlock the field",
                          line, op.nonce)
        status = (op.get("set") or {}).get("status") if op.type == "update" else None
        if status in human_only:
            yield finding(ERROR, f"agent update {op.nonce} sets human-only status '{status}'",
                          "remove the op; only a human may set it", line, op.nonce)


def _track(locked: set[str], op: Op) -> None:
    if op.type in ("lock", "unlock") and isinstance(op.get(op.type), list):
        names = {canonical_key(str(n).lower()) for n in op.get(op.type)}
        if op.type == "lock":
            locked.update(names)
        else:
            locked.difference_update(names)
