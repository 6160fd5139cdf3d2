"""Clearing a discussion, repairing drift, edit mode and the activity feed over the API, against
a real server: each writes the op the CLI would, in the tracker's files (the refusals every route
meets — no login, another origin, bad input — are test_api's, run over the whole route table)."""

from __future__ import annotations

import json

import pytest

from htrac.core.oplog import read_oplog


def _log(server, item_id: str) -> str:
    [path] = server.repo.glob(f"**/.{item_id}.ops")
    return path.read_text()


def _edit_log(server) -> str:
    return "".join(p.read_text() for p in sorted(server.repo.glob("**/.edit-mode/edit-mode.ops")))


def _types(text: str) -> list[str]:
    """The op types a log holds, in the order written."""
    return [op.type for op in read_oplog(text.encode()).ops]


def test_clear_empties_the_discussion_and_is_never_stale(server, client):
    item_id = server.add("cleared from the page")
    server.htrac("discuss", item_id, "an agent's long argument")
    shown = client.get(server.url(f"/api/items/{item_id}")).json()
    assert len(shown["discussion"]) == 1
    server.htrac("discuss", item_id, "posted after the page loaded")  # not in `seen`
    answer = client.post(server.url(f"/api/items/{item_id}/clear"),
                         json={"seen": shown["op_ids"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["item"]["discussion"] == []
    assert _types(_log(server, item_id))[-1] == "discuss_clear"
    assert json.loads(server.htrac("--json", "show", item_id))["discussion"] == []
    # the page's list learns of it at once (read your writes)
    listed = client.get(server.url("/api/items"), params={"view": "summary"}).json()["items"]
    assert [i["discussion_count"] for i in listed if i["id"] == item_id] == [0]


def test_clear_takes_no_body_and_refuses_a_bad_seen(server, client):
    item_id = server.add("cleared without a body")
    server.htrac("discuss", item_id, "something")
    assert client.post(server.url(f"/api/items/{item_id}/clear")).status_code == 200
    for seen in (5, "op", [1, 2], {"a": 1}):
        answer = client.post(server.url(f"/api/items/{item_id}/clear"), json={"seen": seen})
        assert answer.status_code == 400 and "seen" in answer.json()["error"], seen
    answer = client.post(server.url("/api/items/WI-nothing/clear"))
    assert answer.status_code == 404 and answer.json()["error"] == "Item not found"
    assert client.post(server.url("/api/items/:1/clear")).status_code == 400


def test_repair_puts_back_what_the_frozen_log_lost(server, client):
    item_id = server.add("drifted after freezing")
    created = _log(server, item_id)
    server.htrac("update", item_id, "--priority", "0")
    assert client.post(server.url(f"/api/items/{item_id}/freeze")).status_code == 200
    frozen = _log(server, item_id)
    [path] = server.repo.glob(f"**/.{item_id}.ops")
    path.write_text(created)  # the log lost its update and the freeze's lock (a bad checkout)
    answer = client.post(server.url(f"/api/items/{item_id}/repair"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["restored"], body["has_sentinel"]) == (2, True)
    assert body["item"]["priority"] == 0 and body["item"]["frozen"] is True
    assert sorted(_log(server, item_id).splitlines()) == sorted(frozen.splitlines())
    again = client.post(server.url(f"/api/items/{item_id}/repair")).json()
    assert (again["restored"], again["has_sentinel"]) == (0, True)


def test_repair_of_an_item_never_frozen_says_so(server, client):
    item_id = server.add("never frozen")
    before = _log(server, item_id)
    body = client.post(server.url(f"/api/items/{item_id}/repair")).json()
    assert (body["restored"], body["has_sentinel"]) == (0, False)
    assert _log(server, item_id) == before
    assert client.post(server.url("/api/items/WI-nothing/repair")).status_code == 404


def test_edit_mode_opens_and_closes_a_window(server, client):
    url = server.url("/api/edit-mode")
    assert client.get(url).json()["active"] is False
    opened = client.post(url, json={"on": True, "ttl_seconds": 600, "cap_max": 7})
    assert opened.status_code == 200, opened.text
    assert opened.json()["active"] is True and opened.json()["cap_max"] == 7
    assert 0 < opened.json()["remaining"] <= 600
    assert "edit-mode-on" in _types(_edit_log(server))
    assert json.loads(server.htrac("--json", "edit-mode", "status"))["active"] is True
    # a window open, anyone may edit a message: the CLI's edit goes through
    item_id = server.add("a message to reword")
    server.htrac("discuss", item_id, "tpyo")
    nonce = json.loads(server.htrac("--json", "show", item_id))["discussion"][0]["nonce"]
    server.htrac("edit-msg-text", item_id, nonce, "--new-text", "typo", "--reason", "spelling")
    assert client.get(url).json()["ops_used"] == 1
    closed = client.post(url, json={"on": False})
    assert closed.json() == {"active": False, "remaining": 0, "ops_used": 0, "cap_max": 0}
    assert _types(_edit_log(server))[-1] == "edit-mode-off"
    assert json.loads(server.htrac("--json", "edit-mode", "status"))["active"] is False


@pytest.mark.parametrize("body", [{}, {"on": "yes"}, {"on": 1}, {"on": True, "ttl_seconds": 0},
                                  {"on": True, "ttl_seconds": 99999},
                                  {"on": True, "cap_max": 501}, {"on": True, "ttl_seconds": "30m"},
                                  {"on": True, "cap_max": True}])
def test_edit_mode_bad_input_is_400(server, client, body):
    before = _edit_log(server)
    answer = client.post(server.url("/api/edit-mode"), json=body)
    assert answer.status_code == 400, answer.text
    assert "error" in answer.json()
    assert _edit_log(server) == before


def test_activity_says_who_did_what_newest_first(server, client):
    item_id = server.add("watched in the activity view")
    server.htrac("update", item_id, "--status", "in_progress")
    client.post(server.url(f"/api/items/{item_id}/discuss"), json={"message": "from the page"})
    assert len(client.get(server.url("/api/activity"), params={"limit": 2}).json()["ops"]) == 2
    ops = client.get(server.url("/api/activity"), params={"limit": 50}).json()["ops"]
    ops = [o for o in ops if o["item_id"] == item_id]  # (other tests' ops may share a second)
    assert [o["type"] for o in ops] == ["discuss", "update", "create"]
    assert ops[0]["summary"] == "said: from the page"
    assert ops[1]["summary"] == "set status = in_progress"
    assert {o["counts_as"] for o in ops} == {"human"}  # the tests run as a human user
    assert all(o["tier"] == "workspace" and len(o["id"]) == 22 for o in ops)
    assert len(client.get(server.url("/api/activity")).json()["ops"]) > 3  # default 200


@pytest.mark.parametrize("limit", ["0", "1001", "-1", "x", "1.5", "²", "9" * 30])
def test_activity_bad_limit_is_400(server, client, limit):
    answer = client.get(server.url("/api/activity"), params={"limit": limit})
    assert answer.status_code == 400 and "limit" in answer.json()["error"]
