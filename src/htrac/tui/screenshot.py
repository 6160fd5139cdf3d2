"""Screenshots (`S`): an SVG of the screen, saved where only the human can write, and the
annotations drawn on it afterwards, injected into the SVG as one `<g class="annotations">`.

Not `.agent/screenshots` as the reference does: an agent can write there (and plant a symlink
the human's TUI would follow). The directory is this user's private state directory for the
tracker (`<state>/<key>/screenshots`, 0700, checked); files are created 0600, exclusively,
never through a symlink."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from html import escape
from pathlib import Path

from ..store.private import private_dir, tracker_state_dir

# Rich's SVG export: cell size and where the terminal area starts (rich.console.export_svg).
CHAR_W = 20 * 0.61
LINE_H = 20 * 1.22
ORIGIN = (9, 41)
COLOR = "#ff3d7f"


def screenshot_dir(tracker_root: Path) -> Path:
    return private_dir(tracker_state_dir(tracker_root) / "screenshots")


def file_name(item_id: str | None, now: float | None = None) -> str:
    stem = "-".join(item_id.split("-")[:3]) if item_id else "htrac"
    return f"{stem}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime(now))}.svg"


def save_svg(directory: Path, name: str, svg: str) -> Path:
    """Write `svg` as a new file in `directory` (a numbered name if that one exists)."""
    base, n = name[:-4], 0
    while True:
        path = directory / (f"{base}.svg" if n == 0 else f"{base}-{n}.svg")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            n += 1
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(svg)
        return path


def rewrite_svg(path: Path, svg: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(svg)
    os.replace(tmp, path)


@dataclass
class Shape:
    kind: str      # "rect", "arrow" or "label"
    x: int         # cells
    y: int
    w: int = 0
    h: int = 0
    number: int = 0

    def moved(self, dx: int, dy: int) -> Shape:
        return Shape(self.kind, self.x + dx, self.y + dy, self.w, self.h, self.number)


def annotations_svg(shapes: list[Shape]) -> str:
    parts = []
    for s in shapes:
        x, y = s.x * CHAR_W, s.y * LINE_H
        if s.kind == "rect":
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{s.w * CHAR_W:.1f}" '
                         f'height="{s.h * LINE_H:.1f}" fill="none" stroke="{COLOR}" '
                         'stroke-width="3" rx="4"/>')
        elif s.kind == "arrow":
            x2, y2 = (s.x + s.w) * CHAR_W, (s.y + s.h) * LINE_H
            parts.append(f'<line x1="{x:.1f}" y1="{y + LINE_H / 2:.1f}" x2="{x2:.1f}" '
                         f'y2="{y2 + LINE_H / 2:.1f}" stroke="{COLOR}" stroke-width="3" '
                         'marker-end="url(#htrac-arrowhead)"/>')
        else:
            parts.append(f'<circle cx="{x + CHAR_W:.1f}" cy="{y + LINE_H / 2:.1f}" r="11" '
                         f'fill="{COLOR}"/><text x="{x + CHAR_W:.1f}" y="{y + LINE_H / 2 + 5:.1f}"'
                         f' text-anchor="middle" font-size="14" font-weight="bold" '
                         f'fill="white">{escape(str(s.number))}</text>')
    marker = ('<defs><marker id="htrac-arrowhead" markerWidth="10" markerHeight="8" refX="9" '
              f'refY="4" orient="auto"><polygon points="0 0, 10 4, 0 8" fill="{COLOR}"/>'
              '</marker></defs>')
    return (f'<g class="annotations" transform="translate({ORIGIN[0]}, {ORIGIN[1]})">'
            f'{marker}{"".join(parts)}</g>')


def annotate(svg: str, shapes: list[Shape]) -> str:
    """`svg` with the shapes drawn on top (just before the closing tag)."""
    end = svg.rfind("</svg>")
    if end < 0 or not shapes:
        return svg
    return svg[:end] + annotations_svg(shapes) + svg[end:]
