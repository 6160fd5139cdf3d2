"""The shortest unique prefix of an ID, snapped to whole proquint words (`WI-babab-dodod`).

Unique among every ID in the tracker (what `htrac show PREFIX` resolves against), so a label
is the same in every view and can be typed into the CLI. Worked out for the rows on screen
only, each from its two neighbours in the sorted list of all IDs (a bisect): the ID sharing the
most words with it is one of them.
"""

from __future__ import annotations

from bisect import bisect_left


class ShortIds:
    def __init__(self, ids: list[str]) -> None:
        self.ids = ids  # sorted, each once
        self._known: set[str] | None = None
        self._labels: dict[str, str] = {}
        self.widest = 0  # the longest label given so far

    def __contains__(self, item_id: str) -> bool:
        if self._known is None:
            self._known = set(self.ids)
        return item_id in self._known

    def __call__(self, item_id: str) -> str:
        label = self._labels.get(item_id)
        if label is None:
            label = self._labels[item_id] = shortest(self.ids, item_id)
            self.widest = max(self.widest, len(label))
        return label


def shortest(ids: list[str], item_id: str) -> str:
    """`item_id`'s first words — as many as it takes to tell it from every other ID in the
    sorted `ids` (at least one word after the prefix)."""
    words = item_id.split("-")
    at = bisect_left(ids, item_id)
    after = at + 1 if at < len(ids) and ids[at] == item_id else at
    need = 2
    for n in (at - 1, after):
        if 0 <= n < len(ids):
            common = 0
            for a, b in zip(words, ids[n].split("-"), strict=False):
                if a != b:
                    break
                common += 1
            need = max(need, common + 1)
    return "-".join(words[:need])

