"""What a running server is configured with: where it listens, which origins may use it, and
how long logins last. Nothing here comes from the repository's config, which an agent can write:
an origin an agent could add would let its own page drive the human's server."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..core.errors import InvalidValueError

DEFAULT_PORT = 7380
LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normal_origin(text: str) -> str:
    """`scheme://host[:port]` in lower case with the default port dropped; refuses anything else."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidValueError(f"not an origin (scheme://host[:port]): {text!r}")
    try:
        port = parts.port
    except ValueError:
        raise InvalidValueError(f"not an origin (bad port): {text!r}") from None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


@dataclass
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    certfile: str | None = None
    keyfile: str | None = None
    extra_origins: tuple[str, ...] = ()
    rp_id: str = "localhost"
    rp_name: str = "htrac"
    user_verification: str = "preferred"  # WebAuthn: required | preferred | discouraged
    idle_minutes: float = 30.0
    absolute_hours: float = 12.0
    body_limit: int = 1_000_000
    ws_message_limit: int = 64_000
    origins: tuple[str, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        self.extra_origins = tuple(normal_origin(o) for o in self.extra_origins)
        self.origins = tuple(dict.fromkeys(self.bound_origins() + self.extra_origins))

    @property
    def tls(self) -> bool:
        return bool(self.certfile)

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    def bound_origins(self) -> tuple[str, ...]:
        """The origins a browser on this machine has when it opens the bound address itself."""
        hosts = [self.host]
        if is_loopback(self.host):
            hosts = ["127.0.0.1", "localhost", "[::1]"]
        elif ":" in self.host and not self.host.startswith("["):
            hosts = [f"[{self.host}]"]
        return tuple(normal_origin(f"{self.scheme}://{h}:{self.port}") for h in hosts)

    def allowed_hosts(self) -> frozenset[str]:
        """Host headers the server answers (DNS rebinding: a page on evil.example resolved to
        127.0.0.1 sends `Host: evil.example:PORT`, which is refused)."""
        return frozenset(urlsplit(o).netloc for o in self.origins)

    def url(self) -> str:
        return self.bound_origins()[1 if is_loopback(self.host) else 0] + "/"


def check_binding(host: str, tls: bool, insecure: bool) -> str | None:
    """None when binding `host` is allowed, else the reason it is not."""
    if is_loopback(host) or tls or insecure:
        return None
    return (f"refusing to listen on {host} without TLS: anyone on that network could read the "
            "session cookie and every item. Give --certfile and --keyfile, use an SSH tunnel to "
            "127.0.0.1 (see docs/guide/web.md), or --insecure-bind if you really mean it")
