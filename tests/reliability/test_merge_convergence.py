"""Branch merges through `merge=union` converge (issue 8, item 3).

Hypothesis draws op histories on two or three real git clones of one repository: ops appended to
random items on random clones (each append committed), clones merging or rebasing onto each
other in random orders, and finally every clone pulling every other. After every merge, each
item's file in the merging clone must fold to exactly the fold of the union of the ops that
clone has seen — same state, every op present once, nothing damaged. One hypothesis example
checks several items at once (each item's history is one case), and the clones are reused
from example to example, so the full run (HTRAC_FULL_TESTS=1) covers over a thousand cases in
a few minutes.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_support import FULL, report

from htrac.core.config import load_config
from htrac.core.fold import fold
from htrac.core.ids import make_id
from htrac.core.oplog import read_oplog
from htrac.core.ops import Op, make_op
from htrac.core.serialize import serialize_op

EXAMPLES = 100 if FULL else 6
OPS_DIR = ".agent/tracker-workspace/.ops"
VOCAB = load_config(None).vocabulary()
STATS = {"cases": 0, "merges": 0, "examples": 0}


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


class Clones:
    """Three clones of one repository whose ops files merge with merge=union."""

    def __init__(self, base: Path) -> None:
        self.paths = [base / name for name in ("a", "b", "c")]
        first = self.paths[0]
        first.mkdir(parents=True)
        git(first, "init", "-q", "-b", "main")
        (first / OPS_DIR).mkdir(parents=True)
        (first / OPS_DIR / ".gitattributes").write_text("*.ops merge=union\n")
        git(first, "add", "-A")
        git(first, "commit", "-q", "-m", "base")
        for path in self.paths[1:]:
            git(base, "clone", "-q", str(first), path.name)
        self.serial = 0

    def file(self, clone: int, item_id: str) -> Path:
        return self.paths[clone] / OPS_DIR / f".{item_id}.ops"

    def append(self, clone: int, item_id: str, op: Op) -> None:
        with self.file(clone, item_id).open("a", encoding="utf-8") as handle:
            handle.write(serialize_op(op))
        git(self.paths[clone], "add", "-A")
        git(self.paths[clone], "commit", "-q", "-m", f"op {op.nonce}")

    def merge(self, dst: int, src: int, rebase: bool) -> None:
        mode = "--rebase" if rebase else "--no-rebase"
        git(self.paths[dst], "pull", "-q", mode, "--no-edit", str(self.paths[src]), "main")

    def sync_all(self) -> None:
        for dst, src in ((0, 1), (0, 2), (1, 0), (2, 0)):
            self.merge(dst, src, rebase=False)


def _op(rng: random.Random, clock: int) -> Op:
    kind = rng.choice(["status", "priority", "title", "tag", "untag", "discuss", "lock",
                       "unlock", "clear"])
    at = f"2026-01-01T00:00:{rng.randrange(4):02d}Z"  # few distinct times: many ties
    by = rng.choice(["agent", "human"])
    clock = clock if rng.random() < 0.7 else rng.randrange(1, clock + 1)  # concurrent clocks
    nonce = f"{rng.getrandbits(64):016x}"
    body: dict
    if kind == "status":
        body, op_type = {"set": {"status": rng.choice(VOCAB.statuses[:5])}}, "update"
    elif kind == "priority":
        body, op_type = {"set": {"priority": rng.randrange(5)}}, "update"
    elif kind == "title":
        body, op_type = {"set": {"title": f"title {rng.randrange(100)}"}}, "update"
    elif kind in ("tag", "untag"):
        part = "add" if kind == "tag" else "remove"
        body, op_type = {"set": {}, part: {"tags": [rng.choice(["api", "ui", "db"])]}}, "update"
    elif kind == "discuss":
        body, op_type = {"message": f"note {rng.randrange(1000)}"}, "discuss"
    elif kind == "clear":
        body, op_type = {}, "discuss_clear"
    else:
        body, op_type = {kind: [rng.choice(["status", "title", "tags"])]}, kind
    return make_op(op_type, by=by, actor=f"{by}_x", clock=clock, body=body, at=at, nonce=nonce)


def _state(item_id: str, ops: list[Op]) -> dict:
    item = fold(item_id, ops, VOCAB)
    return item.as_dict()


def _check(clones: Clones, clone: int, items: list[str], known: list[dict]) -> None:
    for item_id in items:
        data = clones.file(clone, item_id).read_bytes()
        log = read_oplog(data)
        expected = list(known[clone][item_id].values())
        assert not log.problems, f"{item_id} on clone {clone}: {log.problems}"
        assert sorted(o.nonce for o in log.ops) == sorted(o.nonce for o in expected)
        assert _state(item_id, log.ops) == _state(item_id, expected)


@st.composite
def histories(draw):
    clones = draw(st.integers(2, 3))
    steps = draw(st.lists(st.tuples(st.sampled_from(["append", "append", "merge", "rebase"]),
                                    st.integers(0, clones - 1), st.integers(0, clones - 1),
                                    st.integers(0, 13)), min_size=4, max_size=14))
    return clones, draw(st.integers(10, 14)), steps, draw(st.integers(0, 2**32))


def test_union_merges_converge_to_the_fold_of_all_ops(tmp_path_factory):
    clones = Clones(tmp_path_factory.mktemp("clones"))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=not FULL,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(histories())
    def run(history) -> None:
        count, n_items, steps, seed = history
        rng = random.Random(seed)
        clones.serial += 1
        items, known = _create_items(clones, n_items, count)
        for action, one, other, pick in steps:
            item_id = items[pick % n_items]
            if action == "append":
                for _ in range(rng.randrange(1, 4)):
                    ops = known[one][item_id]
                    op = _op(rng, 1 + max(o.clock for o in ops.values()))
                    clones.append(one, item_id, op)
                    ops[op.nonce] = op
            elif one != other:
                clones.merge(one, other, rebase=action == "rebase")
                for key in items:
                    known[one][key].update(known[other][key])
                STATS["merges"] += 1
                _check(clones, one, items, known)
        clones.sync_all()
        union = {key: {n: o for k in range(count) for n, o in known[k][key].items()}
                 for key in items}
        for clone in range(count):
            for key in items:
                known[clone][key] = union[key]
            _check(clones, clone, items, known)
        STATS["cases"] += n_items
        STATS["examples"] += 1

    run()
    report(f"merge convergence: {STATS['examples']} examples, {STATS['cases']} item cases, "
           f"{STATS['merges']} random merges, 0 divergences")
    assert STATS["cases"] >= (1000 if FULL else 50)


def _create_items(clones: Clones, n_items: int, count: int):
    """Items created on the first clone and shared with the others before histories diverge."""
    items, known = [], [dict() for _ in range(3)]
    for n in range(n_items):
        data = {"kind": "work_item", "title": f"item {clones.serial}-{n}", "status": "todo_hard",
                "priority": 2, "parent": None, "tags": [], "isbefore": [], "duplicate_of": [],
                "not_duplicate_of": [], "pr_ref": None, "description": "", "fields": {}}
        item_id = make_id("WI", data)
        op = make_op("create", by="human", actor="human_x", clock=1, body={"data": data},
                     at="2026-01-01T00:00:00Z")
        with clones.file(0, item_id).open("w", encoding="utf-8") as handle:
            handle.write(serialize_op(op))
        items.append(item_id)
        for clone in range(3):
            known[clone][item_id] = {op.nonce: op}
    git(clones.paths[0], "add", "-A")
    git(clones.paths[0], "commit", "-q", "-m", "create items")
    clones.sync_all()
    return items, known
