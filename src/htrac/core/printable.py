"""Text from items made safe to print: every character that could drive a terminal, forge a line
or hide text shown as an escape. Every surface prints item text through these, and so do the
messages lower layers build from it (an ambiguous reference lists titles)."""

from __future__ import annotations

import re

# C0 controls but newline and tab, DEL, C1 controls, and bidirectional overrides that can make a
# terminal show text other than what is in the file.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str, *, multiline: bool = True) -> str:
    """`text` with every character that could drive a terminal shown as an escape; newlines
    and tabs too unless `multiline`."""
    if text.isprintable():  # the common case: nothing to escape (C0/C1, bidi, \n, \t are not)
        return text
    text = _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", text)
    if not multiline:
        text = text.replace("\n", "\\n").replace("\t", "\\t")
    return text


def one_line(text: str) -> str:
    return clean(text, multiline=False)
