"""The compiled state of an item: what the fold produces and every surface shows."""

from __future__ import annotations

from .claims import Claim, LostClaim
from .problems import DAMAGED, Problem
from .record import field, record

TYPE_CHECKING = False  # `typing` costs every read command; the annotations are strings
if TYPE_CHECKING:
    from typing import Any


@record()
class Entry:
    """One message in an item's discussion."""

    by: str
    actor: str
    at: str
    message: str
    nonce: str
    is_summary: bool = False
    is_tombstoned: bool = False
    edit_history: list[str] = field(default_factory=list)

    def as_dict(self, *, history: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "by": self.by, "actor": self.actor, "at": self.at, "message": self.message,
            "is_summary": self.is_summary, "nonce": self.nonce,
            "is_tombstoned": self.is_tombstoned,
        }
        if history:
            data["edit_history"] = list(self.edit_history)
        return data


@record()
class Memo:
    """One must-remember entry, named by the nonce of the op that wrote it (`core.memory`)."""

    nonce: str
    text: str
    by: str  # whose authority wrote it, as the fold judged it: 'human' or 'agent'
    actor: str
    at: str

    def as_dict(self) -> dict[str, Any]:
        return {"nonce": self.nonce, "text": self.text, "by": self.by, "actor": self.actor,
                "at": self.at}


@record()
class Item:
    """An item as the fold compiled it from its op-log (a docstring of its own also spares
    `dataclass` working out a signature for one at every start)."""

    id: str
    kind: str = ""
    title: str = ""
    status: str = ""
    priority: int = 2
    parent: str | None = None
    tags: list[str] = field(default_factory=list)
    isbefore: list[str] = field(default_factory=list)
    duplicate_of: list[str] = field(default_factory=list)
    not_duplicate_of: list[str] = field(default_factory=list)
    pr_ref: str | None = None
    description: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    locked_fields: set[str] = field(default_factory=set)
    discussion: list[Entry] = field(default_factory=list)
    created_at: str = ""
    updated_at: str = ""
    tier: str = ""
    frozen: bool = False
    cross_tier_conflict: bool = False
    problems: list[Problem] = field(default_factory=list)
    op_count: int = 0
    version: str = ""  # a digest of the item's op identities (`core.identity.version_of`)
    read_only_reason: str = ""  # why agents may not change it here (a human op this can't read)
    claim: Claim | None = None  # who works on it (core.claims); its lease is the reader's to judge
    lost_claims: list[LostClaim] = field(default_factory=list)  # claim ops that had no effect
    # htrac's own state (core.memory, core.evidence); the reference has none of it
    memory: list[Memo] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    status_by: str = ""  # whose authority set the current status: 'human' or 'agent'
    status_actor: str = ""
    evidence: list[str] = field(default_factory=list)  # what the op that set it cited

    def unread_human(self) -> list[Entry]:
        """Messages a human wrote that no agent has answered: the trailing run of human entries."""
        run: list[Entry] = []
        for entry in reversed(self.discussion):
            if entry.by != "human":
                break
            run.append(entry)
        return run[::-1]

    @property
    def damaged(self) -> bool:
        """Bytes of this item could not be read, or it has no create: its state is uncertain."""
        return not self.kind or any(p.kind == DAMAGED for p in self.problems)

    def as_dict(self, *, history: bool = False, include_deleted: bool = True) -> dict[str, Any]:
        """The reference's JSON item shape (section 9.10), plus htrac's `problems`."""
        entries = [e for e in self.discussion if include_deleted or not e.is_tombstoned]
        data: dict[str, Any] = {
            "id": self.id, "kind": self.kind, "title": self.title, "status": self.status,
            "priority": self.priority, "parent": self.parent, "tags": list(self.tags),
            "isbefore": list(self.isbefore), "duplicate_of": list(self.duplicate_of),
            "not_duplicate_of": list(self.not_duplicate_of), "pr_ref": self.pr_ref,
            "description": self.description, "fields": dict(self.fields),
            "locked_fields": sorted(self.locked_fields),
            "discussion": [e.as_dict(history=history) for e in entries],
            "frozen": self.frozen, "tier": self.tier, "created_at": self.created_at,
            "updated_at": self.updated_at, "cross_tier_conflict": self.cross_tier_conflict,
            "version": self.version,
        }
        hidden = len(self.discussion) - len(entries)
        if hidden:
            data["hidden_deleted"] = hidden
        if self.problems:
            data["problems"] = [p.as_dict() for p in self.problems]
        if self.claim is not None:  # htrac's, like `problems`: only when there is one
            data["claim"] = self.claim.as_dict()
        if self.lost_claims:
            data["lost_claims"] = [c.as_dict() for c in self.lost_claims]
        # htrac's own keys, only when there is something to say (the reference's shape stays)
        if self.memory:
            data["memory"] = [m.as_dict() for m in self.memory]
        if self.links:
            data["links"] = list(self.links)
        if self.evidence:
            data["evidence"] = list(self.evidence)
        return data
