"""The shortest unique prefix of each ID, snapped to whole proquint words (`WI-babab-dodod`)."""

from __future__ import annotations


def short_ids(ids: list[str]) -> dict[str, str]:
    """For each ID, its first words — as many as it takes to tell it from every other ID in
    `ids` (at least one word after the prefix)."""
    parts = {i: i.split("-") for i in set(ids)}
    ordered = sorted(parts)
    out = {}
    for n, item_id in enumerate(ordered):
        words = parts[item_id]
        need = 2
        for other in (ordered[n - 1] if n else None,
                      ordered[n + 1] if n + 1 < len(ordered) else None):
            if other is None:
                continue
            common = 0
            for a, b in zip(words, parts[other], strict=False):  # a common prefix
                if a != b:
                    break
                common += 1
            need = max(need, common + 1)
        out[item_id] = "-".join(words[:need])
    return out
