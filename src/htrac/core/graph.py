"""Loops in the links between items: `isbefore` (this item finishes before that one) and
`parent` (this item is part of that one).

A loop of `isbefore` links means none of its items can ever be ready — each waits for the next —
and the agent's stop hook never lets go; a loop of parents makes an item its own ancestor, and a
tree of items never ends. The writer refuses a link that would close a loop; a loop that arrives
by merge is reported. Items on a loop are exactly the members of a strongly connected component
with more than one item, or one item linked to itself, so `looped` finds them all in linear time
and `loops` names one loop per component (the shortest through its first ID) to be broken.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Protocol

# A graph: item ID -> the IDs its links point to. Targets that are not keys are leaves.
Graph = Mapping[str, Iterable[str]]


class Links(Protocol):
    """What a walk needs of a graph: the targets of one ID (a Mapping will do, or something
    that reads them only when asked)."""

    def get(self, key: str, default: Iterable[str], /) -> Iterable[str]: ...


def components(graph: Graph) -> list[list[str]]:
    """The strongly connected components of `graph` that hold a loop, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(set(graph.get(root, ())))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:  # Tarjan's algorithm, without recursion: a long chain must not overflow
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(set(graph.get(child, ()))))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1 or node in set(graph.get(node, ())):
                    found.append(sorted(members))
    return sorted(found)


def looped(graph: Graph) -> set[str]:
    """Every ID that lies on a loop."""
    return {member for component in components(_peeled(graph)) for member in component}


def _peeled(graph: Graph) -> dict[str, list[str]]:
    """`graph` without the items that lie on no loop because every link out of them leads to
    such an item (or there is none): peeled from the leaves up, in linear time — a tree or a
    chain of links peels away whole, and Tarjan's walk is left only what is near a loop."""
    out: dict[str, list[str]] = {}
    back: dict[str, list[str]] = {}
    for node, targets in graph.items():
        kept = [t for t in set(targets) if t in graph]
        if kept:
            out[node] = kept
            for target in kept:
                back.setdefault(target, []).append(node)
    left = {node: len(targets) for node, targets in out.items()}
    gone = [node for node in graph if node not in out]
    while gone:
        for source in back.get(gone.pop(), ()):
            left[source] -= 1
            if not left[source]:
                gone.append(source)
    return {node: [t for t in out[node] if left.get(t)] for node, n in left.items() if n}


def loops(graph: Graph) -> list[list[str]]:
    """One loop per component, as a closed path `[a, b, …, a]` starting at its first ID."""
    result = []
    for component in components(graph):
        start, inside = component[0], set(component)
        sub = {node: [t for t in graph.get(node, ()) if t in inside] for node in component}
        back = path(sub, start, start)
        if back is not None:
            result.append(back)
    return result


def path(graph: Links, start: str, goal: str) -> list[str] | None:
    """The shortest path of links from `start` to `goal` (at least one link), or None."""
    previous: dict[str, str] = {}
    queue = deque([start])
    seen: set[str] = set()
    while queue:
        node = queue.popleft()
        for target in sorted(set(graph.get(node, ()))):
            if target == goal:
                steps = [goal, node]
                while steps[-1] != start:
                    steps.append(previous[steps[-1]])
                return steps[::-1]
            if target not in seen and target != start:
                seen.add(target)
                previous[target] = node
                queue.append(target)
    return None


def closes_loop(graph: Links, source: str, targets: Iterable[str]) -> list[str] | None:
    """The loop that new links `source -> target` would close, as a closed path starting at
    `source`; None when they close none."""
    for target in sorted(set(targets)):
        if target == source:
            return [source, source]
        back = path(graph, target, source)
        if back is not None:
            return [source, *back]
    return None
