"""`htrac serve` as a process: --background, --status, --stop (only ever the right process),
one server per tracker, and no plain-HTTP listening beyond loopback without saying so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from webserver import htrac, make_repo, private_env


@pytest.fixture
def repo_env(tmp_path):
    env = private_env(tmp_path)
    return make_repo(tmp_path, env), env


def run(repo, env, *args):
    return subprocess.run([sys.executable, "-m", "htrac", *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=60)


def test_background_status_stop(repo_env):
    repo, env = repo_env
    assert run(repo, env, "serve", "--status").stdout == "Not running.\n"
    started = run(repo, env, "serve", "--port", "0", "--background")
    assert started.returncode == 0, started.stderr
    status = json.loads(htrac(repo, env, "--json", "serve", "--status"))
    assert status["running"] and status["url"].startswith("http://localhost:")
    again = run(repo, env, "serve", "--port", "0", "--background")
    assert again.returncode == 1 and "already runs" in again.stderr
    runtime = list((repo.parent / "xdg_runtime_dir" / "htrac").glob("serve-*.json"))
    assert len(runtime) == 1 and oct(runtime[0].stat().st_mode & 0o777) == "0o600"
    assert not (repo / ".agent" / "htrac-serve.pid").exists()
    stopped = run(repo, env, "serve", "--stop")
    assert (stopped.returncode, stopped.stdout) == (0, "Server stopped.\n")
    with pytest.raises(ProcessLookupError):
        for _ in range(100):
            os.kill(status["pid"], 0)
            time.sleep(0.05)
    stopped = run(repo, env, "serve", "--stop")
    assert (stopped.returncode, stopped.stdout) == (1, "No running server found.\n")


def test_stop_never_signals_a_pid_written_by_someone_else(repo_env):
    """A runtime file whose PID no server holds the lock for is not believed."""
    repo, env = repo_env
    victim = subprocess.Popen(["sleep", "60"])
    try:
        run(repo, env, "serve", "--status")  # creates the runtime directory
        runtime = repo.parent / "xdg_runtime_dir" / "htrac"
        for path in runtime.glob("*") or []:
            path.unlink()
        from htrac.server import process  # noqa: F401  (the file name it uses)

        key_file = subprocess.run(
            [sys.executable, "-c", "from pathlib import Path; from htrac.server.process import "
             "runtime_file; print(runtime_file(Path('.agent').resolve()))"],
            cwd=repo, env=env, capture_output=True, text=True).stdout.strip()
        with open(key_file, "w") as handle:
            json.dump({"pid": victim.pid, "url": "http://localhost:1/"}, handle)
        assert run(repo, env, "serve", "--stop").returncode == 1
        assert victim.poll() is None
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()


def test_non_loopback_needs_tls_or_the_loud_flag(repo_env):
    repo, env = repo_env
    refused = run(repo, env, "serve", "--host", "0.0.0.0", "--port", "0")
    assert refused.returncode == 1 and "without TLS" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_passwd_is_private(repo_env):
    repo, env = repo_env
    htrac(repo, env, "serve", "passwd", "--stdin", input="long enough password\n")
    path = repo.parent / "xdg_config_home" / "htrac" / "serve" / "password"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert "long enough" not in path.read_text()
    short = subprocess.run([sys.executable, "-m", "htrac", "serve", "passwd", "--stdin"],
                           cwd=repo, env=env, capture_output=True, text=True, input="short\n")
    assert short.returncode == 1 and "at least 8" in short.stderr
    os.chmod(path.parent, 0o755)
    opened = subprocess.run([sys.executable, "-m", "htrac", "serve", "passwd", "--stdin"],
                            cwd=repo, env=env, capture_output=True, text=True,
                            input="long enough password\n")
    assert opened.returncode == 1 and "chmod 700" in opened.stderr
