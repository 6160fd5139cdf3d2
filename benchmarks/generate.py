"""Generate a realistic tracker in the on-disk format, for benchmarks.

    python benchmarks/generate.py DIR --items 10000 [--seed 1]

Creates DIR as a git repository (no commit) with an initialized tracker and writes one ops file
per item with htrac's own serializer, as a team of agents and humans would have written them
over months: creates (work items and invariants, with tags, parents and isbefore links), status
and priority updates, tag changes, discussion from agents and humans, the odd lock. Clocks grow
per item as the Lamport rule makes them; timestamps move forward in time; most nonces are
htrac's 16 hex digits and some are the reference's 4. About 30% of the items are canonical,
the rest workspace; most are resolved, as in a long-lived tracker.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from htrac.core.ids import make_id
from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from htrac.service.tracker import init_tracker

WORDS = ("cache index parser fold clock nonce merge branch review agent human lock tag status "
         "priority export import server socket token login session widget screen render queue "
         "worker retry timeout config schema migrate backup restore metric trace log alert").split()
TAGS = ("api", "ui", "perf", "bug", "docs", "infra", "security", "tests", "cli", "sync")
AGENTS = ("alpha_agent", "beta_agent", "gamma_agent")
HUMANS = ("alice", "bob")
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# A long-lived tracker: most items are resolved.
FINAL_STATUS = (("done", 55), ("wont_do", 8), ("todo_hard", 7), ("todo_soft", 14),
                ("in_progress", 10), ("needs_human_review", 6))


class Clock:
    """Timestamps that move forward by seconds to hours, like real work."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.now = start

    def tick(self) -> str:
        self.now += timedelta(seconds=self.rng.randint(20, 7200))
        return self.now.strftime("%Y-%m-%dT%H:%M:%SZ")


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize()


def nonce(rng: random.Random) -> str:
    return f"{rng.getrandbits(16):04x}" if rng.random() < 0.2 else f"{rng.getrandbits(64):016x}"


def author(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.8:
        return "agent", rng.choice(AGENTS)
    return "human", rng.choice(HUMANS)


def pick_status(rng: random.Random) -> str:
    return rng.choices([s for s, _ in FINAL_STATUS], [w for _, w in FINAL_STATUS])[0]


def create_data(rng: random.Random, kind: str, existing: list[str]) -> dict:
    parent = rng.choice(existing) if existing and rng.random() < 0.2 else None
    fields = {}
    if kind == "invariant":
        fields = {"statement": sentence(rng, 6, 14), "root_cause": sentence(rng, 6, 14)}
    return {
        "kind": kind, "title": sentence(rng, 3, 9),
        "status": "todo_hard" if rng.random() < 0.3 else "todo_soft",
        "priority": rng.choices(range(5), (5, 15, 50, 20, 10))[0], "parent": parent,
        "tags": rng.sample(TAGS, rng.randint(0, 3)), "isbefore": [], "duplicate_of": [],
        "not_duplicate_of": [], "pr_ref": None, "description": sentence(rng, 10, 60),
        "fields": fields,
    }


def item_ops(rng: random.Random, data: dict, existing: list[str]) -> list:
    clock = Clock(rng, START + timedelta(hours=rng.randint(0, 24 * 300)))
    by, actor = author(rng)
    ops = [make_op("create", by=by, actor=actor, clock=1, body={"data": data},
                   at=clock.tick(), nonce=nonce(rng))]
    final = pick_status(rng)
    steps = []
    if final != data["status"]:
        if final in ("done", "needs_human_review") and rng.random() < 0.8:
            steps.append({"set": {"status": "in_progress"}})
        steps.append({"set": {"status": final}})
    for _ in range(rng.choices((0, 1, 2, 3, 5), (35, 30, 20, 10, 5))[0]):
        steps.insert(rng.randint(0, len(steps)), "discuss")
    if rng.random() < 0.2:
        steps.insert(0, {"set": {"priority": rng.randint(0, 4)}})
    if rng.random() < 0.15:
        steps.insert(0, {"set": {}, "add": {"tags": [rng.choice(TAGS)]}})
    if existing and rng.random() < 0.1:
        steps.insert(0, {"set": {}, "add": {"isbefore": [rng.choice(existing)]}})
    for step in steps:
        by, actor = author(rng)
        if step == "discuss":
            op_type, body = "discuss", {"message": sentence(rng, 5, 30)}
        else:
            op_type, body = "update", step
        ops.append(make_op(op_type, by=by, actor=actor, clock=len(ops) + 1, body=body,
                           at=clock.tick(), nonce=nonce(rng)))
        if op_type == "discuss" and by == "human" and rng.random() < 0.8:
            # Agents answer humans (their stop hook makes them); a few threads stay unread.
            ops.append(make_op("discuss", by="agent", actor=rng.choice(AGENTS),
                               clock=len(ops) + 1, body={"message": sentence(rng, 5, 30)},
                               at=clock.tick(), nonce=nonce(rng)))
    if rng.random() < 0.03:
        ops.append(make_op("lock", by="human", actor=rng.choice(HUMANS), clock=len(ops) + 1,
                           body={"lock": ["priority"]}, at=clock.tick(), nonce=nonce(rng)))
    return ops


def generate(root: Path, items: int, seed: int = 1) -> Path:
    """A fresh repository at `root` holding a tracker with `items` items; returns `root`."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    layout = init_tracker(root)
    template = Path(__file__).resolve().parent.parent / "config.yaml.template"
    shutil.copyfile(template, layout.tracker_dir / "config.yaml")
    rng = random.Random(seed)
    existing: list[str] = []
    for _ in range(items):
        kind = "invariant" if rng.random() < 0.1 else "work_item"
        data = create_data(rng, kind, existing[-500:])
        item_id = make_id("INV" if kind == "invariant" else "WI", data)
        tier = "canonical" if rng.random() < 0.3 else "workspace"
        ops = item_ops(rng, data, existing[-500:])
        text = "".join(serialize_op(op) for op in ops)
        (layout.ops_dir(tier) / f".{item_id}.ops").write_text(text, encoding="utf-8")
        existing.append(item_id)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.dir, args.items, args.seed)
    print(args.dir)


if __name__ == "__main__":
    main()
