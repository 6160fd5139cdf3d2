"""Ops: the unit of change. An item is nothing but the ops in its log.

Every op carries the same header — `op, at, by, actor, clock, nonce`, always in that order — and
then the keys of its type, in the canonical order below. `Op` keeps the header as attributes and
the type's keys in `body`, exactly as read or as they will be written, so that
`parse(serialize(op)) == op`. Whether an op is *acceptable* (types, bounds, vocabulary) is
`schema`'s question, and what it *does* is the fold's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .record import field, record

TYPE_CHECKING = False  # `typing` costs every read command; the annotations are strings
if TYPE_CHECKING:
    from typing import Any

HEADER = ("op", "at", "by", "actor", "clock", "nonce")
SIGNATURE = "sig"  # htrac's one extra key, always last; the reference ignores it
# A human op's causal commitment: the identities of the ops it saw (`core.causal`), after the
# op's own keys and before `sig`; any op type may carry it, the reference ignores it.
SEEN = "seen"

BODY_KEYS: dict[str, tuple[str, ...]] = {
    # htrac's keys follow the reference's: `claim` (core.claims), `evidence` (core.evidence),
    # `remember` and `forget` (core.memory); the reference's fold and validate pass over them
    "create": ("data", "evidence"),
    "update": ("set", "add", "remove", "claim", "evidence", "remember", "forget"),
    "discuss": ("message",),
    "discuss_clear": (),
    "discuss_summarize": ("message",),
    "lock": ("lock",),
    "unlock": ("unlock",),
    "promote": (),
    "demote": (),
    "stealth": (),
    "unstealth": (),
    "reconcile": ("from_tier", "reason"),
    "edit-mode-on": ("ttl_seconds", "cap_max"),
    "edit-mode-off": (),
    "delete-msg": ("item", "target_nonce", "reason"),
    "undelete-msg": ("item", "target_nonce", "reason"),
    "edit-msg-text": ("item", "target_nonce", "new_text", "reason"),
}
KNOWN_TYPES = frozenset(BODY_KEYS)
MESSAGE_EDIT_TYPES = frozenset({"delete-msg", "undelete-msg", "edit-msg-text"})
EDIT_MODE_TYPES = frozenset({"edit-mode-on", "edit-mode-off"})
# Ops whose `at` carries microseconds, as the reference writes them.
MICROSECOND_TYPES = MESSAGE_EDIT_TYPES | EDIT_MODE_TYPES

DATA_KEYS = (
    "kind", "title", "status", "priority", "parent", "tags", "isbefore", "duplicate_of",
    "not_duplicate_of", "pr_ref", "description", "fields",
)
SET_VALUED = ("tags", "isbefore", "duplicate_of", "not_duplicate_of")
# Set-valued keys only `add`/`remove` carry: htrac's links (core.memory); never in `set` or data
ADD_ONLY = ("links",)
UPDATABLE = (
    "title", "status", "priority", "parent", "tags", "isbefore", "duplicate_of",
    "not_duplicate_of", "pr_ref", "description", "fields",
)
LOCKABLE = UPDATABLE + ("discussion",)
LEGACY_KEYS = {"before": "isbefore"}

HUMAN = "human"
AGENT = "agent"

NONCE_BYTES = 8  # 64 bits; the reference's 16 bits collide (DESIGN, point 6)


@record(frozen=True)
class Op:
    """One line of an op-log: its type, when, by whom, its Lamport clock, nonce and body."""

    type: str
    at: str
    by: str
    actor: str | None
    clock: int
    nonce: str
    body: dict[str, Any] = field(default_factory=dict)
    sig: str | None = None

    def get(self, key: str, default: Any = None) -> Any:
        return self.body.get(key, default)

    def with_sig(self, sig: str | None) -> Op:
        return Op(self.type, self.at, self.by, self.actor, self.clock, self.nonce, self.body, sig)


def new_nonce() -> str:
    import os  # only writing makes a nonce

    # What `secrets.token_hex` returns (it reads os.urandom too), without importing `secrets`
    # and `random` on every write.
    return os.urandom(NONCE_BYTES).hex()


def now_at(op_type: str, now: datetime | None = None) -> str:
    """The `at` of a new op: whole seconds, or microseconds for edit-mode and message edits."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    if op_type in MICROSECOND_TYPES:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_op(op_type: str, *, by: str, actor: str, clock: int, body: dict[str, Any] | None = None,
            at: str | None = None, nonce: str | None = None) -> Op:
    """A new op with its body keys put in canonical order."""
    body = dict(body or {})
    order = BODY_KEYS.get(op_type, ())
    ordered = {k: body.pop(k) for k in order if k in body}
    ordered.update(body)
    return Op(op_type, at or now_at(op_type), by, actor, clock, nonce or new_nonce(), ordered)


def canonical_key(name: str) -> str:
    """Legacy `before` is `isbefore`; every other name is itself."""
    return LEGACY_KEYS.get(name, name)
