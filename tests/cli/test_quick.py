"""The hot path (`service.quick`): `count-todos`, `hash-todos` and `ready` answered from the
index without opening the tracker the ordinary way — only when that prints the same bytes the
ordinary way would, after any change to the files, the configuration or the cache directory.

The hot path trusts nothing changed within two seconds (a stamp can't tell such a change apart
from the next one), so each test lets its files age that long before it expects the hot path.
"""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from watching import start, watchers  # noqa: F401

from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from htrac.store.aliases import cache_dir

RACY = 2.1  # seconds: `openmemo.RACY_NS` and the index's racy window, and a little more

PROBE = """
import sys
from htrac.cli.entry import main
sys.argv[0] = "htrac"
try:
    main()
except SystemExit as exit:
    if exit.code:
        raise
sys.stderr.write("\\n".join(sorted(sys.modules)))
"""


class Answer:
    def __init__(self, run: subprocess.CompletedProcess) -> None:
        assert run.returncode == 0, run.stderr
        self.out = run.stdout
        self.modules = set(run.stderr.split())

    @property
    def quick(self) -> bool:
        """Answered without opening the tracker the ordinary way."""
        return "htrac.service.quick" in self.modules and \
            "htrac.service.tracker" not in self.modules


def htrac(tracker, *args: str) -> Answer:
    return Answer(subprocess.run([sys.executable, "-c", PROBE, *args], cwd=tracker.path,
                                 capture_output=True, text=True))


def aged(seconds: float = RACY) -> None:
    time.sleep(seconds)  # not a synchronisation: the files must be older than the racy window


def both_ways(tracker, *args: str) -> tuple[Answer, Answer]:
    """The command the ordinary way (which records the memo), then the quick way."""
    first = htrac(tracker, *args)
    return first, until_quick(tracker, *args)


def until_quick(tracker, *args: str, tries: int = 6) -> Answer:
    """The command, once it is answered the quick way. The trust root directory is the
    machine's, and other test sessions write trust files in it: a change there within 2 s
    keeps a memo from being written or used (as it should), so that is waited out."""
    for _ in range(tries):
        answer = htrac(tracker, *args)
        if answer.quick:
            return answer
        aged()
    raise AssertionError(f"{args} never answered the quick way")


@pytest.fixture(params=["scan", "watch"])
def looking(request, tmp_tracker, watchers):  # noqa: F811
    """Each test twice: once looking at every file, once with a watcher running."""
    if request.param == "watch":
        start(tmp_tracker)
    return request.param


def busy_tracker(tracker) -> dict[str, str]:
    ids = {name: tracker.add(f"{name} item") for name in ("a", "b", "c", "d", "e")}
    tracker.ok("update", ids["b"], "--status", "in_progress")
    tracker.ok("update", ids["c"], "--status", "done")
    tracker.ok("update", ids["d"], "--priority", "0")
    tracker.ok("update", ids["e"], "--add-isbefore", ids["a"])
    tracker.ok("discuss", ids["a"], "a human asks")  # root is a human: an unread message
    return ids


@pytest.mark.parametrize("command", [("count-todos",), ("count-todos", "--json"),
                                     ("hash-todos",), ("--json", "hash-todos"), ("ready",)])
def test_quick_prints_what_the_ordinary_way_prints(tmp_tracker, looking, command):
    busy_tracker(tmp_tracker)
    aged()
    stash = cache_dir(tmp_tracker.agent_dir) / "last_list"
    ordinary = htrac(tmp_tracker, *command)
    numbered = stash.read_text() if stash.exists() else None
    stash.unlink(missing_ok=True)
    quick = until_quick(tmp_tracker, *command)
    assert not ordinary.quick and quick.quick
    assert quick.out == ordinary.out
    # `ready` makes its rows the `:N` aliases, either way
    assert (stash.read_text() if stash.exists() else None) == numbered


def test_quick_not_used_for_young_files(tmp_tracker):
    """A file changed within two seconds of the index reading it can't be vouched for by its
    stamp: the index is not "fresh" for the quick way until a refresh reads it again."""
    from htrac.service import openmemo
    from htrac.service.tracker import Tracker
    from htrac.store import quickindex

    tmp_tracker.add("young")
    tracker = Tracker.open(tmp_tracker.path)
    tracker.store.items()  # the index read the file just written: a racy row
    root = str(tmp_tracker.agent_dir.resolve())
    cache = str(cache_dir(tmp_tracker.agent_dir))
    outputs = openmemo.outputs_of(tracker)
    tracker.store.close()
    db = quickindex.connect(f"{cache}/index.sqlite3")
    assert db is not None
    try:
        assert not quickindex.fresh(db, root, cache, outputs["fingerprint"], False)
    finally:
        db.close()


def append_by_hand(tracker, item_id: str, body: dict, clock: int = 50, op_type: str = "update",
                   by: str = "agent") -> None:
    path = tracker.agent_dir / "tracker-workspace" / ".ops" / f".{item_id}.ops"
    op = make_op(op_type, by=by, actor=f"hand_{by}", clock=clock, body=body)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(serialize_op(op))


def test_quick_sees_every_change_to_the_files(tmp_tracker, looking):
    ids = busy_tracker(tmp_tracker)
    aged()
    assert both_ways(tmp_tracker, "count-todos")[1].quick

    append_by_hand(tmp_tracker, ids["a"], {"set": {"status": "done"}})  # an edit git could make
    changed = htrac(tmp_tracker, "count-todos")
    assert changed.out == "2\n" and not changed.quick  # a, c done; b in progress

    aged()
    assert htrac(tmp_tracker, "count-todos").out == "2\n"
    again = until_quick(tmp_tracker, "count-todos")
    assert again.out == "2\n"

    path = tmp_tracker.agent_dir / "tracker-workspace" / ".ops" / f".{ids['d']}.ops"
    path.unlink()  # a file gone (a checkout, say)
    assert htrac(tmp_tracker, "count-todos").out == "1\n"
    new = tmp_tracker.add("new")
    assert htrac(tmp_tracker, "count-todos").out == "2\n"
    aged()
    htrac(tmp_tracker, "count-todos")
    until_quick(tmp_tracker, "hash-todos")
    append_by_hand(tmp_tracker, new, {"set": {"title": "renamed"}})
    hashed = htrac(tmp_tracker, "hash-todos")
    assert "renamed" in _fold_titles(tmp_tracker) and hashed.out != ""
    assert hashed.out == _ordinary(tmp_tracker, "hash-todos")


def _fold_titles(tracker) -> str:
    return tracker.ok("list")


def _ordinary(tracker, *args: str) -> str:
    """The command through click, which never takes the quick way."""
    return tracker.ok(*args)


def test_quick_follows_a_configuration_change(tmp_tracker):
    config = tmp_tracker.agent_dir / "tracker" / "config.yaml"
    template = Path(__file__).resolve().parents[2] / "config.yaml.template"
    text = template.read_text(encoding="utf-8")
    config.write_text(text, encoding="utf-8")
    busy_tracker(tmp_tracker)
    aged()
    assert both_ways(tmp_tracker, "count-todos")[1].out == "3\n"
    # the stop hook waits for in_progress work instead of todo_hard
    changed = text.replace("  blocking_statuses:\n  - todo_hard\n  - todo_soft\n",
                           "  blocking_statuses:\n  - in_progress\n  - todo_soft\n", 1)
    assert changed != text
    config.write_text(changed, encoding="utf-8")
    answer = htrac(tmp_tracker, "count-todos")
    assert answer.out == "1\n" and not answer.quick
    assert _ordinary(tmp_tracker, "count-todos") == "1\n"


def test_quick_ignores_a_cache_directory_others_can_write(tmp_tracker):
    """Another user who can write this user's cache could plant a memo saying nothing blocks:
    the hot path trusts neither it nor the index there, and the ordinary way answers."""
    busy_tracker(tmp_tracker)
    aged()
    assert both_ways(tmp_tracker, "count-todos")[1].quick
    cache = cache_dir(tmp_tracker.agent_dir)
    memo_path = cache / "open.memo"
    for _ in range(6):
        memo = marshal.loads(memo_path.read_bytes())
        memo["outputs"]["blocking"] = ("no_such_status",)
        memo_path.write_bytes(marshal.dumps(memo))
        planted = htrac(tmp_tracker, "count-todos")
        if planted.quick:
            break
        # another session changed the machine's trust root: the ordinary way answered and
        # recorded the memo again (as it should); plant it again once that is old enough
        aged()
    assert planted.quick and planted.out == "0\n"  # the memo is this user's own: believed

    for loose in (cache, cache.parent):
        os.chmod(loose, 0o777)
        try:
            run = subprocess.run([sys.executable, "-c", PROBE, "count-todos"],
                                 cwd=tmp_tracker.path, capture_output=True, text=True)
            assert "htrac.service.tracker" in run.stderr or run.returncode != 0
            assert run.stdout != "0\n" and "Traceback" not in run.stderr  # not the memo's lie
        finally:
            os.chmod(loose, 0o700)


def test_quick_leaves_damaged_items_to_the_ordinary_way(tmp_tracker):
    busy_tracker(tmp_tracker)
    damaged = tmp_tracker.agent_dir / "tracker-workspace" / ".ops" / \
        ".WI-damag-edfil-ebaba-babab-babab-babab-babab-babab.ops"
    damaged.write_bytes(b"- op: create  # 00000000000000ff\n  at: \xff\xfe\n")
    aged()
    ordinary, second = htrac(tmp_tracker, "ready"), htrac(tmp_tracker, "ready")
    assert not second.quick and second.out == ordinary.out and "damaged item" in second.out
    counted = both_ways(tmp_tracker, "count-todos")[1]
    assert counted.quick and counted.out == "4\n"  # the damaged one counts, as ever


def test_quick_memo_inputs_see_the_trust_root(tmp_path):
    """What the memo is keyed by changes with every change to a trust root directory: a file
    added, rewritten (even to the same size), its mode, a baseline beside it."""
    from htrac.service import openmemo

    root = tmp_path / "repo" / ".agent"
    (root / "tracker").mkdir(parents=True)
    trust = tmp_path / "trust.d"
    trust.mkdir()
    seen = [openmemo.inputs(str(root), str(trust))]

    def changed() -> None:
        now = openmemo.inputs(str(root), str(trust))
        assert now not in seen
        seen.append(now)

    (trust / "a.yaml").write_text("repositories: [x]\n")
    changed()
    (trust / "a.yaml").write_text("repositories: [y]\n")
    changed()
    os.chmod(trust / "a.yaml", 0o666)
    changed()
    (trust / "a.baseline").write_text("")
    changed()
    (trust / "a.yaml").unlink()
    (trust / "a.yaml").symlink_to(trust / "a.baseline")
    changed()
    os.chmod(trust, 0o777)
    changed()
    assert openmemo.inputs(str(root), str(trust)) == seen[-1]  # and nothing else does


def test_quick_memo_not_written_while_an_input_is_young(tmp_tracker):
    from htrac.service import openmemo
    from htrac.service.tracker import Tracker

    root = str(tmp_tracker.agent_dir)
    (tmp_tracker.agent_dir / "tracker" / "config.yaml").write_text("stop_hook:\n  scope: all\n")
    before = openmemo.inputs(root)
    cache = str(cache_dir(Path(root)))
    assert not openmemo.remember(cache, before, Tracker.open(tmp_tracker.path))
    assert not Path(cache, openmemo.MEMO).exists()


def test_quick_json_lines_are_what_json_writes():
    """`count-todos --json` and `hash-todos --json` are spelled out without `json`."""
    import json

    from htrac.cli.hot import count_output, hash_output

    for n in (0, 7, 12345):
        assert count_output(n, json=True) == json.dumps({"count": n})
    for digest in ("0f" * 32, "", "x\"y"):
        assert hash_output(digest, json=True) == json.dumps({"hash": digest})


def test_quick_follows_a_trust_root_installed_after_the_memo(tmp_tracker):
    """A trust root decides which statuses block the stop hook and which only a human may set:
    one installed after the hot path memoised the open decides at once — the agent's own
    `done` on a status the trust root keeps for humans stops counting as done, and work in
    progress blocks."""
    from dataclasses import replace

    from os_users import TRUST_DIR, SessionLock, install_trust_file

    from htrac.core.config import Governance, default_status_settings
    from htrac.policy.trustroot import render

    ids = busy_tracker(tmp_tracker)
    append_by_hand(tmp_tracker, ids["a"], {"set": {"status": "done"}})  # by an agent
    aged()
    assert both_ways(tmp_tracker, "count-todos")[1].out == "2\n"
    settings = replace(default_status_settings(),
                       blocking_statuses=("todo_hard", "todo_soft", "in_progress"),
                       human_only_statuses=("deleted", "done"))
    with SessionLock():  # the machine-wide trust root is shared with other test sessions
        TRUST_DIR.mkdir(parents=True, exist_ok=True)
        trust = TRUST_DIR / f"htrac-test-quick-{os.getpid()}.yaml"
        try:
            install_trust_file(trust, render([str(tmp_tracker.path.resolve())], Governance(),
                                             settings))
            answer = htrac(tmp_tracker, "count-todos")
            assert answer.out == "4\n" and not answer.quick
            assert htrac(tmp_tracker, "count-todos").out == "4\n"
        finally:
            trust.unlink(missing_ok=True)
    assert htrac(tmp_tracker, "count-todos").out == "2\n"


def test_quick_list_leaves_claimed_items_to_the_ordinary_way(tmp_tracker):
    ids = busy_tracker(tmp_tracker)
    tmp_tracker.ok("claim", ids["d"], "--session", "s1")
    aged()
    htrac(tmp_tracker, "count-todos")
    answer = htrac(tmp_tracker, "list")
    assert not answer.quick and answer.out == tmp_tracker.ok("list")


def governed_item(tracker) -> dict[str, str]:
    """Items `show` must print whole: a discussion, a locked field, an agent's edit the lock
    rejected (a problem shown), links to another item."""
    ids = busy_tracker(tracker)
    tracker.ok("lock", ids["a"], "status")
    append_by_hand(tracker, ids["a"], {"set": {"status": "done"}}, clock=90)  # rejected
    return ids


@pytest.mark.parametrize("command", [("show", "A"), ("--json", "show", "A"), ("show", ":1"),
                                     ("show", "WORD"), ("show", "E"), ("--json", "show", "E")])
def test_quick_show_prints_what_the_ordinary_way_prints(tmp_tracker, looking, command):
    ids = governed_item(tmp_tracker)
    first_word = ids["a"].split("-")[1]
    names = {"A": ids["a"], "E": ids["e"], "WORD": first_word}
    aged()
    tmp_tracker.ok("ready")  # :1, and every file read since it settled (`show` reads one)
    ordinary, quick = both_ways(tmp_tracker, *(names.get(arg, arg) for arg in command))
    assert not ordinary.quick and quick.quick
    assert quick.out == ordinary.out
    if "A" in command or "WORD" in command:  # the lock, and the edit it refused
        assert ids["a"] in quick.out and "rejected" in quick.out
        assert "locked: [status]" in quick.out or '"status"' in quick.out


def test_quick_show_sees_a_change_to_the_item(tmp_tracker, looking):
    ids = busy_tracker(tmp_tracker)
    aged()
    htrac(tmp_tracker, "count-todos")
    assert both_ways(tmp_tracker, "show", ids["a"])[1].quick
    append_by_hand(tmp_tracker, ids["a"], {"set": {"title": "renamed by hand"}}, clock=91)
    answer = htrac(tmp_tracker, "show", ids["a"])
    assert "renamed by hand" in answer.out and not answer.quick
    aged()
    htrac(tmp_tracker, "count-todos")  # a refresh of every file: none is racy any more
    again = until_quick(tmp_tracker, "show", ids["a"])
    assert "renamed by hand" in again.out
    path = tmp_tracker.agent_dir / "tracker-workspace" / ".ops" / f".{ids['a']}.ops"
    path.unlink()
    gone = subprocess.run([sys.executable, "-m", "htrac", "show", ids["a"]],
                          cwd=tmp_tracker.path, capture_output=True, text=True)
    assert gone.returncode != 0 and "no item matches" in gone.stderr


def test_quick_show_leaves_loops_claims_and_errors_to_the_ordinary_way(tmp_tracker):
    """What only the ordinary way computes: a loop of links among the item's problems, a
    claim's holder and lease, the error for a reference that names no item or several."""
    ids = busy_tracker(tmp_tracker)
    # e isbefore a; a isbefore e by hand (the CLI refuses a loop): both are on one
    append_by_hand(tmp_tracker, ids["a"], {"set": {}, "add": {"isbefore": [ids["e"]]}},
                   clock=92)
    tmp_tracker.ok("claim", ids["d"], "--session", "s1")
    aged()
    htrac(tmp_tracker, "count-todos")  # the memo
    for ref in (ids["a"], ids["e"], ids["d"]):
        answer = htrac(tmp_tracker, "show", ref)
        assert not answer.quick and answer.out == tmp_tracker.ok("show", ref)
    assert "loop" in tmp_tracker.ok("show", ids["e"])
    until_quick(tmp_tracker, "show", ids["b"])  # the memo is used: these are misses by choice
    for ref in ("WI", "WI-zzzzz", ":99"):  # several items, none, an alias out of range
        run = subprocess.run([sys.executable, "-c", PROBE, "show", ref], cwd=tmp_tracker.path,
                             capture_output=True, text=True)
        ordinary = tmp_tracker.in_process("show", ref)
        assert run.returncode == ordinary.code != 0 and run.stderr == ordinary.err


def test_quick_memo_is_bound_to_the_index_it_was_recorded_beside(tmp_tracker):
    """The open depends on which keys signed the tracker's ops (a trust root governs a copy
    by its keys). An ordinary command whose open ran before signed ops arrived (a pull) and
    whose refresh then indexed them records a memo from before them: the quick way must not
    answer with it, however long nothing else changes."""
    import hashlib

    from os_users import TRUST_DIR, SessionLock, install_trust_file

    from htrac.core.config import Governance
    from htrac.policy.signing import format_public_key
    from htrac.policy.trustroot import render
    from htrac.service import openmemo, quick
    from htrac.service.tracker import Tracker

    ids = busy_tracker(tmp_tracker)
    append_by_hand(tmp_tracker, ids["a"], {"set": {"status": "done"}})  # by an agent
    raw = os.urandom(32)
    key_id = hashlib.sha256(raw).hexdigest()[:16]
    governance = Governance(("*_agent",), True, (format_public_key(raw),))
    with SessionLock():  # the machine-wide trust root is shared with other test sessions
        TRUST_DIR.mkdir(parents=True, exist_ok=True)
        trust = TRUST_DIR / f"htrac-test-quick-bound-{os.getpid()}.yaml"
        try:
            install_trust_file(trust, render(["/nowhere/htrac-test-proj"], governance))
            aged()
            before = both_ways(tmp_tracker, "count-todos")[1].out  # no signed op: ungoverned
            (Path(cache_dir(tmp_tracker.agent_dir)) / openmemo.MEMO).unlink()
            miss = quick.open_hot(str(tmp_tracker.path))
            assert isinstance(miss, quick.Miss)
            tracker = Tracker.open(tmp_tracker.path)  # the ordinary way's open: ungoverned
            ops = tmp_tracker.agent_dir / "tracker-workspace" / ".ops" / f".{ids['c']}.ops"
            append_by_hand(tmp_tracker, ids["c"], {"message": "signed elsewhere"}, clock=60,
                           op_type="discuss", by="human")
            with ops.open("a") as handle:  # being governed needs no valid signature
                handle.write(f"  sig: ed25519:{key_id}:AAAA  # 0000\n")
            aged()  # a slow command: its refresh comes when the new file is no longer racy
            tracker.store.items()  # the signed op is in the index now, the index fresh
            openmemo.remember(miss.cache, miss.inputs, tracker, miss.memo)  # `ordinarily`
            tracker.store.close()
            answers = [htrac(tmp_tracker, "count-todos").out for _ in range(3)]
            governed = _ordinary(tmp_tracker, "count-todos")
            assert governed != before  # the trust root's rules now decide (else no test)
            assert answers == [governed] * 3
            assert until_quick(tmp_tracker, "count-todos").out == governed
        finally:
            trust.unlink(missing_ok=True)
