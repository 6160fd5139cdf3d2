"""Helpers importable from any test module (pytest's rootdir is on sys.path via pythonpath)."""

from __future__ import annotations

import os
import sys

FULL = bool(os.environ.get("HTRAC_FULL_TESTS"))


def report(line: str) -> None:
    """Print a measured figure past pytest's capture, so CI logs carry it (closing notes)."""
    print(f"\n[figure] {line}", file=sys.__stderr__, flush=True)
