"""Store fixtures: a real watcher for the tracker, ended after the test."""

from __future__ import annotations

import pytest
from watching import start, watchers  # noqa: F401  (a fixture, used by the ones below)


@pytest.fixture
def watched(tmp_tracker, watchers):  # noqa: F811
    """The tracker with this user's watcher running: returns the watcher's pid."""
    return start(tmp_tracker)


@pytest.fixture(params=["scan", "watch"])
def looking(request, tmp_tracker, watchers):  # noqa: F811
    """Each freshness test twice: once looking at every file, once with a watcher running."""
    if request.param == "watch":
        start(tmp_tracker)
    return request.param
