"""Attacks on the shared-worktree layout by a real agent OS user: tier tricks (moving, renaming,
symlinking tier directories and ops files) and root's `setup` run over a tampered tree."""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

import pytest
from layouts import as_root, make_shared, remove_trust_files, results_by_name
from os_users import AGENT, GROUP, HUMAN, Machine, machine_or_skip

pytestmark = pytest.mark.slow  # real users, a venv and pip

WS = ".agent/tracker-workspace"


@pytest.fixture(scope="module")
def machine():
    yield from machine_or_skip(remove_trust_files)


@pytest.fixture(scope="module")
def shared(machine: Machine) -> tuple[Path, list[str]]:
    return make_shared(machine)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _sh(m: Machine, user: str, command: str, cwd: Path):
    return m.run(user, "sh", "-c", command, cwd=cwd)


def _snapshot(*roots: Path) -> dict[str, tuple]:
    """Type, owner, group, mode and content of everything under `roots` (links not followed)."""
    found = {}
    for root in roots:
        for path in [root, *sorted(root.rglob("*"))] if not root.is_symlink() else [root]:
            info = os.lstat(path)
            body = (os.readlink(path) if stat.S_ISLNK(info.st_mode) else
                    path.read_bytes() if stat.S_ISREG(info.st_mode) else None)
            found[str(path)] = (stat.S_IFMT(info.st_mode), info.st_uid, info.st_gid,
                                stat.S_IMODE(info.st_mode), body)
    return found


# -- part 6: the layout's permissions hold --------------------------------------------------------

def test_only_the_ops_directories_are_shared_and_they_are_sticky(machine, shared):
    repo, _args = shared
    gid = grp.getgrnam(GROUP).gr_gid
    for rel in (".agent/tracker/.ops", f"{WS}/.ops", f"{WS}/stealth"):
        assert _mode(repo / rel) == 0o3775 and os.stat(repo / rel).st_gid == gid, rel
    for rel in (".agent", ".agent/tracker", WS):
        assert not _mode(repo / rel) & 0o022, rel
    doctor = machine.htrac(HUMAN, "--json", "doctor", cwd=repo)
    assert {r["status"] for r in results_by_name(doctor)["shared_ops"]} == {"ok"}, doctor.out


def test_agent_cannot_rename_tier_directories_or_move_the_humans_items(machine, shared):
    m, (repo, _args) = machine, shared
    mine = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Human's", cwd=repo).strip()
    hidden = m.ok(HUMAN, "add", "--kind", "work_item", "--title", "Human's stealth",
                  "--tier", "stealth", cwd=repo).strip()
    ops = f"{WS}/.ops/.{mine}.ops"
    for command in (f"mv {WS}/stealth {WS}/stealth.away", f"mv {WS}/.ops {WS}/ops.away",
                    f"ln -s /etc {WS}/elsewhere", f"mv {ops} {WS}/stealth/",
                    f"rm -f {ops}", "mv .agent/tracker/.ops .agent/tracker/ops.away",
                    f"rm -f {WS}/stealth/.{hidden}.ops"):
        assert _sh(m, AGENT, command, repo).code != 0, command
    assert m.item(HUMAN, hidden, repo)["title"] == "Human's stealth"
    assert m.item(HUMAN, mine, repo)["title"] == "Human's"


def test_a_stealth_move_without_the_humans_op_is_refused_at_commit(machine, shared):
    m, (repo, _args) = machine, shared
    item = m.ok(AGENT, "add", "--kind", "work_item", "--title", "Agent's", cwd=repo).strip()
    m.git(HUMAN, "add", "-A", cwd=repo)
    m.git(HUMAN, "commit", "-q", "-m", "agent's item", cwd=repo)
    # the agent owns its file, so the sticky directory lets it move that one
    moved = _sh(m, AGENT, f"mv {WS}/.ops/.{item}.ops {WS}/stealth/", repo)
    assert moved.code == 0, moved.err
    m.git(HUMAN, "add", "-A", cwd=repo)
    commit = m.run(HUMAN, "git", "commit", "-q", "-m", "tidy", cwd=repo)
    assert commit.code != 0
    assert "no human op authorises it" in commit.err and f".{item}.ops" in commit.err
    assert _sh(m, AGENT, f"mv {WS}/stealth/.{item}.ops {WS}/.ops/", repo).code == 0
    m.git(HUMAN, "reset", "-q", cwd=repo)


# -- part 4: root's setup over a tampered tree ----------------------------------------------------

def test_root_setup_twice_over_a_tampered_tree_changes_nothing_it_does_not_own(machine, shared):
    m, (repo, args) = machine, shared
    # root's own files the agent points at
    rootdir = m.base / "root-owned"
    rootdir.mkdir(mode=0o755)
    (rootdir / "file").write_text("root's\n")
    os.chmod(rootdir / "file", 0o644)
    # the tree as htrac 0.1's setup left it: tracker-workspace and the ops dirs not sticky
    gid = grp.getgrnam(GROUP).gr_gid
    for rel in (WS, f"{WS}/.ops", ".agent/tracker/.ops"):
        os.chown(repo / rel, -1, gid)
        os.chmod(repo / rel, 0o2775)
    tampering = " && ".join([
        f"mv {WS}/.ops {WS}/ops.agent-moved && ln -s {rootdir} {WS}/.ops",
        f"mv {WS}/stealth {WS}/stealth.agent-moved && mkdir {WS}/stealth",
        "rm -f .agent/tracker/.ops/.gitattributes",
        f"ln -s {rootdir}/file .agent/tracker/.ops/.gitattributes",
        f"ln -s {rootdir}/file .agent/tracker/.ops/.WI-aaaa-bbbb-cccc.ops",
    ])
    run = _sh(m, AGENT, tampering, repo)
    assert run.code == 0, run.err
    watched = [rootdir, repo / f"{WS}/ops.agent-moved", repo / f"{WS}/stealth.agent-moved",
               repo / f"{WS}/stealth", repo / f"{WS}/.ops", repo / ".agent/tracker/.ops/.gitattributes",
               repo / ".agent/tracker/.ops/.WI-aaaa-bbbb-cccc.ops"]
    before = _snapshot(*watched)

    for attempt in range(2):
        setup = as_root(m, "--json", *args, cwd=repo)
        refused = [r for r in results_by_name(setup).get("shared_ops", [])
                   if r["status"] == "error"]
        text = " ".join(r["message"] + r["fix"] for r in refused)
        assert f"{WS}/.ops is a symbolic link" in text, (attempt, setup.out)
        assert f"{WS}/stealth belongs to {AGENT}" in text, (attempt, setup.out)
        assert "mv .agent/tracker-workspace/.ops .agent/tracker-workspace/.ops.replaced" in text
        assert ".WI-aaaa-bbbb-cccc.ops is a symbolic link" in setup.out
        assert "sudo rm" not in setup.out
        assert _snapshot(*watched) == before, attempt
    assert not _mode(repo / WS) & 0o020  # taken back: the human's directory again
    assert _mode(repo / ".agent/tracker/.ops") == 0o3775

    # the human is told what was replaced and how to put it back, never to remove a trust root
    doctor = m.htrac(HUMAN, "--json", "doctor", cwd=repo)
    assert doctor.code == 1 and "sudo rm" not in doctor.out
    tiers = " ".join(r["message"] for r in results_by_name(doctor)["shared_ops"])
    assert f"{WS}/.ops is a symbolic link" in tiers
    fixes = [r["fix"] for r in results_by_name(doctor)["shared_ops"] if "symbolic" in r["message"]]
    assert fixes and fixes[0].startswith(f"as {HUMAN}, in {repo}: mv {WS}/.ops")

    # the human puts the real directories back (the agent's moves kept them), setup again
    restore = (f"rm {WS}/.ops && mv {WS}/ops.agent-moved {WS}/.ops && rmdir {WS}/stealth && "
               f"mv {WS}/stealth.agent-moved {WS}/stealth && "
               f"rm .agent/tracker/.ops/.gitattributes .agent/tracker/.ops/.WI-aaaa-bbbb-cccc.ops"
               f" && git checkout -- .agent/tracker/.ops/.gitattributes")
    put_back = _sh(m, HUMAN, restore, repo)
    assert put_back.code == 0, put_back.err
    assert as_root(m, *args, cwd=repo).code in (0, 1)
    doctor = m.htrac(HUMAN, "--json", "doctor", cwd=repo)
    assert {r["status"] for r in results_by_name(doctor)["shared_ops"]} == {"ok"}, doctor.out
    assert (rootdir / "file").read_text() == "root's\n" and _mode(rootdir) == 0o755


def test_a_tier_directory_linked_into_another_governed_repository_gets_safe_advice(machine,
                                                                                    shared):
    m, (repo, _args) = machine, shared
    other, _ = make_shared(m, "other")  # governed by its own trust file
    os.chmod(repo / WS, 0o2775)  # as htrac 0.1 left it, so the agent can swap the directory
    try:
        swap = _sh(m, AGENT, f"mv {WS}/.ops {WS}/ops.kept && ln -s {other}/{WS}/.ops {WS}/.ops",
                   repo)
        assert swap.code == 0, swap.err
        run = m.htrac(HUMAN, "list", cwd=repo)
        assert run.code != 0
        assert "tier directory" in run.err and "the trust roots are fine" in run.err
        assert f"mv {WS}/.ops {WS}/.ops.replaced" in run.err
        assert "sudo rm" not in run.err and "Traceback" not in run.err
    finally:
        os.system(f"rm -f '{repo / WS / '.ops'}'")
        os.rename(repo / WS / "ops.kept", repo / WS / ".ops")
        os.chmod(repo / WS, 0o755)
