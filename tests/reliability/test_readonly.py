"""A read-only ops directory, met by an unprivileged user (root ignores permissions): a clear
error, a non-zero exit, and not a byte lost or changed."""

from __future__ import annotations

import pytest
from os_users import HUMAN, machine_or_skip

pytestmark = pytest.mark.slow  # a real user and a venv of their own


@pytest.fixture(scope="module")
def machine():
    yield from machine_or_skip()


def test_readonly_ops_directory_refuses_writes_cleanly(machine):
    repo = machine.home(HUMAN) / "htrac-readonly"
    machine.run(HUMAN, "mkdir", "-p", str(repo), cwd=machine.home(HUMAN))
    machine.git(HUMAN, "init", "-q", cwd=repo)
    machine.ok(HUMAN, "init", cwd=repo)
    item = machine.ok(HUMAN, "add", "--kind", "work_item", "--title", "Kept", cwd=repo).strip()
    ops = repo / ".agent" / "tracker-workspace" / ".ops"
    path = ops / f".{item}.ops"
    before = path.read_bytes()
    machine.run(HUMAN, "chmod", "a-w", str(ops), str(path), cwd=repo)
    try:
        for args in (["discuss", item, "lost?"], ["update", item, "--priority", "0"],
                     ["add", "--kind", "work_item", "--title", "New"]):
            run = machine.htrac(HUMAN, *args, cwd=repo)
            assert run.code in (1, 2), (args, run)
            assert "Traceback" not in run.err and run.err.startswith("error: "), run.err
            assert len(run.err.strip().splitlines()) == 1, run.err
            assert path.read_bytes() == before
        assert machine.item(HUMAN, item, cwd=repo)["title"] == "Kept"  # reads still work
    finally:
        machine.run(HUMAN, "chmod", "u+w", str(ops), str(path), cwd=repo)
    machine.ok(HUMAN, "discuss", item, "writable again", cwd=repo)
    assert path.read_bytes().startswith(before)
