"""Which agent session an MCP connection is: claims are held per session, and one connection
is one session.

The name is fixed the first time a connection needs it: `--session` when the server was given
one; else, over stdio, the session of the runtime that started the server (`HTRAC_SESSION`, or
what the runtime's session-start hook recorded — then its shell commands and its tools are one
session); else a name of its own, `mcp:<8 hex>`, never the host-wide fallback that would make
every connection on the machine one session. Over HTTP each MCP session (its
`mcp-session-id`) gets its own name.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from typing import Any

KEEP = 4096  # names remembered for HTTP connections (an old one past this gets a new name)


class SessionNames:
    def __init__(self, fixed: str | None = None, *, inherit: bool = True) -> None:
        if fixed is not None:
            from ..service.sessions import check

            fixed = check(fixed, "--session")
        self.fixed = fixed
        self.inherit = inherit  # stdio: the runtime that started us is the client
        self._names: OrderedDict[str, str] = OrderedDict()

    def name(self, ctx: Any = None) -> str:
        if self.fixed is not None:
            return self.fixed
        key = _connection(ctx)
        if key not in self._names:
            self._names[key] = self._new()
            while len(self._names) > KEEP:
                self._names.popitem(last=False)
        return self._names[key]

    def _new(self) -> str:
        if self.inherit:
            from ..service.sessions import current

            found = current(None)
            if found.source != "host":
                return found.name
        return f"mcp:{secrets.token_hex(4)}"


def _connection(ctx: Any) -> str:
    """The HTTP session this request belongs to; one key for stdio."""
    headers = getattr(getattr(ctx, "request", None), "headers", None)
    if headers is not None:
        return "http:" + (headers.get("mcp-session-id") or "")
    return "stdio"
