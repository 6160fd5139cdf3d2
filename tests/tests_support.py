"""Helpers importable from any test module (pytest's rootdir is on sys.path via pythonpath)."""

from __future__ import annotations

import os

FULL = bool(os.environ.get("HTRAC_FULL_TESTS"))


FIGURES: list[str] = []


def report(line: str) -> None:
    """Keep a measured figure for the run's summary (conftest prints them), so CI logs carry
    them for the closing notes."""
    FIGURES.append(line)
