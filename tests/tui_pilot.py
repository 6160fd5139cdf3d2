"""What the TUI's pilot tests share: the terminal size, letting keys take effect, moving the
cursor, and the screen as text."""

from __future__ import annotations

from htrac.tui.widgets.itemlist import ItemList

SIZE = (120, 36)


async def settle(pilot, app) -> None:
    """Let the keys take effect: every worker done but the ones waiting on an open form."""
    await pilot.pause(0.05)
    busy = [w for w in app.workers if w.group != "form"]
    if busy:  # (an empty list would mean every worker)
        await app.workers.wait_for_complete(busy)
    await pilot.pause(0.05)


async def go_to(pilot, app, item_id: str) -> None:
    """Show every item (list view, no filter) and put the cursor on `item_id`."""
    screen = app.main
    if screen.view != "list":
        await pilot.press("1")
        await settle(pilot, app)
    assert screen.query_one("#items", ItemList).move_to(item_id)
    await settle(pilot, app)
    assert screen.current_id == item_id


def screen_text(app) -> str:
    return "\n".join("".join(s.text for s in strip)
                     for strip in app.screen._compositor.render_strips())
