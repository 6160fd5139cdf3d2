"""The op-log reader and the fold survive anything: mutated files, hostile YAML, huge values."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_support import FULL, report

from htrac.core.config import load_config
from htrac.core.fold import fold
from htrac.core.oplog import read_oplog
from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op

VOCAB = load_config(None).vocabulary()
SEED = b"".join(serialize_op(o).encode() for o in [
    make_op("create", by="human", actor="h", clock=1, body={"data": {
        "kind": "work_item", "title": "T", "status": "todo_hard", "priority": 1, "parent": None,
        "tags": ["a"], "isbefore": [], "duplicate_of": [], "not_duplicate_of": [],
        "pr_ref": "#1", "description": "d", "fields": {"k": "v"}}}),
    make_op("update", by="agent", actor="x_agent", clock=2,
            body={"set": {"status": "in_progress", "fields": {"k": None}}, "add": {"tags": ["b"]}}),
    make_op("discuss", by="human", actor="h", clock=3, body={"message": "hello"}),
    make_op("lock", by="human", actor="h", clock=4, body={"lock": ["status"]}),
])
FRAGMENTS = [b"&a ", b"*a", b"!!python/object ", b"!tag ", b"[", b"]", b"{", b"}", b": ", b"- ",
             b"\n", b"\x00", b"\xff", b"\xc3", b"'", b'"', b"\\", b"|\n", b">\n", b"  # abcd",
             b"9" * 400, b"[" * 300, b"---\n", b"...\n", b"? ", b"%YAML 1.1\n", b"\t", b"\r",
             b"\xe2\x80\xa8", b"<<: *a\n", b"~", b"@", b"`"]


@st.composite
def mutated(draw):
    data = bytearray(SEED)
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "flip", "truncate", "duplicate"]))
        if kind == "insert":
            data[pos:pos] = draw(st.sampled_from(FRAGMENTS) | st.binary(max_size=16))
        elif kind == "delete":
            del data[pos:pos + draw(st.integers(1, 40))]
        elif kind == "flip" and pos < len(data):
            data[pos] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[pos:]
        else:
            data[pos:pos] = data[max(0, pos - 200):pos]
    return bytes(data)


MUTATED_EXAMPLES = 4000 if FULL else 400


@settings(max_examples=MUTATED_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_fuzz_reader_and_fold_never_raise(data):
    log = read_oplog(data)
    item = fold("WI-x", log.ops, VOCAB, lines=log.lines, read_problems=log.problems)
    assert item.id == "WI-x"
    assert len(log.ops) + len(log.problems) <= data.count(b"\n") + 1


@settings(max_examples=1000 if FULL else 150, deadline=None)
@given(st.binary(max_size=2000))
def test_fuzz_reader_takes_arbitrary_bytes(data):
    log = read_oplog(data)
    fold("WI-x", log.ops, VOCAB, read_problems=log.problems)


def test_fuzz_reader_does_not_expand_a_billion_laughs():
    lines = ["- op: discuss  # f00d", "  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol]  # f00d"]
    lines += [f"  l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]  # f00d" for n in range(1, 30)]
    log = read_oplog(("\n".join(lines) + "\n").encode())
    assert log.ops == [] and log.problems[0].kind == "damaged"


ATHERIS_TARGET = Path(__file__).with_name("atheris_reader.py")


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("atheris") is None,
                    reason="atheris is not installed (pip install atheris)")
def test_fuzz_reader_with_atheris(tmp_path):
    runs = 200_000 if FULL else 20_000
    result = subprocess.run([sys.executable, str(ATHERIS_TARGET), f"-atheris_runs={runs}",
                             "-rss_limit_mb=1024", "-max_len=4096"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done" in result.stderr
    report(f"atheris: {runs} inputs to the reader and fold, 0 crashes")
