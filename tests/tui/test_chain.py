"""The deps column and the chain highlight: each row says what finishes before it (`← X`) and
what it finishes before (`→ Y`); the rows on a chain of isbefore links through the cursor's
item are marked (↑ what must finish first, ↓ what waits on it, · further away) — and follow
the cursor and the links as they change."""

from __future__ import annotations

import pytest
from tui_pilot import SIZE, go_to, screen_text, settle

from htrac.service.tracker import Tracker
from htrac.tui.chain import DOWN, UP, Links
from htrac.tui.widgets.itemlist import ItemList

pytestmark = pytest.mark.anyio


def test_links_deps_and_chain():
    links = Links({"a": {"b"}, "b": {"c"}, "x": {"c"}, "loop1": {"loop2"},
                   "loop2": {"loop1"}})
    assert links.deps("b") == (["a"], ["c"])
    assert links.deps("c") == (["b", "x"], [])
    assert links.chain("b") == {"a": (UP, 1), "c": (DOWN, 1)}
    assert links.chain("a") == {"b": (DOWN, 1), "c": (DOWN, 2)}
    assert links.chain("c") == {"b": (UP, 1), "x": (UP, 1), "a": (UP, 2)}
    assert links.chain("loop1") == {"loop2": (UP, 1)}
    assert links.chain("nothing") == {} and not Links({})


def _row(app, item_id: str) -> str:
    items = app.main.query_one("#items", ItemList)
    label = items.label(item_id)
    return next(line for line in screen_text(app).splitlines()
                if line[3:].startswith(f"{label} "))  # (after the two marks)


async def test_chain_deps_column_and_highlight(make_app, sample):
    root, ids = sample
    # review is before cards (the sample); cards before epic: a chain review → cards → epic
    Tracker.open(root).update(ids["cards"], add={"isbefore": [ids["epic"]]})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        items = app.main.query_one("#items", ItemList)
        await go_to(pilot, app, ids["cards"])
        review, cards, epic = (items.label(ids[n]) for n in ("review", "cards", "epic"))
        assert f"← {review} → {epic}" in _row(app, ids["cards"])
        assert f"→ {cards}" in _row(app, ids["review"])
        assert f"← {cards}" in _row(app, ids["epic"])
        assert items.chain == {ids["review"]: (UP, 1), ids["epic"]: (DOWN, 1)}
        assert "↑" in _row(app, ids["review"])[:3] and "↓" in _row(app, ids["epic"])[:3]
        assert not {"↑", "↓", "·"} & set(_row(app, ids["soft"])[:3])
        await go_to(pilot, app, ids["epic"])  # the chain follows the cursor
        assert items.chain == {ids["cards"]: (UP, 1), ids["review"]: (UP, 2)}
        assert "·" in _row(app, ids["review"])[:3] and "↑" in _row(app, ids["cards"])[:3]
        await go_to(pilot, app, ids["soft"])  # on no chain: nothing marked
        assert items.chain == {}
        assert not any(m in _row(app, ids["review"])[:3] for m in "↑↓·")
        # a link removed elsewhere leaves the column (the list is read again)
        Tracker.open(root).update(ids["cards"], remove={"isbefore": [ids["epic"]]})
        await app.main.reload()
        await settle(pilot, app)
        assert f"← {review}" in _row(app, ids["cards"]) and epic not in _row(app, ids["cards"])
