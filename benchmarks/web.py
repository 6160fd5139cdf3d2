"""The web server's figures for docs/performance.md.

    python benchmarks/web.py speed --items 10000     # /api/items server time, page usable time
    python benchmarks/web.py load --clients 50 --writes 1000

`speed` generates a tracker (benchmarks/generate.py), starts `htrac serve` on 127.0.0.1, logs in
and times `GET /api/items` (the server's own time, from its Server-Timing header, and the
client's), then opens the board in Debian's Chromium and times how long until the cards are
shown and the page is live.

`load` opens N WebSocket clients, then makes W writes with the CLI (`htrac update ID --title …`,
one process per write, four at a time), each to a different item, and checks that every client
was pushed every write (nothing lost); latency is from the op's append (the ops file's mtime:
each item is written once) to each client receiving the push.
Loopback only; bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from webserver import PASSWORD, htrac, private_env, start  # noqa: E402


def _server(base: Path, items: int):
    env = private_env(base)
    repo = base / "repo"
    if items:
        from generate import generate

        repo.mkdir(parents=True)
        subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True, env=env)
        generate(repo, items)
    else:
        from webserver import make_repo

        repo = make_repo(base, env)
    htrac(repo, env, "serve", "passwd", "--stdin", input=PASSWORD + "\n")
    htrac(repo, env, "count-todos")  # build the index before the server starts
    return start(repo, env)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def speed(args) -> None:
    base = Path(tempfile.mkdtemp(prefix="htrac-webbench-"))
    server = _server(base, args.items)
    try:
        client = server.login()
        for view in ("summary", "full"):
            server_ms, client_ms = [], []
            for _ in range(args.runs + 1):
                t0 = time.perf_counter()
                answer = client.get(server.url(f"/api/items?view={view}"))
                client_ms.append((time.perf_counter() - t0) * 1000)
                server_ms.append(float(answer.headers["Server-Timing"].split("dur=")[1]))
                count = len(answer.json()["items"])
            server_ms, client_ms = server_ms[1:], client_ms[1:]  # the first warms the index
            print(f"GET /api/items?view={view} ({count} items, {len(answer.content)/1e6:.1f} MB): "
                  f"server median {statistics.median(server_ms):.1f} ms, "
                  f"client median {statistics.median(client_ms):.0f} ms")
        changed = []
        item_id = answer.json()["items"][0]["id"]
        for n in range(args.runs):  # the first answer after a change encodes the list again
            server.htrac("--no-auto-sync", "update", item_id, "--title", f"bench {n}")
            time.sleep(1.5)
            answer = client.get(server.url("/api/items?view=summary"))
            changed.append(float(answer.headers["Server-Timing"].split("dur=")[1]))
        print(f"GET /api/items?view=summary, first answer after a change: server median "
              f"{statistics.median(changed):.0f} ms")
        page_times(server, client, args.runs)
    finally:
        server.stop()


def page_times(server, client, runs: int) -> None:
    import browser

    pw, context = browser.launch()
    try:
        page = context.new_page()
        page.goto(server.origin + "/")
        page.evaluate(f"localStorage.setItem('htrac.token', {json.dumps(client.token)})")
        context.add_cookies([{"name": "htrac_session", "value": client.cookies["htrac_session"],
                              "url": server.origin}])
        cards, live = [], []
        for _ in range(runs + 1):
            t0 = time.perf_counter()
            page.goto(server.origin + "/board")
            page.wait_for_selector(".card", timeout=30_000)
            cards.append((time.perf_counter() - t0) * 1000)
            page.wait_for_selector("[data-live=live]", timeout=30_000)
            live.append((time.perf_counter() - t0) * 1000)
        print(f"board page: cards shown median {statistics.median(cards[1:]):.0f} ms, "
              f"live median {statistics.median(live[1:]):.0f} ms (navigation start → shown)")
    finally:
        browser.close(pw, context)


async def _clients(server, token: str, cookie: str, n: int, expect: set[str], seen: list,
                   ready: asyncio.Event, deadline: float):
    import websockets

    async def one(k: int):
        async with websockets.connect(f"ws://{server.host}:{server.port}/ws", origin=server.origin,
                                      additional_headers={"Cookie": f"htrac_session={cookie}"},
                                      max_size=None) as ws:
            await ws.send(json.dumps({"type": "auth", "token": token, "snapshot": "none"}))
            got: dict[str, float] = {}
            while True:
                message = json.loads(await ws.recv())
                if message["type"] == "ready":
                    break
            ready_count[0] += 1
            if ready_count[0] == n:
                ready.set()
            while set(got) < expect and time.time() < deadline:
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                except TimeoutError:
                    continue
                now = time.time()
                for item in message.get("items", []):
                    if item["title"].startswith("load ") and item["id"] in expect:
                        got.setdefault(item["id"], now)
            seen[k] = got

    ready_count = [0]
    await asyncio.gather(*(one(k) for k in range(n)))


def load(args) -> None:
    base = Path(tempfile.mkdtemp(prefix="htrac-webload-"))
    server = _server(base, 0)
    try:
        ids = [server.add(f"target {n}") for n in range(args.writes)] if args.writes <= 50 else \
            _many(server, args.writes)
        client = server.login()
        seen: list = [None] * args.clients
        done: dict[str, float] = {}
        deadline = time.time() + args.timeout

        retried: list[str] = []

        def writer(item_id: str, n: int) -> None:
            for _ in range(120):  # a failure is reported, and the write tried again
                result = subprocess.run([sys.executable, "-m", "htrac", "--no-auto-sync",
                                         "update", item_id, "--title", f"load {n}"],
                                        cwd=server.repo, env=server.env, capture_output=True,
                                        text=True)
                if result.returncode == 0:
                    done[item_id] = time.time()
                    return
                retried.append(result.stderr.strip())
                time.sleep(1)
            raise RuntimeError(f"write {n} kept failing: {retried[-1]}")

        async def main():
            ready = asyncio.Event()
            clients = asyncio.create_task(_clients(
                server, client.token, client.cookies["htrac_session"], args.clients, set(ids),
                seen, ready, deadline))
            await asyncio.wait_for(ready.wait(), 60)
            t0 = time.time()
            loop = asyncio.get_running_loop()
            with ThreadPoolExecutor(args.parallel) as pool:
                await asyncio.gather(*(loop.run_in_executor(pool, writer, i, n)
                                       for n, i in enumerate(ids)))
            written = time.time() - t0
            await clients
            return written

        sampler = LoadSampler()
        written = asyncio.run(main())
        sampler.stop()
        lost = sum(len(set(ids) - set(s or {})) for s in seen)
        # each item is written once: its ops file's mtime is the moment the op was appended
        ops = server.repo / ".agent" / "tracker-workspace" / ".ops"
        appended = {i: (ops / f".{i}.ops").stat().st_mtime_ns / 1e9 for i in ids}
        latencies = [(s[i] - appended[i]) * 1000 for s in seen if s for i in s]
        print(f"{args.clients} WebSocket clients, {len(ids)} CLI writes ({args.parallel} at a "
              f"time, {written:.1f} s): lost {lost} of {len(ids) * args.clients} pushes; "
              f"write→push p50 {pct(latencies, 50):.0f} ms, p99 {pct(latencies, 99):.0f} ms, "
              f"max {max(latencies):.0f} ms")
        if retried:
            print(f"{len(retried)} CLI writes failed and were retried; first: {retried[0]}")
        print(f"machine: {os.cpu_count()} cores; {sampler.report()}")
    finally:
        server.stop()


class LoadSampler:
    """The machine's 1-minute load average every 10 s while the test runs (others share it)."""

    def __init__(self) -> None:
        import threading

        self.samples = [os.getloadavg()[0]]
        self.started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(10):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(os.getloadavg()[0])
        self.ended = time.strftime("%H:%M UTC", time.gmtime())

    def report(self) -> str:
        return (f"{self.started}–{self.ended}, load average (1 min) median "
                f"{statistics.median(self.samples):.1f}, min {min(self.samples):.1f}, "
                f"max {max(self.samples):.1f} over {len(self.samples)} samples")


def _many(server, count: int) -> list[str]:
    """`count` items made in one batch (one process) rather than one process each."""
    lines = "".join(f'add --kind work_item --title "target {n}"\n' for n in range(count))
    out = htrac(server.repo, server.env, "--json", "--no-auto-sync", "batch", "-", input=lines)
    return [r["output"]["id"] for r in json.loads(out)["results"]]


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("speed")
    s.add_argument("--items", type=int, default=10_000)
    s.add_argument("--runs", type=int, default=5)
    s.set_defaults(run=speed)
    ld = sub.add_parser("load")
    ld.add_argument("--clients", type=int, default=50)
    ld.add_argument("--writes", type=int, default=1000)
    ld.add_argument("--parallel", type=int, default=4)
    ld.add_argument("--timeout", type=float, default=600)
    ld.set_defaults(run=load)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    cli()
