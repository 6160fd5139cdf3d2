"""Time whole `htrac` processes on generated trackers, beside the reference on the same tracker.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--runs 5] [--watch]
                             [--reference PATH | --no-reference] [--workdir DIR]

For each size: generate a tracker (benchmarks/generate.py; kept in the work directory and
reused), time a cold index build (the first command with an empty cache), then each command
as a separate process — median wall time of `--runs` runs, with the median CPU time (user +
system) and the peak resident memory of the child (from wait4). The reference
(hypergumbo-tracker 0.11.0, in its own virtual environment) runs the same commands on the
same tracker in the same run, up to `--reference-max` items; the ratio is reference / htrac.
`--watch` times every command a second time with this user's watcher running (`htrac watch
start` before, `watch stop` after), in rows marked "(watcher)".
Prints a Markdown table. Not part of CI: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REFERENCE_VERSION = "hypergumbo-tracker==0.11.0"
NOTES: list[str] = []


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    failures: int = 0

    def add(self, wall: float, cpu: float, rss_kb: int, ok: bool) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.rss_kb.append(rss_kb)
        self.failures += not ok

    @property
    def median_ms(self) -> float:
        return statistics.median(self.wall) * 1000

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu) * 1000

    @property
    def peak_mb(self) -> float:
        return max(self.rss_kb) / 1024


def run_once(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, bool]:
    """Wall seconds, CPU seconds, peak RSS (KiB) and success of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode != 0:
        print(f"  ! {' '.join(argv[-4:])}: exit {proc.returncode}: {err.strip()[:200]}",
              file=sys.stderr)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode == 0


def first_ids(repo: Path, count: int) -> list[str]:
    names = os.listdir(repo / ".agent" / "tracker-workspace" / ".ops")
    return sorted(n[1:-4] for n in names if n.startswith(".WI-") and n.endswith(".ops"))[:count]


def commands(repo: Path, runs: int) -> list[tuple[str, list[list[str]]]]:
    """(name, argv per run) for each timed command; writes vary per run."""
    some = first_ids(repo, runs + 1)
    target = some[0]
    runs += 1  # the first of each is a warm-up run, not timed
    return [
        ("ready", [["ready"]] * runs),
        ("count-todos", [["count-todos"]] * runs),
        ("list --status todo_hard", [["list", "--status", "todo_hard"]] * runs),
        ("show", [["show", target]] * runs),
        ("update", [["update", some[n % len(some)], "--priority", str(n % 5)]
                    for n in range(runs)]),
        ("add", [["add", "--kind", "work_item", "--title", f"Benchmark item {n} {time.time()}"]
                 for n in range(runs)]),
    ]


def htrac_exe() -> list[str]:
    """The installed console script beside this interpreter (not a pyenv shim)."""
    script = Path(sys.executable).parent / "htrac"
    return [str(script)] if script.exists() else [sys.executable, "-m", "htrac"]


def reference_exe(explicit: str | None, workdir: Path) -> list[str] | None:
    if explicit:
        return [explicit]
    for candidate in (Path("/opt/refvenv/bin/hypergumbo-tracker"),
                      workdir / "refvenv" / "bin" / "hypergumbo-tracker"):
        if candidate.exists():
            return [str(candidate)]
    venv = workdir / "refvenv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", REFERENCE_VERSION],
                       check=True, timeout=900)
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"reference not available ({exc}); timing htrac alone", file=sys.stderr)
        return None
    return [str(venv / "bin" / "hypergumbo-tracker")]


def tracker_for(size: int, workdir: Path, seed: int) -> Path:
    repo = workdir / f"tracker-{size}"
    marker = repo / ".generated"
    if not marker.exists():
        print(f"generating {size} items in {repo} …", file=sys.stderr)
        # In a process of its own, like the copy below.
        subprocess.run([sys.executable, str(Path(__file__).with_name("generate.py")), str(repo),
                        "--items", str(size), "--seed", str(seed)], check=True,
                       stdout=subprocess.DEVNULL)
        marker.write_text(f"{size} {seed}\n", encoding="utf-8")
    return repo


def bench_size(size: int, args, htrac: list[str], ref: list[str] | None) -> dict:
    source = tracker_for(size, args.workdir, args.seed)
    repo = args.workdir / f"run-{size}"
    # Writes must not change the generated tracker: time a copy. Copied by a child process,
    # which keeps this one small: a child's peak RSS (wait4) starts from its parent's at fork.
    subprocess.run([sys.executable, "-c", "import shutil, sys; "
                    "shutil.rmtree(sys.argv[2], ignore_errors=True); "
                    "shutil.copytree(sys.argv[1], sys.argv[2], symlinks=True)",
                    str(source), str(repo)], check=True)
    cache = args.workdir / f"cache-{size}"
    env = {**os.environ, "HTRAC_CACHE_DIR": str(cache), "TRACKER_AUTO_SYNC_THRESHOLD": "0",
           "TRACKER_CACHE_DIR": str(args.workdir / f"refcache-{size}"), "NO_COLOR": "1",
           # Byte-code caching as on an ordinary install (an editable install has no .pyc
           # until a run writes one; this sandbox sets PYTHONDONTWRITEBYTECODE, which would
           # make every htrac run compile its modules again). Same for both programs.
           "PYTHONPYCACHEPREFIX": str(args.workdir / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    runs = args.runs if size <= 10_000 else max(3, args.runs // 2)
    results: dict[str, dict[str, Timing]] = {}

    cold = Timing()
    for _ in range(args.cold_runs if size <= 10_000 else 1):
        shutil.rmtree(cache, ignore_errors=True)
        cold.add(*run_once([*htrac, "count-todos"], repo, env))
    results["cold build (count-todos, empty cache)"] = {"htrac": cold}

    use_ref = ref is not None and size <= args.reference_max
    for name, argvs in commands(repo, runs):
        mine = Timing()
        run_once([*htrac, *argvs[0]], repo, env)  # warm the OS cache and the index
        for argv in argvs[1:]:
            mine.add(*run_once([*htrac, *argv], repo, env))
        results[name] = {"htrac": mine}
        if use_ref:
            theirs = Timing()
            for argv in argvs[1:args.reference_runs + 1]:
                if name == "add":
                    argv = [*argv[:-1], argv[-1] + " (reference)"]
                theirs.add(*run_once([*ref, *argv], repo, env))
            results[name]["reference"] = theirs
        print(f"  {size:>7} {name:<28} htrac {mine.median_ms:8.0f} ms"
              + (f"   reference {results[name]['reference'].median_ms:8.0f} ms"
                 if use_ref else ""), file=sys.stderr)
    if args.watch:
        watched = bench_watched(repo, runs, htrac, env)
        results = {key: value for name, timings in results.items()
                   for key, value in ((name, timings), (f"{name} (watcher)",
                                                        watched.get(name)))
                   if value is not None}
    return results


def bench_watched(repo: Path, runs: int, htrac: list[str],
                  env: dict[str, str]) -> dict[str, dict[str, Timing]]:
    """The same commands with the watcher running; the warm-up run records its first token."""
    started = subprocess.run([*htrac, "--json", "watch", "start"], cwd=repo, env=env,
                             check=True, capture_output=True, text=True)
    pid = json.loads(started.stdout)["pid"]
    results = {}
    count, cpu = 0, watcher_cpu(pid)
    try:
        for name, argvs in commands(repo, runs):
            mine = Timing()
            run_once([*htrac, *argvs[0]], repo, env)
            for argv in argvs[1:]:
                mine.add(*run_once([*htrac, *argv], repo, env))
            count += len(argvs)
            results[name] = {"htrac": mine}
            print(f"  {'':>7} {name + ' (watcher)':<28} htrac {mine.median_ms:8.0f} ms",
                  file=sys.stderr)
        cpu = watcher_cpu(pid) - cpu
        NOTES.append(f"{repo.name}: the watcher used {cpu * 1000:.0f} ms of CPU for {count} "
                     f"commands ({cpu * 1000 / count:.1f} ms each, not in the rows above)")
    finally:
        subprocess.run([*htrac, "watch", "stop"], cwd=repo, env=env, stdout=subprocess.DEVNULL)
    return results


def watcher_cpu(pid: int) -> float:
    """CPU seconds the watcher process has used so far (schedstat: nanoseconds on a CPU)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def table(all_results: dict[int, dict]) -> str:
    lines = ["| items | command | htrac wall ms (median) | htrac CPU ms | htrac peak MB "
             "| reference wall ms | reference peak MB | reference / htrac |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for size, results in all_results.items():
        for name, timings in results.items():
            mine = timings["htrac"]
            theirs = timings.get("reference")
            ref_cols = (f"{theirs.median_ms:.0f} | {theirs.peak_mb:.0f} | "
                        f"{theirs.median_ms / mine.median_ms:.0f}×") if theirs else "– | – | –"
            fail = f" ({mine.failures} failed)" if mine.failures else ""
            lines.append(f"| {size:,} | {name}{fail} | {mine.median_ms:.0f} | {mine.cpu_ms:.0f} "
                         f"| {mine.peak_mb:.0f} | {ref_cols} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.node()}: {os.cpu_count()} × {cpu}, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, load {load:.1f}, "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--reference", help="the reference's hypergumbo-tracker executable")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--reference-max", type=int, default=10_000)
    parser.add_argument("--reference-runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/htrac-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--watch", action="store_true",
                        help="also time every command with the watcher running")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    htrac = htrac_exe()
    ref = None if args.no_reference else reference_exe(args.reference, args.workdir)
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        results[size] = bench_size(size, args, htrac, ref)
    print(f"Machine: {machine()}\n")
    print(table(results))
    for note in NOTES:
        print(f"\n{note}")


if __name__ == "__main__":
    main()
