"""The board: a column per status, a card per item; shift+left/right asks to move the card."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message

from ..safe import one_line
from .itemlist import ItemList


class BoardColumn(ItemList):
    """One status's cards: the item list, drawn as one-line cards."""

    DEFAULT_CSS = """
    BoardColumn { width: 1fr; border-right: vkey $foreground 20%; }
    BoardColumn:focus { background: $boost; }
    """

    # The board's keys, here so the column's own scrolling bindings don't take them.
    BINDINGS = [
        Binding("left", "board('column', -1)", "Left", show=False),
        Binding("right", "board('column', 1)", "Right", show=False),
        Binding("shift+left", "board('move', -1)", "Move card left", show=True),
        Binding("shift+right", "board('move', 1)", "Move card right", show=True),
    ]

    def __init__(self, status: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.status = status

    def action_board(self, what: str, delta: int) -> None:
        board = self.parent
        getattr(board, f"action_{what}")(delta)

    HOLDER_FROM = 26  # a column this wide names holders; a narrower one only marks the card

    def _columns(self):
        named = self._held_width and self.size.width >= self.HOLDER_FROM
        held = [("held by", min(self._held_width, 11))] if named else []
        return [("", 2), ("P", 3), *held, ("title", 0)]

    @staticmethod
    def _holder(held):
        """A card's holder: the actor (◇ first when the lease ran out: stale)."""
        from rich.style import Style

        actor = one_line(held.claim.actor)
        if held.live:
            return actor, Style(color="green")
        return f"◇{actor}", Style(color="red", bold=True)

    def _header(self):
        # the focused column says so in text too (a terminal without colours, a screen reader)
        mark = "▸" if self.has_focus else " "
        return [(f"{mark}{self.status} ({len(self.rows)})", None)]

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def _cell(self, row, name: str, index: int):
        held = self.holds.get(row.id)
        if name == "" and held is not None and not row.damaged:
            from rich.style import Style

            # the mark a narrow card has room for: held (◆), or held on a lease that ran out (◇)
            return ("◆", Style(color="green")) if held.live else (
                "◇", Style(color="red", bold=True))
        if name == "title":
            return one_line(row.title) or self.label(row.id), None
        return super()._cell(row, name, index)


class Board(Horizontal):
    DEFAULT_CSS = "Board { height: 1fr; }"
    class MoveCard(Message):
        def __init__(self, row, status: str) -> None:
            super().__init__()
            self.row = row
            self.status = status

    def __init__(self, statuses: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.statuses = list(statuses)

    def compose(self):
        for n, status in enumerate(self.statuses):
            yield BoardColumn(status, id=f"board-col-{n}")

    def columns(self) -> list[BoardColumn]:
        return list(self.query(BoardColumn))

    def set_rows(self, rows: list, read_marks: dict, full_ids: bool,
                 holds: dict | None = None, labels=None) -> None:
        """`labels`: the list's short IDs (`ShortIds`), the same on every card."""
        by_status: dict[str, list] = {s: [] for s in self.statuses}
        for row in rows:
            status = "damaged" if row.damaged else row.status
            if status in by_status:
                by_status[status].append(row)
        for column in self.columns():
            column.read_marks = read_marks
            column.full_ids = full_ids
            column.labels = labels
            column.holds = holds or {}
            column.set_rows(by_status[column.status])

    def set_holds(self, holds: dict) -> None:
        for column in self.columns():
            column.set_holds(holds)

    def focused_column(self) -> BoardColumn | None:
        focused = self.screen.focused
        return focused if isinstance(focused, BoardColumn) else None

    def action_column(self, delta: int) -> None:
        columns = self.columns()
        current = self.focused_column()
        index = columns.index(current) if current in columns else 0
        columns[(index + delta) % len(columns)].focus()

    def action_move(self, delta: int) -> None:
        column = self.focused_column()
        if column is None or column.current is None:
            return
        index = self.statuses.index(column.status) + delta
        if column.status != "damaged" and 1 <= index < len(self.statuses):
            self.post_message(self.MoveCard(column.current, self.statuses[index]))

    def focus_item(self, item_id: str) -> None:
        for column in self.columns():
            if column.move_to(item_id):
                column.focus()
                return

