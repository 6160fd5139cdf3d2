"""Fixtures for the MCP tests (helpers: tests/mcp_client.py)."""

from __future__ import annotations

import pytest
from mcp_client import drive, local_server


@pytest.fixture
def serve(tmp_tracker):
    """serve(scenario, *server_args): drive `htrac mcp` in the test tracker."""
    def run(scenario, *args: str):
        return drive(local_server(tmp_tracker.path, *args), scenario)
    return run
