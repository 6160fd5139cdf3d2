"""Short IDs: each ID's fewest whole words (at least one after the prefix) that no other ID in
the tracker starts with — worked out from two neighbours in the sorted list, checked here
against every other ID."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from htrac.tui.shortids import ShortIds, shortest

WORDS = st.sampled_from(["babab", "babad", "dodod", "fifif", "zuzuz"])
IDS = st.lists(st.tuples(st.sampled_from(["WI", "INV"]), st.lists(WORDS, min_size=3,
                                                                  max_size=3)),
               min_size=1, max_size=30)


def _brute(ids: list[str], item_id: str) -> str:
    words = item_id.split("-")
    for need in range(2, len(words) + 1):
        if not any(other != item_id and other.split("-")[:need] == words[:need]
                   for other in ids):
            return "-".join(words[:need])
    return item_id


@given(IDS, st.booleans())
def test_shortest_matches_a_look_at_every_other_id(parts, absent):
    ids = sorted({"-".join([prefix, *words]) for prefix, words in parts})
    probe = ids[len(ids) // 2]
    among = [i for i in ids if i != probe] if absent else ids  # an ID not (yet) listed
    for item_id in ids if not absent else [probe]:
        assert shortest(among, item_id) == _brute(among, item_id)


def test_labels_remember_the_widest():
    labels = ShortIds(["WI-babab-dodod-fifif", "WI-babab-dodod-zuzuz", "WI-fifif-babab-babab"])
    assert labels("WI-fifif-babab-babab") == "WI-fifif"
    assert labels.widest == len("WI-fifif")
    assert labels("WI-babab-dodod-zuzuz") == "WI-babab-dodod-zuzuz"
    assert labels.widest == len("WI-babab-dodod-zuzuz")
    assert "WI-fifif-babab-babab" in labels and "WI-zuzuz-babab-babab" not in labels
