"""The summary tuples made at run time have the fields the type checker reads."""

from __future__ import annotations

import ast
import inspect

from htrac.core import summary


def _annotated_fields(name: str) -> tuple[str, ...]:
    tree = ast.parse(inspect.getsource(summary))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == name:
            return tuple(n.target.id for n in node.body if isinstance(n, ast.AnnAssign))
    raise AssertionError(f"no class {name}")


def test_summary_fields_match_their_typed_spelling():
    assert summary.Summary._fields == _annotated_fields("_Summary")
    assert summary.Listing._fields == _annotated_fields("_Listing")
    assert summary.Summary("a", "b", "c", 1, "t", 0, 0).created_at == ""
    assert repr(summary.Summary("a", "b", "c", 1, "t", 0, 0, "x")).startswith("Summary(id='a'")
