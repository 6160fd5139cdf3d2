"""The detail pane's field lines: a name never runs into its value."""

from __future__ import annotations

from htrac.core.item import Item
from htrac.tui.widgets.detail import _fields


def test_detail_field_names_wider_than_the_column_keep_a_gap():
    item = Item(id="WI-x", kind="work_item", title="t", status="todo_hard",
                duplicate_of=["WI-other"], fields={"statementLogin": "lock the door", "ab": "c"},
                locked_fields={"fields.statementLogin"})
    lines = _fields(item).plain.splitlines()
    assert "🔒fields.statementLogin  lock the door" in lines
    assert "  duplicate_of  WI-other" in lines
    assert "  fields.ab   c" in lines  # a short name still pads to the column
