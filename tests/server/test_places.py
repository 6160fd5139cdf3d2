"""Where the server keeps the human's things: the directory of secrets (password hash,
passkeys, known devices) is refused when others can read it, write it or own it, or when it is
a link; a planted secret file is refused; the runtime directory is the user's own."""

from __future__ import annotations

import os

import pytest

from htrac.core.errors import HtracError
from htrac.server import places
from htrac.server.passwords import check_password, set_password
from htrac.store.private import read_secret


@pytest.fixture
def config(tmp_path, monkeypatch):
    base = tmp_path / "config"
    base.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base))
    return base / "htrac" / "serve"


def test_made_private_and_used(config):
    assert places.config_dir() == config
    assert oct(config.stat().st_mode & 0o777) == "0o700"
    path = set_password("long enough password")
    assert path.parent == config and check_password("long enough password")


def test_readable_by_others_is_refused_not_quietly_closed(config):
    set_password("long enough password")
    os.chmod(config, 0o750)
    with pytest.raises(HtracError, match="may have read what is in it.*chmod 700"):
        places.config_dir()
    assert config.stat().st_mode & 0o777 == 0o750  # left as it is, for the human to judge


def test_writable_by_others_or_theirs_or_a_link_is_refused(config, tmp_path):
    places.config_dir()
    os.chmod(config, 0o733)
    with pytest.raises(HtracError):
        places.config_dir()
    os.chmod(config, 0o700)
    if os.geteuid() == 0:  # a directory another user made (root can make one for nobody)
        os.chown(config, 65534, 65534)
        with pytest.raises(HtracError, match="another user|belongs"):
            places.config_dir()
        os.chown(config, 0, 0)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    config.rename(tmp_path / "moved")
    config.symlink_to(elsewhere)
    with pytest.raises(HtracError, match="symlink|symbolic link"):
        places.config_dir()


def test_a_planted_secret_file_is_refused(config):
    path = set_password("long enough password")
    os.chmod(path, 0o664)
    with pytest.raises(HtracError, match="another user"):
        read_secret(path)
    with pytest.raises(HtracError):
        check_password("long enough password")


def test_runtime_dir_is_private(tmp_path, monkeypatch):
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    assert places.runtime_dir() == run / "htrac"
    open_run = tmp_path / "open-run"
    open_run.mkdir()
    os.chmod(open_run, 0o777)  # open to all: not a runtime directory of the user's own
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(open_run))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert places.runtime_dir() == tmp_path / "cache" / "htrac" / "run"
