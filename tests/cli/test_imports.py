"""Read commands load only what they need: no TUI, server or round-trip YAML on the read path."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from htrac.cli.main import cli
try:
    cli(sys.argv[1:], prog_name="htrac")
except SystemExit:
    pass
sys.stderr.write("\\n".join(sorted(sys.modules)))
"""
# Third-party packages a read command may load. certifi and _distutils_hack come from
# site-packages .pth files that run at interpreter start-up, not from htrac.
ALLOWED_THIRD_PARTY = {"click", "htrac", "certifi", "_distutils_hack"}
FORBIDDEN = ("textual", "starlette", "uvicorn", "ruamel", "webauthn", "bcrypt", "watchfiles",
             "cryptography", "multiprocessing", "asyncio", "htrac.tui", "htrac.server",
             "htrac.mcp")


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
