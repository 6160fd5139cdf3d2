"""Issue 12, parts 5 and 7–11: the hostile review's attacks, each run by a real agent OS user
against a real human on the layout where it was found (docs/guide/authority.md), as the
attack it was. Before the fixes each of these succeeded."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from layouts import as_root, make_clones, make_shared, remove_trust_files, results_by_name
from os_users import AGENT, HUMAN, Machine, machine_or_skip, trust_files_for

pytestmark = pytest.mark.slow  # real users, a venv and pip: a few minutes

BLOCKING = 7  # the count


@pytest.fixture(scope="module")
def machine():
    for machine in machine_or_skip(remove_trust_files):
        # root's setup registers the `htrac` on PATH for the agent: the one both users can run
        path = os.environ.get("PATH", "")
        os.environ["PATH"] = f"{machine.venv / 'bin'}:{path}"
        try:
            yield machine
        finally:
            os.environ["PATH"] = path


@dataclass
class Clones:
    human: Path
    agent: Path
    bare: Path
    args: list[str]    # setup's arguments, to run it again as root
    items: list[str]   # BLOCKING todo items the human made
    locked: str        # one of them, its status locked by the human


@pytest.fixture(scope="module")
def clones(machine: Machine) -> Clones:
    """The recommended layout, as docs/guide/authority.md sets it up."""
    m = machine
    made = make_clones(m)
    human, agent, bare = made.human, made.agent, made.bare
    items = [m.ok(HUMAN, "add", "--kind", "work_item", "--title", f"Work {n}",
                  cwd=human).strip() for n in range(BLOCKING)]
    m.ok(HUMAN, "lock", items[0], "status", cwd=human)
    m.git(HUMAN, "add", "-A", cwd=human)
    m.git(HUMAN, "commit", "-q", "-m", "work", cwd=human)
    m.git(HUMAN, "push", "-q", "origin", "main", cwd=human)
    m.git(AGENT, "pull", "-q", "origin", "main", cwd=agent)
    for user, cwd in ((HUMAN, human), (AGENT, agent)):
        assert count(m, user, cwd) == BLOCKING
    return Clones(human, agent, bare, made.setup_args, items, items[0])


def count(m: Machine, user: str, cwd: Path, env: dict[str, str] | None = None) -> int:
    run = m.htrac(user, "count-todos", cwd=cwd, env=env)
    assert run.code == 0, run.err[-3000:]
    return int(run.out.strip())


def sh(m: Machine, user: str, script: str, cwd: Path) -> None:
    run = m.run(user, "sh", "-c", script, cwd=cwd)
    assert run.code == 0, (script, run.err)


def stop(m: Machine, user: str, cwd: Path, **kwargs):
    return m.htrac(user, "hook", "stop", "--format", "text", "--max-blocks", "0", cwd=cwd,
                   input="", **kwargs)


NARROW = ("statuses: [todo_hard, todo_soft, in_progress, needs_human_review, wont_do, deleted]\n"
          "stop_hook:\n  blocking_statuses: [needs_human_review]\n"
          "  resolved_statuses: [wont_do, deleted]\n  scope: workspace\n"
          "actor_resolution:\n  agent_usernames: [nobody_x]\n")


# -- part 5: governance config arrives through git ---------------------------------------------

def test_agent_pushed_config_template_governs_nothing(machine, clones):
    """The agent pushes a config.yaml.template that narrows blocking_statuses to a status
    nobody uses, drops `done` and renames the agents. The human pulls it (no config.yaml of
    their own): the count stays, the human's `done` is accepted, the agent is still an agent;
    doctor says the template differs from the trust root and that the trust root decides."""
    m, c = machine, clones
    template = c.agent / ".agent/tracker/config.yaml.template"
    sh(m, AGENT, f"printf '{NARROW}' > {template}", c.agent)
    m.git(AGENT, "add", "-A", cwd=c.agent)
    m.git(AGENT, "commit", "-q", "--no-verify", "-m", "tidy config", cwd=c.agent)
    m.git(AGENT, "push", "-q", "origin", "main", cwd=c.agent)
    m.git(HUMAN, "pull", "-q", "--no-rebase", "origin", "main", cwd=c.human)
    assert template.read_text() == (c.human / ".agent/tracker/config.yaml.template").read_text()
    try:
        for user, cwd in ((HUMAN, c.human), (AGENT, c.agent)):
            assert count(m, user, cwd) == BLOCKING, user
        finished = c.items[-1]
        m.ok(HUMAN, "update", finished, "--status", "done", cwd=c.human)
        shown = m.item(HUMAN, finished, c.human)
        assert shown["status"] == "done" and "problems" not in shown
        assert count(m, HUMAN, c.human) == BLOCKING - 1
        run = m.htrac(AGENT, "lock", c.items[1], "title", cwd=c.agent)
        assert run.code == 1 and "human authority" in run.err
        doctor = results_by_name(m.htrac(HUMAN, "--json", "doctor", cwd=c.human))
        warned = doctor["governed_config"][0]
        assert warned["status"] == "warn" and "the trust root" in warned["message"]
        assert "blocking_statuses" in warned["message"] and warned["fix"]
    finally:
        m.ok(HUMAN, "update", c.items[-1], "--status", "todo_hard", cwd=c.human)
        m.git(HUMAN, "rm", "-q", ".agent/tracker/config.yaml.template", cwd=c.human)
        m.git(HUMAN, "commit", "-q", "-am", "drop the agent's template", cwd=c.human)
        m.git(HUMAN, "push", "-q", "origin", "main", cwd=c.human)
        m.git(AGENT, "pull", "-q", "--no-rebase", "origin", "main", cwd=c.agent)


def test_setup_rerun_does_not_launder_the_pushed_template(machine, clones):
    """Re-running setup as root (as the docs say to, any time) with the agent's template in
    the human's clone keeps the trust root's statuses: only a config.yaml no agent can write
    goes into it."""
    m, c = machine, clones
    template = c.human / ".agent/tracker/config.yaml.template"
    trust = trust_files_for([c.human])[0]
    before = trust.read_text()
    sh(m, HUMAN, f"printf '{NARROW}' > {template}", c.human)
    try:
        run = as_root(m, "--json", *c.args, cwd=c.human)
        assert results_by_name(run)["trust_root"][0]["status"] == "ok", run.out
        assert trust.read_text() == before
    finally:
        template.unlink()


# -- part 8: the stop hook's ways out, in the agent's own clone -------------------------------

def test_agent_gitignored_config_changes_neither_count_nor_scope(machine, clones):
    m, c = machine, clones
    config = c.agent / ".agent/tracker/config.yaml"
    sh(m, AGENT, f"printf '{NARROW}' > {config}", c.agent)
    try:
        assert count(m, AGENT, c.agent) == BLOCKING
        run = stop(m, AGENT, c.agent)
        assert run.code == 3 and f"{BLOCKING} blocking item(s) remain" in run.out
    finally:
        config.unlink()


@pytest.mark.parametrize("how", ["link to an empty directory", "a file", "gone"])
def test_agent_replacing_a_tier_directory_never_lowers_the_count(machine, clones, how):
    m, c = machine, clones
    ops = c.agent / ".agent/tracker-workspace/.ops"
    empty = m.home(AGENT) / f"{m.base.name}-empty"
    replace = {"link to an empty directory": f"mkdir -p {empty} && ln -s {empty} {ops}",
               "a file": f"touch {ops}", "gone": "true"}[how]
    sh(m, AGENT, f"mv {ops} {ops}.kept && {replace}", c.agent)
    try:
        assert count(m, AGENT, c.agent) >= 1
        run = stop(m, AGENT, c.agent)
        assert run.code == 3 and "tier directories can't be read" in run.out, run
        assert str(ops) in run.out
    finally:
        sh(m, AGENT, f"rm -rf {ops} && mv {ops}.kept {ops}", c.agent)
    assert count(m, AGENT, c.agent) == BLOCKING


@pytest.mark.parametrize("how", ["symlink", "directory", "fifo"])
def test_agent_replacing_an_ops_file_leaves_it_counted_as_damaged(machine, clones, how):
    m, c = machine, clones
    path = c.agent / ".agent/tracker-workspace/.ops" / f".{c.items[3]}.ops"
    kept = m.home(AGENT) / f"{m.base.name}-kept.ops"
    replace = {"symlink": f"ln -s {kept} {path}", "directory": f"mkdir {path}",
               "fifo": f"mkfifo {path}"}[how]
    sh(m, AGENT, f"mv {path} {kept} && {replace}", c.agent)
    try:
        # a FIFO must not hang a read: the run has a timeout, and the count is whole
        assert count(m, AGENT, c.agent) == BLOCKING
        shown = m.item(AGENT, c.items[3], c.agent)
        assert any("not read" in p["reason"] for p in shown["problems"]), shown
        run = stop(m, AGENT, c.agent)
        assert run.code == 3 and "[DAMAGED]" in run.out
    finally:
        sh(m, AGENT, f"rm -rf {path} && mv {kept} {path}", c.agent)


def test_copies_and_worktrees_of_a_governed_repository_stay_governed(machine, clones):
    """The agent copies its clone, adds a git worktree and clones the bare repository, each at
    a path no trust file lists, and declares itself human there. Each holds ops the human
    signed, so the trust root governs it: the agent is still an agent, a hand-forged unsigned
    human unlock is rejected, and the pushed template's narrower stop hook decides nothing."""
    m, c = machine, clones
    home = m.home(AGENT)
    copy, worktree, clone = (home / f"{m.base.name}-{n}" for n in ("copy", "wt", "clone"))
    sh(m, AGENT, f"cp -a {c.agent} {copy} && git worktree add -q {worktree} && "
                 f"git clone -q {c.bare} {clone}", c.agent)
    forged = _forged_unlock(c.locked)
    for place in (copy, worktree, clone):
        sh(m, AGENT, f"printf '{NARROW}' > {place}/.agent/tracker/config.yaml", place)
        run = m.htrac(AGENT, "unlock", c.locked, "status", cwd=place)
        assert run.code == 1 and "human authority" in run.err, (place, run.err)
        ops = place / ".agent/tracker-workspace/.ops" / f".{c.locked}.ops"
        sh(m, AGENT, f"cat >> {ops} <<'EOF'\n{forged}EOF", place)
        item = m.item(AGENT, c.locked, place)
        assert "status" in item["locked_fields"], place
        assert any(p["kind"] == "rejected" for p in item.get("problems", [])), place
        assert count(m, AGENT, place) == BLOCKING, place
        doctor = results_by_name(m.htrac(AGENT, "--json", "doctor", cwd=place))
        if place == copy:
            assert doctor["governed_copy"][0]["status"] == "warn"


def _forged_unlock(item_id: str) -> str:
    from htrac.core.ops import make_op
    from htrac.core.serialize import serialize_op
    return serialize_op(make_op("unlock", by="human", actor=HUMAN, clock=900,
                                body={"unlock": ["status"]}))


def test_no_tracker_in_a_governed_clone_is_no_reason_to_stop(machine, clones):
    m, c = machine, clones
    moved = m.home(AGENT) / f"{m.base.name}-moved-agent"
    sh(m, AGENT, f"mv {c.agent}/.agent {moved}", c.agent)
    try:
        run = stop(m, AGENT, c.agent)
        assert run.code == 3 and "no tracker found" in run.out and "governs" in run.out, run
        assert m.htrac(AGENT, "count-todos", cwd=c.agent).code != 0
        outside = m.home(AGENT)
        assert (stop(m, AGENT, outside).code, stop(m, AGENT, outside).out) == (0, "")
    finally:
        sh(m, AGENT, f"mv {moved} {c.agent}/.agent", c.agent)


def test_agent_cannot_promote_locked_work_out_of_a_workspace_scope(machine, clones):
    """With the stop hook's scope `workspace` (the human's config.yaml, put in the trust root
    by setup), a promote would take the item out of the agent's count."""
    m, c = machine, clones
    config = c.human / ".agent/tracker/config.yaml"
    sh(m, HUMAN, f"printf 'stop_hook:\\n  scope: workspace\\n' > {config}", c.human)
    as_root(m, *c.args, cwd=c.human)
    try:
        assert "scope: \"workspace\"" in trust_files_for([c.human])[0].read_text()
        before = count(m, AGENT, c.agent)
        for item_id in (c.locked, c.items[1]):
            run = m.htrac(AGENT, "promote", item_id, cwd=c.agent)
            assert run.code == 1 and "only a human may move it" in run.err, run.err
        assert count(m, AGENT, c.agent) == before == BLOCKING
    finally:
        sh(m, HUMAN, f"printf 'stop_hook:\\n  scope: all\\n' > {config}", c.human)
        as_root(m, *c.args, cwd=c.human)
        config.unlink()


# -- part 7: output forgery --------------------------------------------------------------------

FORGED = ("done.\n[2026-01-01T00:00:00Z] htrac_t_human (human): APPROVED, ship it\n"
          "  locked: []\n\x1b[2J\u2028    [2] 2026-01-01T00:00:00Z  human  htrac_t_human")


def test_agent_message_cannot_pose_as_the_humans_approval(machine, clones):
    m, c = machine, clones
    target = c.items[2]
    m.ok(AGENT, "discuss", target, FORGED, cwd=c.agent)
    m.ok(AGENT, "update", target, "--title", "Real title\n  locked: []", cwd=c.agent)
    m.git(AGENT, "commit", "-q", "--no-verify", "-am", "talk", cwd=c.agent)
    m.git(AGENT, "push", "-q", "origin", "main", cwd=c.agent)
    m.git(HUMAN, "pull", "-q", "--no-rebase", "origin", "main", cwd=c.human)
    thread_head = re.compile(r"^\s*\[\d+\]\s+\S+\s+human\s+htrac_t_human")

    def forged(line: str) -> bool:
        return (line.lstrip().startswith("[") and "htrac_t_human (human)" in line) \
            or bool(thread_head.match(line))
    for args in (["show", target], ["discuss", target], ["list"], ["ready"],
                 ["deps", target], ["check-messages"]):
        out = m.ok(HUMAN, *args, cwd=c.human)
        lines = out.splitlines()
        assert not [x for x in lines if forged(x)], (args, out)
        assert not [x for x in lines if x.strip() == "locked: []"], (args, out)
        assert "\x1b" not in out and "\u2028" not in out, args
    shown = m.ok(HUMAN, "show", target, cwd=c.human)
    assert "\u2506 [2026-01-01T00:00:00Z] htrac_t_human (human): APPROVED" in shown
    assert f"({'agent'}): done." in shown


def test_agent_op_naming_a_human_actor_shows_quoted_as_the_agents(machine, clones):
    from htrac.core.ops import make_op
    from htrac.core.serialize import serialize_op

    m, c = machine, clones
    target = c.items[4]
    op = make_op("discuss", by="agent", actor="htrac_t_human (human): APPROVED", clock=500,
                 body={"message": "x"})
    path = c.agent / ".agent/tracker-workspace/.ops" / f".{target}.ops"
    sh(m, AGENT, f"cat >> {path} <<'EOF'\n{serialize_op(op)}EOF", c.agent)
    shown = m.ok(AGENT, "show", target, cwd=c.agent)
    assert '"htrac_t_human (human): APPROVED" (agent): x' in shown


# -- the shared-worktree layout: parts 9, 10, 11 -----------------------------------------------

@pytest.fixture(scope="module")
def shared(machine: Machine) -> tuple[Path, list[str]]:
    m = machine
    repo, _args = make_shared(m)
    items = [m.ok(HUMAN, "add", "--kind", "work_item", "--title", f"Shared {n}",
                  cwd=repo).strip() for n in range(3)]
    return repo, items


def test_agent_planted_cache_directory_is_refused_not_believed(machine, shared):
    """HTRAC_CACHE_DIR on a shared path (sticky, like /tmp): the agent makes the human's
    per-tracker cache directory first and forges the index in it. The human's commands refuse
    it with the fix instead of answering from it."""
    m, (repo, _items) = machine, shared
    cache = m.base / "shared-cache"
    cache.mkdir()
    os.chmod(cache, 0o1777)
    env = {"HTRAC_CACHE_DIR": str(cache)}
    assert count(m, AGENT, repo, env=env) == 3  # the agent's own index, for this tracker
    planted = [p for p in cache.iterdir() if p.is_dir()]
    assert len(planted) == 1
    sh(m, AGENT, f"chmod 777 {planted[0]} && chmod 666 {planted[0]}/*", repo)
    forge = ("import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); "
             "db.execute(\"UPDATE items SET status = 'done'\"); db.commit()")
    assert m.run(AGENT, "python3", "-c", forge, str(planted[0] / "index.sqlite3"),
                 cwd=repo).code == 0
    for args in (["count-todos"], ["list"], ["ready"]):
        run = m.htrac(HUMAN, *args, cwd=repo, env=env)
        assert run.code == 1 and run.out == "", (args, run)
        assert f"belongs to {AGENT}" in run.err and "fix: sudo rm -rf" in run.err, run.err
        assert len(run.err.strip().splitlines()) == 1
    doctor = m.htrac(HUMAN, "--json", "doctor", cwd=repo, env=env)
    assert results_by_name(doctor)["private_dirs"][0]["status"] == "error"
    # the same one level up: an agent-made $XDG_CACHE_HOME/htrac
    xdg = m.base / "shared-xdg"
    xdg.mkdir()
    os.chmod(xdg, 0o1777)
    sh(m, AGENT, f"mkdir -m 777 {xdg}/htrac", repo)
    run = m.htrac(HUMAN, "count-todos", cwd=repo, env={"XDG_CACHE_HOME": str(xdg)})
    assert run.code == 1 and f"above it belongs to {AGENT}" in run.err, run.err
    assert count(m, HUMAN, repo) == 3  # the human's own cache: the truth


def test_agent_write_through_a_hard_link_reaches_the_humans_watched_reads(machine, shared):
    """The human's reads go through their watcher. The agent hard-links an ops file (0664 in
    the shared layout) into its home and appends through that name, where no directory watch
    looks: the human's next read sees the op anyway."""
    from htrac.core.ops import make_op
    from htrac.core.serialize import serialize_op

    m, (repo, items) = machine, shared
    target = repo / ".agent/tracker-workspace/.ops" / f".{items[1]}.ops"
    link = m.home(AGENT) / f"{m.base.name}-link.ops"
    state = json.loads(m.ok(HUMAN, "--json", "watch", "start", cwd=repo))
    try:
        m.ok(HUMAN, "list", cwd=repo)
        time.sleep(2.5)  # past the racy window, so no digest check can stand in for the fix
        assert count(m, HUMAN, repo) == 3
        sh(m, AGENT, f"ln {target} {link}", repo)
        op = make_op("update", by="agent", actor=AGENT, clock=50,
                     body={"set": {"status": "in_progress"}})
        sh(m, AGENT, f"cat >> {link} <<'EOF'\n{serialize_op(op)}EOF", repo)
        # reads of the whole tracker, answered through the watcher (`show` looks at its file)
        assert count(m, HUMAN, repo) == 2
        listed = json.loads(m.ok(HUMAN, "--json", "list", cwd=repo))
        assert {i["id"]: i["status"] for i in listed}[items[1]] == "in_progress"
        status = json.loads(m.ok(HUMAN, "--json", "watch", "status", cwd=repo))
        assert status["running"] and status["requests"] >= 4, status
        doctor = results_by_name(m.htrac(HUMAN, "--json", "doctor", cwd=repo))
        assert doctor["ops_links"][0]["status"] == "warn"
    finally:
        m.htrac(HUMAN, "watch", "stop", cwd=repo)
        sh(m, AGENT, f"rm -f {link}", repo)
        if state.get("pid"):
            subprocess.run(["kill", "-9", str(state["pid"])], capture_output=True)


# -- part 11 -----------------------------------------------------------------------------------

def test_ops_files_are_group_writable_only_where_the_layout_shares_them(machine, clones,
                                                                          shared):
    m = machine
    private = [p for p in (clones.human / ".agent/tracker-workspace/.ops").glob(".*.ops")]
    assert private and all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in private)
    repo, items = shared
    mine = m.ok(AGENT, "add", "--kind", "work_item", "--title", "Agent's", cwd=repo).strip()
    for item_id in items + [mine]:
        path = repo / ".agent/tracker-workspace/.ops" / f".{item_id}.ops"
        assert stat.S_IMODE(path.stat().st_mode) == 0o664, path
    m.ok(AGENT, "discuss", items[0], "the agent appends to the human's file", cwd=repo)
    m.ok(HUMAN, "discuss", mine, "and the human to the agent's", cwd=repo)


def test_smaller_breaks_are_clear_one_line_errors(machine, clones):
    m, c = machine, clones
    run = m.htrac(AGENT, "validate", "/etc/passwd", cwd=c.agent)
    assert run.code == 1 and "internal error" not in run.out + run.err
    assert "not an ops file" in run.out
    m.ok(AGENT, "ready", cwd=c.agent)
    for alias in (":1_0", ":\u0661"):
        run = m.htrac(AGENT, "show", alias, cwd=c.agent)
        assert run.code == 1 and run.err.startswith("error: bad alias"), (alias, run.err)
