"""A field or two of a stored compiled item, read without the item model.

`index_codec` stores an `Item` as a marshal tuple in its field order; decoding one builds the
dataclasses, and importing them costs the hot read path (`service.quick`) more than its whole
answer. What that path needs to peek at is named here by position, and
`tests/store/test_index_peek.py` keeps the positions equal to `index_codec`'s.
"""

from __future__ import annotations

import marshal

LOST_CLAIMS_AT = 25  # `Item.lost_claims`


def lost_claims_of(blob: bytes) -> int:
    """How many claim ops had no effect on the item stored as `blob` (`Item.lost_claims`)."""
    return len(marshal.loads(blob)[LOST_CLAIMS_AT])
