"""Hostile input on the command line: a clear error and a non-zero exit, never a traceback,
never a file written outside the tracker, never another item damaged."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_support import FULL, report

from htrac.cli.main import cli

HOSTILE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["../x", "../../etc/passwd", "/etc/passwd", "a\0b", "\x1b[31mred\x1b[0m",
                     "x" * 100_000, "-", "--", ":0", ":-1", ":999999999999", "\u202eevil",
                     "'; rm -rf /", "$(touch /tmp/pwned)", "%s%n", "\ud800", "- op: create  # 1234",
                     "field=value", "=", "a=", "title\nwith\nnewlines"]),
)
COMMANDS = st.sampled_from([
    ["show", "{0}"], ["update", "{0}", "--title", "{1}"], ["discuss", "{0}", "{1}"],
    ["add", "--kind", "work_item", "--title", "{1}"], ["add", "--kind", "{1}", "--title", "t"],
    ["add", "--kind", "work_item", "--title", "t", "--field", "{1}"],
    ["update", "{0}", "--field", "{1}"], ["update", "{0}", "--status", "{1}"],
    ["update", "{0}", "--add-tag", "{1}"], ["list", "--status", "{1}"], ["deps", "{0}"],
    ["log", "{0}"], ["update", "{0}", "--parent", "{1}"], ["discuss", "{0}", "--summarize", "{1}"],
])


def tree(root):
    """Every file under `root` outside the tracker's ops directories, with its bytes."""
    found = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            if "/.ops/" in path + "/" or "/stealth/" in path:
                continue
            with open(path, "rb") as handle:
                found[path] = handle.read()
    return found


@pytest.fixture
def seeded(tmp_tracker):
    keep = tmp_tracker.add("Bystander", "--priority", "0")
    target = tmp_tracker.add("Target")
    return tmp_tracker, keep, target


@pytest.mark.slow
def test_fuzz_cli_hostile_arguments(seeded, monkeypatch):
    repo, keep, target = seeded
    monkeypatch.chdir(repo.path)
    bystander = (repo.agent_dir / "tracker-workspace" / ".ops" / f".{keep}.ops").read_bytes()
    outside = tree(repo.path.parent)
    runner = CliRunner()

    examples = 600 if FULL else 80

    @settings(max_examples=examples, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(COMMANDS, HOSTILE, st.booleans())
    def check(command, value, as_target):
        args = [part.format(target if as_target else value, value) for part in command]
        result = runner.invoke(cli, args, catch_exceptions=True)
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            f"{args!r} raised {result.exception!r}"
        assert "Traceback" not in result.output
        if result.exit_code != 0:
            assert result.exit_code in (1, 2)

    check()
    assert (repo.agent_dir / "tracker-workspace" / ".ops" / f".{keep}.ops").read_bytes() == bystander
    after = tree(repo.path.parent)
    assert {p: d for p, d in after.items() if p in outside} == outside, "a file outside changed"
    new = set(after) - set(outside)
    assert all("/.agent/" in p for p in new), f"files created outside the tracker: {new}"
    report(f"CLI fuzz: {examples} hostile command lines, 0 tracebacks, nothing written outside")
