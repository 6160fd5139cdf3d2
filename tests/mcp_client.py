"""Helpers for the MCP tests: `htrac mcp` as a real subprocess, driven through the SDK's own
client over stdio (or spoken to line by line, to measure exactly what it writes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio

# What the server process inherits from the test (the SDK's client passes only a safe few).
PASSED = ("HTRAC_CACHE_DIR", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
          "GIT_COMMITTER_EMAIL", "GIT_CONFIG_NOSYSTEM", "XDG_CONFIG_HOME")


def local_server(cwd: Path, *args: str):
    """Parameters that start `python -m htrac --no-auto-sync mcp ARGS` in `cwd`."""
    from mcp.client.stdio import StdioServerParameters

    env = {key: os.environ[key] for key in PASSED if key in os.environ}
    return StdioServerParameters(command=sys.executable,
                                 args=["-m", "htrac", "--no-auto-sync", "mcp", *args],
                                 cwd=str(cwd), env=env)


def drive(params, scenario: Callable[[Any], Awaitable[Any]], mode: str = "legacy") -> Any:
    """Run `scenario(client)` against a server started from `params` (`mode`: the SDK's;
    "legacy" is the initialize handshake); its stderr is kept and shown if the scenario fails."""
    from mcp import Client
    from mcp.client.stdio import stdio_client

    with tempfile.TemporaryFile("w+") as errlog:
        async def main():
            with anyio.fail_after(120):
                async with Client(stdio_client(params, errlog=errlog), mode=mode) as client:
                    return await scenario(client)
        try:
            return anyio.run(main)
        except BaseException:
            errlog.seek(0)
            sys.stderr.write(f"server stderr:\n{errlog.read()}\n")
            raise


def text(result) -> str:
    assert len(result.content) == 1
    return result.content[0].text


def answer(result) -> Any:
    """A successful call's JSON answer."""
    assert not result.is_error, text(result)
    return json.loads(text(result))


def refusal(result) -> str:
    """A failed call's first line (the CLI's `error: …`)."""
    assert result.is_error, text(result)
    return text(result).split("\n")[0]


def cli_error(run) -> str:
    """The one line a failed CLI command printed."""
    assert run.code != 0, run.out
    lines = run.err.strip().split("\n")
    return lines[-1] if lines[-1].startswith("error:") else run.err.strip()


def raw_tools_list(cwd: Path, *args: str) -> bytes:
    """The `tools/list` answer exactly as the server wrote it (one JSON-RPC line)."""
    env = {**os.environ}
    proc = subprocess.Popen([sys.executable, "-m", "htrac", "mcp", *args], cwd=cwd, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": {"name": "size-test", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    ]
    try:
        for message in messages:
            proc.stdin.write(json.dumps(message).encode() + b"\n")
            proc.stdin.flush()
        lines = [proc.stdout.readline(), proc.stdout.readline()]
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
        proc.stdout.close()
        proc.stderr.close()
    listing = [line for line in lines if json.loads(line).get("id") == 2]
    assert listing, lines
    return listing[0].rstrip(b"\n")
