"""Time full-text search (`htrac search`) on a generated tracker.

    python benchmarks/search.py [--items 10000] [--runs 7] [--workdir DIR]

Generates the tracker (benchmarks/generate.py, reused when present), builds the index once,
then times (1) each query answered in one process — the index's freshness check, the FTS5
query, its snippets and the summary rows — as wall and CPU time (CPU is what a loaded machine
can't inflate), and (2) `htrac search …` as a whole
process, the way an agent runs it (median of `--runs`, after a warm-up run). Queries: one
common word, one rare word, a prefix, a phrase, two words. Then (3) the same words as the query
language's text terms (`htrac list -q "is:ready WORDS"`, answered by the same FTS5 table), in
process and as a process. The reference has no full-text search; the closest it offers is
listing everything (`hypergumbo-tracker list`) and filtering by hand, timed beside it
(`--reference PATH`, else the reference found as benchmarks/run.py finds it; `--no-reference`).
Prints Markdown.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from run import htrac_exe, reference_exe, run_once, tracker_for

QUERIES = ("cache", "backup", "migrat*", '"merge branch"', "parser token")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/htrac-bench"))
    parser.add_argument("--reference", help="the reference's hypergumbo-tracker executable")
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    repo = tracker_for(args.items, args.workdir, args.seed)
    env = {"HTRAC_CACHE_DIR": str(args.workdir / f"search-cache-{args.items}"),
           "PATH": "/usr/bin:/bin"}
    htrac = htrac_exe()
    start = time.perf_counter()
    subprocess.run([*htrac, "cache-rebuild"], cwd=repo, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    build = time.perf_counter() - start

    import os

    os.environ.update(env)
    from htrac.service.fulltext import search
    from htrac.service.tracker import Tracker

    tracker = Tracker.open(start=repo)
    rows = ["| query | hits (first 20) | in-process wall ms | in-process CPU ms | "
            "`htrac search` process wall ms |", "|---|---:|---:|---:|---:|"]
    for query in QUERIES:
        search(tracker, query)  # warm-up
        times, cpu = [], []
        for _ in range(args.runs):
            begin, begin_cpu = time.perf_counter(), time.process_time()
            hits = search(tracker, query)
            times.append(time.perf_counter() - begin)
            cpu.append(time.process_time() - begin_cpu)
        argv = [*htrac, "search", query]
        run_once(argv, repo, env)
        walls = [run_once(argv, repo, env)[0] for _ in range(args.runs)]
        rows.append(f"| `{query}` | {len(hits)} | {statistics.median(times) * 1000:.0f} | "
                    f"{statistics.median(cpu) * 1000:.0f} | "
                    f"{statistics.median(walls) * 1000:.0f} |")
    print(f"{args.items} items; index build with the search table {build:.1f} s "
          f"(`htrac cache-rebuild`, whole process)\n")
    print("\n".join(rows))
    print()
    print("\n".join(query_language(tracker, repo, env, htrac, args.runs)))
    ref = None if args.no_reference else reference_exe(args.reference, args.workdir)
    if ref is not None:
        print()
        print(reference_listing(ref, repo, args))


def query_language(tracker, repo: Path, env: dict[str, str], htrac: list[str],
                   runs: int) -> list[str]:
    """The query language's text terms (FTS5 since index format 12): `list -q`."""
    from htrac.service.listing import ListFilter, query_items

    rows = ["| `list -q` query | matches | in-process wall ms | in-process CPU ms | "
            "`htrac list -q … --limit 20` process wall ms |", "|---|---:|---:|---:|---:|"]
    for words in QUERIES:
        query = f"is:ready {words}"
        query_items(tracker, query, ListFilter(), whole=False, numbered=False)  # warm-up
        times, cpu = [], []
        for _ in range(runs):
            begin, begin_cpu = time.perf_counter(), time.process_time()
            found = query_items(tracker, query, ListFilter(), whole=False, numbered=False)
            times.append(time.perf_counter() - begin)
            cpu.append(time.process_time() - begin_cpu)
        argv = [*htrac, "list", "-q", query, "--limit", "20"]
        run_once(argv, repo, env)
        walls = [run_once(argv, repo, env)[0] for _ in range(runs)]
        rows.append(f"| `{query}` | {len(found)} | {statistics.median(times) * 1000:.0f} | "
                    f"{statistics.median(cpu) * 1000:.0f} | "
                    f"{statistics.median(walls) * 1000:.0f} |")
    return rows


def reference_listing(ref: list[str], repo: Path, args) -> str:
    """The reference's closest thing to a search: its whole listing, to filter by hand."""
    import os
    import shutil

    copy = args.workdir / f"search-ref-{args.items}"  # the reference writes its own cache
    if not copy.exists():
        shutil.copytree(repo, copy, symlinks=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"),
           "XDG_CACHE_HOME": str(args.workdir / f"search-ref-cache-{args.items}")}
    argv = [*ref, "list"]
    run_once(argv, copy, env)
    runs = max(1, min(args.runs, 3))
    walls = [run_once(argv, copy, env) for _ in range(runs)]
    wall = statistics.median(w[0] for w in walls) * 1000
    cpu = statistics.median(w[1] for w in walls) * 1000
    return (f"Reference (no full-text search): `hypergumbo-tracker list` (every item, to filter "
            f"by hand), median of {runs}: {wall:.0f} ms wall, {cpu:.0f} ms CPU.")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
