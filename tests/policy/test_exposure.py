from __future__ import annotations

import os

import pytest

from htrac.policy.exposure import User, can_write

STRANGER = User("bot_agent", 54321, frozenset({54321}))


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another uid needs root")
def test_exposure_owner_group_other_and_parent_directory(tmp_path):
    directory = tmp_path / "d"
    directory.mkdir()
    os.chmod(directory, 0o755)
    path = directory / "config"
    path.write_text("x")
    os.chmod(path, 0o644)
    assert can_write(STRANGER, path) is None
    os.chown(path, STRANGER.uid, -1)
    assert can_write(STRANGER, path) == "owns it"
    os.chown(path, 0, -1)
    os.chmod(path, 0o666)
    assert "mode" in can_write(STRANGER, path)
    os.chmod(path, 0o644)
    os.chown(path, -1, 54321)
    os.chmod(path, 0o664)
    assert "mode" in can_write(STRANGER, path)
    os.chmod(path, 0o644)
    os.chmod(directory, 0o777)
    assert can_write(STRANGER, path).startswith("may replace it")
    os.chmod(directory, 0o1777)  # sticky: only the file's owner may replace it
    assert can_write(STRANGER, path) is None
    assert can_write(STRANGER, directory / "missing") is None
