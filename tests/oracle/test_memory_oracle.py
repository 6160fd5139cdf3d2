"""htrac's memory keys (remember, forget, links, evidence) against the reference 0.11: its
`validate` — on named files, as its pre-commit hook runs it, and on the whole tracker, with and
without `--strict` — reports no error for them, and its fold gives the same item, less htrac's
own keys. So a mixed team keeps committing and reading each other's items."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

HTRAC_KEYS = ("memory", "links", "evidence", "version")  # htrac's own keys


def _htrac(repo: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "htrac", *args], cwd=repo,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_reference_accepts_and_folds_around_htrac_memory_keys(reference, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "ref-cache"))
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    _htrac(repo, "init")
    template = Path(__file__).resolve().parents[2] / "config.yaml.template"
    (repo / ".agent/tracker/config.yaml").write_text(  # the reference reads a whole file
        template.read_text() + "evidence:\n  require: {work_item: [done]}\n  branches: [main]\n")
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "start"], cwd=repo, check=True)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                         text=True, check=True).stdout.strip()
    item = _htrac(repo, "add", "--kind", "work_item", "--title", "Remembered",
                  "--link", "https://example.org/a").strip()
    name = _htrac(repo, "remember", item, 'keep "this" # in mind').split()[1]
    _htrac(repo, "remember", item, "and this")
    _htrac(repo, "forget", item, name)
    _htrac(repo, "link", item, "file:///tmp/x", "pr:12")
    _htrac(repo, "update", item, "--remove-link", "pr:12", "--add-tag", "db")
    _htrac(repo, "update", item, "--status", "done", "--evidence", f"commit:{sha[:10]}")
    path = next(repo.rglob(f".{item}.ops"))

    # Its only complaint is the known one about 16-hex nonces (differences.md, 6), which
    # `--strict` turns into errors on the whole tracker: nothing about the memory keys.
    for args in (["validate", str(path), "--strict"], ["validate", "--strict"], ["validate"]):
        run = reference(repo, *args)
        said = [line for line in run.out.splitlines() if line.startswith(("ERROR", "WARNING"))]
        assert all("missing nonce comment" in line for line in said), (args, said)
        assert run.code == 0 or "--strict" in args, (args, run.out)

    ref = json.loads(reference(repo, "--json", "show", item).out)
    ours = json.loads(_htrac(repo, "--json", "show", item))
    assert ours["memory"][0]["text"] == "and this" and ours["links"] == [
        "https://example.org/a", "file:///tmp/x"]
    assert ours["evidence"] == [f"commit:{sha}"]
    for key in HTRAC_KEYS:
        ours.pop(key)
    def strip(d):
        return {**d, "discussion": [{k: v for k, v in e.items() if k != "nonce"}
                                    for e in d["discussion"]]}

    assert strip(ours) == strip(ref)
    assert ref["status"] == "done" and ref["tags"] == ["db"]
