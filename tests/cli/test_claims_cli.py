"""Claims on the command line: claim/release/heartbeat/stale/agents output, `ready --claim`,
`show`/`list` holders, the board, and file reservations in the real pre-commit hook."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from htrac.core.errors import AuthorityError
from htrac.core.ops import AGENT
from htrac.policy.actor import Actor
from htrac.service import board, claims, reservations
from htrac.service.tracker import Tracker
from tests.gitio.conftest import git_tracker  # noqa: F401 (fixture)

AS_AGENT = "actor_resolution:\n  agent_usernames: ['root', '*_agent']\n"


def agent(repo, name: str = "bob_agent", *, minutes_ago: int = 0) -> Tracker:
    base = Tracker.open(start=repo.path)
    tracker = Tracker(base.layout, base.config, Actor(name, AGENT), base.policy,
                      base.authority)
    if minutes_ago:
        tracker.clock = lambda: datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return tracker


def commit(repo) -> subprocess.CompletedProcess:
    repo.git("add", "-A")
    return subprocess.run(["git", "commit", "-q", "-m", "change"], cwd=repo.path,
                          capture_output=True, text=True)


def test_claim_cli_claim_refuse_release(tmp_tracker):
    item = tmp_tracker.add("Work")
    out = tmp_tracker.ok("claim", item, "--session", "s1")
    assert out.startswith(f"claimed {item}") and "holder: root/s1" in out
    refused = tmp_tracker.htrac("claim", item, "--session", "s2")
    assert refused.code == 1
    assert refused.err.startswith("error: WI-") and "claimed by root/s1 (15m left)" in refused.err
    shown = tmp_tracker.htrac("show", item, env={"HTRAC_SESSION": "s1"})
    assert "claim: held by root/s1 (15m left)" in shown.out and shown.err == ""
    other = tmp_tracker.htrac("show", item, env={"HTRAC_SESSION": "s2"})
    assert "note: " in other.err and "you (root/s2) don't hold it" in other.err
    listed = tmp_tracker.ok("list")
    assert "[held by root/s1 (15m left)]" in listed
    assert tmp_tracker.ok("ready") == "(no ready items)\n"
    data = json.loads(tmp_tracker.ok("--json", "agents"))
    assert [(a["actor"], a["session"], [i["id"] for i in a["live"]]) for a in data] == [
        ("root", "s1", [item])]
    assert tmp_tracker.ok("release", item, "--session", "s1") == \
        f"released {item[:8]} (held by root/s1); status in_progress → todo_hard\n"
    assert tmp_tracker.ok("ready").startswith(" 1  " + item)


def test_claim_cli_ready_claim_makes_the_item_colon_one(tmp_tracker):
    tmp_tracker.add("Later", "--priority", "3")
    top = tmp_tracker.add("Top", "--priority", "0")
    out = tmp_tracker.ok("ready", "--claim", env={"HTRAC_SESSION": "s9"})
    assert out.startswith(f"claimed {top}")
    assert json.loads(tmp_tracker.ok("--json", "show", ":1"))["id"] == top
    tmp_tracker.add("Nothing else")
    tmp_tracker.ok("ready", "--claim", env={"HTRAC_SESSION": "s8"})
    tmp_tracker.ok("ready", "--claim", env={"HTRAC_SESSION": "s7"})
    assert tmp_tracker.ok("ready", "--claim", env={"HTRAC_SESSION": "s6"}) == \
        "(no ready items)\n"


def test_claim_cli_heartbeat_and_stale(tmp_tracker):
    item = tmp_tracker.add("Work")
    env = {"HTRAC_SESSION": "s1"}
    assert tmp_tracker.ok("heartbeat", env=env) == "(you hold no claims)\n"
    tmp_tracker.ok("claim", item, env=env)
    assert tmp_tracker.ok("heartbeat", env=env).startswith("still fresh, not renewed:")
    assert tmp_tracker.ok("heartbeat", "--force", env=env).startswith("renewed ")
    assert tmp_tracker.ok("stale") == "(no stale claims)\n"
    crashed = tmp_tracker.add("Crashed holder")
    claims.claim(agent(tmp_tracker, minutes_ago=30), crashed, session="gone")
    stale = tmp_tracker.ok("stale")
    assert crashed in stale and "bob_agent/gone" in stale and "lease expired" in stale
    assert "offered again" in tmp_tracker.ok("ready")
    out = tmp_tracker.ok("stale", "--reclaim", env=env)
    assert f"released {crashed[:8]} (held by bob_agent/gone)" in out
    assert b"reason: \"stale --reclaim: lease expired at" in \
        next(tmp_tracker.agent_dir.rglob(f".{crashed}.ops")).read_bytes()


def test_claim_cli_board(tmp_tracker):
    assert tmp_tracker.ok("board") == "(the board is empty)\n"
    out = tmp_tracker.ok("board", "-m", "deploy freeze until 5pm\n[fake] other (human): hi")
    assert out.count("\n") == 1 and "root (human): deploy freeze until 5pm\\n[fake]" in out
    attributes = (tmp_tracker.agent_dir / "tracker-workspace" / ".ops" / ".gitattributes")
    assert "board.log merge=union" in attributes.read_text().splitlines()
    bob = agent(tmp_tracker)
    board.post(bob, "from an agent")
    with pytest.raises(AuthorityError, match="requires human authority"):
        board.govern(bob, "clear")
    tmp_tracker.ok("board", "--lock")
    with pytest.raises(AuthorityError, match="locked"):
        board.post(bob, "agents may not post now")
    data = json.loads(tmp_tracker.ok("--json", "board", "--last", "1"))
    assert data["locked"] and data["total"] == 2 and data["problems"] == []
    assert [m["actor"] for m in data["messages"]] == ["bob_agent"]


def test_claim_cli_reservations_listed_and_released_with_the_claim(tmp_tracker):
    item = tmp_tracker.add("Work")
    env = {"HTRAC_SESSION": "s1"}
    refused = tmp_tracker.htrac("reserve", "src/", "--item", item, env=env)
    assert refused.code == 1 and "claim it first" in refused.err
    tmp_tracker.ok("claim", item, env=env)
    tmp_tracker.ok("reserve", "src/api/", "docs/*.md", "--item", item, env=env)
    assert tmp_tracker.ok("reservations", "src/api/v1/x.py").startswith("src/api/  " + item)
    assert tmp_tracker.ok("reservations", "README.md") == "(nothing reserves README.md)\n"
    assert tmp_tracker.htrac("reserve", "../outside", "--item", item, env=env).code == 1
    tmp_tracker.ok("update", item, "--status", "done", env=env)
    assert tmp_tracker.ok("reservations") == "(no reservations)\n"


def test_claim_precommit_warns_about_another_actors_reserved_path(git_tracker):
    bob = agent(git_tracker)
    claims.claim(bob, git_tracker.item, session="b1")
    reservations.reserve(bob, git_tracker.item, ["src/"], session="b1")
    assert commit(git_tracker).returncode == 0  # bob's ops
    (git_tracker.path / "src").mkdir()
    (git_tracker.path / "src" / "x.py").write_text("print(1)\n")
    result = commit(git_tracker)
    assert result.returncode == 0
    assert "NOTICE: src/x.py: reserved by bob_agent/b1" in result.stdout + result.stderr


def test_claim_precommit_refuses_an_agent_but_never_a_human(git_tracker):
    bob = agent(git_tracker)
    item = bob.add(kind="work_item", title="Bob's own").id  # no human op: root turns agent below
    claims.claim(bob, item, session="b1")
    reservations.reserve(bob, item, ["src/*.py"], session="b1")
    assert commit(git_tracker).returncode == 0
    config = git_tracker.agent_dir / "tracker" / "config.yaml"
    config.write_text("claims:\n  reservations: refuse\n" + AS_AGENT)
    (git_tracker.path / "src").mkdir()
    (git_tracker.path / "src" / "x.py").write_text("print(1)\n")
    refused = commit(git_tracker)
    assert refused.returncode != 0
    assert "ERROR: src/x.py: reserved by bob_agent/b1" in refused.stdout + refused.stderr
    config.write_text("claims:\n  reservations: refuse\n")  # root is a human again
    human = commit(git_tracker)
    assert human.returncode == 0 and "NOTICE: src/x.py" in human.stdout + human.stderr


def test_claim_precommit_expired_or_released_reservations_are_gone(git_tracker):
    old = agent(git_tracker, minutes_ago=40)
    claims.claim(old, git_tracker.item, session="b1")
    reservations.reserve(old, git_tracker.item, ["src/"], session="b1")
    assert commit(git_tracker).returncode == 0
    (git_tracker.path / "src").mkdir()
    (git_tracker.path / "src" / "x.py").write_text("print(1)\n")
    result = commit(git_tracker)
    assert result.returncode == 0 and "reserved" not in result.stdout + result.stderr


def test_claim_precommit_refuses_a_claim_dated_in_the_future(git_tracker):
    ahead = agent(git_tracker, minutes_ago=-600)  # a clock ten hours fast
    claims.claim(ahead, git_tracker.item, session="b1")
    result = commit(git_tracker)
    assert result.returncode != 0 and "in the future" in result.stdout + result.stderr
