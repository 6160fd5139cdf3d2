"""Attacks on the clones layout (separate clones, a shared bare repository), by a real agent OS
user against a real human: code the agent plants must never run as the human."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from layouts import (
    Clones,
    as_root,
    make_clones,
    marker_dir,
    remove_trust_files,
    results_by_name,
    statuses,
)
from os_users import AGENT, HUMAN, Machine, machine_or_skip

pytestmark = pytest.mark.slow  # real users, a venv and pip


@pytest.fixture(scope="module")
def machine():
    yield from machine_or_skip(remove_trust_files)


@pytest.fixture(scope="module")
def clones(machine: Machine) -> Clones:
    return make_clones(machine)


def _sync_agent(m: Machine, clones: Clones) -> None:
    m.git(AGENT, "pull", "-q", "--no-rebase", "origin", "main", cwd=clones.agent)


def _commit_and_push(m: Machine, user: str, repo: Path, message: str) -> None:
    m.git(user, "add", "-A", cwd=repo)
    m.git(user, "commit", "-q", "--no-verify", "-m", message, cwd=repo)
    m.git(user, "push", "-q", "origin", "main", cwd=repo)


# -- part 2: the shared bare repository's hooks and config ------------------------------------------

HOOK = "#!/bin/sh\ntouch {markers}/{name}-ran-as-$(id -un)\n"


def test_agent_cannot_plant_a_hook_or_config_in_the_shared_repository(machine, clones):
    m, bare, markers = machine, clones.bare, marker_dir(machine)
    _sync_agent(m, clones)
    attempts = [
        f"printf '{HOOK.format(markers=markers, name='post-receive')}' > {bare}/hooks/post-receive"
        f" && chmod +x {bare}/hooks/post-receive",
        f"printf '[core]\\n\\thooksPath = {markers}\\n' >> {bare}/config",
        f"printf '{markers}\\n' > {bare}/commondir",
        f"rm -f {bare}/commondir",
        f"mv {bare}/hooks {bare}/hooks.old",
        f"mv {bare}/config {bare}/config.old",
        f"mv {bare}/info $HOME/stolen-info",
        f"printf '{markers}\\n' > {bare}/objects/info/alternates",
        f"mv {bare}/objects/info {bare}/objects/info.old",
    ]
    for command in attempts:
        run = m.run(AGENT, "sh", "-c", command, cwd=clones.agent)
        assert run.code != 0, command
    # the agent still pushes, and so does the human: nothing of the agent's runs
    mine = m.ok(AGENT, "add", "--kind", "work_item", "--title", "Agent pushes", cwd=clones.agent)
    _commit_and_push(m, AGENT, clones.agent, "agent work")
    m.git(HUMAN, "pull", "-q", "--no-rebase", "origin", "main", cwd=clones.human)
    m.ok(HUMAN, "discuss", mine.strip(), "seen", cwd=clones.human)
    _commit_and_push(m, HUMAN, clones.human, "human work")
    _sync_agent(m, clones)
    assert list(markers.iterdir()) == []
    doctor = m.htrac(HUMAN, "--json", "doctor", cwd=clones.human)
    assert statuses(doctor, "shared_repo_safety") == {"ok"}, doctor.out


def test_doctor_reports_a_planted_hook_and_setup_as_root_leaves_it_alone(machine, clones):
    """A repository made group-writable the old way: the agent plants; doctor says so with the
    fix; root's setup (twice) takes back the modes but never adopts or runs the agent's file."""
    m, bare, markers = machine, clones.bare, marker_dir(machine)
    for path in (bare / "hooks", bare / "config"):
        os.chmod(path, os.stat(path).st_mode | stat.S_IWGRP)  # as htrac 0.1's setup left them
    hook = bare / "hooks" / "post-receive"
    planted = HOOK.format(markers=markers, name="post-receive")
    run = m.run(AGENT, "sh", "-c", f"printf '{planted}' > {hook} && chmod 755 {hook}",
                cwd=clones.agent)
    assert run.code == 0, run.err

    doctor = m.htrac(HUMAN, "--json", "doctor", cwd=clones.human)
    assert doctor.code == 1
    found = results_by_name(doctor)["shared_repo_safety"]
    planted_result = [r for r in found if str(hook) in r["message"]]
    assert planted_result and "planted by " + AGENT in planted_result[0]["message"]
    assert planted_result[0]["fix"].startswith(f"rm -rf {hook}")
    loose = [r for r in found if "writable by others" in r["message"]]
    assert loose and f"chmod 2755 {bare}/hooks" in loose[0]["fix"]
    assert f"chmod 644 {bare}/config" in loose[0]["fix"]

    before = hook.read_bytes(), os.lstat(hook)
    for _ in range(2):
        again = as_root(m, "--json", *clones.setup_args, cwd=clones.human)
        named = [r for r in results_by_name(again)["shared_repo_safety"]
                 if str(hook) in r["message"]]
        assert named and named[0]["status"] == "error"
    assert hook.read_bytes() == before[0]
    after = os.lstat(hook)
    assert (after.st_uid, after.st_mode) == (before[1].st_uid, before[1].st_mode)
    assert stat.S_IMODE(os.stat(bare / "hooks").st_mode) == 0o2755
    assert stat.S_IMODE(os.stat(bare / "config").st_mode) == 0o644
    assert list(markers.iterdir()) == []  # nobody pushed meanwhile: it never ran

    fix = planted_result[0]["fix"].split("  (")[0]
    assert m.run(HUMAN, "sh", "-c", fix, cwd=clones.human).code == 0
    doctor = m.htrac(HUMAN, "--json", "doctor", cwd=clones.human)
    assert statuses(doctor, "shared_repo_safety") == {"ok"}, doctor.out


# -- part 3: nothing the agent pushes is imported by what git runs for the human ---------------------

PLANTED = ("htrac/__init__.py", "htrac/__main__.py", "htrac/service/__init__.py",
           "htrac/service/textconv.py", "htrac/cli/__init__.py", "sitecustomize.py",
           "usercustomize.py")


def test_a_pushed_htrac_package_never_runs_as_the_human(machine, clones):
    m, markers = machine, marker_dir(machine)
    _sync_agent(m, clones)
    script = []
    for rel in PLANTED:
        marker = markers / ("py-" + rel.replace("/", "_"))
        script.append(f"mkdir -p $(dirname {rel}) && "
                      f"printf 'open(\"{marker}-\" + __import__(\"getpass\").getuser(), \"w\")\\n'"
                      f" > {rel}")
    script.append(f"printf 'import os; open(\"{markers}/pth\", \"w\")\\n' > htrac.pth")
    assert m.run(AGENT, "sh", "-c", " && ".join(script), cwd=clones.agent).code == 0
    item = m.ok(AGENT, "add", "--kind", "work_item", "--title", "Diff me", cwd=clones.agent)
    _commit_and_push(m, AGENT, clones.agent, "a package named htrac")
    m.ok(AGENT, "update", item.strip(), "--status", "in_progress", cwd=clones.agent)
    _commit_and_push(m, AGENT, clones.agent, "status")

    human = clones.human
    m.git(HUMAN, "pull", "-q", "--no-rebase", "origin", "main", cwd=human)
    assert "+  status: in_progress" in m.git(HUMAN, "log", "-p", "-3", cwd=human)
    assert "status: in_progress" in m.git(HUMAN, "diff", "HEAD~2", cwd=human)
    m.ok(HUMAN, "discuss", item.strip(), "reviewed", cwd=human)
    m.git(HUMAN, "commit", "-q", "-a", "-m", "review", cwd=human)  # the pre-commit hook runs
    assert "reviewed" in m.git(HUMAN, "show", cwd=human)
    m.ok(HUMAN, "doctor", cwd=human)
    assert sorted(p.name for p in markers.iterdir()) == []

    # the control: the way htrac 0.1 configured git's driver, the package does run as the human
    python = str(m.venv / "bin" / "python3")
    ops = next((human / ".agent/tracker-workspace/.ops").glob(f".{item.strip()}.ops"))
    m.run(HUMAN, python, "-m", "htrac.service.textconv", str(ops), cwd=human)
    assert (markers / f"py-htrac___init__.py-{HUMAN}").exists()
    for path in markers.iterdir():
        path.unlink()


# -- part 5: governance files arriving through git -------------------------------------------------

def test_sync_stops_when_the_agent_pushes_governance_files(machine, clones):
    m, human = machine, clones.human
    _sync_agent(m, clones)
    m.git(HUMAN, "pull", "-q", "--no-rebase", "origin", "main", cwd=human)
    plant = " && ".join([
        "printf '*.ops merge=binary\\n' >> .agent/tracker-workspace/.ops/.gitattributes",
        "printf '# narrowed\\n' >> .agent/tracker/config.yaml.template",
        "mkdir -p .claude && printf '{\"hooks\": {}}\\n' > .claude/settings.json",
    ])
    assert m.run(AGENT, "sh", "-c", plant, cwd=clones.agent).code == 0
    _commit_and_push(m, AGENT, clones.agent, "innocent tidy-up")
    before = m.git(HUMAN, "rev-parse", "HEAD", cwd=human)
    run = m.htrac(HUMAN, "sync", cwd=human)
    assert run.code == 1
    for path in (".agent/tracker-workspace/.ops/.gitattributes",
                 ".agent/tracker/config.yaml.template", ".claude/settings.json"):
        assert path in run.err, (path, run.err)
    assert "git merge" in run.err and "Traceback" not in run.err
    assert m.git(HUMAN, "rev-parse", "HEAD", cwd=human) == before
    assert "merge=binary" not in (human / ".agent/tracker-workspace/.ops/.gitattributes").read_text()

    # merged anyway (by hand): doctor says which attribute is overridden and by which line
    m.git(HUMAN, "merge", "-q", "--no-edit", "origin/main", cwd=human)
    doctor = m.htrac(HUMAN, "--json", "doctor", cwd=human)
    found = results_by_name(doctor)["effective_attributes"][0]
    assert doctor.code == 1 and found["status"] == "error"
    assert any(".gitattributes:3: *.ops merge=binary" in d for d in found["details"])
    m.git(HUMAN, "revert", "-m", "1", "--no-edit", "HEAD", cwd=human)
    assert statuses(m.htrac(HUMAN, "--json", "doctor", cwd=human), "effective_attributes") \
        == {"ok"}
    m.git(HUMAN, "push", "-q", "origin", "main", cwd=human)

    # an ordinary file is merged, and sync says so instead of "nothing new"
    _sync_agent(m, clones)
    assert m.run(AGENT, "sh", "-c", "echo notes > NOTES.md", cwd=clones.agent).code == 0
    _commit_and_push(m, AGENT, clones.agent, "notes")
    synced = m.htrac(HUMAN, "sync", cwd=human)
    assert synced.code == 0, synced.err
    assert "merged 1 other file(s) from origin/main: NOTES.md" in synced.out
    assert "nothing new" not in synced.out
