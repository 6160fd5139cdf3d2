"""The web login attacked by a real agent OS user, against a server the human OS user runs:

- the agent floods the login (wrong passwords with invented devices and forged client headers,
  passkey challenges by the thousand, forged passkey answers): the human still logs in — from a
  browser that logged in before, with a passkey whose challenge was asked for before the flood
  went on, and from a new browser the human linked with `htrac serve link`;
- the agent's own server on another loopback port collects the cookies the human's browser
  sends it and replays them (with the human's Origin, as a program can): nothing — no read, no
  write, no WebSocket, no logout, no back-off spent on the human's behalf;
- the same server's page forges requests from the human's browser (a form post, a fetch with
  the browser's cookies, a WebSocket — localhost ports are one site): nothing is written;
- the human saved a cookie jar where the agent can read it (`curl -c` style, in the worktree):
  the agent hunts the human's home, the worktree and shared temporary directories for session
  cookies and anything shaped like a session token, and replays every combination: nothing;
- and the agent can't read the human's password hash, passkeys or devices on disk.
"""

from __future__ import annotations

import json
import os
import pwd
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

import browser
import pytest
from os_users import AGENT, HUMAN, machine_or_skip
from webauthn_soft import SoftAuthenticator
from webserver import PASSWORD, TOKEN_HEADER, start

pytestmark = pytest.mark.slow  # real users and a venv of their own

TESTS = Path(__file__).resolve().parents[1]
LOGIN = "/api/auth/login"
DEVICE_HEADER = "X-Htrac-Device"


@pytest.fixture(scope="module")
def machine():
    yield from machine_or_skip()


def _as(machine, user: str) -> tuple[str, ...]:
    home = machine.home(user)
    env = {"HOME": str(home), "LANG": "C.UTF-8", "PATH": f"{machine.venv / 'bin'}:/usr/bin:/bin"}
    return ("runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in env.items()))


@pytest.fixture(scope="module")
def human(machine):
    """The human's tracker and `htrac serve`, run by the human OS user; an item in it."""
    home = machine.home(HUMAN)
    repo = home / "htrac-web"
    machine.run(HUMAN, "mkdir", "-p", str(repo), cwd=home)
    machine.git(HUMAN, "init", "-q", cwd=repo)
    machine.ok(HUMAN, "init", cwd=repo)
    machine.ok(HUMAN, "serve", "passwd", "--stdin", cwd=repo, input=PASSWORD + "\n")
    item_id = machine.ok(HUMAN, "add", "--kind", "work_item", "--title", "The human's item",
                         cwd=repo).strip()
    server = start(repo, dict(os.environ), python=str(machine.venv / "bin" / "python"),
                   prefix=_as(machine, HUMAN))
    server.item_id = item_id  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.stop()


def _script(machine, name: str) -> Path:
    """A copy of one of tests/'s scripts where the agent can read it."""
    copy = machine.base / name
    shutil.copy(TESTS / name, copy)
    os.chmod(copy, 0o644)
    return copy


class Lines:
    """A process's standard output, read on a thread (it must never block on a full pipe)."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen) -> None:
        with proc.stdout:
            for line in proc.stdout:
                self.lines.put(line.strip())
        self.lines.put("")

    def until(self, test, timeout: float = 180) -> str:
        while True:
            line = self.lines.get(timeout=timeout)
            assert line != "", "the agent's program ended early"
            if test(line):
                return line


def _link(machine, human) -> dict:
    """`htrac serve link`, run by the human at the server's machine."""
    return json.loads(machine.ok(HUMAN, "--json", "serve", "link", cwd=human.repo))


def _options_done(line: str) -> int | None:
    return int(line.split()[1]) if line.startswith("options ") else None


def test_the_human_logs_in_while_an_agent_floods_the_login(machine, human):
    url = human.url
    # Before the flood: the human's browser logged in once (the page keeps the device secret
    # the login gave) and registered a passkey. (It came by a link: whatever an earlier test
    # left in the shared back-off can't hold it back.)
    page = human.anonymous()
    first = page.post(url(LOGIN), json={"password": PASSWORD},
                      headers={DEVICE_HEADER: _link(machine, human)["device"]})
    assert first.status_code == 200, first.text
    device = first.json()["device"]
    page.headers[TOKEN_HEADER] = first.json()["token"]
    key = SoftAuthenticator(human.origin)
    options = page.post(url("/api/auth/passkey/register/options")).json()
    assert page.post(url("/api/auth/passkey/register"),
                     json={"credential": key.register(options)}).status_code == 200

    flood = subprocess.Popen([*_as(machine, AGENT), "/usr/bin/python3",
                              str(_script(machine, "login_flood.py")), human.origin,
                              human.origin], cwd=machine.base, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    out = Lines(flood)
    try:
        out.until(lambda line: line == "flooding")
        # The flood works: a browser the server does not know is held back by it.
        for _ in range(600):
            stranger = human.anonymous().post(url(LOGIN), json={"password": "a stranger"})
            if stranger.status_code == 429:
                break
            time.sleep(0.1)
        assert stranger.status_code == 429 and "htrac serve link" in stranger.json()["error"]

        # 1. The browser that logged in before is not held back: its device secret is its own.
        again = human.anonymous().post(url(LOGIN), json={"password": PASSWORD},
                                       headers={DEVICE_HEADER: device})
        assert again.status_code == 200, again.text
        assert "device" not in again.json()  # it keeps the secret it has

        # 2. A passkey login whose challenge was asked for before a thousand more were.
        begin = human.anonymous().post(url("/api/auth/passkey/login/options")).json()
        seen = _options_done(out.until(lambda line: _options_done(line) is not None))
        out.until(lambda line: (_options_done(line) or 0) >= seen + 1000)
        answer = human.anonymous().post(url("/api/auth/passkey/login"), json={
            "challenge_id": begin["challenge_id"], "credential": key.login(begin["options"])})
        assert answer.status_code == 200, answer.text

        # 3. A new browser: the human, at the server's machine, links it.
        link = _link(machine, human)
        assert link["url"] == f"{human.origin}/#device={link['device']}"
        linked = human.anonymous().post(url(LOGIN), json={"password": PASSWORD},
                                        headers={DEVICE_HEADER: link["device"]})
        assert linked.status_code == 200, linked.text
        assert linked.json()["device"] != link["device"]  # a secret of its own from now on
        used = human.anonymous().post(url(LOGIN), json={"password": PASSWORD},
                                      headers={DEVICE_HEADER: link["device"]})
        assert used.status_code == 429  # the link was one login; now it is a stranger's
    finally:
        flood.stdin.close()
        flood.wait(120)
    got = json.loads(out.until(lambda line: line.startswith("{")))
    assert "200" not in got["password"] and "429" in got["password"]
    assert "200" not in got.get("passkey answer", {})
    assert sum(got["passkey options"].values()) >= 1000

    # What decides access is on disk, the human's, and closed to the agent.
    config = machine.home(HUMAN) / ".config" / "htrac" / "serve"
    for name in ("password", "passkeys.json", "devices.json"):
        assert (config / name).exists()
        read = machine.run(AGENT, "cat", str(config / name), cwd=machine.base)
        assert read.code != 0 and "Permission denied" in read.err, name


@pytest.fixture(scope="module")
def chromium():
    pw, context = browser.launch()
    yield context
    browser.close(pw, context)


def test_agent_server_on_another_port_collects_cookies_and_gets_nothing(machine, human,
                                                                         chromium):
    agent = subprocess.Popen([*_as(machine, AGENT), str(machine.venv / "bin" / "python"),
                              str(_script(machine, "agent_port_server.py")), human.origin,
                              human.item_id], cwd=machine.base, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    out = Lines(agent)
    page = chromium.new_page()
    page.set_default_timeout(30_000)
    try:
        agent_port = int(out.until(lambda line: line.startswith("port ")).split()[1])
        assert agent_port != human.port
        link = _link(machine, human)  # a new browser, linked by the human
        page.goto(link["url"])
        page.wait_for_selector("input[name=password]")
        assert "#" not in page.url  # the secret is taken out of the address
        assert page.evaluate("localStorage.getItem('htrac.device')") == link["device"]
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-live=live]")
        own = page.evaluate("localStorage.getItem('htrac.device')")
        assert own and own != link["device"]  # a secret of its own now

        page.goto(f"http://localhost:{agent_port}/")  # the human opens the agent's dev server
        page.wait_for_function("document.title === 'looted'")
        agent.stdin.write("replay\n")
        agent.stdin.flush()
        got = json.loads(out.until(lambda line: line.startswith("{")))
    finally:
        agent.stdin.close()
        agent.wait(60)

    assert "htrac_session" in got["cookies"]  # cookies reach any port: that is the premise
    # The page read nothing of the human's; its forged form, fetch and WebSocket did nothing.
    assert [{k: v for k, v in x.items() if k != "websocket"} for x in got["loot"]] == \
        [{"token": None, "device": None, "cookie": ""}]
    assert got["loot"][0]["websocket"].startswith("closed:")
    assert (got["list"], got["session"], got["lock"], got["discuss"], got["logout"]) == \
        (401, 401, 401, 401, 401)
    assert got["websocket"].startswith("refused") and "1008" in got["websocket"]
    assert all(code in (401, 429) for code in got["spend_backoff"])
    ops = next(human.repo.glob(f".agent/**/.{human.item_id}.ops")).read_text()
    assert "op: lock" not in ops and "written with the human's cookies" not in ops
    assert "forged by the agent" not in ops

    # The human's session is untouched, and logging in again is not held back by the agent's
    # wrong passwords: the page's device secret is not among what the agent collected.
    page.goto(human.origin + "/board")
    page.wait_for_selector("[data-live=live]")
    page.click("text=Log out")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-live=live]")
    browser.screenshot(page, "after-agent-replay")
    page.close()


# The human, at a shell, logs in the way `curl -c cookies.txt` does, keeping the cookie jar in
# the worktree (Netscape format, mode 0644 under the usual umask). (With a device secret from
# `htrac serve link`: the earlier test's flood may still hold back unknown devices.)
HUMAN_LOGIN = """
import http.cookiejar, json, os, sys, urllib.request
jar = http.cookiejar.MozillaCookieJar(sys.argv[2])
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
req = urllib.request.Request(sys.argv[1] + "/api/auth/login", method="POST",
    data=json.dumps({"password": sys.argv[3]}).encode(),
    headers={"Content-Type": "application/json", "Origin": sys.argv[1],
             "X-Htrac-Device": sys.argv[4]})
token = json.load(opener.open(req))["token"]
jar.save(ignore_discard=True)
os.chmod(sys.argv[2], 0o644)  # Python saves 0600; curl's jar is 0666 less the umask
print(token)
"""


def test_agent_reads_a_cookie_file_and_replays_it(machine, human):
    jar = human.repo / "cookies.txt"
    login = machine.run(HUMAN, "/usr/bin/python3", "-c", HUMAN_LOGIN, human.origin, str(jar),
                        PASSWORD, _link(machine, human)["device"], cwd=human.repo)
    assert login.code == 0, login.err
    token = login.out.strip()
    cookie = next(line.split("\t")[6] for line in jar.read_text().splitlines()
                  if "\thtrac_session\t" in line)
    runtime = Path(f"/run/user/{pwd.getpwnam(HUMAN).pw_uid}")
    roots = [str(machine.home(HUMAN)), str(human.repo), "/dev/shm",
             *([str(runtime)] if runtime.exists() else [])]
    thief = machine.run(AGENT, str(machine.venv / "bin" / "python"),
                        str(_script(machine, "agent_session_thief.py")), human.origin,
                        human.item_id, *roots, cwd=machine.base)
    assert thief.code == 0, thief.err
    got = json.loads(thief.out)

    assert got["cookies"] == {cookie: [str(jar)]}  # the premise: the agent has the cookie
    assert token not in got["tokens"]  # the token is nowhere the agent can read
    assert got["files_read"] > 0 and got["codes"] == {"401": sum(got["codes"].values())}
    assert all(ws.startswith("refused") and "1008" in ws for ws in got["websockets"])
    ops = next(human.repo.glob(f".agent/**/.{human.item_id}.ops")).read_text()
    assert "op: lock" not in ops and "stolen cookie" not in ops
    # and the human's session goes on: the agent's logout with the cookie ended nothing
    session = human.anonymous()
    session.cookies.set("htrac_session", cookie)
    assert session.get(human.url("/api/auth/session"),
                       headers={TOKEN_HEADER: token}).status_code == 200
