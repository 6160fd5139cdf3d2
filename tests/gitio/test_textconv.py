"""The tracker diff driver: `git diff` and `git log -p` show compiled items, never fail."""

from __future__ import annotations

import subprocess
import sys

from tests.gitio.conftest import append_op, git_tracker  # noqa: F401 (fixture)


def test_git_diff_shows_the_compiled_item(git_tracker):
    append_op(git_tracker.item_path, "update", {"set": {"status": "in_progress"}}, by="human",
              actor="alice")
    diff = git_tracker.git("diff")
    assert f" {git_tracker.item}  Wire the sync" in diff
    assert "-  status: todo_hard  priority: P2  tags: []" in diff
    assert "+  status: in_progress  priority: P2  tags: []" in diff
    assert "op: update" not in diff


def test_git_log_p_shows_the_compiled_item(git_tracker):
    append_op(git_tracker.item_path, "discuss", {"message": "looks good"}, by="human",
              actor="alice")
    git_tracker.git("commit", "-q", "-a", "--no-verify", "-m", "discuss")
    log = git_tracker.git("log", "-p", "-1")
    assert "+    [" in log and "alice (human): looks good" in log
    assert "-  discussion: 0 entries" in log and "+  discussion: 1 entries" in log


def test_textconv_of_an_uncompilable_file_prints_one_line_and_succeeds(tmp_path):
    broken = tmp_path / ".WI-abc.ops"
    broken.write_bytes(b"- op: update  # abcd\n  \xff\xfe garbage\n")
    result = subprocess.run([sys.executable, "-m", "htrac", "textconv", str(broken)],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("# WI-abc: op log not compilable at this revision")
    assert len(result.stdout.splitlines()) == 1


def test_textconv_names_the_item_from_gits_temporary_file_name(tmp_path, git_tracker):
    temp = tmp_path / f"XyZ12a_.{git_tracker.item}.ops"
    temp.write_bytes(git_tracker.item_path.read_bytes())
    out = git_tracker.ok("textconv", str(temp))
    assert out.splitlines()[0] == f"{git_tracker.item}  Wire the sync"


def test_textconv_missing_file_is_an_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "htrac", "textconv", str(tmp_path / "nope")],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "cannot read" in result.stderr


def test_textconv_does_not_load_ruamel(git_tracker):
    probe = ("import sys\nfrom htrac.cli.main import cli\n"
             "try:\n    cli(['textconv', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
             "sys.stderr.write(' '.join(m for m in sys.modules if 'ruamel' in m))\n")
    result = subprocess.run([sys.executable, "-c", probe, str(git_tracker.item_path)],
                            capture_output=True, text=True, cwd=git_tracker.path)
    assert result.stdout.startswith(git_tracker.item)
    assert result.stderr == ""


def test_driver_module_prints_the_same_text_as_the_command(git_tracker):
    result = subprocess.run([sys.executable, "-m", "htrac.service.textconv",
                             str(git_tracker.item_path)], capture_output=True, text=True,
                            cwd=git_tracker.path)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == git_tracker.ok("textconv", str(git_tracker.item_path))
