"""The `isbefore` links as the list shows them: each row's deps (`← X`: X finishes before it;
`→ Y`: it finishes before Y), and the chain through the selected item — what must finish
before it (upstream) and what waits on it (downstream), near and far."""

from __future__ import annotations

from collections import deque

UP, DOWN = "up", "down"
FAR = 5000  # a chain is walked this far at most (each cursor move walks it)


class Links:
    def __init__(self, before: dict[str, set[str]]) -> None:
        """`before`: item ID -> the IDs it finishes before (its `isbefore`)."""
        self.forward = before
        self.backward: dict[str, set[str]] = {}
        for source, targets in before.items():
            for target in targets:
                self.backward.setdefault(target, set()).add(source)

    def __bool__(self) -> bool:
        return bool(self.forward)

    def deps(self, item_id: str) -> tuple[list[str], list[str]]:
        """(what finishes before `item_id`, what `item_id` finishes before), each sorted."""
        return (sorted(self.backward.get(item_id, ())),
                sorted(t for t in self.forward.get(item_id, ()) if t != item_id))

    def chain(self, item_id: str) -> dict[str, tuple[str, int]]:
        """Every item on a chain of links through `item_id` -> (UP or DOWN, how many links
        away). An item both up and down (a loop) is UP."""
        found: dict[str, tuple[str, int]] = {}
        for way, edges in ((DOWN, self.forward), (UP, self.backward)):
            for other, distance in _walk(edges, item_id):
                if other != item_id:
                    found[other] = (way, distance)
        return found


def _walk(edges: dict[str, set[str]], start: str):
    seen = {start}
    queue = deque([(start, 0)])
    while queue and len(seen) < FAR:
        node, distance = queue.popleft()
        for nxt in sorted(edges.get(node, ())):
            if nxt not in seen:
                seen.add(nxt)
                yield nxt, distance + 1
                queue.append((nxt, distance + 1))
