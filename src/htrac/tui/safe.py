"""Agent-written text on screen as plain text: it can't restyle the screen, fake a line or act.

Everything an agent can write (titles, messages, descriptions, field values, actor names, tags)
reaches the screen only through these functions, which build Rich `Text` objects — never markup
strings, so `[bold]`, `[@click=…]` and `[link=…]` stay literal characters. Terminal controls
(C0, DEL, C1 — so ANSI escape sequences — and bidirectional overrides) are shown as visible
escapes, as the CLI shows them. In one-line places a newline is shown as `⏎`; in a message a
newline starts a new line *inside* the message's frame (each line after a gutter the header
lines never have), so a message can't pass for another actor's line or for a lock list.
"""

from __future__ import annotations

import re

from rich.text import Text

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f"
                     "\u061c]")


def escape_controls(text: str) -> str:
    if text.isprintable():
        return text
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", text)


def one_line(value: object) -> str:
    """`value` as one line of plain characters (newlines and tabs shown, controls escaped)."""
    text = value if isinstance(value, str) else str(value)
    text = text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎").replace("\t", " ")
    return escape_controls(text)


def plain(value: object, style: str = "") -> Text:
    """A one-line `Text` of `value`, never parsed as markup."""
    return Text(one_line(value), style=style, no_wrap=True, end="")


def lines(value: object) -> list[str]:
    """`value` as plain lines (controls escaped), for multi-line places."""
    text = value if isinstance(value, str) else str(value)
    return [escape_controls(line.replace("\t", "    ")) for line in text.splitlines() or [""]]


def block(value: object, gutter: str = "  │ ", style: str = "") -> Text:
    """Multi-line text, every line after `gutter`: the frame marks where the text is."""
    out = Text(end="")
    for n, line in enumerate(lines(value)):
        if n:
            out.append("\n")
        out.append(gutter, style="dim")
        out.append(line, style=style)
    return out
