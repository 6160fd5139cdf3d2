"""`htrac watch start|stop|status`, in text and JSON, and the `index.watch` setting."""

from __future__ import annotations

import json

from watching import is_watcher, wait_until, watchers  # noqa: F401  (a fixture)


def test_watch_start_status_stop(tmp_tracker, watchers):  # noqa: F811
    assert tmp_tracker.ok("watch", "status").splitlines()[0] == "watcher: not running"
    out = tmp_tracker.ok("watch", "start")
    root = str(tmp_tracker.agent_dir.resolve())
    assert out.startswith(f"watching {root} (pid ")
    state = json.loads(tmp_tracker.ok("--json", "watch", "start"))
    assert state["started"] is False and is_watcher(state["pid"])

    status = json.loads(tmp_tracker.ok("watch", "status", "--json"))
    assert status["running"] and status["pid"] == state["pid"] and status["root"] == root
    assert status["auto_start"] == "auto" and status["blind"] == {}
    assert f"{root}/tracker-workspace/.ops" in status["watching"]
    text = tmp_tracker.ok("watch", "status")
    assert text.startswith(f"watcher: running (pid {state['pid']})")
    assert "index.watch: auto (reads start one for 2,000 items or more)" in text

    assert tmp_tracker.ok("watch", "stop") == f"stopped the watcher (pid {state['pid']})\n"
    # stop returns once the watcher let go of its lock; the process ends a moment later
    wait_until(lambda: not is_watcher(state["pid"]), what="the stopped watcher to exit")
    assert json.loads(tmp_tracker.ok("--json", "watch", "stop")) == {"stopped": False,
                                                                     "pid": None}
    assert tmp_tracker.ok("watch", "stop") == "no watcher was running\n"


def test_watch_outside_a_tracker_is_a_one_line_error(tmp_path):
    run = _htrac_in(tmp_path, "watch", "start")
    assert run.code == 1 and run.err.startswith("error: no tracker found")
    assert len(run.err.strip().splitlines()) == 1


def test_watch_bad_setting_is_a_one_line_error(tmp_tracker):
    config = tmp_tracker.agent_dir / "tracker" / "config.yaml"
    for text, message in (("index:\n  watch: maybe\n", "index.watch must be true or false"),
                          ("index: true\n", "'index' must be a mapping"),
                          ("index:\n  watch: true\n  poll: 3\n", "'index' must be a mapping")):
        config.write_text(text, encoding="utf-8")
        run = tmp_tracker.htrac("list")
        assert run.code == 2 and message in run.err and "Traceback" not in run.err, run.err
        assert len(run.err.strip().splitlines()) == 1


def test_watch_unknown_subcommand_is_a_usage_error(tmp_tracker):
    run = tmp_tracker.htrac("watch", "pause")
    assert run.code == 2 and "no such command 'pause' (see 'htrac watch --help')" in run.err


def _htrac_in(cwd, *args):
    from tests.conftest import TrackerRepo

    return TrackerRepo(cwd).htrac(*args)


def test_watch_that_cannot_run_says_why_and_reads_go_on(tmp_tracker, tmp_path,
                                                        watchers):  # noqa: F811
    item = tmp_tracker.add("Still read")
    deep = tmp_path / ("d" * 100)  # a socket path past what AF_UNIX allows
    env = {"HTRAC_CACHE_DIR": str(deep)}
    run = tmp_tracker.htrac("watch", "start", env=env)
    assert run.code == 2 and "Traceback" not in run.err
    assert run.err.startswith("error: the watcher can't run here: cannot listen on ")
    assert len(run.err.strip().splitlines()) == 1
    status = json.loads(tmp_tracker.ok("--json", "watch", "status", env=env))
    assert status["running"] is False and "too long" in status["unavailable"]
    assert item in tmp_tracker.ok("list", env=env)


def test_watch_help_says_what_it_is_for(tmp_tracker):
    """Issue 18 item 8: it read "Spare reads a look at every ops file"."""
    out = tmp_tracker.ok("watch", "--help")
    assert "a look at every" not in out
    assert "names the changed ops files, so reads need not look at every one" in " ".join(
        out.split())
