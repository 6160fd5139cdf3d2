"""private_dir: a per-user directory is this user's alone, or it is refused with the fix.

The attack with two real OS users is in tests/cli/test_hostile_agent_users.py; these cover each
rule on its own (as root, a directory is given to another uid with chown)."""

from __future__ import annotations

import os
import stat

import pytest

from htrac.core.errors import UnsafePathError
from htrac.store.private import private_dir, write_private

NOBODY = 65534
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_private_dir_creates_missing_directories_0700(tmp_path):
    target = tmp_path / "a" / "b" / "c"
    assert private_dir(target) == target.resolve()
    assert mode(target) == 0o700 and mode(tmp_path / "a") == 0o700


def test_private_dir_tightens_a_readable_directory_of_ours(tmp_path):
    target = tmp_path / "cache"
    target.mkdir(mode=0o755)
    private_dir(target)
    assert mode(target) == 0o700


@pytest.mark.parametrize("bits", [0o770, 0o707, 0o777])
def test_private_dir_refuses_a_directory_others_can_write(tmp_path, bits):
    target = tmp_path / "cache"
    target.mkdir()
    os.chmod(target, bits)
    with pytest.raises(UnsafePathError, match="writable by group or others.*fix: chmod 700"):
        private_dir(target)
    assert mode(target) == bits  # reported, never "repaired" behind the user's back


@as_root
def test_private_dir_refuses_a_directory_someone_else_made(tmp_path):
    target = tmp_path / "cache"
    target.mkdir(mode=0o700)
    os.chown(target, NOBODY, NOBODY)
    with pytest.raises(UnsafePathError) as caught:
        private_dir(target, what="the cache", elsewhere="set HTRAC_CACHE_DIR elsewhere")
    message = str(caught.value)
    assert "\n" not in message
    assert "belongs to" in message and f"sudo rm -rf {target}" in message
    assert message.endswith("or set HTRAC_CACHE_DIR elsewhere")


@as_root
def test_private_dir_refuses_a_parent_another_user_owns(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o1777)
    os.chown(shared, NOBODY, NOBODY)  # sticky, but its owner may rename anything in it
    with pytest.raises(UnsafePathError, match="above it belongs to"):
        private_dir(shared / "mine")


def test_private_dir_accepts_a_sticky_shared_parent(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    assert mode(private_dir(shared / "mine")) == 0o700


def test_private_dir_refuses_a_parent_others_can_write_without_sticky(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with pytest.raises(UnsafePathError, match=r"chmod go-w .*shared"):
        private_dir(shared / "mine")


def test_private_dir_refuses_a_file_in_its_place(tmp_path):
    target = tmp_path / "cache"
    target.write_text("x")
    with pytest.raises(UnsafePathError, match="not a directory"):
        private_dir(target)


def test_private_dir_refuses_a_symlink_in_its_place(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(UnsafePathError, match="symbolic link, not a plain directory"):
        private_dir(link)


def test_private_dir_checks_where_a_link_above_it_leads(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    os.chmod(real, 0o777)
    (tmp_path / "home").symlink_to(real)  # like ~/.cache linked to another disk
    with pytest.raises(UnsafePathError, match=f"{real} above it is writable"):
        private_dir(tmp_path / "home" / "cache")
    os.chmod(real, 0o755)
    assert private_dir(tmp_path / "home" / "cache") == real / "cache"


def test_write_private_from_many_threads_at_once_never_fails(tmp_path):
    """A server saves from a pool of threads: each save is whole, none renames another's
    temporary file away (one did, and the web answered 500)."""
    import threading

    directory = private_dir(tmp_path / "secrets")
    target = directory / "file.json"
    errors: list[BaseException] = []

    def save(n: int) -> None:
        try:
            for k in range(50):
                write_private(target, f"{n}:{k}\n" * 100)
        except BaseException as exc:  # noqa: BLE001 — any failure is the finding
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    lines = target.read_text().splitlines()
    assert len(lines) == 100 and len(set(lines)) == 1  # one whole write, not a mix
    assert [p.name for p in directory.iterdir()] == ["file.json"]  # no temporary left
