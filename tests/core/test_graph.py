"""Loops in item links: found exactly, named as real paths, and a long chain costs no recursion."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tests_support import FULL

from htrac.core.graph import closes_loop, components, looped, loops, path

NODES = st.sampled_from([f"N{i}" for i in range(8)])
GRAPHS = st.dictionaries(NODES, st.lists(NODES, max_size=4), max_size=8)


def reaches(graph, start: str, goal: str) -> bool:
    """Brute force: can `goal` be reached from `start` in one link or more?"""
    seen, todo = set(), list(graph.get(start, ()))
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return False


def is_path(graph, steps) -> bool:
    return all(b in graph.get(a, ()) for a, b in zip(steps, steps[1:]))


@settings(max_examples=150 if not FULL else 1000, deadline=None)
@given(GRAPHS)
def test_looped_is_exactly_the_nodes_that_reach_themselves(graph):
    assert looped(graph) == {n for n in graph if reaches(graph, n, n)}


@settings(max_examples=150 if not FULL else 1000, deadline=None)
@given(GRAPHS)
def test_loops_name_one_real_closed_path_per_tangle(graph):
    found = loops(graph)
    assert len(found) == len(components(graph))
    for steps in found:
        assert steps[0] == steps[-1] and is_path(graph, steps)


@settings(max_examples=150 if not FULL else 1000, deadline=None)
@given(GRAPHS, NODES, st.lists(NODES, min_size=1, max_size=3))
def test_closes_loop_iff_a_target_leads_back(graph, source, targets):
    steps = closes_loop(graph, source, targets)
    expected = any(t == source or reaches(graph, t, source) for t in targets)
    assert (steps is not None) == expected
    if steps is not None:
        assert steps[0] == steps[-1] == source
        assert steps[1] in targets and is_path(graph, steps[1:])


def test_a_self_link_is_a_loop_of_one():
    assert loops({"A": ["A"]}) == [["A", "A"]]
    assert closes_loop({}, "A", ["A"]) == ["A", "A"]


def test_a_long_chain_closed_at_its_end_is_found_without_recursion():
    chain = {f"N{i}": [f"N{i + 1}"] for i in range(5_000)}
    assert looped(chain) == set()
    chain["N5000"] = ["N0"]
    assert len(looped(chain)) == 5_001
    assert path(chain, "N0", "N0")[-2] == "N5000"
