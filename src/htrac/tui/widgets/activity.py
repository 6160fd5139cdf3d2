"""The activity feed: the latest ops across the tracker — when, who, what, on which item."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...service.opsummary import describe
from ..safe import one_line


class ActivityLog(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    ActivityLog { background: $surface; }
    ActivityLog > .activity--cursor { background: $accent 40%; }
    """
    COMPONENT_CLASSES = {"activity--cursor"}
    BINDINGS = [Binding("up,k", "cursor(-1)", show=False), Binding("down,j", "cursor(1)",
                                                                    show=False),
                Binding("enter", "open", "Open item", show=False)]

    class Open(Message):
        def __init__(self, item_id: str) -> None:
            super().__init__()
            self.item_id = item_id

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries: list = []
        self.cursor = 0
        self.label = str

    def set_entries(self, entries: list, label=str) -> None:
        current = self.entries[self.cursor] if self.entries else None
        self.entries = entries
        self.label = label
        self.virtual_size = Size(self.size.width, len(entries))
        if current is not None:
            key = (current.item_id, current.op.nonce)
            self.cursor = next((n for n, e in enumerate(entries)
                                if (e.item_id, e.op.nonce) == key), 0)
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        if self.entries:
            self.cursor = max(0, min(self.cursor + delta, len(self.entries) - 1))
            self.scroll_to_region_y()
            self.refresh()

    def scroll_to_region_y(self) -> None:
        top, height = self.scroll_offset.y, max(self.size.height, 1)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def action_open(self) -> None:
        if self.entries:
            self.post_message(self.Open(self.entries[self.cursor].item_id))

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.entries):
            self.cursor = index
            self.refresh()
            if event.chain >= 2:
                self.action_open()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        if index >= len(self.entries):
            return Strip.blank(width, self.rich_style)
        entry = self.entries[index]
        op = entry.op
        human = op.by == "human"
        segments = [
            Segment(one_line(op.at).replace("T", " ")[:19] + " ", Style(dim=True)),
            Segment(one_line(op.actor)[:16].ljust(16) + " ",
                    Style(color="green" if human else "yellow")),
            Segment(self.label(entry.item_id)[:18].ljust(18) + " ", Style(color="bright_blue")),
            Segment(one_line(describe(op.type, op.body))),
        ]
        strip = Strip(segments).apply_style(self.rich_style).crop_extend(0, width,
                                                                          self.rich_style)
        if index == self.cursor and self.has_focus:
            strip = strip.apply_style(self.get_component_rich_style("activity--cursor"))
        return strip
