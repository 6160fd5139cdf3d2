"""The MCP server: `tools/list` and `tools/call` on the SDK's low-level server.

Each call opens the tracker afresh as the OS user running the server (a trust root or config
changed since the last call applies to the next), checks the arguments against the tool's
declared parameters, and makes the tool's one service call in a worker thread, one call at a
time. Whatever goes wrong is the call's error, answered as a tool error; the server goes on.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from mcp.server.lowlevel import Server

from .. import __version__
from ..core.errors import HtracError, StaleVersionError
from . import shapes
from .params import checked
from .sessions import SessionNames
from .tool import Call, Tool

INSTRUCTIONS = ("htrac work tracker. Loop: ready; update status in_progress; work; discuss "
                "what you found; update status done. Name items by ID or prefix.")


class TrackerServer:
    def __init__(self, tools: list[Tool], *, start: Path, tracker_root: Path | None = None,
                 auto_sync: bool = True, sessions: SessionNames | None = None) -> None:
        self.tools = {tool.name: tool for tool in tools}
        self.start = start
        self.tracker_root = tracker_root
        self.auto_sync = auto_sync
        self.sessions = sessions or SessionNames()
        self.listing = [_listed(tool) for tool in tools]
        self._one_at_a_time = anyio.CapacityLimiter(1)

    def server(self) -> Server:
        return Server("htrac", version=__version__, instructions=INSTRUCTIONS,
                      on_list_tools=self.list_tools, on_call_tool=self.call_tool)

    async def list_tools(self, _ctx: Any, _params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=self.listing)

    async def call_tool(self, ctx: Any, params: types.CallToolRequestParams
                        ) -> types.CallToolResult:
        try:
            tool = self.tools.get(params.name)
            if tool is None:
                raise _Refused(f"no tool {params.name!r} here (offered: "
                               f"{', '.join(self.tools)})")
            args = checked(tool.name, tool.params, params.arguments)
            data = await anyio.to_thread.run_sync(self._run, tool, args,
                                                  lambda: self.sessions.name(ctx),
                                                  limiter=self._one_at_a_time)
        except HtracError as exc:
            return _error(exc)
        except Exception as exc:  # the last line of defence: the server must go on
            if os.environ.get("HTRAC_DEBUG"):
                raise
            return _error(f"internal error: {type(exc).__name__}: {exc} "
                          "(set HTRAC_DEBUG=1 for a traceback)")
        return types.CallToolResult(content=[types.TextContent(text=shapes.dumps(data))])

    def _run(self, tool: Tool, args: dict[str, Any], session: Callable[[], str]) -> Any:
        from ..service.tracker import Tracker

        tracker = Tracker.open(start=self.start, tracker_root=self.tracker_root)
        try:
            data = tool.run(Call(tracker, args, session))
            if not tool.read_only and self.auto_sync:
                note = _auto_sync(tracker)
                if note and isinstance(data, dict):
                    data["sync"] = note
            return data
        finally:
            tracker.store.close()  # a long-lived server must not hold the index (or its WAL)


class _Refused(HtracError):
    pass


def _listed(tool: Tool) -> types.Tool:
    return types.Tool(name=tool.name, description=tool.description,
                      input_schema=tool.schema(),
                      annotations=types.ToolAnnotations(read_only_hint=tool.read_only,
                                                        destructive_hint=tool.destructive))


def _error(problem: HtracError | str) -> types.CallToolResult:
    """The CLI's one line (`error: …`). A post refused for unread human messages also carries
    them, and a stale write the item as it is now: what the agent must read before trying
    again."""
    text = f"error: {problem}"
    unread = getattr(problem, "unread", None)
    if unread:
        text += "\n" + shapes.dumps({"unread": [shapes.entry(e) for e in unread]})
    if isinstance(problem, StaleVersionError):
        text += "\n" + shapes.dumps({"now": shapes.item(problem.item)})
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)


def _auto_sync(tracker) -> str | None:
    """As the CLI after a write: commit and push past the threshold; a failure is a note."""
    try:
        from ..service.sync import Syncer
        return Syncer(tracker).auto()
    except Exception as exc:  # the write already succeeded; sync is best effort
        return f"auto-sync skipped: {exc}"


def serve_stdio(app: TrackerServer) -> None:
    from mcp.server.stdio import stdio_server

    server = app.server()

    async def main() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(main)
