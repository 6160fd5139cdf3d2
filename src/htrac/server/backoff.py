"""Login back-off: each failure doubles the wait before the next attempt from the same place.

A known device — a browser that has logged in before, or one the human linked with
`htrac serve link` (devices.py) — is counted on its own and held back only by its own failures:
an agent can't send its secret, so an agent flooding the login with wrong passwords never slows
the human's browser. Every other attempt counts against the account and the client (its
address), and takes a slot of a server-wide rate (bcrypt is slow on purpose): rotating client
addresses does not escape the account's count. There is no lockout: the longest wait is `cap`
seconds. A passkey login is never held back: a signature can't be guessed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Count:
    failures: int = 0
    not_before: float = 0.0


class LoginBackoff:
    def __init__(self, base: float = 1.0, cap: float = 60.0, global_per_second: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.base = base
        self.cap = cap
        self.interval = 1.0 / global_per_second
        self.clock = clock
        self._counts: dict[tuple[str, str], _Count] = {}
        self._next_global = 0.0

    def keys(self, account: str, client: str, device: str | None) -> list[tuple[str, str]]:
        if device is not None:
            return [("device", device)]
        return [("account", account), ("client", client)]

    def wait(self, keys: list[tuple[str, str]]) -> float:
        """Seconds until an attempt under `keys` is allowed (0: now). An unknown client's
        allowed attempt also takes a slot of the global rate (bcrypt is slow on purpose)."""
        now = self.clock()
        unknown = keys[0][0] != "device"
        wait = max((c.not_before - now for k in keys if (c := self._counts.get(k))), default=0.0)
        if unknown:
            wait = max(wait, self._next_global - now)
        if wait > 0:
            return wait
        if unknown:
            self._next_global = now + self.interval
        return 0.0

    def failed(self, keys: list[tuple[str, str]]) -> None:
        now = self.clock()
        for key in keys:
            count = self._counts.setdefault(key, _Count())
            count.failures += 1
            count.not_before = now + min(self.cap, self.base * 2 ** (count.failures - 1))
        if len(self._counts) > 10_000:  # a flood of invented clients: forget the settled ones
            self._counts = {k: c for k, c in self._counts.items() if c.not_before > now}

    def succeeded(self, keys: list[tuple[str, str]]) -> None:
        for key in keys:
            self._counts.pop(key, None)
