"""Running the server: in the foreground, in the background, and finding or stopping the one
that runs for a tracker.

A running server holds an exclusive lock on its runtime file, in the human's own runtime
directory (never in the worktree, where an agent could write a PID that `--stop` would then
kill). The file names the holder's PID; a PID is believed only while the lock is held, so
`--stop` can only ever signal the process that is that server.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from ..core.errors import HtracError
from .places import runtime_dir
from .settings import ServerSettings

START_SECONDS = 20.0
STOP_SECONDS = 10.0


def runtime_file(tracker_root: Path) -> Path:
    key = hashlib.sha256(str(tracker_root.resolve()).encode()).hexdigest()[:16]
    return runtime_dir() / f"serve-{key}.json"


@dataclass
class Running:
    pid: int
    url: str | None
    info: dict


def running(tracker_root: Path) -> Running | None:
    """The server running for this tracker, if one does (it holds the runtime file's lock)."""
    path = runtime_file(tracker_root)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            data = os.pread(fd, 65536, 0)
            try:
                info = json.loads(data)
                return Running(int(info["pid"]), info.get("url"), info)
            except (ValueError, KeyError, TypeError):
                return None  # being written: the holder has only just started
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def stop(tracker_root: Path) -> int | None:
    """SIGTERM the running server and wait until it has let go; its PID, or None."""
    found = running(tracker_root)
    if found is None:
        return None
    os.kill(found.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    while (now := running(tracker_root)) is not None and now.pid == found.pid:
        if time.monotonic() > deadline:
            raise HtracError(f"the server (PID {found.pid}) did not stop within "
                             f"{STOP_SECONDS:.0f} s")
        time.sleep(0.05)
    return found.pid


def _claim(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise HtracError("a server already runs for this tracker: see 'htrac serve --status'") \
            from None
    return fd


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise HtracError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve_foreground(settings: ServerSettings, tracker, *, say=print) -> None:
    """Listen, announce, serve until SIGINT/SIGTERM, then let go of the runtime file."""
    import uvicorn

    from .app import create_app
    from .state import ServerState

    path = runtime_file(tracker.layout.root)
    fd = _claim(path)
    sock = bind(settings.host, settings.port)
    try:
        settings = replace(settings, port=sock.getsockname()[1])
        info = {"pid": os.getpid(), "url": settings.url(), "host": settings.host,
                "port": settings.port, "origins": list(settings.origins),
                "tracker": str(tracker.layout.root), "started": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        app = create_app(ServerState(settings, tracker))
        config = uvicorn.Config(
            app, log_level="warning", proxy_headers=False, server_header=False,
            ws_max_size=settings.ws_message_limit, lifespan="on",
            ssl_certfile=settings.certfile, ssl_keyfile=settings.keyfile,
            timeout_graceful_shutdown=3)
        say(f"Starting htrac serve on {settings.host}:{settings.port} — open {settings.url()}")
        sys.stdout.flush()
        asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))
    finally:
        sock.close()
        try:
            path.unlink()
        except OSError:
            pass
        os.close(fd)


def serve_background(argv: list[str], tracker_root: Path) -> Running:
    """Start `htrac serve` (the same options, in the foreground) as a new session, detached,
    its output in the runtime directory; returns once it is listening."""
    if running(tracker_root) is not None:
        raise HtracError("a server already runs for this tracker: see 'htrac serve --status'")
    log = runtime_file(tracker_root).with_suffix(".log")
    with open(log, "ab") as out:
        os.chmod(log, 0o600)
        child = subprocess.Popen([sys.executable, "-m", "htrac", *argv], stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=out, start_new_session=True, close_fds=True)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        found = running(tracker_root)
        if found is not None and found.pid == child.pid:
            return found
        if child.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
            raise HtracError(f"the server did not start: {tail[0]}")
        time.sleep(0.05)
    child.terminate()
    raise HtracError(f"the server did not start within {START_SECONDS:.0f} s (see {log})")
