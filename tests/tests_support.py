"""Helpers importable from any test module (pytest's rootdir is on sys.path via pythonpath)."""

from __future__ import annotations

import os

FULL = bool(os.environ.get("HTRAC_FULL_TESTS"))
