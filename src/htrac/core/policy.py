"""What the fold asks about authority (`Policy`), and the reference's answer (`PERMISSIVE`).

Kept apart from the fold so that opening a tracker — which needs a policy, not a fold — doesn't
load the fold machinery: a read answered from a fresh index never folds anything.
`htrac.policy` supplies the real policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .ops import AGENT, HUMAN

if TYPE_CHECKING:
    from .item import Item
    from .ops import Op


class Policy(Protocol):
    def actor_class(self, op: Op, item_id: str) -> str:
        """'human' or 'agent': whose authority this op, read in item `item_id`'s log, carries."""

    def refuse(self, op: Op, item: Item, actor_class: str) -> str | None:
        """Why `op` may not take effect on `item` as it stands, or None to let it."""


class Permissive:
    """Trusts every op's `by` and refuses nothing: the reference's behaviour."""

    def actor_class(self, op: Op, item_id: str) -> str:
        return HUMAN if op.by == HUMAN else AGENT

    def refuse(self, op: Op, item: Item, actor_class: str) -> str | None:
        return None


PERMISSIVE = Permissive()
