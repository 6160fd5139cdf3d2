"""Claims on the web: the item, `/api/claims` (what the lists and the board mark) and the query
language show who holds a claim and its lease as the service judges it now — a live one, and an
expired (stale) one, written by real CLI and service processes against a running server."""

from __future__ import annotations

import json
import time


def _claims(server, client, wanted, timeout: float = 20.0) -> dict[str, dict]:
    """`/api/claims` by item ID, once it holds what `wanted` says (the feed is asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get(server.url("/api/claims"))
        assert answer.status_code == 200, answer.text
        found = {c["id"]: c for c in answer.json()["claims"]}
        if wanted(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_live_claim_shows_its_holder_and_lease(server, client):
    item_id = server.add("claimed on the CLI")
    server.htrac("claim", item_id, "--session", "web-s1")
    cli = json.loads(server.htrac("--json", "show", item_id))["claim"]
    shown = client.get(server.url(f"/api/items/{item_id}")).json()
    held = shown["holding"]
    assert held["holder"] == f"{cli['actor']}/web-s1" and held["session"] == "web-s1"
    assert held["live"] is True and held["lease"]["state"] == "live"
    assert 0 < held["lease"]["seconds_left"] <= 15 * 60
    assert held["text"].startswith(f"held by {held['holder']} (")  # the CLI's sentence
    assert shown["status"] == "in_progress"

    found = _claims(server, client, lambda f: item_id in f)
    assert found[item_id]["holder"] == held["holder"] and found[item_id]["live"] is True
    rows = client.get(server.url("/api/items?view=summary")).json()["items"]
    assert [r["claimed"] for r in rows if r["id"] == item_id] == [True]
    claimed = client.get(server.url("/api/items"), params={"q": "is:claimed", "view": "summary"})
    assert item_id in [i["id"] for i in claimed.json()["items"]]

    server.htrac("release", item_id, "--session", "web-s1")
    found = _claims(server, client, lambda f: item_id not in f)
    assert item_id not in found
    assert client.get(server.url(f"/api/items/{item_id}")).json()["holding"] is None


def test_an_expired_claim_is_flagged_stale(server, client):
    item_id = server.add("claimed an hour ago")
    server.claim_long_ago(item_id)
    held = client.get(server.url(f"/api/items/{item_id}")).json()["holding"]
    assert held["live"] is False and held["lease"]["state"] == "expired"
    assert held["text"].startswith(f"lease of {held['holder']} expired")
    found = _claims(server, client, lambda f: item_id in f)
    assert found[item_id]["live"] is False
    stale = client.get(server.url("/api/items"), params={"q": "is:stale", "view": "summary"})
    assert [i["id"] for i in stale.json()["items"]] == [item_id]
    needs = client.get(server.url("/api/items"), params={"q": "is:needs-human"})
    assert item_id in [i["id"] for i in needs.json()["items"]]


def test_claims_need_a_login(server):
    assert server.anonymous().get(server.url("/api/claims")).status_code == 401


def test_claims_route_is_in_the_openapi_document(server):
    document = server.anonymous().get(server.url("/api/openapi.json")).json()
    assert "get" in document["paths"]["/api/claims"]


def test_release_a_claim_from_the_api(server, client):
    """The page's "Release claim": the human frees anyone's claim, live or stale; the item goes
    back to its status before the claim, and the op says why."""
    live = server.add("held by a live session")
    server.htrac("claim", live, "--session", "web-s2")
    stale = server.add("held by a dead session")
    server.claim_long_ago(stale)
    for item_id in (live, stale):
        answer = client.post(server.url(f"/api/items/{item_id}/release"),
                             json={"reason": "the human takes it back"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["released"].endswith(("/web-s2", "/gone-session"))
        shown = json.loads(server.htrac("--json", "show", item_id))
        assert "claim" not in shown and shown["status"] == "todo_hard"
    (log,) = server.repo.glob(f".agent/**/.{live}.ops")
    assert "the human takes it back" in log.read_text()
    again = client.post(server.url(f"/api/items/{live}/release"))
    assert again.status_code == 400 and "nobody holds" in again.json()["error"]
    assert client.post(server.url("/api/items/WI-nope/release")).status_code == 404
    bad = client.post(server.url(f"/api/items/{stale}/release"), json={"reason": 7})
    assert bad.status_code == 400
