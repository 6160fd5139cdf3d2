"""The positions `index_peek` reads are the ones `index_codec` writes."""

from __future__ import annotations

from htrac.core.claims import LostClaim
from htrac.core.item import Item
from htrac.store import index_codec, index_peek


def test_index_peek_positions_match_the_codec():
    assert index_codec._ITEM[index_peek.LOST_CLAIMS_AT] == "lost_claims"


def test_index_peek_counts_lost_claims():
    lost = LostClaim("a_agent", "s1", "take", "2026-01-01T00:00:00Z", "abcd", "held", None)
    assert index_peek.lost_claims_of(index_codec.encode_item(Item("WI-x"))) == 0
    assert index_peek.lost_claims_of(index_codec.encode_item(
        Item("WI-x", lost_claims=[lost, lost]))) == 2
