"""Read commands load only what they need: no TUI, server or round-trip YAML on the read path."""

from __future__ import annotations

import functools
import subprocess
import sys
import time

import pytest

PROBE = """
import sys
from htrac.cli.entry import main
sys.argv[0] = "htrac"
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\n".join(sorted(sys.modules)))
"""
# Third-party packages a read command may load. certifi and _distutils_hack come from
# site-packages .pth files that run at interpreter start-up, not from htrac.
ALLOWED_THIRD_PARTY = {"click", "htrac", "certifi", "_distutils_hack"}
FORBIDDEN = ("textual", "starlette", "uvicorn", "ruamel", "webauthn", "bcrypt", "watchfiles",
             "cryptography", "multiprocessing", "asyncio", "ctypes", "htrac.tui", "htrac.server",
             "htrac.mcp", "mcp", "anyio", "pydantic", "tiktoken", "htrac.service.tokens")


def loaded_modules(tracker, *args: str) -> set[str]:
    run = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=tracker.path,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return set(run.stderr.split())


@functools.cache
def startup_modules() -> frozenset[str]:
    """What this interpreter loads before running anything: site-packages `.pth` files can load
    more (CI's Python has one that imports certifi, which imports typing) — not htrac's doing."""
    run = subprocess.run([sys.executable, "-c", "import sys; print(*sys.modules)"],
                         capture_output=True, text=True, check=True)
    return frozenset(run.stdout.split())


# Every command agents and their stop hooks run all day (issue 19); SHOW stands for an item.
HOT = [("ready",), ("--json", "ready"), ("count-todos",), ("count-todos", "--json"),
       ("hash-todos",), ("--json", "hash-todos"), ("show", "SHOW"), ("--json", "show", "SHOW"),
       ("show", ":1")]


def _with_item(command: tuple[str, ...], item: str) -> tuple[str, ...]:
    return tuple(item if arg == "SHOW" else arg for arg in command)


@pytest.mark.parametrize("command", [*HOT, ("list", "--status", "done"), ("list",)])
def test_imports_read_commands_load_no_heavy_modules(tmp_tracker, command):
    first = tmp_tracker.add("Something to read")
    tmp_tracker.ok("update", first, "--status", "in_progress")
    tmp_tracker.ok("list")  # for :1
    modules = loaded_modules(tmp_tracker, *_with_item(command, first))
    heavy = sorted(m for m in modules if m.startswith(FORBIDDEN))
    assert heavy == []
    top = {m.split(".")[0] for m in modules}
    third_party = top - set(sys.stdlib_module_names) - {"__main__", "__mp_main__"}
    assert third_party <= ALLOWED_THIRD_PARTY, sorted(third_party - ALLOWED_THIRD_PARTY)
    assert "htrac.store.index" in modules  # the read went through the index


@pytest.mark.parametrize("command", HOT)
def test_imports_hot_commands_load_neither_click_nor_the_write_half(tmp_tracker, command):
    """What agents and stop hooks run most starts without click (`cli.entry`) and, when nothing
    changed since the last command, without the code that writes ops or talks to git."""
    whole = "show" in command or command == ("--json", "ready")  # items, decoded
    command = _with_item(command, tmp_tracker.add("Something to read"))
    tmp_tracker.ok("ready")  # for :1
    tmp_tracker.ok(*command)  # the index is now fresh
    modules = loaded_modules(tmp_tracker, *command)
    assert "htrac.cli.hot" in modules and "htrac.store.index" in modules
    loaded = sorted(m for m in modules if m.startswith((
        "click", "htrac.cli.main", "htrac.core.serialize", "htrac.store.appendlog",
        "htrac.gitio", "htrac.service.values", "htrac.policy.keys", "subprocess",
        "htrac.core.fold", "htrac.store.index_build",
        *(() if whole else ("htrac.core.oplog", "htrac.store.index_codec")))))
    assert loaded == []


# What the quick way (`service.quick`) may load beyond the interpreter's own start-up: no
# configuration parser, policy, dataclasses, typing, json, click or pathlib.
QUICK_FORBIDDEN = ("htrac.core.config", "htrac.service.tracker", "htrac.policy.trustroot",
                   "htrac.policy.authority", "htrac.store.index", "htrac.store.store",
                   "htrac.cli.state", "dataclasses", "typing", "json", "click", "inspect",
                   "pathlib")


@pytest.mark.parametrize("command", [("ready",), ("count-todos",), ("count-todos", "--json"),
                                     ("hash-todos",), ("--json", "hash-todos"), ("list",),
                                     ("list", "--status", "todo_hard")])
def test_imports_quick_way_loads_only_what_it_answers_with(tmp_tracker, command):
    """With nothing changed for two seconds, the hot commands answer from the memo and the
    index (`cli.quick`) without loading what opens a tracker the ordinary way."""
    tmp_tracker.add("Something to read")
    time.sleep(2.1)  # older than the racy window (not a synchronisation)
    tmp_tracker.ok("count-todos")  # the index refreshed, the files no longer racy
    loaded_modules(tmp_tracker, "count-todos")  # the ordinary way: records the memo
    for _ in range(6):
        modules = loaded_modules(tmp_tracker, *command)
        if "htrac.service.tracker" not in modules:
            break
        # Other test sessions write the machine's trust root directory: a change there
        # keeps the memo from being used (as it should); wait it out and record it again
        # (`list` through click records none).
        time.sleep(2.1)
        loaded_modules(tmp_tracker, "count-todos")
    assert "htrac.service.quick" in modules and "htrac.cli.quick" in modules
    loaded = sorted(m for m in modules - startup_modules() if m in QUICK_FORBIDDEN
                    or m.startswith(tuple(f"{name}." for name in QUICK_FORBIDDEN)))
    assert loaded == []


# `show` the quick way decodes one item (the records of `core.item`, built without
# `dataclasses`), and `--json show` writes it with `json`; still no configuration parser,
# policy, op-log parser, fold or click.
SHOW_QUICK_FORBIDDEN = (*(m for m in QUICK_FORBIDDEN if m != "json"),
                        "htrac.core.oplog", "htrac.core.fold", "htrac.core.yamlread",
                        "htrac.service.cycles", "htrac.store.layout", "secrets")


@pytest.mark.parametrize("command", [("show", "SHOW"), ("--json", "show", "SHOW"),
                                     ("show", ":1")])
def test_imports_quick_show_loads_only_the_item_it_prints(tmp_tracker, command):
    first = tmp_tracker.add("Something to read")
    tmp_tracker.ok("ready")  # for :1
    time.sleep(2.1)  # older than the racy window (not a synchronisation)
    tmp_tracker.ok("count-todos")  # the index refreshed, the files no longer racy
    command = _with_item(command, first)
    loaded_modules(tmp_tracker, *command)  # the ordinary way: records the memo
    for _ in range(6):
        modules = loaded_modules(tmp_tracker, *command)
        if "htrac.service.tracker" not in modules:
            break
        time.sleep(2.1)  # another session wrote the machine's trust root (as above)
    assert "htrac.service.quick" in modules and "htrac.store.index_codec" in modules
    loaded = sorted(m for m in modules - startup_modules() if m in SHOW_QUICK_FORBIDDEN
                    or m.startswith(tuple(f"{name}." for name in SHOW_QUICK_FORBIDDEN)))
    assert loaded == []


# The writes agents make all day (issue 19): a simple command line runs without click
# (`cli.writeline`), and with auto-sync off without the sync machinery.
WRITES = [("update", "SHOW", "--priority", "1"), ("--json", "update", "SHOW", "--status", "done"),
          ("discuss", "SHOW", "a message"), ("discuss", "--ack-thread", "SHOW", "a message"),
          ("add", "--kind", "work_item", "--title", "Another thing", "--tag", "t")]
WRITE_FORBIDDEN = ("click", "htrac.cli.main", "htrac.cli.update_cmd", "htrac.cli.item_cmds",
                   "htrac.cli.discuss_cmd", "htrac.cli.completion", "htrac.service.sync",
                   "htrac.gitio.sync", "htrac.gitio.history")


@pytest.mark.parametrize("command", WRITES)
def test_imports_simple_writes_load_neither_click_nor_the_sync_machinery(tmp_tracker,
                                                                        monkeypatch, command):
    monkeypatch.setenv("TRACKER_AUTO_SYNC_THRESHOLD", "0")
    modules = loaded_modules(tmp_tracker, *_with_item(command, tmp_tracker.add("Something")))
    assert "htrac.cli.writes" in modules and "htrac.store.appendlog" in modules  # it wrote
    loaded = sorted(m for m in modules if m.startswith(WRITE_FORBIDDEN))
    assert loaded == []
    heavy = sorted(m for m in modules if m.startswith(FORBIDDEN))
    assert heavy == []
