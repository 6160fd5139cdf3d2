"""Claims on screen: the list, the board and the detail show who holds an item and the lease
left, as `service.holdings` judges it with the clock; a claim whose lease ran out is flagged
stale and waits in needs-you."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tui_pilot import SIZE, go_to, screen_text, settle

from htrac.core.ops import AGENT
from htrac.policy.actor import Actor
from htrac.service import claims
from htrac.service.tracker import Tracker
from htrac.tui.widgets.board import Board
from htrac.tui.widgets.detail import DetailPane
from htrac.tui.widgets.itemlist import ItemList

pytestmark = pytest.mark.anyio


def claim_as_agent(root, item_id: str, *, minutes_ago: int, session: str = "s1") -> None:
    base = Tracker.open(start=root)
    agent = Tracker(base.layout, base.config, Actor("bob_agent", AGENT), base.policy,
                    base.authority)
    taken = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    agent.clock = lambda: taken
    claims.claim(agent, item_id, session=session)


def detail_text(app) -> str:
    pane = app.main.query_one("#detail", DetailPane)
    return "\n".join(str(w.render()) for w in pane.query("Static"))


async def test_claims_list_detail_board_and_needs_you(make_app, sample):
    root, ids = sample
    claim_as_agent(root, ids["epic"], minutes_ago=1)  # live: 15-minute lease
    claim_as_agent(root, ids["soft"], minutes_ago=180, session="s2")  # ran out long ago
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        # needs-you holds the stale claim (is:stale is part of is:needs-human), not the live one
        shown = {row.id for row in app.main.rows}
        assert ids["soft"] in shown and ids["epic"] not in shown
        await pilot.press("1")
        await settle(pilot, app)
        items = app.main.query_one("#items", ItemList)
        assert items.holds[ids["epic"]].live and not items.holds[ids["soft"]].live
        text = screen_text(app)
        assert "held by" in text
        assert "bob_agent 14m" in text or "bob_agent 15m" in text
        assert "bob_agent stale" in text
        await go_to(pilot, app, ids["epic"])
        detail = detail_text(app)
        assert "held by bob_agent/s1 (1" in detail and "left)" in detail
        assert "STALE" not in detail
        await go_to(pilot, app, ids["soft"])
        detail = detail_text(app)
        assert "lease of bob_agent/s2 expired" in detail and "STALE CLAIM" in detail
        assert "htrac stale --reclaim" in detail
        await pilot.press("3")
        await settle(pilot, app)
        board = app.main.query_one("#board", Board)
        column = next(c for c in board.columns() if c.status == "in_progress")
        assert {r.id for r in column.rows} >= {ids["epic"], ids["soft"]}
        cards = screen_text(app)  # eight columns of 15: a mark on each claimed card
        assert "◆  P1  Ship" in cards and "◇  P3  Tidy" in cards


async def test_claims_a_wide_board_names_the_holders(make_app, sample):
    root, ids = sample
    claim_as_agent(root, ids["epic"], minutes_ago=1)
    claim_as_agent(root, ids["soft"], minutes_ago=180, session="s2")
    app = make_app()
    async with app.run_test(size=(240, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        await settle(pilot, app)
        cards = screen_text(app)
        assert "◇bob_agent Tidy" in cards and " bob_agent  Ship" in cards, cards


async def test_claims_column_only_when_something_is_claimed(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("1")
        await settle(pilot, app)
        assert "held by" not in screen_text(app)


async def test_claims_a_lease_running_out_moves_the_item_into_needs_you(make_app, sample):
    """No op marks the moment a lease ends: the TUI loads again then (a timer set from the
    first lease to run out), and the item joins needs-you as a stale claim."""
    root, ids = sample
    # taken 14m58s ago with a 15-minute lease: runs out two seconds from now
    base = Tracker.open(start=root)
    agent = Tracker(base.layout, base.config, Actor("bob_agent", AGENT), base.policy,
                    base.authority)
    taken = datetime.now(UTC) - timedelta(minutes=15) + timedelta(seconds=2)
    agent.clock = lambda: taken
    claims.claim(agent, ids["epic"], session="s1")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.main.view == "needs"
        assert ids["epic"] not in {row.id for row in app.main.rows}
        for _ in range(100):  # the timer fires about three seconds in
            await pilot.pause(0.1)
            if ids["epic"] in {row.id for row in app.main.rows}:
                break
        assert ids["epic"] in {row.id for row in app.main.rows}


async def test_claims_release_from_the_tui_asks_then_frees_the_item(make_app, sample):
    """`C`: the human frees an item an agent holds (cancel first: nothing written)."""
    root, ids = sample
    before = Tracker.open(start=root).show(ids["epic"]).status
    claim_as_agent(root, ids["epic"], minutes_ago=1)
    assert Tracker.open(start=root).show(ids["epic"]).status != before  # the take set it
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("1")
        await settle(pilot, app)
        await go_to(pilot, app, ids["epic"])
        await pilot.press("C")
        await settle(pilot, app)
        assert "bob_agent/s1" in screen_text(app)  # the question names the holder
        await pilot.press("escape")
        await settle(pilot, app)
        assert Tracker.open(start=root).show(ids["epic"]).claim is not None
        await pilot.press("C")
        await settle(pilot, app)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert "held by" not in detail_text(app)
    item = Tracker.open(start=root).show(ids["epic"])
    assert item.claim is None and item.status == before
