"""YAML 1.2 scalars: how a plain scalar resolves, and how a string must be written.

htrac reads and writes ops files with one set of rules (DESIGN, point 4). The writer must
produce exactly the bytes ruamel.yaml's round-trip dumper produces for the reference, so the
style choice below follows that emitter's analysis: a string is written plain when it would
read back as the same string and contains nothing a plain scalar can't hold; otherwise
single-quoted; double-quoted when it contains a quote, a newline or a character that needs an
escape.

One deliberate difference: ruamel single-quotes strings holding U+0085, U+2028 or U+2029 and
writes those characters raw, which breaks the one-op-per-tagged-line structure of an ops
file. htrac double-quotes them (escaped as \\N, \\L, \\P) so every op stays on its own lines.
"""

from __future__ import annotations

import re

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_INT = re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN))$"
)
# Timestamps, merge keys and `=` resolve to non-string tags in ruamel's 1.2 resolver, so the
# writer must quote them; htrac's reader keeps them as strings (an `at` stays text).
_TIMESTAMP = re.compile(
    r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
    r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
    r"(?:[Tt]|[ \t]+)[0-9][0-9]?"
    r":[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"
)
_OTHER_TAGGED = re.compile(r"^(?:<<|=)$")

_WS = "\0 \t\r\n\x85\u2028\u2029"
_BREAKS = "\n\x85\u2028\u2029"

_ESCAPES = {
    "\0": "0", "\x07": "a", "\x08": "b", "\x09": "t", "\x0a": "n", "\x0b": "v",
    "\x0c": "f", "\x0d": "r", "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N",
    "\xa0": "_", "\u2028": "L", "\u2029": "P",
}

Scalar = str | int | float | bool | None


# Like ruamel, a resolver is only tried when the scalar starts with one of its characters.
_NUMBER_START = frozenset("-+0123456789")
_FLOAT_START = _NUMBER_START | {"."}


def resolve_plain(text: str) -> Scalar:
    """The value of a plain (unquoted) scalar under YAML 1.2 core rules."""
    first = text[:1]
    if first in ("", "~", "n", "N") and _NULL.match(text):
        return None
    if first in ("t", "T", "f", "F") and _BOOL.match(text):
        return text[0] in "tT"
    if first in _NUMBER_START and _INT.match(text):
        return _to_int(text)
    if first in _FLOAT_START and _FLOAT.match(text):
        return _to_float(text)
    return text


def _to_int(text: str) -> Scalar:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2], 10)
    try:
        return sign * int(digits[2:] if base != 10 else digits, base)
    except ValueError:
        return text  # underscores and a sign, no digits: ruamel can't read it either


def _to_float(text: str) -> Scalar:
    t = text.replace("_", "").lower()
    if t.endswith("inf"):
        return float("-inf") if t.startswith("-") else float("inf")
    if t.endswith("nan"):
        return float("nan")
    try:
        return float(t)
    except ValueError:
        return text


def resolves_to_string(text: str) -> bool:
    """True when `text` written plain would read back as this very string."""
    first = text[:1]
    if first in _FLOAT_START and (_INT.match(text) or _FLOAT.match(text)
                                  or _TIMESTAMP.match(text)):
        return False
    return not (_NULL.match(text) or _BOOL.match(text) or _OTHER_TAGGED.match(text))


def _plain_allowed(s: str, flow: bool) -> bool:
    """ruamel's analysis of whether `s` may be emitted as a plain scalar."""
    if not s:
        return not flow
    if s.startswith(("---", "...")):
        return False
    if s[0] in " " or s[-1] in " " or s[0] in _BREAKS or s[-1] in _BREAKS:
        return False
    flow_ind = block_ind = False
    n = len(s)
    for i, ch in enumerate(s):
        followed_ws = i + 1 >= n or s[i + 1] in _WS
        if i == 0:
            if ch in "#,[]{}&*!|>'\"%@`":
                return False
            if ch in "?:":
                if n == 1:
                    flow_ind = True
                if followed_ws:
                    block_ind = True
            if ch == "-" and followed_ws:
                return False
        else:
            if ch in ",[]{}":
                flow_ind = True
            if ch == ":" and followed_ws:
                return False
            if ch == "#" and s[i - 1] in _WS:
                return False
        if ch in _BREAKS or _is_special(ch):
            return False
    return not (flow_ind if flow else block_ind)


def _is_special(ch: str) -> bool:
    if ch == "\n" or "\x20" <= ch <= "\x7e":
        return False
    printable = (
        ch == "\x85" or "\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd"
        or "\U00010000" <= ch <= "\U0010ffff"
    )
    return not printable or ch == "\ufeff"


def _single_allowed(s: str) -> bool:
    if any(_is_special(ch) for ch in s):
        return False
    prev_space = prev_break = False
    for ch in s:
        if ch == " ":
            if prev_break:
                return False  # a space after a break
            prev_space, prev_break = True, False
        elif ch in _BREAKS:
            if prev_space:
                return False  # a space before a break
            prev_space, prev_break = False, True
        else:
            prev_space = prev_break = False
    return True


def double_quoted(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in _ESCAPES and (ch != "\xa0"):
            out.append("\\" + _ESCAPES[ch])
        elif "\x20" <= ch <= "\x7e" or "\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd" \
                or "\U00010000" <= ch <= "\U0010ffff":
            out.append(ch if ch != "\ufeff" else "\\uFEFF")
        elif ch <= "\xff":
            out.append(f"\\x{ord(ch):02X}")
        elif ch <= "\uffff":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(f"\\U{ord(ch):08X}")
    out.append('"')
    return "".join(out)


def single_quoted(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def format_string(s: str, *, flow: bool = False) -> str:
    """A string as the reference's emitter writes it when no style is forced."""
    if resolves_to_string(s) and _plain_allowed(s, flow):
        return s
    if any(ch in _BREAKS for ch in s) or "'" in s:
        return double_quoted(s)
    if _single_allowed(s):
        return single_quoted(s)
    return double_quoted(s)


def format_scalar(value: Scalar, *, flow: bool = False, force_double: bool = False) -> str:
    """Any scalar value as it appears after `key: ` (empty for null)."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_float(value)
    if force_double:
        return double_quoted(value)
    return format_string(value, flow=flow)


def _format_float(value: float) -> str:
    if value != value:
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "." not in text and "e" not in text:
        text += ".0"
    return text
