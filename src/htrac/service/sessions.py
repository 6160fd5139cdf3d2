"""Which agent session is acting: the second half of a claim's holder (the actor is the first).

Several sessions of an agent runtime often run as one OS user, and shell commands of some
runtimes get no session variable at all. So the session is, first found:

1. `--session` (or what a surface passes: the MCP server passes its connection's);
2. `HTRAC_SESSION`;
3. what the runtime's session-start hook recorded (`htrac hook session-start`): the hook
   records the session under its nearest non-shell ancestor process — the runtime — by PID and
   start time, and a command finds it by walking up its own ancestors;
4. `host:<hostname>`: every session of this user on this host shares it (say so in docs).

Records live in the user's own cache directory (mode 0700), one small file per runtime process,
and are forgotten once that process is gone.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

from ..core.claims import SESSION
from ..core.errors import InvalidValueError

ENV = "HTRAC_SESSION"
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "fish", "ksh", "env", "timeout", "nohup",
                    "xargs", "time", "nice", "stdbuf", "setsid"})
MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Session:
    name: str
    source: str  # option, HTRAC_SESSION, session-start hook, host


def current(explicit: str | None = None) -> Session:
    if explicit:
        return Session(check(explicit, "--session"), "option")
    env = os.environ.get(ENV)
    if env:
        return Session(check(env, ENV), ENV)
    recorded = recorded_session()
    if recorded:
        return Session(recorded, "session-start hook")
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:100] or "localhost"
    return Session(f"host:{host}", "host")


def check(name: str, where: str) -> str:
    if not SESSION.fullmatch(name):
        raise InvalidValueError(f"{where}: {name[:60]!r} is not a session name (letters, "
                                "digits and ._:@/+- , at most 128, starting with a letter or "
                                "digit)")
    return name


# -- what the session-start hook records ------------------------------------------------------

def record(session: str, *, pid: int | None = None) -> Path | None:
    """Remember `session` for the runtime that started this hook: its nearest non-shell
    ancestor. Returns the record's path (None if there is nowhere to keep it)."""
    if not SESSION.fullmatch(session):
        return None
    runtime = _runtime(pid if pid is not None else os.getppid())
    if runtime is None:
        return None
    directory = _records()
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = directory / _key(*runtime)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(session, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        return None
    _forget_gone(directory)
    return path


def recorded_session(pid: int | None = None) -> str | None:
    """The session recorded for this process's nearest recorded ancestor."""
    directory = _records()
    if not directory.is_dir():
        return None
    for proc, start, _name in _ancestors(pid if pid is not None else os.getppid()):
        try:
            text = (directory / _key(proc, start)).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if SESSION.fullmatch(text):
            return text
    return None


def _records() -> Path:
    base = os.environ.get("HTRAC_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = os.path.join(xdg, "htrac") if xdg else os.path.expanduser("~/.cache/htrac")
    return Path(base) / "sessions"


def _key(pid: int, start: str) -> str:
    return hashlib.sha256(f"{pid}:{start}".encode()).hexdigest()[:24]


def _runtime(pid: int) -> tuple[int, str] | None:
    for proc, start, name in _ancestors(pid):
        if name not in SHELLS:
            return proc, start
    return None


def _ancestors(pid: int):
    """(pid, start time, command name) of `pid` and its ancestors, nearest first."""
    seen = 0
    while pid > 1 and seen < MAX_DEPTH:
        info = _stat(pid)
        if info is None:
            return
        parent, start, name = info
        yield pid, start, name
        pid, seen = parent, seen + 1


def _stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, start time, command name) from /proc/<pid>/stat (Linux)."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    # the name is in parentheses and may hold spaces and parentheses itself
    name = data[data.find("(") + 1:data.rfind(")")]
    rest = data[data.rfind(")") + 2:].split()
    try:
        return int(rest[1]), rest[19], name
    except (IndexError, ValueError):
        return None


def _forget_gone(directory: Path) -> None:
    """Drop records of runtimes that are gone (a record names a key, not a PID, so look at
    every live process's key: cheap next to starting an agent session)."""
    try:
        names = {e.name for e in os.scandir(directory) if not e.name.startswith(".")}
    except OSError:
        return
    if len(names) < 32:
        return  # not worth a look at /proc yet
    alive = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            info = _stat(int(entry))
            if info is not None:
                alive.add(_key(int(entry), info[1]))
    for name in names - alive:
        try:
            os.unlink(directory / name)
        except OSError:
            pass
