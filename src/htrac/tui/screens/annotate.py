"""The annotation overlay after a screenshot: `r` rectangle, `a` arrow, `l` numbered label at
the cursor; arrows move the cursor or nudge the last shape, shift+arrows resize it; `u` undoes;
Enter writes the annotations into the SVG, Esc leaves the screenshot as it was."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widget import Widget

from ..screenshot import Shape

PINK = Style(color="#ff3d7f", bold=True)


class Canvas(Widget):
    DEFAULT_CSS = "Canvas { width: 100%; height: 100%; background: transparent; }"

    def __init__(self, under: list[Strip]) -> None:
        super().__init__()
        self.under = under
        self.shapes: list[Shape] = []
        self.cursor = (2, 2)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.under[y] if y < len(self.under) else Strip.blank(width)
        cx, cy = self.cursor
        row = {x: v for (x, yy), v in _row_cells(self.shapes, y).items()}
        if cy == y:
            row[cx] = ("✚", Style(color="yellow", bold=True))
        if not row:
            return base.crop_extend(0, width, None)
        segments = list(base.crop_extend(0, width, None))
        chars = []
        for segment in segments:
            for ch in segment.text:
                chars.append((ch, segment.style))
        chars = chars[:width] + [(" ", None)] * (width - len(chars))
        for x, value in row.items():
            if 0 <= x < width:
                chars[x] = value
        return Strip([Segment(ch, style) for ch, style in chars])


def _row_cells(shapes: list[Shape], y: int) -> dict:
    out = {}
    for s in shapes:
        if s.kind == "rect":
            top, bottom, left, right = s.y, s.y + s.h - 1, s.x, s.x + s.w - 1
            if y in (top, bottom):
                for x in range(left, right + 1):
                    corner = {(left, top): "┏", (right, top): "┓", (left, bottom): "┗",
                              (right, bottom): "┛"}.get((x, y), "━")
                    out[(x, y)] = (corner, PINK)
            elif top < y < bottom:
                out[(left, y)] = ("┃", PINK)
                out[(right, y)] = ("┃", PINK)
        elif s.kind == "arrow" and y == s.y:
            for x in range(s.x, s.x + max(s.w, 1)):
                out[(x, y)] = ("━", PINK)
            out[(s.x + max(s.w, 1), y)] = ("▶", PINK)
        elif s.kind == "label" and y == s.y:
            out[(s.x, y)] = (f"{s.number}"[-1], Style(color="white", bgcolor="#ff3d7f",
                                                      bold=True))
    return out


class AnnotateScreen(ModalScreen):
    DEFAULT_CSS = "AnnotateScreen { background: transparent; }"
    BINDINGS = [
        Binding("r", "add('rect')", "Rectangle"), Binding("a", "add('arrow')", "Arrow"),
        Binding("l", "add('label')", "Label"), Binding("u", "undo", "Undo"),
        Binding("up", "nudge(0,-1)", show=False), Binding("down", "nudge(0,1)", show=False),
        Binding("left", "nudge(-1,0)", show=False), Binding("right", "nudge(1,0)", show=False),
        Binding("shift+up", "grow(0,-1)", show=False),
        Binding("shift+down", "grow(0,1)", show=False),
        Binding("shift+left", "grow(-1,0)", show=False),
        Binding("shift+right", "grow(1,0)", show=False),
        Binding("enter", "confirm", "Save"), Binding("escape", "discard", "Discard"),
    ]

    def __init__(self, under: list[Strip]) -> None:
        super().__init__()
        self.canvas = Canvas(under)

    def compose(self):
        yield self.canvas

    def action_add(self, kind: str) -> None:
        x, y = self.canvas.cursor
        number = sum(1 for s in self.canvas.shapes if s.kind == "label") + 1
        size = {"rect": (12, 3), "arrow": (8, 0), "label": (1, 1)}[kind]
        self.canvas.shapes.append(Shape(kind, x, y, *size, number=number))
        self.canvas.refresh()

    def action_undo(self) -> None:
        if self.canvas.shapes:
            self.canvas.shapes.pop()
            self.canvas.refresh()

    def action_nudge(self, dx: int, dy: int) -> None:
        if self.canvas.shapes:
            self.canvas.shapes[-1] = self.canvas.shapes[-1].moved(dx, dy)
        x, y = self.canvas.cursor
        self.canvas.cursor = (max(0, x + dx), max(0, y + dy))
        self.canvas.refresh()

    def action_grow(self, dx: int, dy: int) -> None:
        if self.canvas.shapes:
            s = self.canvas.shapes[-1]
            s.w = max(1, s.w + dx)
            s.h = max(0 if s.kind == "arrow" else 1, s.h + dy)
            self.canvas.refresh()

    def action_confirm(self) -> None:
        self.dismiss(list(self.canvas.shapes))

    def action_discard(self) -> None:
        self.dismiss(None)
