"""The reference (hypergumbo-tracker 0.11.0) reading files that carry htrac's claims
(docs/design/claims.md, docs/design/differences.md "Coordination"):

- it sees the status a claim sets, and compiles the item as htrac does except for htrac's own
  `claim`/`lost_claims` keys;
- its `validate` — the whole tracker, and the named files its pre-commit recipe passes, with
  `--check-locks --strict` — passes files with every kind of claim op;
- its writes to a claimed item are read by htrac (a reference `done` ends the claim);
- the alternative htrac did not choose, a new op type, fails the reference's `validate`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.oracle

HTRAC_KEYS = ("claim", "lost_claims", "version")  # htrac's own keys (differences.md)


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True)
    return path


def htrac(repo: Path, *args: str, session: str = "s1"):
    env = {**os.environ, "HTRAC_SESSION": session}
    result = subprocess.run([sys.executable, "-m", "htrac", "--no-auto-sync", *args], cwd=repo,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, f"htrac {' '.join(args)}: {result.stderr}"
    return result.stdout


def compiled(reference, repo: Path, item: str) -> tuple[dict, dict]:
    ours = json.loads(htrac(repo, "--json", "show", item))
    run = reference(repo, "--json", "show", item)
    assert run.code == 0, run.err
    return {k: v for k, v in ours.items() if k not in HTRAC_KEYS}, json.loads(run.out)


def test_claims_oracle_reference_reads_every_claim_op(reference, repo):
    htrac(repo, "init")
    kept = htrac(repo, "add", "--kind", "work_item", "--title", "Kept").strip()
    given_back = htrac(repo, "add", "--kind", "work_item", "--title", "Given back").strip()
    stolen = htrac(repo, "add", "--kind", "work_item", "--title", "Stolen").strip()
    htrac(repo, "claim", kept)
    htrac(repo, "reserve", "src/*.py", "docs/", "--item", kept)
    htrac(repo, "heartbeat", "--force")
    htrac(repo, "claim", given_back)
    htrac(repo, "release", given_back, "--reason", "blocked: needs 'a' \"b\"")
    htrac(repo, "claim", stolen, session="first")
    htrac(repo, "claim", stolen, "--steal", session="second")
    for item, status in ((kept, "in_progress"), (given_back, "todo_hard"),
                         (stolen, "in_progress")):
        ours, theirs = compiled(reference, repo, item)
        assert theirs["status"] == status
        assert ours == theirs, item
    ready = json.loads(reference(repo, "--json", "ready").out)
    assert [i["id"] for i in ready["ready"]] == [given_back]  # no one takes a claimed item
    ops = sorted(str(p.relative_to(repo)) for p in
                 (repo / ".agent" / "tracker-workspace" / ".ops").glob(".*.ops"))
    whole = reference(repo, "validate")
    assert whole.code == 0 and "validation passed" in whole.out, whole.out
    named = reference(repo, "validate", *ops, "--check-locks", "--strict")
    assert named.code == 0 and "ERROR" not in named.out, named.out


def test_claims_oracle_reference_writes_to_a_claimed_item(reference, repo):
    htrac(repo, "init")
    item = htrac(repo, "add", "--kind", "work_item", "--title", "Shared").strip()
    htrac(repo, "claim", item)
    assert reference(repo, "discuss", item, "from the reference").code == 0
    assert json.loads(htrac(repo, "--json", "show", item))["claim"]["session"] == "s1"
    assert reference(repo, "update", item, "--status", "done").code == 0
    ours, theirs = compiled(reference, repo, item)
    assert "claim" not in json.loads(htrac(repo, "--json", "show", item))  # done ended it
    assert ours == theirs


def test_claims_oracle_a_new_op_type_would_fail_the_reference_validate(reference, repo):
    """Why a claim is an update: the same claim as an op type of its own is an error there."""
    htrac(repo, "init")
    item = htrac(repo, "add", "--kind", "work_item", "--title", "Typed").strip()
    htrac(repo, "claim", item)
    path = next((repo / ".agent").rglob(f".{item}.ops"))
    text = path.read_text()
    last = text.rstrip("\n").split("\n")
    start = max(i for i, line in enumerate(last) if line.startswith("- op: update"))
    last[start] = last[start].replace("- op: update", "- op: claim")
    path.write_text("\n".join(last) + "\n")
    run = reference(repo, "validate", str(path.relative_to(repo)))
    assert run.code == 1 and "unknown op type 'claim'" in run.out
