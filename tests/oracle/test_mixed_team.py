"""A mixed team: a clone whose pre-commit hook still runs the reference's strict `validate`
can't commit the ops htrac writes (its check knows only 4-hex nonces), and `doctor` says so
with the fix. docs/guide/switching.md explains it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import TrackerRepo
from tests.gitio.conftest import wire_git

pytestmark = pytest.mark.oracle

# The reference's own recipe (its README, "Pre-commit integration"): validate the staged files.
# Its FILE mode ignores --strict (its defect 6), so this one only warns.
REFERENCE_RECIPE = """#!/bin/sh
staged_ops=$(git diff --cached --name-only -- '*.ops')
if [ -n "$staged_ops" ]; then
  {validate} validate $staged_ops --check-locks --strict || exit 1
fi
"""
# What its setup also accepts as a hook ("tracker" and "validate"): the whole tracker, strict.
REFERENCE_STRICT = """#!/bin/sh
{validate} validate --check-locks --strict
"""


def commit(repo: TrackerRepo, env: dict | None = None) -> subprocess.CompletedProcess:
    repo.git("add", "-A")
    return subprocess.run(["git", "commit", "-q", "-m", "ops"], cwd=repo.path, text=True,
                          capture_output=True, env={**os.environ, **(env or {})})


def precommit_result(repo: TrackerRepo, env: dict | None = None) -> dict:
    run = repo.htrac("--json", "doctor", env=env)
    return next(r for r in json.loads(run.out)["results"] if r["name"] == "precommit_hook")


@pytest.mark.parametrize("how,shape", [("hypergumbo-tracker", REFERENCE_STRICT),
                                       ("htrac on PATH", REFERENCE_STRICT),
                                       ("htrac on PATH", REFERENCE_RECIPE)])
def test_doctor_spots_the_references_hook_which_refuses_htracs_ops(tmp_tracker, reference_exe,
                                                                   how, shape):
    wire_git(tmp_tracker.path)
    hook = tmp_tracker.path / ".git" / "hooks" / "pre-commit"
    # the reference installs an `htrac` script too: a clone that runs it under that name
    command = str(reference_exe) if how == "hypergumbo-tracker" else "htrac"
    env = {"TRACKER_AUTO_SYNC_THRESHOLD": "0"}
    if how == "htrac on PATH":
        env["PATH"] = f"{reference_exe.parent}{os.pathsep}{os.environ['PATH']}"
    hook.write_text(shape.format(validate=command))
    hook.chmod(0o755)
    tmp_tracker.add("Written by htrac")
    result = commit(tmp_tracker, env)
    assert "missing nonce comment" in result.stdout + result.stderr
    assert (result.returncode != 0) == (shape == REFERENCE_STRICT)
    if result.returncode == 0:
        tmp_tracker.add("Another")  # something for the next commit
    found = precommit_result(tmp_tracker, env)
    assert found["status"] == "error" and "reference" in found["message"]
    assert "htrac validate --staged --check-locks --strict" in found["fix"]
    assert "switching.md" in found["fix"]
    # the fix: htrac's hook (what `htrac setup` installs) commits the same ops
    hook.unlink()
    wire_git(tmp_tracker.path)
    assert commit(tmp_tracker).returncode == 0
    assert precommit_result(tmp_tracker)["status"] == "ok"


def test_doctor_leaves_the_references_recipe_alone_when_htrac_runs_it(tmp_tracker):
    """The reference's recipe with htrac's own `htrac` validates the named files: it works."""
    wire_git(tmp_tracker.path)
    hook = tmp_tracker.path / ".git" / "hooks" / "pre-commit"
    hook.write_text(REFERENCE_RECIPE.format(validate=f"{sys.executable} -m htrac"))
    hook.chmod(0o755)
    tmp_tracker.add("Written by htrac")
    assert commit(tmp_tracker).returncode == 0
    assert precommit_result(tmp_tracker)["status"] == "ok"


def test_a_clone_switching_from_the_reference_gets_back_ops_only_its_journal_kept(
        tmp_tracker, reference, tmp_path, monkeypatch):
    """The reference's sync resets the ops directories to HEAD before it fast-forwards; a failure
    in between leaves ops only in its journal. After switching, `htrac recover` restores them."""
    monkeypatch.setenv("HYPERGUMBO_TRACKER_JOURNAL_ROOT", str(tmp_path / "journal"))
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "ref-cache"))
    repo = tmp_tracker.path
    item = reference(repo, "add", "--kind", "work_item", "--title", "Old friend").out.strip()
    tmp_tracker.git("add", "-A")
    tmp_tracker.git("commit", "-q", "-m", "item")
    assert reference(repo, "discuss", item, "said on the reference").code == 0
    tmp_tracker.git("checkout", "--", ".agent")  # what its half-failed sync leaves
    assert "said on the reference" not in tmp_tracker.ok("show", item)
    out = tmp_tracker.ok("recover")
    assert "restored 1 op(s) on 1 item(s)" in out
    assert "said on the reference" in tmp_tracker.ok("show", item)
    assert "said on the reference" in reference(repo, "show", item).out  # and it still reads it
