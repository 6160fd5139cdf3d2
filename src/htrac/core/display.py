"""How text someone else wrote is printed, so that it can't pose as the printer's own output.

Titles, messages, descriptions, tags, field names and values, actor names — everything read
out of an ops file — were written by whoever wrote the op, an agent included. A printer sets
them into lines of its own (an item's header, `[at] alice (human): …`, `locked: […]`), and
whoever reads the output trusts those lines. One rule, for every printer of every surface
that prints text (show, discuss, check-messages, list, deps, the hook texts, guidance,
validate, doctor, error messages):

1. **Nothing reaches the terminal raw.** Control characters (C0 — in a block a tab is kept —,
   DEL, C1), the line and paragraph separators U+2028/U+2029 and the bidirectional controls
   are shown as escapes (`\\x1b`, `\\u2028`); so is the continuation mark itself.
2. **`inline(text)`: one line.** A line break is shown as `\\n`, a tab as `\\t` (kept in
   guidance notes, as the reference keeps it).
3. **`block(text, indent)`: several lines.** Every line after the first starts with `indent`
   and the continuation mark `┆ `, which content can't produce at the start of a line (it never
   starts a line, and a `┆` in it is escaped). So a line of output that doesn't start with the
   mark is the printer's own, whatever anyone wrote.
4. **`name(text)`: a name inside a printer's line** (an actor, a tag, a field name, a list
   element, a timestamp). A plain name (letters, digits, `_ . : @ + -`) is printed as it is;
   anything else is quoted and escaped (`"alice (human): ok"`), so a name can't carry a second
   actor label, a list separator or a closing bracket into the line.

What this does not do: a terminal soft-wraps a long line wherever its width falls, so spaces
can push content to the left edge of a *screen row*; such a row is still part of the line
before it (`--json` shows the exact values).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MARK = "\u2506"  # ┆ — starts every continuation line a block prints
CONTINUATION = MARK + " "

# C0 controls but tab and newline (handled per mode), DEL, C1, the line and paragraph
# separators, the bidirectional controls (LRM/RLM/ALM, embeddings, overrides, isolates), and
# the continuation mark so that only a printer can put it at the start of a line.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                     "\u202a-\u202e\u2066-\u2069" + MARK + "]")
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:@+-]{0,127}")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _safe(text: str) -> str:
    """Every unsafe character as an escape; newlines and tabs left to the caller."""
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to escape
    return _UNSAFE.sub(_escape, text)


def inline(text: str, limit: int = 0, *, tabs: bool = False) -> str:
    """`text` as part of one line: nothing in it can break the line or drive the terminal.
    `limit` cuts it to that many characters (the last one `…`); `tabs` keeps tabs (where a
    file must read as the reference writes it: a tab can't start a line)."""
    text = _safe(str(text)).replace("\n", "\\n")
    if not tabs:
        text = text.replace("\t", "\\t")
    if limit and len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    return text


def own_lines(text: str) -> str:
    """htrac's own multi-line text (an error naming candidates, a warning) made safe line by
    line; what others wrote inside it was set in with `inline` or `name`."""
    return "\n".join(inline(part) for part in str(text).split("\n"))


def block(text: str, indent: str = "") -> str:
    """`text` over several lines: each line after the first starts with `indent` and `┆ `."""
    lines = _safe(str(text)).split("\n")
    return ("\n" + indent + CONTINUATION).join(lines)


def name(text: str) -> str:
    """A name set into a printer's line: as it is when plain, else quoted and escaped."""
    text = str(text)
    if _PLAIN.fullmatch(text):
        return text
    return '"' + inline(text.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def names(values: Iterable[str]) -> str:
    """A list of names as `[a, b, "c d"]`."""
    return "[" + ", ".join(name(v) for v in values) + "]"
