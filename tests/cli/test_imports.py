"""Read commands load only what they need: no TUI, server or round-trip YAML on the read path."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from htrac.cli.entry import main
sys.argv[0] = "htrac"
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\n".join(sorted(sys.modules)))
"""
# Third-party packages a read command may load. certifi and _distutils_hack come from
# site-packages .pth files that run at interpreter start-up, not from htrac.
ALLOWED_THIRD_PARTY = {"click", "htrac", "certifi", "_distutils_hack"}
FORBIDDEN = ("textual", "starlette", "uvicorn", "ruamel", "webauthn", "bcrypt", "watchfiles",
             "cryptography", "multiprocessing", "asyncio", "ctypes", "htrac.tui", "htrac.server",
             "htrac.mcp", "mcp", "anyio", "pydantic", "tiktoken", "htrac.service.tokens")


def loaded_modules(tracker, *args: str) -> set[str]:
    run = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=tracker.path,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return set(run.stderr.split())


@pytest.mark.parametrize("command", [("ready",), ("count-todos",), ("list", "--status", "done"),
                                     ("hash-todos",)])
def test_imports_read_commands_load_no_heavy_modules(tmp_tracker, command):
    first = tmp_tracker.add("Something to read")
    tmp_tracker.ok("update", first, "--status", "in_progress")
    modules = loaded_modules(tmp_tracker, *command)
    heavy = sorted(m for m in modules if m.startswith(FORBIDDEN))
    assert heavy == []
    top = {m.split(".")[0] for m in modules}
    third_party = top - set(sys.stdlib_module_names) - {"__main__", "__mp_main__"}
    assert third_party <= ALLOWED_THIRD_PARTY, sorted(third_party - ALLOWED_THIRD_PARTY)
    assert "htrac.store.index" in modules  # the read went through the index


@pytest.mark.parametrize("command", [("ready",), ("count-todos", "--json"), ("--json", "hash-todos")])
def test_imports_hot_commands_load_neither_click_nor_the_write_half(tmp_tracker, command):
    """What agents and stop hooks run most starts without click (`cli.entry`) and, when nothing
    changed since the last command, without the code that writes ops or talks to git."""
    tmp_tracker.add("Something to read")
    tmp_tracker.ok(*command)  # the index is now fresh
    modules = loaded_modules(tmp_tracker, *command)
    assert "htrac.cli.hot" in modules and "htrac.store.index" in modules
    loaded = sorted(m for m in modules if m.startswith((
        "click", "htrac.cli.main", "htrac.core.serialize", "htrac.store.appendlog",
        "htrac.gitio", "htrac.service.values", "htrac.policy.keys", "subprocess",
        "htrac.core.fold", "htrac.core.oplog", "htrac.store.index_codec",
        "htrac.store.index_build")))
    assert loaded == []
