"""Which layout a terminal size gets (the reference's thresholds)."""

from __future__ import annotations


def size_class(width: int, height: int) -> str:
    if width < 40 or height < 16:
        return "too-small"
    if width < 60 or height < 20:
        return "compact"
    if width > 120 and height > 38:
        return "wide"
    return "standard"
