"""What one running server holds: its settings, the tracker (used on the worker thread only),
the login machinery and the live WebSocket clients."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .backoff import LoginBackoff
from .devices import Devices
from .listcache import ListCache
from .passkeys import Passkeys
from .sessions import SessionStore
from .settings import ServerSettings
from .worker import Worker

if TYPE_CHECKING:
    from ..service.tracker import Tracker
    from .hub import Hub


@dataclass
class ServerState:
    settings: ServerSettings
    tracker: Tracker
    password_file: Path | None = None  # None: the human's config directory
    passkey_file: Path | None = None
    device_file: Path | None = None
    sessions: SessionStore = field(init=False)
    backoff: LoginBackoff = field(default_factory=LoginBackoff)
    passkeys: Passkeys = field(init=False)
    devices: Devices = field(init=False)
    worker: Worker = field(default_factory=Worker)
    hub: Hub | None = None
    listcache: ListCache = field(default_factory=ListCache)
    started: float = field(default_factory=time.monotonic)
    on_change: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        s = self.settings
        self.sessions = SessionStore(s.idle_minutes * 60, s.absolute_hours * 3600)
        self.passkeys = Passkeys(s.rp_id, s.rp_name, s.origins, self.user,
                                 s.user_verification, path=self.passkey_file)
        self.devices = Devices(self.device_file)

    @property
    def user(self) -> str:
        """The one account: the OS user running the server. The web user gets exactly their
        rights — an agent's server gives an agent's."""
        return self.tracker.actor.name
