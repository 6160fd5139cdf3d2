"""The change feed: another process's write arrives once, with the item as it now is; a write
the index already took in (a CLI command refreshed it) still arrives; removals, config changes."""

from __future__ import annotations

import asyncio

import pytest

from htrac.service.changefeed import ChangeFeed
from htrac.service.tracker import Tracker


async def _next(feed: ChangeFeed, timeout: float = 30.0):
    iterator = feed.__aiter__()
    try:
        return await asyncio.wait_for(iterator.__anext__(), timeout)
    finally:
        await iterator.aclose()


def _run_soon(coro_factory):
    async def main():
        return await coro_factory()
    return asyncio.run(main())


@pytest.fixture
def feed_tracker(tmp_tracker):
    first = tmp_tracker.add("First")
    tmp_tracker.add("Second")
    tmp_tracker.ok("list")  # the index is built
    return tmp_tracker, first


def test_changefeed_reports_another_process_write(feed_tracker):
    repo, first = feed_tracker
    feed = ChangeFeed(Tracker.open(repo.path))

    async def scenario():
        async def write():
            await asyncio.sleep(0.3)
            await asyncio.to_thread(repo.ok, "update", first, "--status", "in_progress")
        writer = asyncio.create_task(write())
        changes = await _next(feed)
        await writer
        return changes

    changes = _run_soon(scenario)
    feed.close()
    assert [i.id for i in changes.items] == [first]
    assert changes.items[0].status == "in_progress"
    assert not changes.reset and not changes.removed


def test_changefeed_sees_changes_another_refresh_took_in(feed_tracker):
    """The other process's `list` refreshed the shared index before the feed looked: the
    index's change log still names the item."""
    repo, first = feed_tracker
    feed = ChangeFeed(Tracker.open(repo.path))
    repo.ok("update", first, "--priority", "0")
    repo.ok("list")
    changes = feed.poll(None)
    assert [(i.id, i.priority) for i in changes.items] == [(first, 0)]
    assert not feed.poll(None)  # once only
    feed.close()


def test_changefeed_reports_removed_files_and_targeted_paths(feed_tracker):
    repo, first = feed_tracker
    feed = ChangeFeed(Tracker.open(repo.path))
    path = next(repo.agent_dir.rglob(f".{first}.ops"))
    path.unlink()
    changes = feed.poll([str(path)])
    assert changes.removed == [("workspace", first)] and not changes.items
    feed.close()


def test_changefeed_config_change_reopens_and_resets(feed_tracker):
    repo, _first = feed_tracker
    feed = ChangeFeed(Tracker.open(repo.path))
    config = repo.agent_dir / "tracker" / "config.yaml"
    config.write_text("statuses: [todo_hard, todo_soft, in_progress, needs_human_review, done, "
                      "wont_do, deleted, parked]\n")
    changes = feed.poll([str(config)])
    assert changes.reset and changes.tracker is feed.tracker
    assert "parked" in feed.tracker.config.statuses
    feed.close()


def test_changefeed_live_config_event(feed_tracker):
    repo, _first = feed_tracker
    feed = ChangeFeed(Tracker.open(repo.path))

    async def scenario():
        async def write():
            await asyncio.sleep(0.3)
            (repo.agent_dir / "tracker" / "config.yaml").write_text("well_known_tags: [ui]\n")
        writer = asyncio.create_task(write())
        changes = await _next(feed)
        await writer
        return changes

    changes = _run_soon(scenario)
    feed.close()
    assert changes.reset and changes.tracker is not None


def test_changefeed_since_a_position_read_as_found_catches_up_first(feed_tracker):
    """A surface shows the index as it stands (no look at the files: `index_changes.as_found`
    first, then `settled(look=False)`); a write by hand meanwhile, which no command took in,
    is the feed's first batch — before any file event."""
    from htrac.core.ops import make_op
    from htrac.core.serialize import serialize_op
    from htrac.store.index_changes import as_found

    repo, first = feed_tracker
    tracker = Tracker.open(repo.path)
    index = tracker.store.index
    path = repo.agent_dir / "tracker-workspace" / ".ops" / f".{first}.ops"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(serialize_op(make_op("update", by="agent", actor="hand_agent", clock=50,
                                          body={"set": {"title": "Renamed by hand"}})))
    since = as_found(index)
    assert since is not None
    with index.settled(look=False):
        assert {i.title for i in index.items()} == {"First", "Second"}  # as it stood
    feed = ChangeFeed(tracker, since=since)

    async def scenario():
        return await _next(feed, timeout=10)

    changes = _run_soon(scenario)
    feed.close()
    assert [(i.id, i.title) for i in changes.items] == [(first, "Renamed by hand")]


def test_changefeed_as_found_refuses_an_index_folded_under_other_rules(feed_tracker):
    """The index was folded under another configuration (the fingerprint differs): showing it
    as it stands could show what today's rules refuse, so `as_found` says look first."""
    from htrac.store.index_changes import as_found

    repo, _first = feed_tracker
    (repo.agent_dir / "tracker" / "config.yaml").write_text("well_known_tags: [x]\n")
    tracker = Tracker.open(repo.path)
    assert as_found(tracker.store.index) is None
    tracker.store.index.refresh()
    assert as_found(tracker.store.index) is not None
