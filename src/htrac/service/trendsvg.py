"""The priority-trend chart as SVG: two panels over one time axis, each labelled where its line
is — the number of open items on top, their mean priority below — so nothing needs a legend.

Priority 0 is the most urgent, so the priority panel's scale runs downwards: a line going up
means the open work got more urgent. Days with nothing open leave a gap. Plain SVG 1.1, no
script, no external fonts or references: safe to open anywhere.
"""

from __future__ import annotations

import math
from html import escape

from .trend import Point

WIDTH, HEIGHT = 960, 560
LEFT, RIGHT = 76, 870  # plot area; the right margin holds the end labels
OPEN_TOP, OPEN_BOTTOM = 84, 250
PRIO_TOP, PRIO_BOTTOM = 318, 470
INK, GRID, MUTED = "#222222", "#e3e3e3", "#666666"
OPEN_COLOUR, OPEN_FILL, PRIO_COLOUR = "#1f6fb5", "#dbe9f6", "#c2571a"


def render(points: list[Point]) -> str:
    if not points:
        return _frame(["<text x='480' y='280' text-anchor='middle' fill='#666666'>"
                       "No items yet: nothing to chart.</text>"], "no data")
    n = len(points)

    def x(i: int) -> float:
        return (LEFT + RIGHT) / 2 if n == 1 else LEFT + (RIGHT - LEFT) * i / (n - 1)

    out: list[str] = []
    out += _x_grid(points, x)
    out += _open_panel(points, x)
    out += _priority_panel(points, x)
    first, last = points[0].day, points[-1].day
    out.append(f"<text x='{LEFT}' y='{HEIGHT - 28}' fill='{MUTED}'>"
               f"{n} day(s), {first} to {last} (UTC); each point is the state at the end of "
               f"its day. Open = any status that is not resolved.</text>")
    return _frame(out, f"{first} to {last}")


def _frame(body: list[str], span: str) -> str:
    head = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}' "
            f"viewBox='0 0 {WIDTH} {HEIGHT}' font-family='DejaVu Sans, Arial, sans-serif' "
            "font-size='12'>",
            f"<title>Open tracker items and their mean priority per day, {escape(span)}</title>",
            f"<rect width='{WIDTH}' height='{HEIGHT}' fill='#ffffff'/>",
            f"<text x='{LEFT}' y='34' font-size='17' font-weight='bold' fill='{INK}'>"
            "Open items and their mean priority, per day</text>"]
    return "\n".join([*head, *body, "</svg>"]) + "\n"


def _x_grid(points: list[Point], x) -> list[str]:
    n = len(points)
    count = min(n, 7)
    ticks = sorted({round(i * (n - 1) / (count - 1)) for i in range(count)}) if count > 1 else [0]
    out = []
    for i in ticks:
        px = f"{x(i):.1f}"
        for top, bottom in ((OPEN_TOP, OPEN_BOTTOM), (PRIO_TOP, PRIO_BOTTOM)):
            out.append(f"<line x1='{px}' y1='{top}' x2='{px}' y2='{bottom}' stroke='{GRID}'/>")
        out.append(f"<line x1='{px}' y1='{PRIO_BOTTOM}' x2='{px}' y2='{PRIO_BOTTOM + 5}' "
                   f"stroke='{INK}'/>")
        out.append(f"<text x='{px}' y='{PRIO_BOTTOM + 20}' text-anchor='middle' "
                   f"fill='{INK}'>{points[i].day}</text>")
    return out


def _open_panel(points: list[Point], x) -> list[str]:
    top = max(p.open for p in points)
    step, high = _nice(0, max(top, 1))

    def y(value: float) -> float:
        return OPEN_BOTTOM - (OPEN_BOTTOM - OPEN_TOP) * value / high

    out = [f"<text x='{LEFT}' y='{OPEN_TOP - 14}' font-size='14' font-weight='bold' "
           f"fill='{OPEN_COLOUR}'>Open items</text>"]
    out += _y_ticks([i * step for i in range(int(round(high / step)) + 1)], y,
                    lambda v: f"{v:g}")
    line = " ".join(f"{x(i):.1f},{y(p.open):.1f}" for i, p in enumerate(points))
    area = (f"{x(0):.1f},{OPEN_BOTTOM} {line} {x(len(points) - 1):.1f},{OPEN_BOTTOM}")
    out.append(f"<polygon points='{area}' fill='{OPEN_FILL}'/>")
    out.append(f"<polyline points='{line}' fill='none' stroke='{OPEN_COLOUR}' "
               "stroke-width='2' stroke-linejoin='round'/>")
    last = points[-1]
    out += _end_label(x(len(points) - 1), y(last.open), f"{last.open} open", OPEN_COLOUR)
    out.append(f"<line x1='{LEFT}' y1='{OPEN_BOTTOM}' x2='{RIGHT}' y2='{OPEN_BOTTOM}' "
               f"stroke='{INK}'/>")
    return out


def _priority_panel(points: list[Point], x) -> list[str]:
    values = [p.mean_priority for p in points if p.mean_priority is not None]
    out = [f"<text x='{LEFT}' y='{PRIO_TOP - 14}' font-size='14' font-weight='bold' "
           f"fill='{PRIO_COLOUR}'>Mean priority of open items</text>",
           f"<text x='{LEFT + 232}' y='{PRIO_TOP - 14}' fill='{MUTED}'>P0 is the most urgent: "
           "up means more urgent</text>"]
    if not values:
        out.append(f"<text x='{(LEFT + RIGHT) / 2}' y='{(PRIO_TOP + PRIO_BOTTOM) / 2}' "
                   f"text-anchor='middle' fill='{MUTED}'>nothing open</text>")
        return out
    low, high = max(0.0, min(values)), min(4.0, max(values))
    if high - low < 0.5:
        middle = (low + high) / 2
        low, high = max(0.0, middle - 0.25), min(4.0, middle + 0.25)
    step, _ = _nice(low, high)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step

    def y(value: float) -> float:  # downwards: the smallest (most urgent) value at the top
        return PRIO_TOP + (PRIO_BOTTOM - PRIO_TOP) * (value - low) / ((high - low) or 1)

    ticks = [low + i * step for i in range(int(round((high - low) / step)) + 1)]
    out += _y_ticks(ticks, y, lambda v: f"P{v:.2f}".rstrip("0").rstrip("."))
    runs: list[list[str]] = [[]]
    for i, p in enumerate(points):
        if p.mean_priority is None:
            runs.append([])
        else:
            runs[-1].append(f"{x(i):.1f},{y(p.mean_priority):.1f}")
    for run in runs:
        if len(run) == 1:
            cx, cy = run[0].split(",")
            out.append(f"<circle cx='{cx}' cy='{cy}' r='2.5' fill='{PRIO_COLOUR}'/>")
        elif run:
            out.append(f"<polyline points='{' '.join(run)}' fill='none' "
                       f"stroke='{PRIO_COLOUR}' stroke-width='2' stroke-linejoin='round'/>")
    last_i = max(i for i, p in enumerate(points) if p.mean_priority is not None)
    last = points[last_i].mean_priority
    out += _end_label(x(last_i), y(last), f"P{last:.2f}", PRIO_COLOUR)
    out.append(f"<line x1='{LEFT}' y1='{PRIO_BOTTOM}' x2='{RIGHT}' y2='{PRIO_BOTTOM}' "
               f"stroke='{INK}'/>")
    return out


def _y_ticks(values: list[float], y, label) -> list[str]:
    out = []
    for value in values:
        py = f"{y(value):.1f}"
        out.append(f"<line x1='{LEFT}' y1='{py}' x2='{RIGHT}' y2='{py}' stroke='{GRID}'/>")
        out.append(f"<text x='{LEFT - 8}' y='{float(py) + 4:.1f}' text-anchor='end' "
                   f"fill='{INK}'>{escape(label(value))}</text>")
    return out


def _end_label(px: float, py: float, text: str, colour: str) -> list[str]:
    return [f"<circle cx='{px:.1f}' cy='{py:.1f}' r='3.5' fill='{colour}'/>",
            f"<text x='{px + 8:.1f}' y='{py + 4:.1f}' font-weight='bold' fill='{colour}'>"
            f"{escape(text)}</text>"]


def _nice(low: float, high: float, ticks: int = 4) -> tuple[float, float]:
    """A round step (1, 2 or 5 × 10^n) for about `ticks` intervals, and the top it reaches."""
    span = (high - low) or 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return step, math.ceil(high / step) * step
