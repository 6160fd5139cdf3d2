"""Which session acts: --session, HTRAC_SESSION, what the session-start hook recorded for the
runtime process (found again through process ancestry), else one per host."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from htrac.core.errors import InvalidValueError
from htrac.service import sessions

# An agent runtime: runs its session-start hook, then a claim, both through a shell, as Claude
# Code runs hooks and Bash tool commands — no session variable in the claim's environment.
RUNTIME = textwrap.dedent("""
    import json, os, subprocess, sys
    session, item, python = sys.argv[1], sys.argv[2], sys.executable
    env = {k: v for k, v in os.environ.items() if k != "HTRAC_SESSION"}
    event = json.dumps({"session_id": session, "cwd": os.getcwd(), "source": "startup"})
    subprocess.run(["sh", "-c", f"'{python}' -m htrac hook session-start"], input=event,
                   text=True, check=True, capture_output=True, env=env)
    out = subprocess.run(["sh", "-c", f"'{python}' -m htrac --json claim {item}"], text=True,
                         capture_output=True, env=env)
    print(out.stdout or out.stderr)
""")


def test_sessions_the_session_start_hook_names_the_runtimes_claims(tmp_tracker):
    first, second = tmp_tracker.add("First"), tmp_tracker.add("Second")
    answers = []
    for session, item in (("runtime-one", first), ("runtime-two", second)):
        run = subprocess.run([sys.executable, "-c", RUNTIME, session, item],
                             cwd=tmp_tracker.path, capture_output=True, text=True,
                             env={k: v for k, v in os.environ.items() if k != "HTRAC_SESSION"})
        answers.append(json.loads(run.stdout))
    assert [a["holder"] for a in answers] == ["root/runtime-one", "root/runtime-two"]


def test_sessions_explicit_then_environment_then_host(monkeypatch):
    monkeypatch.setenv("HTRAC_SESSION", "from-env")
    assert sessions.current("given") == sessions.Session("given", "option")
    assert sessions.current() == sessions.Session("from-env", "HTRAC_SESSION")
    monkeypatch.delenv("HTRAC_SESSION")
    found = sessions.current()
    assert found.source == "host" and found.name.startswith("host:")
    with pytest.raises(InvalidValueError, match="not a session name"):
        sessions.current("two words")
    monkeypatch.setenv("HTRAC_SESSION", "bad\nname")
    with pytest.raises(InvalidValueError, match="HTRAC_SESSION"):
        sessions.current()


def test_sessions_a_record_is_found_only_under_its_runtime(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE, text=True)
    try:
        assert sessions.record("held-by-child", pid=child.pid) is not None
        assert sessions.recorded_session(pid=child.pid) == "held-by-child"
        assert sessions.recorded_session(pid=os.getpid()) is None  # not an ancestor of ours
    finally:
        child.communicate("")
