"""Time whole `htrac` processes on generated trackers, beside the reference on the same tracker.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--runs 20] [--scan]
                             [--reference PATH | --no-reference] [--workdir DIR]

For each size: generate a tracker (benchmarks/generate.py; kept in the work directory and
reused), time a cold index build (the first command with an empty cache), then each command
as a separate process — median and interquartile range of the wall time of `--runs` runs
(after one untimed warm-up run), with the median CPU time (user + system) and the peak
resident memory of the child (from wait4). The interpreter's own `python -c pass` is timed the
same way in the same run, as the floor. The reference (hypergumbo-tracker 0.11.0, in its own
virtual environment) runs the same commands on the same tracker in the same run, up to
`--reference-max` items; the ratio is reference / htrac.

The htrac rows are what a user gets without starting anything: by default a read that looks
at 2,000 ops files or more starts the user's watcher itself (`index.watch`, docs/design/
index.md), so the cold build's command starts one and the rows after it use it; it is stopped
at the end. `--scan` times every command a second time with the watcher off
(`index: {watch: false}` in the copy's configuration, the watcher stopped), in rows marked
"(no watcher)".

`--pull-rounds N` (default 5) then times the first commands after a `git pull`: the copy is
committed and cloned; in each round the clone changes `--pull-items` items (`htrac batch`,
one process, its own cache) and commits, the copy pulls (a fast-forward), and the first
`count-todos`, then `ready`, then `show` of a changed item after the pull are timed — the watcher
running as a user's would, nothing else done for them.
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
    def iqr_ms(self) -> float:
        if len(self.wall) < 2:
            return 0.0
        low, _, high = statistics.quantiles(self.wall, n=4)
        return (high - low) * 1000

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


ONLY: set[str] = set()  # --commands: time only these (and the floor and the cold build)


def commands(repo: Path, runs: int) -> list[tuple[str, list[list[str]]]]:
    """(name, argv per run) for each timed command; writes vary per run."""
    return [(name, argvs) for name, argvs in all_commands(repo, runs)
            if not ONLY or name in ONLY]


def all_commands(repo: Path, runs: int) -> list[tuple[str, list[list[str]]]]:
    some = first_ids(repo, runs + 1)
    target = some[0]
    runs += 1  # the first of each is a warm-up run, not timed
    return [
        ("count-todos", [["count-todos"]] * runs),
        ("hash-todos", [["hash-todos"]] * runs),
        ("show", [["show", target]] * runs),
        ("ready", [["ready"]] * runs),
        ("list --status todo_hard", [["list", "--status", "todo_hard"]] * runs),
        ("--json ready", [["--json", "ready"]] * runs),
        ("update", [["update", some[n % len(some)], "--priority", str(n % 5)]
                    for n in range(runs)]),
        # --ack-thread: the reference refuses a reply to an unread human message without it
        ("discuss", [["discuss", "--ack-thread", some[n % len(some)], f"Benchmark note {n}"]
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
    runs = args.runs if size <= 10_000 else max(5, args.runs // 2)
    results: dict[str, dict[str, Timing]] = {}

    floor = Timing()
    run_once([sys.executable, "-c", "pass"], repo, env)
    for _ in range(runs):
        floor.add(*run_once([sys.executable, "-c", "pass"], repo, env))
    results["python -c pass (the floor)"] = {"htrac": floor}

    stop_watcher(repo, htrac, env)
    cold = Timing()
    for _ in range(args.cold_runs if size <= 10_000 else 1):
        stop_watcher(repo, htrac, env)
        shutil.rmtree(cache, ignore_errors=True)
        cold.add(*run_once([*htrac, "count-todos"], repo, env))
    results["cold build (count-todos, empty cache)"] = {"htrac": cold}
    pid = watcher_pid(repo, htrac, env)
    cpu = watcher_cpu(pid) if pid else 0.0

    use_ref = ref is not None and size <= args.reference_max
    count = 0
    for name, argvs in commands(repo, runs):
        mine = time_all(htrac, argvs, repo, env)
        count += len(argvs)
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
    now = watcher_pid(repo, htrac, env)
    if pid and now == pid:
        used = watcher_cpu(pid) - cpu
        NOTES.append(f"{repo.name}: the watcher the first command started (pid {pid}, peak "
                     f"{watcher_rss_mb(pid):.0f} MB) used {used * 1000:.0f} ms of CPU for "
                     f"{count} commands ({used * 1000 / count:.1f} ms each, not in the rows)")
    else:
        NOTES.append(f"{repo.name}: watcher after the cold build: {pid}, at the end: {now}")
    if args.pull_rounds:
        results.update(bench_pull(repo, args, htrac, env))
    if args.scan:
        scanned = bench_scan(repo, runs, htrac, env)
        results = {key: value for name, timings in results.items()
                   for key, value in ((name, timings), (f"{name} (no watcher)",
                                                        scanned.get(name)))
                   if value is not None}
    stop_watcher(repo, htrac, env)
    return results


def time_all(htrac: list[str], argvs: list[list[str]], repo: Path,
             env: dict[str, str]) -> Timing:
    mine = Timing()
    run_once([*htrac, *argvs[0]], repo, env)  # warm the OS cache and the index
    for argv in argvs[1:]:
        mine.add(*run_once([*htrac, *argv], repo, env))
    return mine


GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
       "-c", "core.hooksPath=/dev/null"]


def bench_pull(repo: Path, args, htrac: list[str],
               env: dict[str, str]) -> dict[str, dict[str, Timing]]:
    """The first commands after each `git pull` that brings `args.pull_items` changed items."""
    quiet = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run([*GIT, "add", "-A"], cwd=repo, **quiet)
    subprocess.run([*GIT, "commit", "-qm", "benchmark state"], cwd=repo, **quiet)
    upstream = repo.with_name(f"{repo.name}-upstream")
    shutil.rmtree(upstream, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", str(repo), str(upstream)], **quiet)
    theirs = {**env, "HTRAC_CACHE_DIR": str(upstream.with_name(f"{upstream.name}-cache"))}
    ids = first_ids(upstream, args.pull_items)
    names = [f"after git pull ({len(ids)} items changed): first {name}"
             for name in ("count-todos", "ready", "show")]
    rows = {name: Timing() for name in names}
    for n in range(args.pull_rounds):
        lines = "".join(f"update {i} --priority {(n + k) % 5}\n" for k, i in enumerate(ids))
        subprocess.run([*htrac, "batch", "-"], cwd=upstream, env=theirs, input=lines.encode(),
                       **quiet)
        subprocess.run([*GIT, "commit", "-qam", f"round {n}"], cwd=upstream, **quiet)
        subprocess.run([*GIT, "pull", "-q", "--ff-only", str(upstream), "HEAD"], cwd=repo,
                       **quiet)
        for name, argv in zip(names, (["count-todos"], ["ready"], ["show", ids[n % len(ids)]]),
                              strict=True):
            rows[name].add(*run_once([*htrac, *argv], repo, env))
    stop_watcher(upstream, htrac, theirs)
    for name in names:
        print(f"  {'':>7} {name:<28} htrac {rows[name].median_ms:8.0f} ms", file=sys.stderr)
    return {name: {"htrac": timing} for name, timing in rows.items()}


def bench_scan(repo: Path, runs: int, htrac: list[str],
               env: dict[str, str]) -> dict[str, dict[str, Timing]]:
    """The same commands with the watcher off: every read looks at every file."""
    config = repo / ".agent" / "tracker" / "config.yaml"
    before = config.read_text(encoding="utf-8") if config.exists() else None
    config.write_text((before or "") + "\nindex:\n  watch: false\n", encoding="utf-8")
    stop_watcher(repo, htrac, env)
    time.sleep(2.1)  # a configuration younger than that is never memoised (service.openmemo)
    results = {}
    try:
        for name, argvs in commands(repo, runs):
            results[name] = {"htrac": time_all(htrac, argvs, repo, env)}
            print(f"  {'':>7} {name + ' (no watcher)':<28} htrac "
                  f"{results[name]['htrac'].median_ms:8.0f} ms", file=sys.stderr)
    finally:
        if before is None:
            config.unlink()
        else:
            config.write_text(before, encoding="utf-8")
    return results


def watcher_pid(repo: Path, htrac: list[str], env: dict[str, str]) -> int | None:
    state = subprocess.run([*htrac, "--json", "watch", "status"], cwd=repo, env=env,
                           capture_output=True, text=True)
    try:
        found = json.loads(state.stdout)
    except ValueError:
        return None
    return found.get("pid") if found.get("running") else None


def stop_watcher(repo: Path, htrac: list[str], env: dict[str, str]) -> None:
    subprocess.run([*htrac, "watch", "stop"], cwd=repo, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def watcher_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def watcher_cpu(pid: int) -> float:
    """CPU seconds the watcher process has used so far (schedstat: nanoseconds on a CPU)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def table(all_results: dict[int, dict]) -> str:
    lines = ["| items | command | htrac wall ms (median) | IQR ms | htrac CPU ms | htrac peak MB "
             "| runs | reference wall ms (median) | reference IQR ms | reference peak MB "
             "| runs | reference / htrac |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size, results in all_results.items():
        for name, timings in results.items():
            mine = timings["htrac"]
            theirs = timings.get("reference")
            ref_cols = (f"{theirs.median_ms:.0f} | {theirs.iqr_ms:.0f} | {theirs.peak_mb:.0f} "
                        f"| {len(theirs.wall)} | {theirs.median_ms / mine.median_ms:.0f}×"
                        ) if theirs else "– | – | – | – | –"
            fail = f" ({mine.failures} failed)" if mine.failures else ""
            lines.append(f"| {size:,} | {name}{fail} | {mine.median_ms:.0f} | {mine.iqr_ms:.0f} "
                         f"| {mine.cpu_ms:.0f} | {mine.peak_mb:.0f} | {len(mine.wall)} "
                         f"| {ref_cols} |")
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
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--reference", help="the reference's hypergumbo-tracker executable")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--reference-max", type=int, default=10_000)
    parser.add_argument("--reference-runs", type=int, default=20)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/htrac-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scan", action="store_true",
                        help="also time every command with the watcher off")
    parser.add_argument("--pull-rounds", type=int, default=5,
                        help="rounds of the after-`git pull` rows (0: none)")
    parser.add_argument("--pull-items", type=int, default=50,
                        help="items changed upstream in each round")
    parser.add_argument("--commands", default="",
                        help="comma-separated names of the commands to time (default: all)")
    args = parser.parse_args()
    ONLY.update(name.strip() for name in args.commands.split(",") if name.strip())
    args.workdir.mkdir(parents=True, exist_ok=True)
    htrac = htrac_exe()
    ref = None if args.no_reference else reference_exe(args.reference, args.workdir)
    results = {}
    NOTES.append(f"load average at the start: {os.getloadavg()[0]:.1f}; the machine is shared, "
                 "so the load is not only this benchmark")
    for size in (int(s) for s in args.sizes.split(",")):
        results[size] = bench_size(size, args, htrac, ref)
    print(f"Machine: {machine()}\n")
    print(table(results))
    for note in NOTES:
        print(f"\n{note}")


if __name__ == "__main__":
    main()
