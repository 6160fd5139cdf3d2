"""The rules of authority: which ops a human may do alone, and what binds an agent.

The same `Rules` object answers twice: the service asks before it appends (so an agent gets a
clear refusal), and the fold asks for every op it reads (so a forged, hand-written or merged op
that slipped past a writer still changes nothing, and is listed on the item as rejected).

Whose op is it? `by: agent` is the agent's. `by: human` is the human's only if its `actor` is
not an agent user name and, when signatures are required, it carries a valid signature by a
trusted key. An op that claims a human it can't prove is the agent's — and because it lies
about who wrote it, it is refused outright, whatever it does (a forged human message must not
show up even as an agent's).

What binds an agent: the human-only op types; any status in `stop_hook.human_only_statuses`;
locked fields (`fields` locks every custom field, `fields.<key>` one of them, `discussion` the
discussion); freeze — every lockable name locked — which refuses every op on the item; and the
memory and evidence rules (`memoryrules`): a human's must-remember note, the note cap, closing
statuses that need evidence. Humans are bound by nothing here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.config import Config, Governance
from ..core.evidence import EvidenceRule
from ..core.ops import AGENT, HUMAN, LOCKABLE, Op, canonical_key
from . import lifecycle
from .actor import classify
from .memoryrules import refuse_memory, refuse_unproven
from .signing import Verifier

if TYPE_CHECKING:
    from ..core.item import Item

HUMAN_ONLY_OPS = frozenset({"lock", "unlock", "discuss_clear", "stealth", "unstealth",
                            "edit-mode-on", "edit-mode-off", "reconcile"})
FREEZE = frozenset(LOCKABLE)


def is_frozen(locked: Iterable[str]) -> bool:
    return FREEZE <= set(locked)


@dataclass(frozen=True)
class Rules:
    """The authority rules the fold and the writer apply."""
    governance: Governance
    human_only_statuses: tuple[str, ...] = ("deleted",)
    baseline: frozenset[str] = frozenset()
    lifecycles: lifecycle.Lifecycles = ()  # from the trust root when one governs
    evidence: EvidenceRule = field(default_factory=EvidenceRule)
    _verifier: Verifier = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_verifier",
                           Verifier(self.governance.human_keys, self.baseline))

    @property
    def fingerprint(self) -> str:
        """What, beyond the config, changes folds: for caches of compiled items."""
        text = "\n".join([*self.human_only_statuses, "--", *sorted(self.baseline), "--",
                          repr(self.lifecycles), "--", repr(self.evidence)])
        return hashlib.sha256(text.encode()).hexdigest()

    @classmethod
    def for_config(cls, config: Config) -> Rules:
        return cls(config.governance, config.human_only_statuses,
                   lifecycles=lifecycle.from_kinds(config.kinds), evidence=config.evidence)

    # -- whose op --------------------------------------------------------------------------------

    def actor_class(self, op: Op, item_id: str) -> str:
        return AGENT if self.forgery(op, item_id) or op.by != HUMAN else HUMAN

    def forgery(self, op: Op, item_id: str) -> str | None:
        """Why an op claiming `by: human` can't be the human's, or None."""
        if op.by != HUMAN:
            return None
        if op.actor and classify(op.actor, self.governance.agent_usernames).by != HUMAN:
            return f"it claims human authority but names agent user {op.actor!r}"
        if self.governance.require_signatures:
            why = self._verifier.verify(op, item_id)
            if why:
                return f"it claims human authority but {why}"
        return None

    # -- what it may do --------------------------------------------------------------------------

    def refuse(self, op: Op, item: Item, actor_class: str) -> str | None:
        if actor_class == HUMAN:
            return None
        forged = self.forgery(op, item.id)
        if forged:
            return f"forged op: {forged}"
        if op.type in HUMAN_ONLY_OPS:
            return f"'{_command(op.type)}' requires human authority"
        status = _status(op)
        if status in self.human_only_statuses:
            return f"status '{status}' requires human authority"
        unproven = refuse_unproven(op, item, self.evidence)
        if unproven:
            return unproven
        if op.type == "create":
            return None
        if status is not None and item.kind:
            moved = lifecycle.refusal(self.lifecycles, item.kind, item.status, status)
            if moved:
                return moved
        if is_frozen(item.locked_fields):
            return f"Item {item.id} is frozen. Ask the human to unfreeze it."
        for name in touched(op):
            lock = locked_by(name.lower(), item.locked_fields)
            if lock:
                return f"field '{lock}' of {item.id} is locked by a human"
        return refuse_memory(op, item)


def touched(op: Op) -> list[str]:
    """The lockable names an op changes: `status`, `fields.<key>`, `discussion`…"""
    if op.type in ("discuss", "discuss_summarize", "discuss_clear"):
        return ["discussion"]
    if op.type in ("delete-msg", "undelete-msg", "edit-msg-text"):
        return ["discussion"]
    if op.type != "update":
        return []
    names: list[str] = []
    for part in ("set", "add", "remove"):
        changes = op.get(part) or {}
        if not isinstance(changes, dict):
            continue
        for key, value in changes.items():
            name = canonical_key(str(key))
            if name == "fields" and isinstance(value, dict):
                names.extend(f"fields.{k}" for k in value)
            else:
                names.append(name)
    return names


def locked_by(name: str, locked: Iterable[str]) -> str | None:
    """The lock that covers `name`: itself, or `fields` for any `fields.<key>`."""
    locked = set(locked)
    if name in locked:
        return name
    if name.startswith("fields.") and "fields" in locked:
        return "fields"
    return None


def _status(op: Op) -> str | None:
    if op.type == "create":
        data = op.get("data")
        return data.get("status") if isinstance(data, dict) else None
    if op.type == "update":
        changes = op.get("set")
        return changes.get("status") if isinstance(changes, dict) else None
    return None


def _command(op_type: str) -> str:
    return {"discuss_clear": "discuss --clear", "edit-mode-on": "edit-mode on",
            "edit-mode-off": "edit-mode off", "reconcile": "reconcile-reset"}.get(op_type, op_type)
