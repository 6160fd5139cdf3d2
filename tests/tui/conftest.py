"""Fixtures for the TUI: the fixed sample tracker, and the app built on it as the tests run it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tui_sample import build


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("sample") / "repo"
    sample = build(root)
    return root, sample.ids


@pytest.fixture
def sample(sample_template, tmp_path):
    """A fresh copy of the sample tracker (tests write to it) and its item IDs by name."""
    template, ids = sample_template
    root = tmp_path / "repo"
    shutil.copytree(template, root, symlinks=True)
    return root, ids


@pytest.fixture
def make_app(sample):
    from htrac.tui.app import create_app

    root, _ids = sample

    def make(live: bool = False):
        return create_app(start=root, live=live)

    return make


@pytest.fixture
def anyio_backend():
    return "asyncio"
