"""`htrac mcp`: serve the tracker's tools over the Model Context Protocol."""

from __future__ import annotations

from pathlib import Path

import click

from .context import Context, pass_ctx


@click.command()
@click.option("--tools", "tool_spec", metavar="NAMES",
              help="Offer only these tools and toolsets, comma-separated (toolsets: tracker, "
                   "claims, memory, human; default: all but human).")
@click.option("--read-only", is_flag=True, help="Offer only the tools that change nothing.")
@click.option("--allow-human-ops", is_flag=True,
              help="Also offer the human-only tools (lock, freeze, clear_discussion, delete). "
                   "The tracker still refuses them to an agent user.")
@click.option("--http", "http", is_flag=True,
              help="Serve streamable HTTP on 127.0.0.1 instead of stdio; clients must send the "
                   "bearer token from --token-file.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="With --http: the port (0: any free one, printed on stderr).")
@click.option("--token-file", type=click.Path(path_type=Path, dir_okay=False),
              help="With --http: the bearer token's file, yours and mode 0600 (default: made "
                   "in your private htrac directory).")
@click.option("--session", "session_name", metavar="NAME",
              help="The agent session every connection acts as (claims are per session; "
                   "default: over stdio the runtime's session if $HTRAC_SESSION or its "
                   "session-start hook names one, else one per connection).")
@pass_ctx
def mcp(ctx: Context, tool_spec: str | None, read_only: bool, allow_human_ops: bool,
        http: bool, port: int, token_file: Path | None, session_name: str | None) -> None:
    """Serve ready, show, list, add, update, discuss… as MCP tools (stdio by default).

    The server acts as the OS user that started it: an agent user gets an agent's rights,
    exactly as on the command line.
    """
    from ..mcp.registry import select
    from ..mcp.server import TrackerServer, serve_stdio
    from ..mcp.sessions import SessionNames

    if not http and (port or token_file):
        raise click.UsageError("--port and --token-file go with --http")
    tools = select(tool_spec, allow_human_ops=allow_human_ops, read_only=read_only)
    app = TrackerServer(tools, start=Path.cwd(), tracker_root=ctx.tracker_root,
                        auto_sync=ctx.auto_sync,
                        sessions=SessionNames(session_name, inherit=not http))
    if http:
        from ..mcp.streamable import serve_http
        serve_http(app, port=port, token_file=token_file)
    else:
        serve_stdio(app)
