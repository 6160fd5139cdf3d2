"""The item list (table or tree): draws only the rows on screen, so 100,000 items cost what 50 do.

Rows are `Listing` tuples from the index. The cursor and the scroll position are kept by item ID
when the rows change (a live update, a new filter), so the human never loses their place.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core.predicates import unread_listing
from ..chain import UP, Links
from ..safe import one_line
from ..shortids import ShortIds

# the chain through the selected item: what finishes before it (up), what waits on it (down)
CHAIN_STYLE = {(UP, True): Style(color="dark_orange", bold=True),
               (UP, False): Style(color="orange4"),
               ("down", True): Style(color="green3", bold=True),
               ("down", False): Style(color="dark_green")}
BEFORE_STYLE = Style(color="dark_orange", bold=True)  # `← X`: X finishes before this row
AFTER_STYLE = Style(color="green3", bold=True)  # `→ Y`: this row finishes before Y

DEPS_WIDTH, TITLE_ROOM = 26, 20

STATUS_STYLE = {"todo_hard": "bold red", "todo_soft": "yellow", "in_progress": "cyan",
                "needs_human_review": "bold magenta", "done": "green", "wont_do": "dim",
                "deleted": "dim strike"}


class ItemList(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    ItemList { background: $surface; }
    ItemList > .itemlist--cursor { background: $accent 40%; }
    ItemList > .itemlist--header { color: $text-muted; text-style: bold; }
    """
    COMPONENT_CLASSES = {"itemlist--cursor", "itemlist--header"}
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "edge(0)", show=False),
        Binding("end", "edge(1)", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    class Highlighted(Message):
        def __init__(self, row) -> None:
            super().__init__()
            self.row = row

    class Selected(Message):
        def __init__(self, row) -> None:
            super().__init__()
            self.row = row

    cursor = reactive(0, always_update=True, repaint=True)
    width_class = reactive("standard")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list = []
        self.depths: list[int] = []
        self.tree_mode = False
        self.full_ids = False
        self.read_marks: dict = {}
        self.holds: dict = {}  # claims on the rows as of now (service.holdings), by item ID
        self._held_width = 0  # 0: no row is claimed, no "held by" column
        self.labels: ShortIds | None = None  # short IDs among every ID in the tracker
        self.links: Links | None = None  # the isbefore links (the deps column, the chain)
        self.chain: dict[str, tuple[str, int]] = {}  # through the cursor's item
        self._last_highlight: str | None = None
        self._widths = (8, 12)

    # -- data ---------------------------------------------------------------------------------

    def set_ids(self, ids: list[str]) -> None:
        """Every ID in the tracker, sorted: what the short labels are unique among."""
        self.labels = ShortIds(ids)

    def set_links(self, links: Links | None) -> None:
        """The isbefore links of every item: the deps column and the chain highlight."""
        self.links = links
        self._follow_chain()
        self.refresh()

    def _follow_chain(self) -> None:
        row = self.current
        self.chain = self.links.chain(row.id) if self.links and row is not None else {}

    def knows(self, ids) -> bool:
        """Whether every one of `ids` is among the IDs the labels are worked out from."""
        return self.labels is not None and all(i in self.labels for i in ids)

    def set_rows(self, rows: list, *, tree: bool | None = None) -> None:
        """Show `rows`, keeping the cursor on the same item and the scroll where it was."""
        current = self.current
        if tree is not None:
            self.tree_mode = tree
        self.rows, self.depths = (_as_tree(rows) if self.tree_mode
                                  else (list(rows), [0] * len(rows)))
        self._measure()
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        index = 0
        if current is not None:
            index = next((n for n, r in enumerate(self.rows) if r.id == current.id),
                         min(self.cursor, max(len(self.rows) - 1, 0)))
        self.cursor = index
        self._keep_visible()
        self.refresh()
        self._highlight()

    @property
    def current(self):
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def move_to(self, item_id: str) -> bool:
        for n, row in enumerate(self.rows):
            if row.id == item_id:
                self.cursor = n
                self._keep_visible()
                self._highlight()
                return True
        return False

    def label(self, item_id: str) -> str:
        if self.full_ids or self.labels is None:
            return item_id
        return self.labels(item_id)

    # -- keys ---------------------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        self._go(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._go(self.cursor + direction * max(self.size.height - 2, 1))

    def action_edge(self, end: int) -> None:
        self._go(len(self.rows) - 1 if end else 0)

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current))

    def _go(self, index: int) -> None:
        if not self.rows:
            return
        self.cursor = max(0, min(index, len(self.rows) - 1))
        self._keep_visible()
        self._highlight()

    def _keep_visible(self) -> None:
        height = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def _highlight(self) -> None:
        row = self.current
        key = row and (row.id, row.tier, row)
        if key != self._last_highlight:
            if self.links:
                was = self.chain
                self._follow_chain()
                if was or self.chain:  # rows on the old or the new chain change colour
                    self.refresh()
            self._last_highlight = key
            self.post_message(self.Highlighted(row))

    def on_click(self, event) -> None:
        y = event.y
        if y >= 1:
            self._go(self.scroll_offset.y + y - 1)
            if event.chain >= 2:
                self.action_select()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)

    # -- drawing ------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._strip(self._header(), width, self.get_component_rich_style(
                "itemlist--header"))
        index = self.scroll_offset.y + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        style = self.get_component_rich_style("itemlist--cursor") \
            if index == self.cursor else None
        strip = self._strip(self._cells(index), width, style)
        if self._wider_labels():  # a row scrolled in needs a wider ID column
            self.call_later(self._remeasure)
        return strip

    def _wider_labels(self) -> bool:
        return (not self.full_ids and self.labels is not None
                and min(self.labels.widest, 24) > self._widths[0])

    def _remeasure(self) -> None:
        self._measure()
        self.refresh()

    def _columns(self) -> list[tuple[str, int]]:
        id_width, status_width = self._widths
        columns = [("", 2), ("ID", id_width), ("status", status_width), ("P", 3)]
        if self.width_class == "wide":
            columns += [("tier", 9), ("updated", 16)]
        elif self.width_class == "compact":
            columns = [("", 2), ("ID", min(id_width, 14)), ("status", min(status_width, 11)),
                       ("P", 3)]
        if self._held_width:
            columns.append(("held by", self._held_width))
        if self.links and self.width_class != "compact":
            # as wide as leaves the title TITLE_ROOM columns, up to DEPS_WIDTH; else none
            used = sum(w + 1 for _n, w in columns) + 1
            deps = min(DEPS_WIDTH, self.size.width - used - TITLE_ROOM)
            if deps >= 10:
                columns.insert(4, ("deps", deps))
        return columns + [("title", 0)]

    def _measure(self) -> None:
        """Columns as wide as the longest ID label (of the rows on screen and any seen before)
        and status shown (within bounds)."""
        top = self.scroll_offset.y
        for row in self.rows[top:top + max(self.size.height, 50)]:
            self.label(row.id)  # short IDs are worked out for the rows on screen only
        labels = max(self.labels.widest, 8) if self.labels else 52
        statuses = max((len(r.status or "damaged") for r in self.rows), default=6)
        self._widths = (52 if self.full_ids else min(labels, 24), min(max(statuses, 6), 18))
        held = [cell_len(self._holder(h)[0]) for r in self.rows if (h := self.holds.get(r.id))]
        self._held_width = min(max([*held, len("held by")]), 22) if held else 0

    def _header(self) -> list[tuple[str, Style | None]]:
        return [(_fit(name, w) if w else name, None) for name, w in self._columns()]

    def _cells(self, index: int) -> list[tuple[str, Style | None]]:
        row = self.rows[index]
        chained = self.chain.get(row.id)
        on_chain = CHAIN_STYLE[chained[0], chained[1] == 1] if chained else None
        cells = []
        for name, width in self._columns():
            if name == "deps":
                cells.append((self._deps(row.id, width), None))
                continue
            text, style = self._cell(row, name, index)
            if name == "" and chained:  # the second mark: where on the chain
                text = (text or " ")[:1] + ("·" if chained[1] > 1 else
                                            "↑" if chained[0] == UP else "↓")
                style = on_chain
            cells.append((_fit(text, width) if width else text, on_chain or style))
        return cells

    def _deps(self, item_id: str, width: int) -> list[tuple[str, Style | None]]:
        """`← X` for each item that finishes before this one, `→ Y` for each it finishes
        before — as many as fit in `width` (pieces of one cell, `width` wide in all)."""
        before, after = self.links.deps(item_id) if self.links else ([], [])
        pieces = [(f"← {self.label(i)}", BEFORE_STYLE) for i in before] + \
                 [(f"→ {self.label(i)}", AFTER_STYLE) for i in after]
        out: list[tuple[str, Style | None]] = []
        left = width
        for n, (text, style) in enumerate(pieces):
            text = (" " if n else "") + text
            if cell_len(text) > left:  # no room for all: cut, and say so
                text = _fit(text, left - 1) + "…" if left > 1 else ""
            out.append((text, style))
            left -= cell_len(text)
            if left <= 0:
                break
        return out + [(" " * left, None)] if left > 0 else out

    def _cell(self, row, name: str, index: int) -> tuple[str, Style | None]:
        if name == "":
            if row.damaged:
                return "!", Style(color="red", bold=True)
            if unread_listing(row, self.read_marks):
                return "●", Style(color="blue", bold=True)
            if row.frozen:
                return "❄", Style(color="cyan")
            return ("⚑", Style(color="magenta")) if row.rejected else ("", None)
        if name == "ID":
            return self.label(row.id), Style(color="bright_blue")
        if name == "status":
            status = row.status or ("damaged" if row.damaged else "")
            return one_line(status), Style.parse(STATUS_STYLE.get(row.status, ""))
        if name == "P":
            return f"P{row.priority}", Style(bold=row.priority <= 1)
        if name == "held by":
            held = self.holds.get(row.id)
            return self._holder(held) if held is not None else ("", None)
        if name == "tier":
            return row.tier, Style(dim=True)
        if name == "updated":
            return row.updated_at.replace("T", " ")[:16], Style(dim=True)
        indent = "  " * self.depths[index] + ("└ " if self.depths[index] else "")
        return indent + one_line(row.title), None

    @staticmethod
    def _holder(held) -> tuple[str, Style]:
        """`bob_agent 14m` (lease left), or `bob_agent stale` when the lease ran out."""
        from ...core.lease import describe_left

        actor = one_line(held.claim.actor)
        if held.live:
            return f"{actor} {describe_left(held.lease.seconds_left)}", Style(color="green")
        return f"{actor} stale", Style(color="red", bold=True)

    def set_holds(self, holds: dict) -> None:
        """The same claims judged again (their leases run down): redraw, keep everything."""
        self.holds = holds
        self._measure()
        self.refresh()

    def _strip(self, cells, width: int, line_style: Style | None) -> Strip:
        segments = []
        for text, style in cells:
            if isinstance(text, list):  # a cell of pieces styled each its own way
                segments.extend(Segment(piece, piece_style) for piece, piece_style in text)
            else:
                segments.append(Segment(text, style))
            segments.append(Segment(" "))
        strip = Strip(segments).apply_style(self.rich_style).crop_extend(0, width,
                                                                          self.rich_style)
        if line_style is not None:
            strip = strip.apply_style(line_style)
        return strip


def _fit(text: str, width: int) -> str:
    from rich.cells import set_cell_size

    return set_cell_size(text, width) if cell_len(text) != width else text


def _as_tree(rows: list) -> tuple[list, list[int]]:
    """Rows under their parents (depth-first, each level in the rows' order); a row whose
    parent is not among `rows` is a root."""
    present = {r.id for r in rows}
    children: dict[str | None, list] = {}
    for row in rows:
        parent = row.parent if row.parent in present and row.parent != row.id else None
        children.setdefault(parent, []).append(row)
    out, depths, seen = [], [], set()
    stack = [(r, 0) for r in reversed(children.get(None, []))]
    while stack:
        row, depth = stack.pop()
        if (row.tier, row.id) in seen:
            continue
        seen.add((row.tier, row.id))
        out.append(row)
        depths.append(depth)
        stack.extend((c, depth + 1) for c in reversed(children.get(row.id, [])))
    for row in rows:  # a parent cycle has no root: show those at the top level
        if (row.tier, row.id) not in seen:
            seen.add((row.tier, row.id))
            out.append(row)
            depths.append(0)
    return out, depths
