"""Fixtures for CLI tests: trackers where the current OS user counts as an agent."""

from __future__ import annotations

import getpass
import json

import pytest

from tests.conftest import TrackerRepo


def _make_agent(tracker) -> None:
    config = tracker.agent_dir / "tracker" / "config.yaml"
    config.write_text(f"actor_resolution:\n  agent_usernames: ['{getpass.getuser()}']\n",
                      encoding="utf-8")


@pytest.fixture
def make_agent():
    """make_agent(tracker): from now on this OS user is an agent in `tracker`."""
    return _make_agent


@pytest.fixture
def agent_tracker(tmp_tracker):
    _make_agent(tmp_tracker)
    return tmp_tracker


@pytest.fixture
def jrun():
    """jrun(tracker, *args): run htrac with --json, insist on success, parse the output."""

    def run(tracker, *args: str, **kwargs):
        return json.loads(tracker.ok("--json", *args, **kwargs))

    return run


@pytest.fixture
def human_says():
    """human_says(tracker, item_id, message): append a human's discuss op to the item's log,
    as a human (or the reference) writing in the same clone would."""
    import secrets

    def write(tracker, item_id: str, message: str) -> None:
        path = next(p for p in tracker.agent_dir.rglob(f".{item_id}.ops"))
        nonce = secrets.token_hex(8)
        clock = 1 + sum(1 for line in path.read_text().splitlines() if "- op:" in line)
        lines = ["- op: discuss", "  at: '2030-01-01T00:00:00Z'", "  by: human",
                 "  actor: boss", f"  clock: {clock + 100}", f"  nonce: {nonce}",
                 f'  message: "{message}"']
        with path.open("a", encoding="utf-8") as log:
            log.write("".join(f"{line}  # {nonce}\n" for line in lines))

    return write


class InProcessTracker(TrackerRepo):
    """The same interface as `tmp_tracker` (a TrackerRepo), but each `htrac` runs in this
    process through click's test runner: the real CLI code, minus ~0.2 s of interpreter
    start-up per command. Used by the output-format tests; the tests about processes, exit
    paths, environment and users keep running `htrac` as a real process."""

    def __init__(self, repo, monkeypatch):
        super().__init__(repo.path)
        self._monkeypatch = monkeypatch

    def htrac(self, *args: str, input: str | None = None, cwd=None, env=None):
        return self.in_process(*args, input=input, cwd=cwd, env=env)


@pytest.fixture
def tracker(tmp_tracker, monkeypatch):
    """An initialized tracker in a real git repository, with `htrac` run in-process."""
    return InProcessTracker(tmp_tracker, monkeypatch)


@pytest.fixture
def agent(tracker):
    """Like `tracker`, where this OS user counts as an agent."""
    _make_agent(tracker)
    return tracker
