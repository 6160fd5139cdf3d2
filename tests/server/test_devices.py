"""Known devices: secrets a login gives a browser, links the human makes for a new one, kept
(hashed) across restarts in the human's directory of secrets."""

from __future__ import annotations

import json
import os

import pytest

from htrac.core.errors import HtracError
from htrac.server.devices import KEEP_BROWSERS, LINK_SECONDS, Devices


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def path(tmp_path):
    return tmp_path / "devices.json"


def test_a_login_gives_a_new_browser_a_secret_that_a_restart_keeps(path, clock):
    devices = Devices(path, clock)
    assert devices.known(None) is None and devices.known("invented") is None
    secret = devices.logged_in(None)
    assert secret and devices.known(secret).kind == "browser"
    assert secret not in path.read_text()  # only its hash is stored
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    restarted = Devices(path, clock)
    assert restarted.known(secret) is not None
    assert restarted.logged_in(restarted.known(secret)) is None  # a browser keeps its secret


def test_a_link_is_one_login_for_a_new_browser(path, clock):
    server = Devices(path, clock)
    assert server.known("x" * 43) is None  # the server has read the (missing) file
    secret, expires = Devices(path, clock).link()  # the CLI, meanwhile, another process
    assert expires == clock.now + LINK_SECONDS
    linked = server.known(secret)
    assert linked is not None and linked.kind == "link"
    own = server.logged_in(linked)
    assert own and own != secret
    assert server.known(secret) is None  # used up
    assert server.known(own).kind == "browser"


def test_an_unused_link_expires(path, clock):
    secret, _ = Devices(path, clock).link()
    clock.now += LINK_SECONDS + 1
    assert Devices(path, clock).known(secret) is None


def test_the_least_recently_used_browsers_are_forgotten_beyond_the_cap(path, clock):
    devices = Devices(path, clock)
    secrets = []
    for _ in range(KEEP_BROWSERS + 3):
        clock.now += 1
        secrets.append(devices.logged_in(None))
    assert [devices.known(s) is None for s in secrets[:4]] == [True, True, True, False]
    assert len(json.loads(path.read_text())["devices"]) == KEEP_BROWSERS


def test_a_file_someone_else_could_write_is_refused(path, clock):
    Devices(path, clock).logged_in(None)
    os.chmod(path, 0o666)
    with pytest.raises(HtracError, match="another user"):
        Devices(path, clock).known("anything at all")


def test_a_damaged_file_is_a_clear_error(path, clock):
    path.write_text("not json")
    os.chmod(path, 0o600)
    with pytest.raises(HtracError, match="not a devices file"):
        Devices(path, clock).known("anything at all")
