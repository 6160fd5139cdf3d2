"""`git log -p` through htrac's textconv driver over a 1,000-commit history.

Builds a repository with 50 items and 1,000 commits (each appends one discuss op to one item),
wires the `tracker` diff driver as `htrac setup` does (cachetextconv on), and times `git log -p`
three ways: raw ops (no driver), driver with a cold cache, driver with a warm cache. Reports
wall and CPU time (CPU is the fairer figure on a shared machine).

    python benchmarks/textconv_log.py [--commits N]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from htrac.core.ids import make_id
from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from htrac.gitio.attributes import ROOT_ATTRIBUTES, textconv_command

ENV = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@htrac.invalid",
           GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@htrac.invalid")


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          env=ENV).stdout


def build(repo: Path, commits: int, items: int = 50) -> None:
    git(repo, "init", "-q", "-b", "main")
    ops = repo / ".agent" / "tracker-workspace" / ".ops"
    ops.mkdir(parents=True)
    (repo / ".gitattributes").write_text("\n".join(ROOT_ATTRIBUTES) + "\n")
    ids = []
    for n in range(items):
        data = {"kind": "work_item", "title": f"item {n}", "status": "todo_hard", "priority": 2,
                "parent": None, "tags": [], "isbefore": [], "duplicate_of": [],
                "not_duplicate_of": [], "pr_ref": None, "description": "", "fields": {}}
        ids.append(make_id("WI", data))
        op = make_op("create", by="human", actor="h", clock=1, body={"data": data})
        (ops / f".{ids[-1]}.ops").write_text(serialize_op(op))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "create items")
    for n in range(commits - 1):
        path = ops / f".{ids[n % items]}.ops"
        op = make_op("discuss", by="agent", actor="a_agent", clock=2 + n // items,
                     body={"message": f"note {n}"})
        with path.open("a") as handle:
            handle.write(serialize_op(op))
        git(repo, "commit", "-q", "-a", "--no-verify", "-m", f"op {n}")


def timed(repo: Path, *args: str) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = git(repo, *args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return time.perf_counter() - start, cpu, len(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=1000)
    args = parser.parse_args()
    repo = Path(tempfile.mkdtemp(prefix="htrac-textconv-")) / "repo"
    repo.mkdir()
    build(repo, args.commits)
    git(repo, "config", "diff.tracker.textconv", textconv_command())
    git(repo, "config", "diff.tracker.cachetextconv", "true")
    runs = [("raw ops (--no-textconv)", ("log", "-p", "--no-textconv")),
            ("textconv, cold cache", ("log", "-p")), ("textconv, warm cache", ("log", "-p"))]
    print(f"{args.commits} commits in {repo}; python {sys.version.split()[0]}; "
          f"load {os.getloadavg()[0]:.1f}")
    for label, command in runs:
        wall, cpu, size = timed(repo, *command)
        print(f"{label:26} wall {wall:7.2f} s   cpu {cpu:7.2f} s   {size} bytes")


if __name__ == "__main__":
    main()
