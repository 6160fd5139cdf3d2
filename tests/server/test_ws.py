"""The WebSocket against a real server: refused before the handshake without a session or from
another origin, closed (1008) without the token, the reference's commands, and pushes of what
the CLI changed."""

from __future__ import annotations

import json
import time

import pytest
from webserver import ws_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus


def _next(ws, kind: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if message["type"] == kind:
            return message


def test_no_session_is_refused_before_the_handshake(server):
    with pytest.raises(InvalidStatus) as refused:
        ws_connect(server, None, token=None)
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("origin", ["http://evil.example", "http://localhost:1", "null"])
def test_other_origin_is_refused_before_the_handshake(server, client, origin):
    with pytest.raises(InvalidStatus) as refused:
        ws_connect(server, client, origin=origin)
    assert refused.value.response.status_code == 403


def test_cookie_without_the_token_is_closed_1008(server, client):
    ws = ws_connect(server, client, token="not the token")
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert closed.value.rcvd.code == 1008


def test_snapshot_then_reference_commands(server, client):
    item_id = server.add("over the socket")
    ws = ws_connect(server, client, snapshot="full")
    snapshot = _next(ws, "state_snapshot")
    assert item_id in [i["id"] for i in snapshot["items"]]
    ws.send(json.dumps({"type": "command", "action": "show", "item_id": item_id}))
    assert _next(ws, "result")["item"]["id"] == item_id
    ws.send(json.dumps({"type": "command", "action": "update", "item_id": item_id,
                        "set_fields": {"priority": 0}}))
    assert _next(ws, "event") == {"type": "event", "action": "updated", "item_id": item_id}
    ws.send(json.dumps({"type": "command", "action": "discuss", "item_id": item_id,
                        "message": "from the socket"}))
    assert _next(ws, "event")["action"] == "discussed"
    for bad, text in ((b"{}", "Missing 'type' field"), (b'{"type": "x"}', "Unknown message type: x"),
                      (b'{"type": "command", "action": "fly"}', "Unknown action: fly"),
                      (b'{"type": "command", "action": "show"}', "Missing field: 'item_id'")):
        ws.send(bad.decode())
        assert _next(ws, "error")["message"] == text
    ws.close()
    assert '"from the socket"' in server.htrac("--json", "show", item_id)


def test_cli_change_is_pushed(server, client):
    item_id = server.add("watch me")
    ws = ws_connect(server, client)
    _next(ws, "ready")
    server.htrac("update", item_id, "--status", "in_progress")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        pushed = _next(ws, "changed")
        found = [i for i in pushed["items"] if i["id"] == item_id]
        if found and found[0]["status"] == "in_progress":
            break
    else:
        pytest.fail("the change was not pushed")
    ws.close()


def test_oversized_message_closes(server, client):
    ws = ws_connect(server, client)
    _next(ws, "ready")
    ws.send("x" * 100_000)
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 1009


def test_logout_closes_the_socket(server):
    client = server.login()
    ws = ws_connect(server, client)
    _next(ws, "ready")
    client.post(server.url("/api/auth/logout"))
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=10)
    assert closed.value.rcvd.code == 1008
