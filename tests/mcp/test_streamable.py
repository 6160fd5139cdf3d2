"""`htrac mcp --http`: loopback only, a bearer token from a private file on every request, and
the SDK's DNS-rebinding protection (Host and Origin) on."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import anyio
import httpx2 as httpx
import pytest
from mcp_client import answer

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "t", "version": "1"}}}
ACCEPT = "application/json, text/event-stream"


@pytest.fixture
def config_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


@contextmanager
def http_server(cwd: Path, *args: str):
    """The server on a free port: yields (url, token file); stopped afterwards."""
    proc = subprocess.Popen([sys.executable, "-m", "htrac", "--no-auto-sync", "mcp", "--http",
                             *args], cwd=cwd, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        found = re.search(r"serving (http://\S+) \(bearer token in (.+)\)$", line.strip())
        assert found, line + proc.stderr.read()
        yield found.group(1), Path(found.group(2))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        proc.stderr.close()


def post(url: str, message: dict, **headers: str) -> httpx.Response:
    with httpx.Client(timeout=120) as http:
        return http.post(url, json=message, headers={"Accept": ACCEPT, **headers})


def test_streamable_serves_the_tools_to_a_client_with_the_token(tmp_tracker, config_home):
    item = tmp_tracker.add("Over HTTP")
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    with http_server(tmp_tracker.path) as (url, token_file):
        assert url.startswith("http://127.0.0.1:") and url.endswith("/mcp")
        assert token_file == config_home / "htrac" / "mcp-token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        assert token_file.parent.stat().st_mode & 0o777 == 0o700
        token = token_file.read_text().strip()

        async def scenario():
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(headers=headers, timeout=120) as http:
                async with Client(streamable_http_client(url, http_client=http),
                                  mode="legacy") as client:
                    return answer(await client.call_tool("ready", {}))

        ready = anyio.run(scenario)
    assert ready["items"][0]["id"] == item


def test_streamable_refuses_requests_without_the_token_or_from_elsewhere(tmp_tracker,
                                                                        config_home):
    with http_server(tmp_tracker.path) as (url, token_file):
        token = token_file.read_text().strip()
        port = url.split(":")[2].split("/")[0]
        assert post(url, INIT).status_code == 401
        assert post(url, INIT, Authorization="Bearer not-the-token").status_code == 401
        bearer = f"Bearer {token}"
        # DNS rebinding: a page on another name resolving to 127.0.0.1
        assert post(url, INIT, Authorization=bearer, Host=f"evil.example:{port}").status_code \
            == 421
        assert post(url, INIT, Authorization=bearer,
                    Origin="http://evil.example").status_code == 403
        assert post(url, INIT, Authorization=bearer).status_code == 200


def test_streamable_token_file_must_be_private_and_yours(tmp_tracker, tmp_path, config_home):
    loose = tmp_path / "loose-token"
    loose.write_text("a-long-enough-secret-token\n")
    loose.chmod(0o644)
    run = tmp_tracker.htrac("mcp", "--http", "--token-file", str(loose))
    assert run.code == 1
    assert run.err == f"error: the token file {loose} is readable by others: chmod 600 {loose}\n"
    short = tmp_path / "short-token"
    short.write_text("abc\n")
    short.chmod(0o600)
    assert "holds no token" in tmp_tracker.htrac("mcp", "--http", "--token-file",
                                                 str(short)).err
    link = tmp_path / "link-token"
    link.symlink_to(loose)
    assert tmp_tracker.htrac("mcp", "--http", "--token-file", str(link)).code == 1
    if os.geteuid() == 0:
        theirs = tmp_path / "their-token"
        theirs.write_text("a-long-enough-secret-token\n")
        theirs.chmod(0o600)
        os.chown(theirs, 65534, 65534)
        run = tmp_tracker.htrac("mcp", "--http", "--token-file", str(theirs))
        assert run.code == 1 and "is not yours" in run.err


def test_streamable_refuses_a_token_directory_open_to_others(tmp_tracker, config_home):
    (config_home / "htrac").mkdir(parents=True)
    (config_home / "htrac").chmod(0o755)
    run = tmp_tracker.htrac("mcp", "--http")
    assert run.code == 1 and "is open to other users" in run.err and "chmod 700" in run.err
