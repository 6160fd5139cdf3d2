"""One damaged file in a multi-item tracker never hides, drops or unblocks anything else."""

from __future__ import annotations

import json

import pytest

from htrac.service.tracker import Tracker

ALIAS_BOMB = "\n".join(
    ["- op: discuss  # b0b0", "  a: &a [x, x, x, x, x, x, x, x, x]  # b0b0"]
    + [f"  {c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]  # b0b0"
       for p, c in zip("abcdefgh", "bcdefghi")]) + "\n"


def _replace_line(key: str, value: str):
    def corrupt(data: bytes) -> bytes:
        lines = data.decode().splitlines(True)
        for i in range(len(lines) - 1, -1, -1):
            if lines[i].lstrip().startswith(key + ":"):
                indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
                tag = lines[i].rstrip("\n").rsplit("  # ", 1)[1]
                lines[i] = f"{indent}{key}: {value}  # {tag}\n"
                break
        return "".join(lines).encode()
    return corrupt


CORPUS = {
    "random-bytes": lambda d: d + bytes(range(256)) * 3,
    "invalid-utf8": lambda d: d[:40] + b"\xc3\x28\xff" + d[40:],
    "nul-bytes": lambda d: d.replace(b"status", b"sta\0tus", 1),
    "empty-file": lambda d: b"",
    "clock-abc": _replace_line("clock", "abc"),
    "priority-high": _replace_line("priority", "high"),
    "huge-integer": _replace_line("priority", "9" * 5000),
    "set-id": lambda d: d + (b"- op: update  # 5e75\n  at: '2026-01-01T00:00:00Z'  # 5e75\n"
                             b"  by: agent  # 5e75\n  actor: x_agent  # 5e75\n  clock: 99  # 5e75\n"
                             b"  nonce: 5e75  # 5e75\n  set:  # 5e75\n    id: WI-other  # 5e75\n"
                             b"    status: done  # 5e75\n"),
    "alias-bomb": lambda d: d + ALIAS_BOMB.encode(),
    "three-bytes": lambda d: d + b"- o",
}


@pytest.fixture
def tracker_with_items(tmp_tracker):
    ids = [tmp_tracker.add(f"Item {n}", "--priority", str(n % 4)) for n in range(4)]
    tmp_tracker.ok("update", ids[0], "--status", "done")
    tmp_tracker.ok("discuss", ids[2], "a message")
    return tmp_tracker, ids


def snapshot(tracker):
    items = json.loads(tracker.ok("list", "--json"))
    return {i["id"]: i for i in items}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corruption_of_one_file_spares_the_others(tracker_with_items, name):
    tracker, ids = tracker_with_items
    victim = ids[1]  # a blocking item
    before = snapshot(tracker)
    true_blocking = int(tracker.ok("count-todos").strip())
    path = tracker.agent_dir / "tracker-workspace" / ".ops" / f".{victim}.ops"
    path.write_bytes(CORPUS[name](path.read_bytes()))

    after = snapshot(tracker)
    assert victim in after, "the damaged item was dropped from list"
    assert after[victim].get("problems"), "the damaged item is not flagged"
    for other in ids:
        if other != victim:
            assert after[other] == before[other]
    assert int(tracker.ok("count-todos").strip()) >= true_blocking
    show = tracker.htrac("show", victim)
    assert show.code in (0, 1) and "Traceback" not in show.err
    assert tracker.htrac("discuss", ids[3], "the tracker still takes writes").code == 0
    write = tracker.htrac("discuss", victim, "and so does the damaged file")
    assert write.code in (0, 1) and "Traceback" not in write.err


def test_corruption_truncated_at_every_offset_never_unblocks(tracker_with_items):
    tracker_repo, ids = tracker_with_items
    victim = ids[1]
    tracker_repo.ok("update", victim, "--status", "done")  # the last op is the one we tear
    path = tracker_repo.agent_dir / "tracker-workspace" / ".ops" / f".{victim}.ops"
    data = path.read_bytes()
    last_start = data.rindex(b"\n- op:") + 1
    tracker = Tracker.open(tracker_repo.path)
    from htrac.service.queries import blocking
    for cut in range(last_start, len(data)):
        path.write_bytes(data[:cut])
        items = {i.id: i for i in tracker.items()}
        assert set(items) == set(ids)
        victim_item = items[victim]
        # Torn anywhere inside the op: the status change is not applied, or the item is flagged.
        if cut > last_start and data[cut - 1:cut] != b"\n":
            assert victim_item.problems, (cut - last_start, data[last_start:cut])
        assert victim_item in blocking(items.values(), tracker.config) or victim_item.status == "done"
        assert victim_item.status != "done" or cut == len(data)
