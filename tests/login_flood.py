"""An agent flooding a server's login, as a program of its own (standard library only, so any
OS user's python3 runs it): wrong passwords with invented device secrets and forged client
headers, passkey login options by the thousand, and passkey answers to challenges it made up.

    python3 login_flood.py URL ORIGIN

It floods until its standard input closes, then prints what it got, as JSON: {kind: {status:
count}}. It prints `flooding` once its first wrong password has been refused, and `options N`
after every 500 passkey challenges it has asked for."""

from __future__ import annotations

import json
import secrets
import sys
import threading
import urllib.error
import urllib.request
from collections import Counter

URL, ORIGIN = sys.argv[1], sys.argv[2]
stop = threading.Event()
counts: dict[str, Counter] = {}
lock = threading.Lock()
started = threading.Event()


def post(path: str, body: dict, headers: dict[str, str] | None = None) -> int | str:
    request = urllib.request.Request(URL + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Origin": ORIGIN, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code
    except OSError as exc:
        return type(exc).__name__


def note(kind: str, status: int | str) -> None:
    with lock:
        counts.setdefault(kind, Counter())[str(status)] += 1
        done = sum(counts[kind].values())
    if kind == "passkey options" and done % 500 == 0:
        print(f"options {done}", flush=True)


def wrong_passwords(n: int) -> None:
    i = 0
    while not stop.is_set():
        i += 1
        headers = {"X-Forwarded-For": f"10.{n}.{i % 250}.{i % 199}",
                   "X-Real-IP": f"10.{n}.0.{i % 250}"}
        if i % 2:
            headers["X-Htrac-Device"] = secrets.token_urlsafe(32)
        status = post("/api/auth/login", {"password": f"guess {n}-{i}"}, headers)
        note("password", status)
        if status in (401, 429):
            started.set()


def challenges() -> None:
    while not stop.is_set():
        note("passkey options", post("/api/auth/passkey/login/options", {}))


def forged_answers() -> None:
    while not stop.is_set():
        fake = secrets.token_urlsafe(32)
        note("passkey answer", post("/api/auth/passkey/login", {
            "challenge_id": secrets.token_urlsafe(40),
            "credential": {"id": fake, "rawId": fake, "type": "public-key", "response": {
                "clientDataJSON": "e30", "authenticatorData": "AA", "signature": "AA"}}}))


threads = [threading.Thread(target=wrong_passwords, args=(n,)) for n in range(4)]
threads += [threading.Thread(target=challenges) for _ in range(3)]
threads.append(threading.Thread(target=forged_answers))
for thread in threads:
    thread.start()
started.wait(120)
print("flooding", flush=True)
sys.stdin.read()
stop.set()
for thread in threads:
    thread.join()
print(json.dumps({kind: dict(c) for kind, c in counts.items()}), flush=True)
