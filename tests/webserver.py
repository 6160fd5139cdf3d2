"""A real `htrac serve` for tests: a tracker in a fresh git repository, the human's password set
in a private config directory, the server on 127.0.0.1 at a free port, and clients that log in
the way the page does (cookie + the session token header)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import requests

PASSWORD = "correct horse battery"
TOKEN_HEADER = "X-Htrac-Token"


OLD_CLAIM = """
import sys
from datetime import datetime, timedelta, timezone
from htrac.service import claims
from htrac.service.tracker import Tracker

tracker = Tracker.open()
tracker.clock = lambda: datetime.now(timezone.utc) - timedelta(hours=1)
claims.claim(tracker, sys.argv[1], session=sys.argv[2])
"""


def private_env(base: Path) -> dict[str, str]:
    """XDG directories of the test's own, mode 0700, as the server wants them."""
    env = dict(os.environ)
    for name in ("XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "XDG_CACHE_HOME"):
        path = base / name.lower()
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        env[name] = str(path)
    env["HTRAC_CACHE_DIR"] = str(base / "xdg_cache_home" / "htrac")
    env.update(GIT_AUTHOR_NAME="htrac tests", GIT_AUTHOR_EMAIL="tests@htrac.invalid",
               GIT_COMMITTER_NAME="htrac tests", GIT_COMMITTER_EMAIL="tests@htrac.invalid",
               GIT_CONFIG_NOSYSTEM="1", PYTHONUNBUFFERED="1")
    return env


def make_repo(base: Path, env: dict[str, str]) -> Path:
    repo = base / "repo"
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True, env=env)
    htrac(repo, env, "init")
    return repo


def htrac(repo: Path, env: dict[str, str], *args: str, input: str | None = None) -> str:
    result = subprocess.run([sys.executable, "-m", "htrac", *args], cwd=repo, env=env,
                            input=input, capture_output=True, text=True)
    assert result.returncode == 0, f"htrac {' '.join(args)}: {result.stderr}"
    return result.stdout


@dataclass
class Server:
    repo: Path
    env: dict[str, str]
    proc: subprocess.Popen
    port: int
    host: str = "localhost"
    scheme: str = "http"
    sessions: list = field(default_factory=list)
    device: str | None = None
    # What the server printed after its first line, kept (the last lines) and drained as it
    # comes: a pipe nobody reads fills up, and the server then blocks on its next log line.
    output: deque = field(default_factory=lambda: deque(maxlen=400))
    drains: list = field(default_factory=list)

    def drain(self) -> None:
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                thread = threading.Thread(target=self._keep, args=(stream,), daemon=True)
                thread.start()
                self.drains.append(thread)

    def _keep(self, stream) -> None:
        try:
            for line in stream:
                self.output.append(line)
        except (OSError, ValueError):  # closed by stop()
            pass

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    def anonymous(self) -> requests.Session:
        client = requests.Session()
        client.headers["Origin"] = self.origin
        return client

    def login(self, password: str = PASSWORD) -> requests.Session:
        """A logged-in client, from the same browser each time: it sends the device secret its
        first login gave, as the page does, so a test's own failed logins never hold it back."""
        client = self.anonymous()
        headers = {"X-Htrac-Device": self.device} if self.device else {}
        answer = client.post(self.url("/api/auth/login"), json={"password": password},
                             headers=headers)
        assert answer.status_code == 200, answer.text
        self.device = answer.json().get("device") or self.device
        client.headers[TOKEN_HEADER] = answer.json()["token"]
        client.token = answer.json()["token"]  # type: ignore[attr-defined]
        return client

    def htrac(self, *args: str) -> str:
        return htrac(self.repo, self.env, *args)

    def add(self, title: str, *args: str) -> str:
        """A new item (titles get a unique tail: an item's ID comes from its content)."""
        title = f"{title} {secrets.token_hex(3)}"
        return self.htrac("add", "--kind", "work_item", "--title", title, *args).strip()

    def claim_long_ago(self, item_id: str, session: str = "gone-session") -> None:
        """A claim taken an hour ago (the service with its clock set back): its lease has
        expired by now, as the claim of an agent that died would have."""
        subprocess.run([sys.executable, "-c", OLD_CLAIM, item_id, session], cwd=self.repo,
                       env=self.env, check=True, capture_output=True, text=True)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for thread in self.drains:  # the pipes end with the process: the drains finish
            thread.join(5)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def start(repo: Path, env: dict[str, str], *args: str, python: str = sys.executable,
          prefix: tuple[str, ...] = ()) -> Server:
    """`htrac serve --port 0 ARGS` in the foreground; returns once it has said its port."""
    proc = subprocess.Popen([*prefix, python, "-m", "htrac", "serve", "--port", "0", *args],
                            cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    line = proc.stdout.readline()
    if not line.startswith("Starting htrac serve on "):
        proc.kill()
        raise AssertionError(f"serve did not start: {line}{proc.stderr.read()}")
    port = int(line.split()[4].rsplit(":", 1)[1])
    server = Server(repo, env, proc, port)
    server.drain()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(server.url("/health"), timeout=2)
            return server
        except requests.ConnectionError:
            time.sleep(0.05)
    server.stop()
    raise AssertionError("serve did not answer /health")


def new_server(base: Path, *args: str) -> Server:
    env = private_env(base)
    repo = make_repo(base, env)
    htrac(repo, env, "serve", "passwd", "--stdin", input=PASSWORD + "\n")
    return start(repo, env, *args)


def ws_connect(server: Server, client: requests.Session | None = None, *,
               origin: str | None = "same", token: str | None = "same", snapshot="none"):
    """A WebSocket to the server, authenticated as `client` unless told otherwise."""
    from websockets.sync.client import connect

    headers = {}
    if client is not None:
        cookie = client.cookies.get("htrac_session")
        if cookie:
            headers["Cookie"] = f"htrac_session={cookie}"
    options = dict(additional_headers=headers, open_timeout=10,
                   origin=server.origin if origin == "same" else origin)
    try:  # websockets 17.1+ wants a context manager unless told this is meant
        ws = connect(f"ws://{server.host}:{server.port}/ws", legacy=True, **options)
    except TypeError:
        ws = connect(f"ws://{server.host}:{server.port}/ws", **options)
    if token == "same" and client is not None:
        token = client.token  # type: ignore[attr-defined]
    if token is not None:
        ws.send(json.dumps({"type": "auth", "token": token, "snapshot": snapshot}))
    return ws
