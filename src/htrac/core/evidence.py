"""Evidence: what an op that closes an item cites to show the work is really done.

Agents mark work done that isn't (a gate closed with its condition unmet, a feature "shipped"
that never reached main). So a team may require evidence for closing statuses, per kind (the
`evidence:` setting; from the trust root when one exists). An op that sets such a status carries
`evidence: [<form>:<value>, …]`, each one of:

    commit:<sha>   a commit (40 or 64 hex digits as written; a prefix is resolved at write time)
    pr:<n>         a pull or merge request number
    test:<name>    a test that proves it (a name found in the repository's files)
    url:<uri>      anything else, by address (http or https)

The fold checks form (`check`, here) and — for an agent, through the policy — presence. Whether
a cited commit exists and is reachable is a question for git: asked at write time by the service
and again by `htrac verify`, never by the fold (which reads no git). The fold records, with the
current status, who set it and what it cited (`Item.status_by`, `Item.evidence`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .ops import Op
from .record import field, record

if TYPE_CHECKING:
    from .item import Item

KEY = "evidence"
FORMS = ("commit", "pr", "test", "url")
MAX_ENTRIES = 16
_VALUE = {
    "commit": re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}"),
    "pr": re.compile(r"[1-9][0-9]{0,9}"),
    "test": re.compile(r"[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]{0,299}"),
    "url": re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f\"'<>`\\]{1,2040}"),
}


@record(frozen=True)
class EvidenceRule:
    """Which closing statuses need evidence, and what counts as evidence."""

    require: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kind → statuses
    accept: tuple[str, ...] = FORMS
    branches: tuple[str, ...] = ()  # a cited commit must be reachable from one ([]: exist)

    def needs(self, kind: str, status: str) -> bool:
        return status in self.require.get(kind, ())

    def missing(self, kind: str, status: str, cited: list[str]) -> str | None:
        """Why an agent may not set `status` on a `kind` item citing `cited`, or None."""
        if not self.needs(kind, status):
            return None
        if any(form_of(e) in self.accept for e in cited):
            return None
        return (f"status '{status}' of a {kind} needs evidence: "
                f"--evidence {' | '.join(f'{f}:…' for f in self.accept)}")


def form_of(entry: str) -> str:
    return entry.partition(":")[0]


def check(value: Any) -> list[str]:
    """The evidence list of an op, or ValueError naming the first malformed entry."""
    if not isinstance(value, list) or not value or len(value) > MAX_ENTRIES:
        raise ValueError(f"'evidence' must be a list of 1 to {MAX_ENTRIES} entries")
    for entry in value:
        check_entry(entry)
    return value


def check_entry(entry: Any) -> str:
    if not isinstance(entry, str):
        raise ValueError(f"evidence must be text such as commit:<sha>, got {entry!r}"[:120])
    form, sep, rest = entry.partition(":")
    pattern = _VALUE.get(form)
    if not sep or pattern is None:
        raise ValueError(f"evidence {entry[:40]!r} is not one of "
                         f"{', '.join(f + ':…' for f in FORMS)}")
    if not pattern.fullmatch(rest):
        what = {"commit": "a full commit hash (40 or 64 lowercase hex digits)",
                "pr": "a pull request number", "test": "a test name on one line",
                "url": "an http(s) URL without spaces or quotes"}[form]
        raise ValueError(f"evidence {entry[:60]!r}: {form}: needs {what}")
    return entry


def cited(op: Op) -> list[str]:
    value = op.get(KEY)
    return list(value) if isinstance(value, list) else []


def sets_status(op: Op) -> str | None:
    """The status an op sets, if any (a create's, or an update's `set`)."""
    part = op.get("data") if op.type == "create" else op.get("set")
    status = part.get("status") if isinstance(part, dict) else None
    return status if isinstance(status, str) else None


def apply(item: Item, op: Op, who: str) -> None:
    """Record who set the item's status and what they cited (after the op was applied)."""
    if sets_status(op) is None:
        return
    item.status_by = who
    item.status_actor = op.actor or ""
    item.evidence = cited(op)
