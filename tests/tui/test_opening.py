"""How the TUI opens: the first rows come from the index as it stands (read while Textual is
imported, no look at the files), and the change feed then shows what changed since — a write
no command took in included — without a key pressed."""

from __future__ import annotations

import pytest
from tui_pilot import SIZE, settle

from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from htrac.service.tracker import Tracker

pytestmark = pytest.mark.anyio


async def test_opening_shows_the_index_then_catches_up(make_app, sample):
    root, ids = sample
    tracker = Tracker.open(root)
    tracker.store.index.refresh()  # the index as the last command left it
    path = tracker.layout.ops_dir("workspace") / f".{ids['review']}.ops"
    with open(path, "a", encoding="utf-8") as handle:  # written by hand: nobody refreshed
        handle.write(serialize_op(make_op("update", by="agent", actor="hand_agent", clock=60,
                                          body={"set": {"title": "Renamed while closed"}})))
    app = make_app(live=True)
    seen = []  # the review item's title each time the rows changed
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(300):  # (the feed's worker never completes: wait for what it shows)
            titles = {row.id: row.title for row in app.main.rows}
            if ids["review"] in titles and (not seen or seen[-1] != titles[ids["review"]]):
                seen.append(titles[ids["review"]])
            if seen and seen[-1] == "Renamed while closed":
                break
            await pilot.pause(0.05)
        assert app.backend.as_of is not None  # the first rows were read as the index stood
        assert seen == ["Review the parser change", "Renamed while closed"]


async def test_opening_without_live_updates_looks_at_the_files(make_app, sample):
    """`--no-live`: no feed would catch up, so the first rows come from a look at the files."""
    root, ids = sample
    tracker = Tracker.open(root)
    tracker.store.index.refresh()
    path = tracker.layout.ops_dir("workspace") / f".{ids['review']}.ops"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(serialize_op(make_op("update", by="agent", actor="hand_agent", clock=60,
                                          body={"set": {"title": "Renamed while closed"}})))
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.backend.as_of is None
        assert {row.id: row.title for row in app.main.rows}[ids["review"]] == \
            "Renamed while closed"


async def test_opening_draws_a_screenful_then_every_row(sample, monkeypatch):
    """The first frame asks the index for a screenful of rows (and how many there are); every
    row follows right after it is drawn, in the same order, the count unchanged."""
    from htrac.service.search import search
    from htrac.tui.app import create_app
    from htrac.tui.backend import opening
    from htrac.tui.screens.main import TrackerScreen

    root, _ids = sample
    every = [row.id for row in search(Tracker.open(root), "is:needs-human")]
    assert len(every) > 2
    shown = []  # (IDs in the list, the count in the status line) each time it is drawn
    update = TrackerScreen.update_status

    def recording(screen) -> None:
        shown.append(([row.id for row in screen.rows], screen.counts))
        update(screen)

    monkeypatch.setattr(TrackerScreen, "update_status", recording)
    app = create_app(backend=opening(start=root, live=False, limit=2), live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        with_rows = [s for s in shown if s[0]]
        assert with_rows[0] == (every[:2], f"{len(every)} items")
        assert with_rows[-1] == (every, f"{len(every)} items")
        assert [row.id for row in app.main.rows] == every
        assert not app.main.partial
