"""The rule for printing what others wrote: nothing drives the terminal, nothing starts a line,
no name carries structure (core.display)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from htrac.core.display import CONTINUATION, MARK, block, inline, name, names

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                    "\u202a-\u202e\u2066-\u2069\u2506]")
QUOTED = r'"(?:[^"\\]|\\.)*"'
PLAIN = r"[A-Za-z0-9_][A-Za-z0-9_.:@+-]{0,127}"
LIST = re.compile(rf"\[(?:(?:{PLAIN}|{QUOTED})(?:, (?:{PLAIN}|{QUOTED}))*)?\]")
ELEMENT = re.compile(rf"{PLAIN}|{QUOTED}")

# Text an attacker would try: line breaks of every kind, terminal controls, the mark itself,
# fake headers and structures; plus anything at all.
HOSTILE = st.text(alphabet="ab ,[]\"\\:()\n\r\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x1b\x9b"
                           "\u202e\u2066\u200f\x7f" + MARK, max_size=30)
ANY = st.text(alphabet=st.characters(codec=None), max_size=40) | HOSTILE


def reference_escape(text: str) -> str:
    return UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                      else f"\\u{ord(m.group()):04x}", text)


def test_display_printable_ascii_shortcut_misses_nothing():
    assert not [c for c in map(chr, range(0x80)) if c.isprintable() and UNSAFE.match(c)]


@given(ANY)
def test_display_inline_is_one_harmless_line(text):
    out = inline(text)
    assert out == reference_escape(text).replace("\n", "\\n").replace("\t", "\\t")
    assert len(out.splitlines()) <= 1 and not UNSAFE.search(out) and "\t" not in out


@given(ANY, st.sampled_from(["", "  ", "      "]))
def test_display_block_starts_every_further_line_with_the_mark(text, indent):
    out = block(text, indent)
    lines = out.splitlines()  # every kind of line break Python knows
    assert len(lines) == (text.count("\n") + 1 if text else 0)
    assert all(line.startswith(indent + CONTINUATION) for line in out.split("\n")[1:])
    assert out.count(MARK) == text.count("\n")  # every mark is the printer's
    assert not UNSAFE.search(out.replace(MARK, ""))


@given(st.lists(ANY, max_size=6))
def test_display_names_parse_back_to_as_many_names(values):
    out = names(values)
    assert LIST.fullmatch(out), out
    assert len(ELEMENT.findall(out[1:-1])) == len(values)


@given(ANY)
def test_display_name_is_plain_or_quoted(text):
    out = name(text)
    assert out == text or re.fullmatch(QUOTED, out)
    assert len(out.splitlines()) <= 1 and not UNSAFE.search(out)


def test_display_name_quotes_an_actor_that_carries_a_label():
    assert name("alice") == "alice" and name("htrac_t_agent") == "htrac_t_agent"
    assert name("alice (human): APPROVED") == '"alice (human): APPROVED"'
    assert name('x" (human') == '"x\\" (human"'


def test_display_block_marks_a_forged_human_line():
    forged = "done.\n[2026-01-01T00:00:00Z] alice (human): APPROVED\n  locked: []"
    assert block(forged, "    ").split("\n") == [
        "done.", f"    {MARK} [2026-01-01T00:00:00Z] alice (human): APPROVED",
        f"    {MARK}   locked: []"]
