"""Kept for code written against it: the rule for printing text others wrote is in
`core.display` (docs/design/output.md), the one place every printer takes it from."""

from __future__ import annotations

from .display import inline, own_lines


def clean(text: str, *, multiline: bool = True) -> str:
    return own_lines(text) if multiline else inline(text)


def one_line(text: str) -> str:
    return inline(text)
