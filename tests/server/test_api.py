"""The HTTP API against a real server: every route refuses what it must (no login, another
origin, an oversized or malformed body) and answers the reference's shapes."""

from __future__ import annotations

import json

import pytest
import requests

from htrac.server.app import ENDPOINTS

PROTECTED = [e for e in ENDPOINTS if not e.public]
WRITES = [e for e in ENDPOINTS if e.method == "POST"]


def _path(endpoint, item_id: str = "WI-nothing") -> str:
    return endpoint.path.replace("{id}", item_id)


@pytest.mark.parametrize("endpoint", PROTECTED, ids=lambda e: f"{e.method} {e.path}")
def test_route_without_login_is_401(server, client, endpoint, item_id):
    anonymous = server.anonymous()
    answer = anonymous.request(endpoint.method, server.url(_path(endpoint, item_id)), json={})
    assert answer.status_code == 401
    assert answer.json() == {"error": "Unauthorized"}
    # the cookie alone (what another localhost port receives) is not enough
    cookie_only = server.anonymous()
    cookie_only.cookies.update(client.cookies)
    answer = cookie_only.request(endpoint.method, server.url(_path(endpoint, item_id)), json={})
    assert answer.status_code == 401
    # nor is the token without the cookie
    token_only = server.anonymous()
    token_only.headers["X-Htrac-Token"] = client.token
    answer = token_only.request(endpoint.method, server.url(_path(endpoint, item_id)), json={})
    assert answer.status_code == 401


@pytest.mark.parametrize("endpoint", WRITES, ids=lambda e: f"{e.method} {e.path}")
def test_write_from_another_origin_is_403(server, client, endpoint, item_id):
    before = server.htrac("--json", "show", item_id)
    for origin in ("http://evil.example", f"http://localhost:{server.port + 1}",
                   f"https://localhost:{server.port}", "null"):
        answer = client.post(server.url(_path(endpoint, item_id)), json={"message": "x"},
                             headers={"Origin": origin})
        assert answer.status_code == 403, origin
        assert answer.json() == {"error": "cross-origin request refused"}
    # a browser that sends no Origin but says the request is cross-site is refused too
    bare = requests.Session()
    bare.cookies.update(client.cookies)
    answer = bare.post(server.url(_path(endpoint, item_id)), json={"message": "x"},
                       headers={"X-Htrac-Token": client.token, "Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 403
    assert server.htrac("--json", "show", item_id) == before


@pytest.mark.parametrize("endpoint", WRITES, ids=lambda e: f"{e.method} {e.path}")
def test_oversized_body_is_413(server, client, endpoint, item_id):
    big = b'{"message": "' + b"x" * 1_100_000 + b'"}'
    answer = client.post(server.url(_path(endpoint, item_id)), data=big,
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    # without a Content-Length (chunked), the cap still holds
    answer = client.post(server.url(_path(endpoint, item_id)), data=iter([big[:600_000],
                                                                            big[600_000:]]),
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 413


BAD_BODIES = [b"not json", b"[1, 2]", b'"text"', b"\xff\xfe", b'{"message": 5, "fields": 3, '
              b'"password": 1, "to": 7, "on": "x", "clear_parent": 1, "credential": [], "challenge_id": 1, "kind": 1, "seen": 5, "read": "x"}']


@pytest.mark.parametrize("endpoint", [e for e in WRITES if e.body is not None],
                         ids=lambda e: f"{e.method} {e.path}")
def test_bad_input_is_400(server, client, endpoint, item_id):
    for body in BAD_BODIES:
        answer = client.post(server.url(_path(endpoint, item_id)), data=body,
                             headers={"Content-Type": "application/json"})
        assert 400 <= answer.status_code < 500, (body, answer.status_code, answer.text)
        assert "error" in answer.json()


def test_health_is_public_with_the_reference_shape(server):
    answer = requests.get(server.url("/health"))
    assert answer.status_code == 200
    assert set(answer.json()) == {"status", "pid", "uptime_seconds"}
    assert answer.json()["pid"] == server.proc.pid


def test_items_create_show_update_discuss_as_the_reference(server, client):
    created = client.post(server.url("/api/items"),
                          json={"kind": "work_item", "title": "From the web", "priority": 1,
                                "tags": ["ui"]})
    assert created.status_code == 201
    item_id = created.json()["id"]
    listed = client.get(server.url("/api/items")).json()["items"]
    assert item_id in [i["id"] for i in listed]
    shown = client.get(server.url(f"/api/items/{item_id}")).json()
    for key in ("id", "kind", "title", "status", "priority", "parent", "tags", "isbefore",
                "pr_ref", "description", "fields", "locked_fields", "discussion", "frozen",
                "tier", "created_at", "updated_at"):
        assert key in shown
    assert shown["tier"] == "workspace" and shown["priority"] == 1
    answer = client.post(server.url(f"/api/items/{item_id}/update"),
                         json={"status": "in_progress", "title": "Renamed", "ignored": 1})
    assert answer.status_code == 200 and answer.json()["ok"] is True
    answer = client.post(server.url(f"/api/items/{item_id}/discuss"), json={"message": "hello"})
    assert answer.status_code == 200 and answer.json()["ok"] is True
    cli_view = server.htrac("--json", "show", item_id)
    assert '"in_progress"' in cli_view and '"Renamed"' in cli_view and '"hello"' in cli_view
    ready = client.get(server.url("/api/ready")).json()["items"]
    assert item_id not in [i["id"] for i in ready]


def test_reference_error_shapes(server, client):
    answer = client.post(server.url("/api/items"), json={"tier": "workspace"})
    assert answer.status_code == 400
    assert answer.json() == {"error": "Missing required fields: kind, title"}
    answer = client.post(server.url("/api/items"), json={"kind": "work_item", "title": "x",
                                                          "tier": "nowhere"})
    assert answer.json() == {"error": "Invalid tier: nowhere"}
    answer = client.get(server.url("/api/items/WI-zzzzz"))
    assert answer.status_code == 404 and answer.json()["error"] == "Item not found"
    item_id = server.add("discuss me")
    answer = client.post(server.url(f"/api/items/{item_id}/discuss"), json={})
    assert answer.json() == {"error": "Missing required field: message"}
    assert client.post(server.url("/api/ready")).status_code == 405
    assert client.get(server.url("/api/no/such/route")).status_code == 404


def test_priority_missing_never_breaks_listing(server, client):
    """The reference stored `priority: null` here and every listing crashed after (defect 9)."""
    answer = client.post(server.url("/api/items"), json={"kind": "work_item",
                                                          "title": "No priority given"})
    assert answer.status_code == 201
    assert client.get(server.url(f"/api/items/{answer.json()['id']}")).json()["priority"] == 2
    server.htrac("list")


def test_governance_routes_write_ops(server, client):
    item_id = server.add("govern me")
    url = server.url(f"/api/items/{item_id}")
    assert client.post(url + "/lock", json={"fields": ["status", "priority"]}).json()["item"][
        "locked_fields"] == ["priority", "status"]
    assert client.post(url + "/unlock", json={"fields": ["priority"]}).json()["item"][
        "locked_fields"] == ["status"]
    assert client.post(url + "/freeze").json()["item"]["frozen"] is True
    assert client.post(url + "/unfreeze").json()["item"]["frozen"] is False
    assert client.post(url + "/move", json={"to": "canonical"}).json()["tier"] == "canonical"
    assert client.post(url + "/move", json={"to": "stealth"}).status_code == 400
    types = [op["type"] for op in client.get(url + "/history").json()["ops"]]
    assert types == ["create", "lock", "unlock", "lock", "unlock", "promote"]
    assert client.post(url + "/lock", json={"fields": ["nonsense"]}).status_code == 400


def test_parent_set_and_cleared(server, client):
    parent, child = server.add("a parent"), server.add("a child")
    url = server.url(f"/api/items/{child}/update")
    assert client.post(url, json={"parent": parent}).json()["item"]["parent"] == parent
    assert client.post(url, json={"clear_parent": True}).json()["item"]["parent"] is None
    assert json.loads(server.htrac("--json", "show", child))["parent"] is None
    both = client.post(url, json={"parent": parent, "clear_parent": True})
    assert both.status_code == 400 and "not both" in both.json()["error"]
    assert client.post(url, json={"clear_parent": "yes"}).status_code == 400


def test_deps_links_both_ways(server, client):
    first, second = server.add("first"), server.add("second")
    server.htrac("update", second, "--add-blocked-by", first)
    deps = client.get(server.url(f"/api/items/{second}/deps")).json()
    assert [i["id"] for i in deps["blocked_by"]] == [first]
    deps = client.get(server.url(f"/api/items/{first}/deps")).json()
    assert [i["id"] for i in deps["blocks"]] == [second]


def test_unknown_host_header_is_refused(server):
    """DNS rebinding: a page on another name resolved to 127.0.0.1 gets nothing."""
    answer = requests.get(f"http://127.0.0.1:{server.port}/health",
                          headers={"Host": f"evil.example:{server.port}"})
    assert answer.status_code == 421


def test_session_cookie_flags(server):
    answer = server.anonymous().post(server.url("/api/auth/login"),
                                     json={"password": "correct horse battery"})
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("htrac_session=") and ", " not in cookie  # the only cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; under TLS it is set


def test_a_known_device_is_not_held_back_by_others_failed_logins(server):
    """The device secret a login gives (sent back as X-Htrac-Device, never a cookie, which
    other localhost ports receive) puts the browser in a back-off of its own."""
    server.login()
    known = server.device  # what the page keeps from its first login
    for _ in range(3):  # others fail, with invented devices and none
        for device in ({"X-Htrac-Device": "invented-" + "x" * 40}, {}):
            server.anonymous().post(server.url("/api/auth/login"), json={"password": "wrong"},
                                    headers=device)
    held = server.anonymous().post(server.url("/api/auth/login"), json={"password": "wrong"})
    assert held.status_code == 429 and int(held.headers["Retry-After"]) >= 1
    assert "htrac serve link" in held.json()["error"]
    mine = server.anonymous().post(server.url("/api/auth/login"),
                                   json={"password": "correct horse battery"},
                                   headers={"X-Htrac-Device": known})
    assert mine.status_code == 200 and "device" not in mine.json()
    linked = json.loads(server.htrac("--json", "serve", "link"))["device"]
    new = server.anonymous().post(server.url("/api/auth/login"),
                                  json={"password": "correct horse battery"},
                                  headers={"X-Htrac-Device": linked})
    assert new.status_code == 200 and new.json()["device"] not in (linked, known)


def test_logout_revokes(server):
    client = server.login()
    assert client.get(server.url("/api/items")).status_code == 200
    assert client.post(server.url("/api/auth/logout")).status_code == 200
    assert client.get(server.url("/api/items")).status_code == 401
    replay = server.anonymous()
    replay.cookies.set("htrac_session", "anything")
    replay.headers["X-Htrac-Token"] = client.token
    assert replay.get(server.url("/api/items")).status_code == 401


def test_openapi_lists_every_route(server):
    doc = requests.get(server.url("/api/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    declared = {(e.method.lower(), e.path) for e in ENDPOINTS}
    served = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert served == declared


def test_list_reads_your_writes_and_sees_cli_changes(server, client):
    created = client.post(server.url("/api/items"), json={"kind": "work_item",
                                                          "title": "read your writes"})
    item_id = created.json()["id"]
    listed = client.get(server.url("/api/items?view=summary")).json()["items"]
    assert item_id in [i["id"] for i in listed]  # at once, not when the feed reports it
    client.post(server.url(f"/api/items/{item_id}/update"), json={"priority": 0})
    listed = client.get(server.url("/api/items?view=summary")).json()["items"]
    assert [i["priority"] for i in listed if i["id"] == item_id] == [0]
    server.htrac("update", item_id, "--status", "in_progress")
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        listed = client.get(server.url("/api/items?view=summary")).json()["items"]
        if [i["status"] for i in listed if i["id"] == item_id] == ["in_progress"]:
            return
        time.sleep(0.1)
    pytest.fail("the CLI's change never reached the list")


def test_stale_version_is_409_with_the_current_item(server, client):
    item_id = server.add("edited in two places")
    shown = client.get(server.url(f"/api/items/{item_id}"))
    version = shown.json()["version"]
    assert version and shown.headers["ETag"] == f'"{version}"'
    server.htrac("update", item_id, "--title", "changed from the CLI meanwhile")
    for path, body in (("update", {"title": "the page's edit"}), ("discuss", {"message": "hi"}),
                       ("move", {"to": "canonical"})):
        answer = client.post(server.url(f"/api/items/{item_id}/{path}"), json=body,
                             headers={"If-Match": f'"{version}"'})
        assert answer.status_code == 409, path
        assert answer.json()["item"]["title"] == "changed from the CLI meanwhile"
    assert json.loads(server.htrac("--json", "show", item_id))["tier"] == "workspace"
    current = client.get(server.url(f"/api/items/{item_id}")).json()["version"]
    answer = client.post(server.url(f"/api/items/{item_id}/update"), json={"title": "now"},
                         headers={"If-Match": f'"{current}"'})
    assert answer.status_code == 200 and answer.json()["item"]["title"] == "now"
    # the reference's clients send no If-Match: their writes go through as before
    assert client.post(server.url(f"/api/items/{item_id}/update"),
                       json={"priority": 1}).status_code == 200
    assert client.post(server.url(f"/api/items/{item_id}/update"), json={"priority": 1},
                       headers={"If-Match": "not a version!"}).status_code == 400


def test_governance_commits_to_what_the_page_saw_and_is_never_stale(server, client):
    item_id = server.add("locked from the page")
    shown = client.get(server.url(f"/api/items/{item_id}")).json()
    assert len(shown["op_ids"]) == 1  # the create
    server.htrac("update", item_id, "--priority", "0")  # an op the page has not seen
    answer = client.post(server.url(f"/api/items/{item_id}/lock"),
                         json={"fields": ["priority"], "seen": shown["op_ids"]})
    assert answer.status_code == 200  # never refused as stale
    ops = client.get(server.url(f"/api/items/{item_id}/history")).json()["ops"]
    lock = [op for op in ops if op["type"] == "lock"][0]
    assert lock["outcome"] == "applied"  # (the `seen:` list itself is written when human ops
    # are signed; tests/service covers what it holds)
    assert client.post(server.url(f"/api/items/{item_id}/freeze"),
                       json={"seen": shown["op_ids"]}).status_code == 200


def test_query_language_and_needs_human(server, client):
    plain = server.add("query target plain", "--tag", "webq")
    review = server.add("query target review", "--tag", "webq")
    server.htrac("update", review, "--status", "needs_human_review")
    found = client.get(server.url("/api/items"), params={"q": "tag:webq", "view": "summary"})
    assert sorted(i["id"] for i in found.json()["items"]) == sorted([plain, review])
    needs = client.get(server.url("/api/items"), params={"q": "is:needs-human tag:webq"})
    assert [i["id"] for i in needs.json()["items"]] == [review]
    bad = client.get(server.url("/api/items"), params={"q": "status:nonsense"})
    assert bad.status_code == 400 and "nonsense" in bad.json()["error"]


def test_mark_read_is_the_humans_read_state(server, client):
    item_id = server.add("read me")
    client.post(server.url(f"/api/items/{item_id}/discuss"), json={"message": "x"})
    assert client.post(server.url(f"/api/items/{item_id}/read")).json() == {"ok": True,
                                                                             "read": True}
    assert client.post(server.url(f"/api/items/{item_id}/read"),
                       json={"read": False}).json()["read"] is False
    unread = client.get(server.url("/api/items"), params={"q": "is:unread"}).json()["items"]
    assert item_id in [i["id"] for i in unread]
