"""What binds an agent in an item's memory and in closing it (the rest is `rules`).

- A must-remember entry a human wrote is the human's: an agent's `forget` that names one is
  refused, whole. (Entries are named by nonce, and an agent can write an entry reusing the
  nonce of a human's; its `forget` of that name is still refused, so it can't take a human's
  entry away through a look-alike of its own.)
- An item holds at most `core.memory.MAX_ENTRIES` entries; an agent's new entry past that is
  refused. A human's never is, so agents can't fill the list to keep the human out.
- A closing status that the evidence rule requires for the item's kind needs, from an agent,
  at least one evidence entry of an accepted form. A human closes without evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core import evidence, memory
from ..core.ops import HUMAN, Op

if TYPE_CHECKING:
    from ..core.evidence import EvidenceRule
    from ..core.item import Item


def refuse_memory(op: Op, item: Item) -> str | None:
    """Why an agent's op may not change the item's must-remember entries, or None."""
    names = set(memory.forgotten(op))
    human = sorted(m.nonce for m in item.memory if m.nonce in names and m.by == HUMAN)
    if human:
        return (f"must-remember entry {human[0]} of {item.id} was written by a human; "
                "only a human can forget it")
    if memory.remembers(op):
        kept = sum(1 for m in item.memory if m.nonce not in names)
        if kept >= memory.MAX_ENTRIES:
            return (f"{item.id} already holds {memory.MAX_ENTRIES} must-remember entries; "
                    "forget one first")
    return None


def refuse_unproven(op: Op, item: Item, rule: EvidenceRule) -> str | None:
    """Why an agent's op may not set its status without (acceptable) evidence, or None."""
    status = evidence.sets_status(op)
    if status is None or not rule.require:
        return None
    kind = item.kind
    if op.type == "create" and isinstance(op.get("data"), dict):
        kind = op.get("data").get("kind", kind)
    return rule.missing(kind, status, evidence.cited(op))
