"""Browsers the human has logged in from, so that an agent flooding the login can't hold the
human back.

Every login (password or passkey) gives the page a device secret, which it keeps in its own
origin's storage and sends as the `X-Htrac-Device` header when it logs in again. A known
device's failed logins back off on their own (`backoff.py`): an agent's wrong passwords, sent
without it, never delay it. It is not a cookie on purpose: cookies are not isolated by port, so
a server an agent runs on another localhost port would receive it and could then spend the
device's back-off with wrong passwords of its own. A page of another origin can't read it.

A browser that never logged in here has no secret yet, and while an agent floods, logins without
one wait behind the agent's failures. `htrac serve link`, run by the human on the server's
machine, makes a one-login secret for a new browser (`…/#device=SECRET`; the fragment never
leaves the browser): that browser logs in as a known device, and gets a secret of its own.

Only hashes are stored, in `devices.json` in the human's directory of secrets, so a restart
forgets no browser; the file is re-read when the CLI has changed it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import HtracError
from ..store.private import read_secret, write_private
from .places import config_dir

HEADER = "x-htrac-device"
LINK_SECONDS = 24 * 3600
KEEP_BROWSERS = 200  # the most recently used; an agent can't add any (it takes a login)


def _key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def devices_path() -> Path:
    return config_dir() / "devices.json"


@dataclass(frozen=True)
class Device:
    key: str  # the secret's hash: what back-off counts under
    kind: str  # browser | link


class Devices:
    def __init__(self, path: Path | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._path = path
        self.clock = clock
        self._known: dict[str, dict[str, Any]] = {}
        self._stamp: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    def file(self) -> Path:
        return self._path or devices_path()

    def known(self, secret: str | None) -> Device | None:
        """The device `secret` names, if a login issued it or the human linked it (and the link
        has not expired)."""
        if not secret or len(secret) > 200:
            return None
        key = _key(secret)
        with self._lock:
            entry = self._known.get(key)
            if entry is None and self._changed():  # a link the CLI made meanwhile
                self._known = self._read()
                entry = self._known.get(key)
        if entry is None or self._expired(entry):
            return None
        return Device(key, entry["kind"])

    def logged_in(self, device: Device | None) -> str | None:
        """A login succeeded from `device`: a browser keeps its secret (None); a linked or new
        one gets a secret of its own, and a link is used up."""
        if device is not None and device.kind == "browser":
            self._change(lambda known: known[device.key].update(used=self.clock())
                         if device.key in known else None)
            return None
        secret = secrets.token_urlsafe(32)

        def add(known: dict[str, dict[str, Any]]) -> None:
            if device is not None:
                known.pop(device.key, None)
            known[_key(secret)] = {"kind": "browser", "used": self.clock()}

        self._change(add)
        return secret

    def link(self) -> tuple[str, float]:
        """A one-login secret for a new browser; (the secret, when it expires)."""
        secret = secrets.token_urlsafe(32)
        expires = self.clock() + LINK_SECONDS
        self._change(lambda known: known.__setitem__(_key(secret), {"kind": "link",
                                                                     "expires": expires}))
        return secret, expires

    # -- the file ------------------------------------------------------------------------------

    def _expired(self, entry: dict[str, Any]) -> bool:
        return entry.get("kind") == "link" and entry.get("expires", 0) < self.clock()

    def _changed(self) -> bool:
        try:
            info = os.stat(self.file())
        except OSError:
            return self._stamp is not None
        return (info.st_ino, info.st_mtime_ns, info.st_size) != self._stamp

    def _read(self) -> dict[str, dict[str, Any]]:
        path = self.file()
        try:
            info = os.stat(path)
            self._stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
        except OSError:
            self._stamp = None
        text = read_secret(path)
        if text is None:
            return {}
        try:
            known = json.loads(text)["devices"]
            assert isinstance(known, dict)
            return {k: v for k, v in known.items() if isinstance(v, dict)
                    and v.get("kind") in ("browser", "link")}
        except (ValueError, KeyError, TypeError, AssertionError):
            raise HtracError(f"{path} is not a devices file: remove it (browsers then log in "
                             "as new ones)") from None

    def _change(self, change: Callable[[dict[str, dict[str, Any]]], None]) -> None:
        """Read, change and write the file under its lock (the CLI and the server share it)."""
        path = self.file()
        fd = os.open(path.with_name(".devices.lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW
                     | os.O_CLOEXEC, 0o600)
        with self._lock, os.fdopen(fd, "r+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            known = self._read()
            change(known)
            known = {k: v for k, v in known.items() if not self._expired(v)}
            browsers = sorted((k for k, v in known.items() if v["kind"] == "browser"),
                              key=lambda k: known[k].get("used", 0), reverse=True)
            for stale in browsers[KEEP_BROWSERS:]:
                del known[stale]
            write_private(path, json.dumps({"devices": known}, indent=1))
            self._known = known
            info = os.stat(path)
            self._stamp = (info.st_ino, info.st_mtime_ns, info.st_size)
