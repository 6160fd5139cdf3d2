"""The human's read state: per user outside the repository, 0600 in a 0700 directory, shared by
`check-messages --human`, and refused when someone else could write it."""

from __future__ import annotations

import json
import os
import stat

import pytest

from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from htrac.service import readstate
from htrac.service.search import search
from htrac.service.tracker import Tracker
from htrac.store.private import UnsafeDirectoryError, private_dir


def _agent_says(repo, item_id: str, message: str) -> None:
    path = next(repo.agent_dir.rglob(f".{item_id}.ops"))
    op = make_op("discuss", by="agent", actor="bot_agent", clock=100, body={"message": message})
    with path.open("a") as log:
        log.write(serialize_op(op))


@pytest.fixture
def state_dir(tmp_path, monkeypatch):
    directory = tmp_path / "state"
    monkeypatch.setenv("HTRAC_STATE_DIR", str(directory))
    return directory


def test_readstate_marks_and_unread_follow_the_discussion(tmp_tracker, state_dir):
    item_id = tmp_tracker.add("Talked about")
    tracker = Tracker.open(tmp_tracker.path)
    assert search(tracker, "is:unread") == []
    _agent_says(tmp_tracker, item_id, "I did it")
    assert [r.id for r in search(tracker, "is:unread")] == [item_id]
    assert [r.id for r in search(tracker, "is:needs-human")] == [item_id]
    readstate.mark_ref(tracker, item_id, read=True)
    assert search(tracker, "is:unread") == []
    _agent_says(tmp_tracker, item_id, "and more")  # a new message: unread again
    assert [r.id for r in search(tracker, "is:unread")] == [item_id]
    readstate.mark_ref(tracker, item_id, read=True)
    readstate.mark_ref(tracker, item_id, read=False)  # marked unread by hand
    assert [r.id for r in search(tracker, "is:unread")] == [item_id]
    files = list(state_dir.rglob("readstate.json"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(files[0].parent.stat().st_mode) == 0o700
    assert not str(files[0]).startswith(str(tmp_tracker.path))
    data = json.loads(files[0].read_text())
    assert data["items"][item_id] == {"read": False, "discussion_len": 2}


def test_readstate_shared_with_check_messages(tmp_tracker, state_dir):
    item_id = tmp_tracker.add("Reply here")
    _agent_says(tmp_tracker, item_id, "question for you")
    out = tmp_tracker.ok("check-messages", "--human")
    assert out.splitlines()[0].startswith(item_id)
    assert "bot_agent (agent): question for you" in out
    data = json.loads(tmp_tracker.ok("--json", "check-messages", "--human", "--mark-read"))
    assert [d["id"] for d in data] == [item_id]
    assert tmp_tracker.ok("check-messages", "--human").strip() == "(no unread messages)"
    assert search(Tracker.open(tmp_tracker.path), "is:unread") == []
    run = tmp_tracker.htrac("check-messages", "--mark-read")
    assert run.code == 2 and "--human" in run.err


def test_readstate_refuses_a_directory_others_can_write(tmp_tracker, state_dir):
    state_dir.mkdir(mode=0o777)
    os.chmod(state_dir, 0o777)
    run = tmp_tracker.htrac("check-messages", "--human")
    assert run.code == 1 and "chmod 700" in run.err and "Traceback" not in run.err


def test_private_dir_refuses_a_symlink(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(UnsafeDirectoryError, match="not a plain directory"):
        private_dir(link)
