"""Time the TUI as its user sees it, in a real terminal (tmux), on generated trackers.

    python benchmarks/tui.py [--sizes 10000,100000] [--runs 3] [--workdir DIR]

For each size (trackers from benchmarks/generate.py, reused from the work directory, index
built first as after any earlier command):
- first frame: from the moment `htrac tui` is exec'd in the tmux pane to the first capture of
  the pane that shows list rows (the status line's item count and the first row's title),
  polling the pane every 20 ms — median of `--runs`;
- live latency: with the TUI open on the list, another process appends an op renaming the
  first row's item; from the end of that write to the first capture showing the new title —
  median of `--runs`;
- CPU to first frame: the user + system time the TUI process had used when the rows showed
  (on a loaded machine the wall time is mostly waiting for a core; this is what it costs);
- memory: the TUI process's peak resident set (VmHWM) after the first frame and the updates.
Prints a Markdown table. Not part of CI: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

POLL = 0.02  # each capture is a tmux process: polling faster takes CPU from the TUI


SOCKET = f"htrac-bench-{os.getpid()}"
# A tmux server of our own, started with this environment: a shared server hands its panes the
# environment of whoever started it (another run's HTRAC_CACHE_DIR, so another index; COLUMNS,
# which Textual believes over the terminal's size).
ENV = {k: v for k, v in os.environ.items()
       if not k.startswith("TMUX") and k not in ("COLUMNS", "LINES")}


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, "-f", "/dev/null", *args], capture_output=True,
                          text=True, env=ENV).stdout


def pane_pid(session: str) -> int:
    return int(tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())


def wait_screen(session: str, texts: tuple[str, ...], timeout: float = 120.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if all(t in screen for t in texts):
            return time.monotonic()
        time.sleep(POLL)
    raise TimeoutError(f"{texts} never appeared:\n{screen}")


def first_row(repo: Path) -> tuple[str, str]:
    """(ID, title) of the first row the TUI shows: needs-you when not empty, else the list."""
    from htrac.service.search import search
    from htrac.service.tracker import Tracker

    tracker = Tracker.open(repo)
    rows = search(tracker, "is:needs-human", limit=1) or search(tracker, "", limit=1)
    return rows[0].id, rows[0].title


def append_title(repo: Path, item_id: str, title: str) -> None:
    from htrac.service.tracker import Tracker

    Tracker.open(repo).update(item_id, set_={"title": title})


def start(session: str, repo: Path, env: dict[str, str]) -> float:
    tmux("kill-session", "-t", session)
    tmux("new-session", "-d", "-s", session, "-x", "130", "-y", "40", "-c", str(repo),
         f"read go; exec '{sys.executable}' -m htrac tui")
    time.sleep(0.3)
    t0 = time.monotonic()
    tmux("send-keys", "-t", session, "go", "Enter")
    return t0


def bench(size: int, runs: int, workdir: Path, seed: int) -> dict:
    from generate import generate

    repo = workdir / f"tui-{size}"
    if not (repo / ".generated").exists():
        generate(repo, size, seed)
        (repo / ".generated").write_text(str(size))
    env = dict(os.environ)
    subprocess.run([sys.executable, "-m", "htrac", "list"], cwd=repo, stdout=subprocess.DEVNULL,
                   check=True)  # the index exists, as after any earlier command
    item_id, title = first_row(repo)
    session = f"htrac-bench-{os.getpid()}"
    starts, cpus, lives, peaks = [], [], [], []
    for run in range(runs):
        t0 = start(session, repo, env)
        shown = wait_screen(session, (" items", title[:6]))
        starts.append(shown - t0)
        cpus.append(_cpu_seconds(_tui_pid(session)))
        wait_screen(session, ("live: on",))
        time.sleep(1.0)
        new_title = f"R{run}{time.time_ns() % 10**6:06d} renamed"
        append_title(repo, item_id, new_title)
        written = time.monotonic()
        seen = wait_screen(session, (new_title[:8],), timeout=30)
        lives.append(seen - written)
        title = new_title
        pid = _tui_pid(session)
        peaks.append(_peak_kb(pid))
        tmux("send-keys", "-t", session, "q")
        time.sleep(0.5)
    tmux("kill-server")
    return {"size": size, "first_frame_ms": statistics.median(starts) * 1000,
            "first_frame_all": [round(s * 1000) for s in starts],
            "cpu_ms": statistics.median(cpus) * 1000,
            "live_ms": statistics.median(lives) * 1000,
            "live_all": [round(s * 1000) for s in lives],
            "peak_mb": max(peaks) / 1024}


def _tui_pid(session: str) -> int:
    return pane_pid(session)  # the pane's shell exec'd the TUI: same process


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) the process has used: on a machine shared with
    other work, what the first frame costs apart from waiting for a core."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/htrac-bench"))
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("needs tmux")
    args.workdir.mkdir(parents=True, exist_ok=True)
    print("| items | first frame with rows (median) | runs | CPU to first frame (median) "
          "| change on screen (median) | runs | peak memory | load average before / after |")
    print("|---:|---:|---|---:|---:|---|---:|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        before = _load()
        r = bench(size, args.runs, args.workdir, args.seed)
        print(f"| {size:,} | {r['first_frame_ms']:.0f} ms | {r['first_frame_all']} | "
              f"{r['cpu_ms']:.0f} ms | {r['live_ms']:.0f} ms | {r['live_all']} | "
              f"{r['peak_mb']:.0f} MB | {before} → {_load()} |", flush=True)


if __name__ == "__main__":
    main()
