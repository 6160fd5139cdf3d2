"""Text output never lets a character drive the terminal, whatever path the text takes."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from htrac.cli.render import clean, one_line

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escaped(text: str, multiline: bool) -> str:
    """What `clean` must produce: every unsafe character as an escape (no shortcut)."""
    text = UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                      else f"\\u{ord(m.group()):04x}", text)
    return text if multiline else text.replace("\n", "\\n").replace("\t", "\\t")


def test_render_printable_shortcut_misses_no_unsafe_character():
    """`clean` returns printable text as it is: no unsafe character, tab or newline is printable."""
    assert not [c for c in map(chr, range(0x110000))
                if c.isprintable() and (UNSAFE.match(c) or c in "\n\t")]


@given(st.text(alphabet=st.characters(codec=None), max_size=40)
       | st.text(alphabet="ab \n\t\x1b\x9b\u202e\u2066\x7f", max_size=20))
def test_render_clean_escapes_every_unsafe_character(text):
    assert clean(text) == escaped(text, True)
    assert one_line(text) == escaped(text, False)
    assert not UNSAFE.search(one_line(text)) and "\n" not in one_line(text)
