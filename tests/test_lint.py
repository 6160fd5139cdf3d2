"""The habits CI keeps (`.ci/run`), kept by the default test run too, so a change that breaks
them fails before it lands: ruff over everything, mypy --strict over core, policy and store
(both configured in pyproject.toml)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(module: str, *args: str) -> subprocess.CompletedProcess:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed: pip install -e '.[test]'")
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)


def test_lint_ruff_is_clean():
    run = _run("ruff", "check", "--no-cache", ".")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_lint_mypy_strict_is_clean():
    run = _run("mypy")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
