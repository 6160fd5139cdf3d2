"""Pilot tests: every view and every action of the TUI, on the sample tracker, checked against
what the service then reads from the files."""

from __future__ import annotations

import json
import os
import stat

import pytest
from tui_pilot import SIZE, go_to, screen_text, settle

from htrac.service.tracker import Tracker
from htrac.tui.widgets.itemlist import ItemList

pytestmark = pytest.mark.anyio


def tracker(root) -> Tracker:
    return Tracker.open(root)


async def test_app_opens_on_needs_you_when_something_waits(make_app, sample):
    _root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.main.view == "needs"
        shown = {row.id for row in app.main.rows}
        assert shown == {ids["review"], ids["cards"], ids["hostile"], ids["locked"],
                         ids["damaged"]}
        assert "needs you" in screen_text(app)


@pytest.mark.parametrize("key,view", [("1", "list"), ("2", "tree"), ("3", "board"),
                                      ("4", "needs"), ("5", "activity")])
async def test_app_views(make_app, sample, key, view):
    _root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press(key)
        await settle(pilot, app)
        assert app.main.view == view
        text = screen_text(app)
        if view == "board":
            columns = {c.status: [r.id for r in c.rows]
                       for c in app.main.query_one("#board").columns()}
            assert columns["needs_human_review"] == [ids["review"]]
            assert columns["damaged"] == [ids["damaged"]]
            assert "done (1)" in text
        elif view == "activity":
            assert "gamma_agent" in text and "said:" in text
        elif view == "tree":
            items = app.main.query_one("#items", ItemList)
            epic = [r.id for r in items.rows].index(ids["epic"])
            assert items.rows[epic + 1].parent == ids["epic"] and items.depths[epic + 1] == 1
        else:
            assert len(app.main.rows) == (10 if view == "list" else 5)


async def test_app_toggle_tree_and_full_ids(make_app, sample):
    _root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("t")
        await settle(pilot, app)
        assert app.main.view == "tree"
        await pilot.press("t")
        await settle(pilot, app)
        assert app.main.view == "list"
        assert ids["epic"] not in screen_text(app).split("\n")[5]
        await pilot.press("i")
        await settle(pilot, app)
        assert app.main.query_one("#items", ItemList).full_ids


async def test_app_filter_bar_takes_the_query_language(make_app, sample):
    _root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("1", "slash")
        await pilot.press(*"tag:ui -status:in_progress")
        await pilot.press("enter")
        await settle(pilot, app)
        assert [r.id for r in app.main.rows] == [ids["epic"], ids["cards"], ids["hostile"]]
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"status:bogus", "enter")
        await settle(pilot, app)
        assert "unknown status 'bogus'" in app.main.query_error
        assert len(app.main.rows) == 3  # the old rows stay


async def test_app_filter_panel_hides_statuses(make_app, sample):
    _root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("1", "f")
        await settle(pilot, app)
        await pilot.press("5", "escape")  # the fifth status: done
        await settle(pilot, app)
        assert "done" in app.main.prefs.hidden_statuses
        assert ids["done"] not in {r.id for r in app.main.rows}
        assert ids["damaged"] in {r.id for r in app.main.rows}  # damage is never hidden


async def test_app_discuss(make_app, sample):
    root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["cards"])
        await pilot.press("d")
        await settle(pilot, app)
        await pilot.press(*"Use shift+arrows")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
    item = tracker(root).show(ids["cards"])
    assert item.discussion[-1].message == "Use shift+arrows"
    assert item.discussion[-1].by == "human"


async def test_app_clear_discussion_asks_first(make_app, sample):
    root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["soft"])
        await pilot.press("D")
        await settle(pilot, app)
        await pilot.press("escape")  # cancelled: nothing happens
        await settle(pilot, app)
        assert tracker(root).show(ids["soft"]).discussion
        await pilot.press("D")
        await settle(pilot, app)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
    assert tracker(root).show(ids["soft"]).discussion == []


async def test_app_move_tier_offers_only_legal_moves(make_app, sample):
    root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["soft"])
        await pilot.press("m")
        await settle(pilot, app)
        text = screen_text(app)
        assert "promote to canonical" in text and "stealth" in text and "demote" not in text
        await pilot.press("enter")
        await settle(pilot, app)
    assert tracker(root).show(ids["soft"]).tier == "canonical"


async def test_app_new_item(make_app, sample):
    root, _ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        await pilot.press(*"Brand new thing")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
    found = [i for i in tracker(root).items() if i.title == "Brand new thing"]
    assert len(found) == 1 and found[0].tier == "workspace" and found[0].kind == "work_item"


async def test_app_edit(make_app, sample):
    root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["soft"])
        await pilot.press("e")
        await settle(pilot, app)
        await pilot.press("end", *" now")  # the title
        await pilot.press("tab", "tab", "tab")  # status, priority, tags
        await pilot.press("end", *", tests")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
    item = tracker(root).show(ids["soft"])
    assert item.title == "Tidy the docs now"
    assert item.tags == ["docs", "tests"]


async def test_app_parent_picker_and_clear(make_app, sample):
    root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["soft"])
        await pilot.press("p")
        await settle(pilot, app)
        await pilot.press(*ids["epic"][:8])
        await settle(pilot, app)
        for _ in range(200):  # the picker searches as each key is typed: wait for its answer
            matches = app.screen.query_one("#matches")
            found = [matches.get_option_at_index(n).id for n in range(matches.option_count)]
            if found and all(i.startswith(ids["epic"][:8]) for i in found) \
                    and matches.highlighted is not None:
                break
            await pilot.pause(0.05)
        await pilot.press("enter")
        await settle(pilot, app)
        assert tracker(root).show(ids["soft"]).parent == ids["epic"]
        await pilot.press("p")
        await settle(pilot, app)
        for _ in range(200):  # the picker is open (a loaded machine can be slow to draw it)
            if app.screen.query("#clear"):
                break
            await pilot.pause(0.05)
        app.clear_notifications()  # "parent set" may still lie over the button
        await pilot.pause(0.1)
        await pilot.click("#clear")
        await settle(pilot, app)
        for _ in range(200):  # the clear is written
            if tracker(root).show(ids["soft"]).parent is None:
                break
            await pilot.pause(0.05)
    assert tracker(root).show(ids["soft"]).parent is None


async def test_app_before_links(make_app, sample):
    root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["soft"])
        await pilot.press("b")
        await settle(pilot, app)
        await pilot.press(*ids["locked"], "enter")
        await settle(pilot, app)
        assert tracker(root).show(ids["soft"]).isbefore == [ids["locked"]]
        await pilot.press("b")
        await settle(pilot, app)
        await pilot.press("-", *ids["locked"], "enter")
        await settle(pilot, app)
    assert tracker(root).show(ids["soft"]).isbefore == []


async def test_app_lock_and_unlock(make_app, sample):
    root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["soft"])
        await pilot.press("l")
        await settle(pilot, app)
        await pilot.press(*"title, priority", "enter")
        await settle(pilot, app)
        assert tracker(root).show(ids["soft"]).locked_fields == {"title", "priority"}
        assert "🔒priority" in screen_text(app)
        await pilot.press("l")
        await settle(pilot, app)
        await pilot.press(*"-title", "enter")
        await settle(pilot, app)
    assert tracker(root).show(ids["soft"]).locked_fields == {"priority"}


async def test_app_freeze_toggle_and_repair_drift(make_app, sample):
    root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["soft"])
        await pilot.press("z")
        await settle(pilot, app)
        assert tracker(root).show(ids["soft"]).frozen
        assert "FROZEN" in screen_text(app)
        await pilot.press("R")
        await settle(pilot, app)
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        await pilot.press("z")
        await settle(pilot, app)
    assert not tracker(root).show(ids["soft"]).frozen


async def test_app_edit_mode_toggle_shows_the_banner(make_app, sample):
    root, _ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        assert "EDIT MODE ON — 29m" in screen_text(app) or "EDIT MODE ON — 30m" in \
            screen_text(app)
        await pilot.press("ctrl+e")
        await settle(pilot, app)
        await pilot.pause(1.2)
        assert "EDIT MODE ON" not in screen_text(app)
    log = root / ".agent" / "tracker-workspace" / ".edit-mode" / "edit-mode.ops"
    text = log.read_text()
    assert "edit-mode-on" in text and "edit-mode-off" in text


async def test_app_read_state_marks(make_app, sample):
    root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["cards"])
        await pilot.press("enter")  # opening it reads it
        await settle(pilot, app)
        assert ids["cards"] not in {r.id for r in _search(root, "is:unread")}
        await pilot.press("u")
        await settle(pilot, app)
        assert ids["cards"] in {r.id for r in _search(root, "is:unread")}
        await pilot.press("u")
        await settle(pilot, app)
    assert ids["cards"] not in {r.id for r in _search(root, "is:unread")}


def _search(root, query):
    from htrac.service.search import search

    return search(tracker(root), query)


async def test_app_copy_uses_osc52(make_app, sample):
    _root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["epic"])
        await pilot.press("ctrl+c")
        await settle(pilot, app)
        assert app.clipboard.startswith(ids["epic"])


async def test_app_reorder_is_kept_in_preferences(make_app, sample):
    root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["locked"])
        before = [r.id for r in app.main.rows]
        await pilot.press("less_than_sign")
        await settle(pilot, app)
        after = [r.id for r in app.main.rows]
        n = before.index(ids["locked"])
        assert after[n - 1] == ids["locked"] and after[n] == before[n - 1]
    prefs = next(p for p in os.environ and __import__("pathlib").Path(
        os.environ["HTRAC_STATE_DIR"]).rglob("tui_preferences.json"))
    assert stat.S_IMODE(prefs.stat().st_mode) == 0o600
    assert json.loads(prefs.read_text())["display_order"][n - 1] == ids["locked"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:  # a new session keeps the order
        await settle(pilot, app)
        await pilot.press("1")
        await settle(pilot, app)
        assert [r.id for r in app.main.rows] == after


async def test_app_links_back_and_forward(make_app, sample):
    _root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["epic"])
        await app.main.goto(ids["cards"])  # what clicking a child's link does
        await settle(pilot, app)
        assert app.main.current_id == ids["cards"]
        await pilot.press("left_square_bracket")
        await settle(pilot, app)
        assert app.main.current_id == ids["epic"]
        await pilot.press("right_square_bracket")
        await settle(pilot, app)
        assert app.main.current_id == ids["cards"]


async def test_app_history_shows_refused_ops(make_app, sample):
    _root, ids = sample
    app = make_app()
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["locked"])
        await pilot.press("H")
        await settle(pilot, app)
        text = screen_text(app)
        assert "History (fold order)" in text and "✗" in text and "refused" in text


async def test_app_board_moves_a_card(make_app, sample):
    root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("3")
        await settle(pilot, app)
        app.main.query_one("#board").focus_item(ids["cards"])
        await settle(pilot, app)
        await pilot.press("shift+right")
        await settle(pilot, app)
    assert tracker(root).show(ids["cards"]).status == "todo_soft"


async def test_app_help_and_palette_list_every_action(make_app):
    from htrac.tui.actions import ACTIONS

    app = make_app()
    async with app.run_test(size=(120, 80)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await settle(pilot, app)
        text = screen_text(app)
        for action in ACTIONS:
            assert action.title in text, action.title
        await pilot.press("escape")
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {a.title for a in ACTIONS} <= titles


async def test_app_screenshot_and_annotation(make_app, sample):
    root, _ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("S")
        await pilot.pause(0.3)
        await pilot.press("r", "right", "a", "l", "u", "l", "enter")
        await settle(pilot, app)
        path = app.last_screenshot
    assert not str(path).startswith(str(root))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    svg = path.read_text()
    assert '<g class="annotations"' in svg and "<rect" in svg and "marker-end" in svg
    annotations = svg[svg.index('<g class="annotations"'):]
    assert annotations.count("<circle") == 1  # the second label was undone


async def test_app_quit(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("q")
        await pilot.pause(0.2)
    assert app.return_code in (0, None)


async def test_app_edit_on_a_stale_version_is_refused(make_app, sample):
    """Someone else changes the item while the edit form is open: the save is refused and
    shown, and what they wrote stays."""
    root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["soft"])
        await pilot.press("e")
        await settle(pilot, app)
        tracker(root).update(ids["soft"], set_={"title": "Changed meanwhile"})
        await pilot.press("end", *" (mine)")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        messages = [n.message for n in app._notifications]
        assert any("changed since you looked" in m for m in messages), messages
    assert tracker(root).show(ids["soft"]).title == "Changed meanwhile"


async def test_app_lock_binds_what_arrived_and_says_so(make_app, sample):
    """A lock is never refused as stale: it commits to what was on screen, and the human is
    told it also binds the op that arrived after they looked."""
    from htrac.core.ops import make_op
    from htrac.core.serialize import serialize_op

    root, ids = sample
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["soft"])
        path = root / ".agent" / "tracker-workspace" / ".ops" / f".{ids['soft']}.ops"
        op = make_op("update", by="agent", actor="beta_agent", clock=50,
                     body={"set": {"priority": 0}})
        path.write_text(path.read_text() + serialize_op(op))
        await pilot.press("l")
        await settle(pilot, app)
        await pilot.press(*"priority", "enter")
        await settle(pilot, app)
        messages = [n.message for n in app._notifications]
        assert any("binds 1 op(s)" in m for m in messages), messages
    assert "priority" in tracker(root).show(ids["soft"]).locked_fields


async def test_app_hostile_text_stays_plain(make_app, sample):
    """Markup, ANSI and newlines an agent wrote are characters on the screen: the fake human
    line sits inside the message's frame, and nothing was clicked or restyled."""
    _root, ids = sample
    app = make_app()
    async with app.run_test(size=(170, 60)) as pilot:
        await settle(pilot, app)
        await go_to(pilot, app, ids["hostile"])
        text = screen_text(app)
        assert "[bold red]Approved[/]" in text and "\\x1b[31mred" in text
        assert "[@click=app.quit]quit[/]" in text
        fake = next(line for line in text.splitlines() if "alice (human):" in line)
        body = fake[fake.index("[2026-01-01") - 2:]
        assert body.startswith("▌ ") or body.startswith("│ ") or body[0] in "▌▐│┃", fake
        messages = app.main.query(".message")
        assert any("alice (human): APPROVED" in str(m.render()) for m in messages)
        head = [str(h.render()) for h in app.main.query(".message-head")]
        assert head == ["□ gamma_agent (agent) 2026-03-01T10:12:00Z"]
        assert app.is_running
