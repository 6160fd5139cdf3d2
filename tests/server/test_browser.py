"""The page in a real browser (Debian's Chromium): logging in with the password and a passkey,
a CLI change arriving live, replying, locking and moving a card from the page, and the browser's
own attacks — another origin's form and WebSocket, an agent's server on another localhost port
that collects the cookies, and a port-forward where the browser's port is not the server's."""

from __future__ import annotations

import asyncio
import http.server
import json
import socket
import threading
import time

import browser
import pytest
import requests
from browser import log_in, ops_text
from webserver import PASSWORD, ws_connect

pytestmark = pytest.mark.skipif(browser.skip_reason() is not None,
                                reason=browser.skip_reason() or "")


def test_password_login_and_every_view(server, page):
    item_id = server.add("Shown in every view", "--priority", "1")
    server.htrac("discuss", item_id, "Please *decide*: <b>raw html</b> "
                                     "[a link](javascript:alert(1)) `code`")
    server.htrac("update", item_id, "--status", "needs_human_review")  # waits on the human
    page.goto(server.origin + "/")
    page.wait_for_selector("input[name=password]")
    browser.screenshot(page, "login")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    page.wait_for_selector("[role=alert]")
    page.wait_for_timeout(1200)  # the back-off after one failure
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-live=live]")
    page.wait_for_selector(f"tr[data-id='{item_id}']")
    browser.screenshot(page, "needs-you")
    page.keyboard.press("2")
    page.wait_for_selector(f".card[data-id='{item_id}']")
    browser.screenshot(page, "board")
    page.keyboard.press("3")
    page.fill("input[name=q]", "every view")
    page.keyboard.press("Enter")
    page.wait_for_function("location.search === '?q=every%20view'")  # the query in the URL
    page.wait_for_selector(f"table.items tr[data-id='{item_id}']")
    assert page.locator("table.items tbody tr").count() == 1
    browser.screenshot(page, "list")
    page.goto(f"{server.origin}/items/{item_id}")
    page.wait_for_selector(".discussion .message")
    message = page.locator(".discussion .message .md")
    assert message.locator("em").inner_text() == "decide"  # markdown rendered
    assert message.locator("b").count() == 0  # raw HTML shown as text, not run
    assert "<b>raw html</b>" in message.inner_text()
    assert message.locator("a").count() == 0  # a javascript: link is no link
    page.click("text=Show history")
    page.wait_for_selector(".history li")
    browser.screenshot(page, "detail")
    page.keyboard.press("?")
    page.wait_for_selector("[role=dialog]")
    browser.screenshot(page, "shortcuts")
    page.keyboard.press("Escape")
    page.emulate_media(color_scheme="dark")
    page.goto(server.origin + "/board")
    page.wait_for_selector(".card")
    browser.screenshot(page, "board-dark")
    page.emulate_media(color_scheme="light")


def test_claims_show_on_the_board_the_lists_and_the_item(server, page):
    """Who holds what, with the lease the service judges: live, and stale once expired."""
    held = server.add("Claimed by an agent session", "--priority", "0")
    server.htrac("claim", held, "--session", "agent-s1")
    stale = server.add("Claimed by a session that died", "--priority", "0")
    server.claim_long_ago(stale)
    holder = json.loads(server.htrac("--json", "show", held))["claim"]["actor"]
    log_in(page, server.origin)
    page.goto(f"{server.origin}/board")
    live_badge = page.locator(f".card[data-id='{held}'] .claim")
    live_badge.wait_for()
    assert live_badge.get_attribute("data-holder") == f"{holder}/agent-s1"
    assert "stale" not in (live_badge.get_attribute("class") or "")
    stale_badge = page.locator(f".card[data-id='{stale}'] .claim.stale")
    stale_badge.wait_for()
    assert stale_badge.inner_text().startswith("stale: ")
    browser.screenshot(page, "board-claims")
    page.goto(f"{server.origin}/list?q=priority:0")
    page.wait_for_selector(f"tr[data-id='{held}'] .claim")
    page.wait_for_selector(f"tr[data-id='{stale}'] .claim.stale")
    browser.screenshot(page, "list-claims")
    page.goto(f"{server.origin}/list?q=is:stale")  # the query language knows them too
    page.wait_for_selector(f"tr[data-id='{stale}'] .claim.stale")
    assert page.locator(f"tr[data-id='{held}']").count() == 0
    page.goto(f"{server.origin}/")  # needs you: the stale claim waits on the human
    page.wait_for_selector(f"tr[data-id='{stale}'] .claim.stale")
    page.goto(f"{server.origin}/items/{stale}")
    page.wait_for_selector(".claimview.stale >> text=stale — expired")
    browser.screenshot(page, "detail-claim-stale")
    page.goto(f"{server.origin}/items/{held}")
    view = page.locator(".claimview")
    view.wait_for()
    assert "agent-s1" in view.inner_text() and "left (until" in view.inner_text()
    browser.screenshot(page, "detail-claim")
    # a release made with the CLI reaches the open board
    page.goto(f"{server.origin}/board")
    live_badge.wait_for()
    server.htrac("release", held, "--session", "agent-s1")
    live_badge.wait_for(state="detached", timeout=30_000)


def test_cli_change_appears_live(server, page):
    item_id = server.add("Changed from the CLI")
    log_in(page, server.origin)
    page.goto(f"{server.origin}/board")
    card = page.locator(f".column[aria-label=todo_hard] .card[data-id='{item_id}']")
    card.wait_for()
    server.htrac("update", item_id, "--status", "in_progress")
    page.locator(f".column[aria-label=in_progress] .card[data-id='{item_id}']").wait_for(
        timeout=30_000)


def test_reply_lock_and_move_a_card_from_the_page(server, page):
    item_id = server.add("Worked on from the page")
    log_in(page, server.origin)
    page.goto(f"{server.origin}/items/{item_id}")
    page.fill("#reply", "Looks good, **ship it**")
    page.click(".reply button[type=submit]")
    page.wait_for_selector(".message >> text=ship it")
    # a click, not check(): check() fails when a live re-render (the reply's push arriving)
    # lands between its click and its look at the box, which shows the item's state until the
    # lock is written
    page.click("input[name=lock-priority]")
    page.wait_for_selector(".badges >> text=locked 1")
    assert page.is_checked("input[name=lock-priority]")
    log = ops_text(server, item_id)
    assert "Looks good, **ship it**" in log and "op: lock" in log and "- priority" in log
    page.goto(f"{server.origin}/board")
    page.click(f".card[data-id='{item_id}']")
    page.keyboard.press("]")  # todo_hard → todo_soft
    page.locator(f".column[aria-label=todo_soft] .card[data-id='{item_id}']").wait_for()
    page.keyboard.press("Shift+ArrowRight")  # → in_progress
    page.locator(f".column[aria-label=in_progress] .card[data-id='{item_id}']").wait_for()
    shown = json.loads(server.htrac("--json", "show", item_id))
    assert shown["status"] == "in_progress" and shown["locked_fields"] == ["priority"]
    assert ops_text(server, item_id).count("status: ") >= 3  # create + two moves


def test_an_edit_based_on_a_stale_version_is_refused_not_lost(server, page):
    item_id = server.add("Edited in two places")
    log_in(page, server.origin)
    page.goto(f"{server.origin}/items/{item_id}")
    page.wait_for_selector("h1 >> text=Edited in two places")
    page.keyboard.press("e")
    page.fill("form.edit input[name=title]", "The page's title")
    server.htrac("update", item_id, "--title", "The CLI's title")  # meanwhile
    page.wait_for_selector("h1 >> text=The CLI's title")  # arrives live
    page.click("form.edit button[type=submit]")
    page.wait_for_selector("form.edit [role=alert] >> text=while you were editing")
    browser.screenshot(page, "stale-edit")
    assert json.loads(server.htrac("--json", "show", item_id))["title"] == "The CLI's title"
    assert "The page's title" not in ops_text(server, item_id)


class _Recorder(http.server.BaseHTTPRequestHandler):
    """An agent's server on another localhost port: records whatever cookies the browser sends,
    and serves a page that tries to drive the human's server."""

    cookies: list[str] = []
    page = ""

    def do_GET(self):  # noqa: N802
        if self.headers.get("Cookie"):
            type(self).cookies.append(self.headers["Cookie"])
        body = type(self).page.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def agent_server():
    _Recorder.cookies = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_other_origin_form_post_and_websocket_are_refused(server, page, agent_server):
    item_id = server.add("Target of a cross-origin page")
    log_in(page, server.origin)
    before = ops_text(server, item_id)
    target = f"{server.origin}/api/items/{item_id}"
    _Recorder.page = f"""<!doctype html><body>
      <form id=f method=post action="{target}/discuss" enctype="text/plain">
        <input name='{{"message":"forged","x":"' value='"}}'></form>
      <script>
        window.wsResult = "pending";
        const ws = new WebSocket("ws://localhost:{server.port}/ws");
        ws.onopen = () => {{ ws.send(JSON.stringify({{type: "auth", token: "guess"}})); }};
        ws.onmessage = (e) => {{ window.wsResult = "message:" + e.data; }};
        ws.onclose = (e) => {{ if (window.wsResult === "pending") window.wsResult = "closed:" + e.code; }};
        fetch("{target}/lock", {{method: "POST", credentials: "include", mode: "no-cors",
               headers: {{"Content-Type": "text/plain"}}, body: '{{"fields":["status"]}}'}});
      </script></body>"""
    evil = f"http://localhost:{agent_server.server_address[1]}"
    page.goto(evil + "/")
    page.wait_for_function("window.wsResult !== 'pending'")
    assert page.evaluate("window.wsResult").startswith("closed:")
    with page.expect_navigation():
        page.evaluate("document.getElementById('f').submit()")
    assert "cross-origin request refused" in page.content()
    time.sleep(0.5)
    assert ops_text(server, item_id) == before
    browser.screenshot(page, "cross-origin-refused")


def test_agent_server_on_another_port_collects_cookies_and_gets_nothing(server, page,
                                                                         agent_server):
    item_id = server.add("Cookie replay target")
    log_in(page, server.origin)
    _Recorder.page = "<!doctype html><script>window.stolen = localStorage.getItem('htrac.token')" \
                     "</script>"
    page.goto(f"http://localhost:{agent_server.server_address[1]}/")
    assert page.evaluate("window.stolen") is None  # the token stays with its own origin
    assert _Recorder.cookies, "the browser sent no cookies to the other port"
    jar = dict(part.strip().split("=", 1) for c in _Recorder.cookies for part in c.split(";"))
    assert "htrac_session" in jar  # cookies are not isolated by port: that is the premise
    replay = requests.Session()
    replay.headers["Origin"] = server.origin
    for name, value in jar.items():
        replay.cookies.set(name, value)
    assert replay.get(server.url("/api/items")).status_code == 401
    assert replay.post(server.url(f"/api/items/{item_id}/lock"),
                       json={"fields": ["status"]}).status_code == 401
    replay.cookies.set("htrac_session", jar["htrac_session"])
    from websockets.exceptions import ConnectionClosed

    with pytest.raises(ConnectionClosed):  # the guessed token closes the socket
        ws = ws_connect(server, replay, token="guessed")
        ws.recv(timeout=10)
    assert "op: lock" not in ops_text(server, item_id)


async def _relay(reader, writer, port, open_writers: set):
    upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
    open_writers.update((writer, upstream_writer))

    async def pipe(src, dst):
        try:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except OSError:
            pass
        finally:
            dst.close()

    await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer),
                         return_exceptions=True)


@pytest.fixture
def forwarded(tmp_path_factory):
    """A server reached through a port-forward (as an SSH tunnel gives): the browser's port is
    not the server's, and the server is told the browser's origin."""
    from webserver import new_server

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    browser_port = sock.getsockname()[1]
    running = new_server(tmp_path_factory.mktemp("forward"), "--allow-origin",
                         f"http://localhost:{browser_port}")
    loop = asyncio.new_event_loop()
    started = threading.Event()
    open_writers: set = set()
    relay = {}

    def relay_thread():  # its own loop, in its own thread: Playwright owns the main one
        asyncio.set_event_loop(loop)
        relay["server"] = loop.run_until_complete(asyncio.start_server(
            lambda r, w: _relay(r, w, running.port, open_writers), sock=sock))
        started.set()
        loop.run_forever()

    async def shut():
        relay["server"].close()
        for writer in open_writers:
            writer.close()
        await asyncio.sleep(0.1)
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            task.cancel()
        await asyncio.sleep(0.1)

    thread = threading.Thread(target=relay_thread, daemon=True)
    try:
        thread.start()
        started.wait(10)
        yield running, browser_port
        asyncio.run_coroutine_threadsafe(shut(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
    finally:
        running.stop()  # never leave a server behind, whatever failed


def test_through_a_port_forward(forwarded, chromium):
    running, browser_port = forwarded
    assert browser_port != running.port
    item_id = running.add("Seen through the tunnel")
    page = chromium.new_page()
    origin = f"http://localhost:{browser_port}"
    log_in(page, origin)
    page.goto(f"{origin}/items/{item_id}")
    page.fill("#reply", "via the tunnel")
    page.click(".reply button[type=submit]")
    page.wait_for_selector(".message >> text=via the tunnel")
    running.htrac("update", item_id, "--priority", "0")
    page.wait_for_selector(".badges >> text=P0", timeout=30_000)
    page.close()


def test_passkey_registration_and_login(server, page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})["authenticatorId"]
    log_in(page, server.origin)
    page.click("text=Add passkey")
    page.wait_for_selector("text=Passkey added.")
    stored = json.loads((server.repo.parent / "xdg_config_home" / "htrac" / "serve"
                         / "passkeys.json").read_text())
    assert len(stored["credentials"]) == 1
    listed = json.loads(server.htrac("--json", "serve", "passkeys"))
    assert [k["id"] for k in listed] == [stored["credentials"][0]["id"]]
    page.click("text=Log out")
    page.wait_for_selector("text=Log in with a passkey")
    browser.screenshot(page, "login-passkey")
    page.click("text=Log in with a passkey")
    page.wait_for_selector("[data-live=live]")
    assert page.evaluate("localStorage.getItem('htrac.token')")
    # a passkey this server never registered logs nobody in
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator})
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})
    page.click("text=Log out")
    page.click("text=Log in with a passkey")
    page.wait_for_selector("[role=alert]")
    assert page.locator("input[name=password]").is_visible()
    server.htrac("serve", "passkeys", "--remove", listed[0]["id"])  # a lost key, forgotten
    assert json.loads(server.htrac("--json", "serve", "passkeys")) == []
