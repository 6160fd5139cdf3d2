from __future__ import annotations

from pathlib import Path


def test_alias_works_for_every_item_command_in_a_repo_with_no_commit(tmp_tracker, jrun):
    assert tmp_tracker.git("rev-list", "--all").strip() == ""
    first = tmp_tracker.add("First", "--priority", "0")
    second = tmp_tracker.add("Second", "--priority", "1")
    tmp_tracker.ok("ready")
    assert tmp_tracker.ok("show", ":2").startswith(second)
    assert "title: \"First\"" in tmp_tracker.ok("log", ":1")
    tmp_tracker.ok("update", ":1", "--add-blocked-by", ":2")
    assert tmp_tracker.ok("deps", ":1").splitlines()[0].startswith(first[:8])
    tmp_tracker.ok("discuss", ":1", "hello")
    assert jrun(tmp_tracker, "show", ":1")["discussion"][0]["message"] == "hello"
    tmp_tracker.ok("add", "--kind", "work_item", "--title", "Child", "--parent", ":2")


def test_alias_stash_lives_in_the_users_cache_dir(tmp_tracker, tmp_path):
    item = tmp_tracker.add("Only")
    mine = tmp_path / "cache-a"
    tmp_tracker.ok("list", env={"HTRAC_CACHE_DIR": str(mine)})
    stashes = list(mine.glob("*/last_list"))
    assert len(stashes) == 1 and stashes[0].read_text() == f"{item}\n"
    assert tmp_tracker.ok("show", ":1", env={"HTRAC_CACHE_DIR": str(mine)}).startswith(item)
    other = tmp_tracker.htrac("show", ":1", env={"HTRAC_CACHE_DIR": str(tmp_path / "cache-b")})
    assert other.code == 1 and "out of range" in other.err


def test_alias_stash_is_replaced_only_by_numbered_lists(tmp_tracker):
    a = tmp_tracker.add("A", "--priority", "0")
    b = tmp_tracker.add("B", "--priority", "1")
    tmp_tracker.ok("list", "--status", "todo_hard")
    for args in (["show", a], ["tags"], ["check-messages"], ["update", b, "--priority", "0"],
                 ["discuss", a, "x"]):
        tmp_tracker.ok(*args)
    assert tmp_tracker.ok("show", ":1").startswith(a)
    tmp_tracker.ok("list", "--tag", "none")
    assert tmp_tracker.htrac("show", ":1").code == 1


def test_alias_stash_is_per_tracker(tmp_tracker, tmp_path):
    from htrac.store.aliases import cache_dir
    other = tmp_path / "other"
    assert cache_dir(tmp_tracker.agent_dir) != cache_dir(other)
    assert Path(cache_dir(tmp_tracker.agent_dir)).parent == Path(cache_dir(other)).parent


def test_alias_stash_falls_back_to_xdg_cache_home(tmp_tracker, tmp_path):
    item = tmp_tracker.add("Only")
    env = {"HTRAC_CACHE_DIR": "", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    tmp_tracker.ok("ready", env=env)
    stashes = list((tmp_path / "xdg" / "htrac").glob("*/last_list"))
    assert [s.read_text() for s in stashes] == [f"{item}\n"]
    assert (stashes[0].parent.stat().st_mode & 0o777) == 0o700


def test_alias_is_ascii_digits_only(tmp_tracker):
    item = tmp_tracker.add("Only")
    tmp_tracker.ok("ready")
    assert tmp_tracker.ok("show", ":1").startswith(item)
    for alias in (":1_0", ":\u0661", ":\uff11", ": 1", ":1 ", ":+1", ":-1", ":0x1", ":"):
        run = tmp_tracker.htrac("show", alias)
        assert run.code == 1 and run.err.startswith("error: bad alias"), (alias, run.err)
        assert len(run.err.splitlines()) == 1


def test_alias_stash_in_a_cache_dir_others_can_write_is_refused(tmp_tracker, tmp_path):
    tmp_tracker.add("Only")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # not sticky: anyone may rename what is in it
    run = tmp_tracker.htrac("ready", env={"HTRAC_CACHE_DIR": str(shared)})
    assert run.code == 1 and "chmod go-w" in run.err and "HTRAC_CACHE_DIR" in run.err
    assert len(run.err.splitlines()) == 1 and list(shared.iterdir()) == []
