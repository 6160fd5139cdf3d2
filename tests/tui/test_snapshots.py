"""SVG snapshots of each layout and view on the sample tracker, and of hostile text: what the
human sees, byte for byte (`pytest --snapshot-update` after a deliberate change; the SVGs in
__snapshots__/ are also the screenshots of docs/guide/tui.md)."""

from __future__ import annotations

import pytest

from htrac.tui.widgets.itemlist import ItemList


async def _settle(pilot) -> None:
    await pilot.pause(0.1)
    busy = [w for w in pilot.app.workers if w.group != "form"]
    if busy:  # (an empty list would mean every worker)
        await pilot.app.workers.wait_for_complete(busy)
    await pilot.pause(0.1)


def _ready(*keys: str, item: str | None = None):
    async def run_before(pilot) -> None:
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)
        if item is not None:
            pilot.app.main.query_one("#items", ItemList).move_to(item)
            await _settle(pilot)
        await _settle(pilot)
    return run_before


@pytest.mark.parametrize("name,size", [("too_small", (38, 14)), ("compact", (56, 19)),
                                       ("standard", (110, 32)), ("wide", (150, 44))])
def test_snapshot_layouts(snap_compare, make_app, name, size):
    assert snap_compare(make_app(), terminal_size=size, run_before=_ready())


@pytest.mark.parametrize("view,key", [("list", "1"), ("tree", "2"), ("board", "3"),
                                      ("needs", "4"), ("activity", "5")])
def test_snapshot_views(snap_compare, make_app, view, key):
    assert snap_compare(make_app(), terminal_size=(110, 32), run_before=_ready(key))


def test_snapshot_compact_stacked_detail(snap_compare, make_app, sample):
    _root, ids = sample
    assert snap_compare(make_app(), terminal_size=(56, 19),
                        run_before=_ready("1", item=ids["epic"], ), press=["enter"])


def test_snapshot_hostile_text(snap_compare, make_app, sample):
    """Markup, ANSI escapes, OSC 52 and newlines in a title, a description and a message show
    as the characters they are: no colour, no link, no fake human line, no fake lock list."""
    _root, ids = sample
    assert snap_compare(make_app(), terminal_size=(110, 40),
                        run_before=_ready("1", item=ids["hostile"]))


def test_snapshot_help(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(110, 60), run_before=_ready("question_mark"))


def _claimed_app(make_app, sample):
    """The sample with two claims by an agent, judged at a fixed moment: Ship the board view
    held (a minute into its lease), Tidy the docs held on a lease that ran out hours ago."""
    from datetime import UTC, datetime, timedelta

    from htrac.core.ops import AGENT
    from htrac.policy.actor import Actor
    from htrac.service import claims
    from htrac.service.tracker import Tracker

    root, ids = sample
    now = datetime(2026, 3, 1, 14, 0, 0, tzinfo=UTC)
    base = Tracker.open(start=root)
    agent = Tracker(base.layout, base.config, Actor("bob_agent", AGENT), base.policy,
                    base.authority)
    for name, session, ago in (("epic", "s1", timedelta(minutes=1)),
                               ("soft", "s2", timedelta(hours=3))):
        agent.clock = lambda ago=ago: now - ago
        claims.claim(agent, ids[name], session=session)
    app = make_app()
    app.backend.tracker.clock = lambda: now
    return app, ids


def test_snapshot_claims_list_and_detail(snap_compare, make_app, sample):
    """Who holds what and the lease left; a stale claim flagged in the list and the detail."""
    app, ids = _claimed_app(make_app, sample)
    assert snap_compare(app, terminal_size=(130, 36), run_before=_ready("1", item=ids["soft"]))


def test_snapshot_claims_board(snap_compare, make_app, sample):
    app, _ids = _claimed_app(make_app, sample)
    assert snap_compare(app, terminal_size=(240, 24), run_before=_ready("3"))
