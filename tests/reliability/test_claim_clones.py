"""Concurrent claims on 2–3 real clones (which share no lock), merged through `merge=union` in
random orders: every clone converges on one holder — the one the documented rule names — and
each loser is told (by the next command touching the item, by `ready` once, by `hook stop`)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

from tests_support import FULL, report

from htrac.core.fold import sort_key
from htrac.core.oplog import read_oplog

TRIALS = 12 if FULL else 2
TEMPLATE = "actor_resolution:\n  agent_usernames: ['root', '*_agent']\n"  # root claims as an agent


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def htrac(repo: Path, *args: str, session: str, stdin: str | None = None):
    env = {**os.environ, "HTRAC_SESSION": session,
           "HTRAC_CACHE_DIR": str(repo.parent / f"cache-{repo.name}")}
    return subprocess.run([sys.executable, "-m", "htrac", "--no-auto-sync", *args], cwd=repo,
                          capture_output=True, text=True, env=env, input=stdin)


def make_clones(base: Path, count: int) -> list[Path]:
    origin = base / "origin"
    origin.mkdir(parents=True)
    git(origin, "init", "-q", "-b", "main")
    assert htrac(origin, "init", session="setup").returncode == 0
    (origin / ".agent" / "tracker" / "config.yaml.template").write_text(TEMPLATE)
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "tracker")
    clones = []
    for n in range(count):
        git(base, "clone", "-q", str(origin), f"clone{n}")
        clones.append(base / f"clone{n}")
    return clones


def pull(dst: Path, src: Path) -> None:
    git(dst, "pull", "-q", "--no-rebase", "--no-edit", str(src), "main")


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def ops_file(repo: Path, item: str) -> Path:
    return repo / ".agent" / "tracker-workspace" / ".ops" / f".{item}.ops"


def test_claim_clones_converge_on_one_holder_and_tell_the_losers(tmp_path):
    rng = random.Random(1515)
    merges = told = 0
    for trial in range(TRIALS):
        count = rng.choice([2, 3])
        clones = make_clones(tmp_path / f"t{trial}", count)
        made = htrac(clones[0], "add", "--kind", "work_item", "--title", f"Contested {trial}",
                     session="setup")
        item = made.stdout.strip()
        commit(clones[0], "item")
        for other in clones[1:]:
            pull(other, clones[0])
        # every clone claims at once: each sees only its own file, so each take succeeds
        procs = [subprocess.Popen([sys.executable, "-m", "htrac", "--no-auto-sync", "--json",
                                   "claim", item], cwd=c, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, "HTRAC_SESSION": f"session-{n}",
                                       "HTRAC_CACHE_DIR": str(c.parent / f"cache-{c.name}")})
                 for n, c in enumerate(clones)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0] * count, outs
        for n, c in enumerate(clones):
            commit(c, f"claim by session-{n}")
        expected = _first_take(clones)
        merges += _merge_in_random_order(rng, clones)
        holders = set()
        for n, c in enumerate(clones):
            shown = htrac(c, "--json", "show", item, session=f"session-{n}")
            assert shown.returncode == 0, shown.stderr
            data = json.loads(shown.stdout)
            holders.add(data["claim"]["session"])
            assert data["status"] == "in_progress" and "problems" not in data
            lost_sessions = {entry["session"] for entry in data["lost_claims"]}
            assert lost_sessions == {f"session-{k}" for k in range(count)} - {expected}
            if f"session-{n}" == expected:
                assert "do not hold" not in shown.stderr
                continue
            # the loser is told by the command that touched the item ...
            assert f"you (root/session-{n}) do not hold {item}" in shown.stderr
            assert f"held by root/{expected}" in shown.stderr
            # ... by ready, once ...
            first = htrac(c, "ready", session=f"session-{n}")
            assert "claim(s) of yours lost" in first.stdout, first.stdout
            again = htrac(c, "ready", session=f"session-{n}")
            assert "lost" not in again.stdout
            # ... and its further writes to the item say so
            wrote = htrac(c, "discuss", item, "still working?", session=f"session-{n}")
            assert wrote.returncode == 0 and "do not hold" in wrote.stderr
            told += 1
        assert holders == {expected}, (holders, expected)
    report(f"claims across clones: {TRIALS} trials of 2-3 clones claiming one item at once, "
           f"{merges} merges in random orders: every clone converged on the rule's holder, "
           f"{told} losers told")


def test_claim_clones_loser_is_told_by_the_stop_hook_once(tmp_path):
    clones = make_clones(tmp_path, 2)
    item = htrac(clones[0], "add", "--kind", "work_item", "--title", "Hooked",
                 session="setup").stdout.strip()
    commit(clones[0], "item")
    pull(clones[1], clones[0])
    for n, c in enumerate(clones):
        assert htrac(c, "claim", item, session=f"session-{n}").returncode == 0
        commit(c, f"claim {n}")
    winner = _first_take(clones)
    loser = 1 if winner == "session-0" else 0
    pull(clones[loser], clones[1 - loser])
    event = json.dumps({"session_id": f"session-{loser}", "cwd": str(clones[loser]),
                        "stop_hook_active": False})
    first = htrac(clones[loser], "hook", "stop", session="unused", stdin=event)
    answer = json.loads(first.stdout)
    assert answer["decision"] == "block"
    assert f"you (root/session-{loser}) do not hold {item}" in answer["reason"]
    second = htrac(clones[loser], "hook", "stop", session="unused", stdin=event)
    assert "do not hold" not in second.stdout


def _first_take(clones: list[Path]) -> str:
    """The session the documented rule makes the holder: the first take in fold order (the
    `at`s here are within the clock skew of each other)."""
    takes = []
    for c in clones:
        [path] = (c / ".agent" / "tracker-workspace" / ".ops").glob(".*.ops")
        takes += [op for op in read_oplog(path.read_bytes()).ops
                  if op.type == "update" and "claim" in op.body]
    first = min(takes, key=lambda op: sort_key(op, "agent"))
    return first.body["claim"]["session"]


def _merge_in_random_order(rng: random.Random, clones: list[Path]) -> int:
    """Pull clone into clone at random until every clone has every op."""
    merges = 0
    while True:
        contents = {c: set(_nonces(c)) for c in clones}
        everything = set().union(*contents.values())
        if all(found == everything for found in contents.values()):
            return merges
        dst, src = rng.sample(clones, 2)
        pull(dst, src)
        merges += 1


def _nonces(repo: Path) -> list[str]:
    [path] = (repo / ".agent" / "tracker-workspace" / ".ops").glob(".*.ops")
    return [op.nonce for op in read_oplog(path.read_bytes()).ops]
