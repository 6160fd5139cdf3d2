"""Reading YAML safely and fast: block documents of scalars, mappings and sequences.

Ops files and config files use a small part of YAML: block mappings and sequences, single-line
scalars (plain, single- or double-quoted), and one-line flow lists. `load_block` parses that part
directly, which is several times faster than a general YAML loader. Anything else — block
scalars, multi-line flow collections, continuation lines — goes to `_load_events`, which builds
values from ruamel.yaml's parser events itself. Neither path ever expands an alias: anchors,
aliases and explicit tags are refused (an alias bomb costs nothing), nesting depth is bounded,
duplicate keys are refused (an interleaved merge that fuses two ops must not read as one), and
plain scalars resolve by YAML 1.2 core rules, so `on`, `yes` and `12:30` stay strings.
"""

from __future__ import annotations

import re
from typing import Any

from .scalars import resolve_plain

MAX_DEPTH = 32


class YamlError(ValueError):
    """The text is not YAML htrac accepts; the message says why, in one line."""


class _Unsupported(Exception):
    """Valid YAML, perhaps, but outside the fast subset: use the general path."""


def load_block(text: str) -> Any:
    """Parse a YAML document; raise YamlError when it can't be read safely."""
    if "\t" not in text:
        try:
            return _FastParser(text).parse()
        except _Unsupported:
            pass
    return _load_events(text)


# -- fast path ---------------------------------------------------------------------------------

# `key: scalar` lines recur across ops (`by: agent`, `status: done`, `parent:`), so their parse
# is remembered; a line's meaning never depends on its neighbours once its indentation is gone.
# Lines that hardly ever recur (a quoted value, a nonce) are not: they would only push the
# recurring ones out. An empty flow list or mapping is remembered as a marker and made new on
# every use, so no two values share a mutable object.
_ENTRIES: dict[str, tuple[str, Any]] = {}
_ENTRIES_MAX = 4096
_BLOCK = object()  # `key:` with nothing after it: the value is on the following lines
_EMPTY_LIST = object()
_EMPTY_MAP = object()
# A line that is neither blank nor a comment: its leading spaces, and its content up to the last
# character that is not a space (what `lstrip(" ")` and `rstrip(" ")` leave).
_LINE = re.compile(r"^( *)([^ \n#](?:[^\n]*[^ \n])?) *$", re.MULTILINE)
# `key: 'text'` or `key: "text"` with no quote, backslash or comment inside: the common shape
# of a quoted value, read without the general steps (which give the same result for it).
_QUOTED = re.compile(r"([a-z_][a-z0-9_]*): (?:'([^']*)'|\"([^\"\\]*)\")")


class _FastParser:
    def __init__(self, text: str) -> None:
        # (indentation, content without surrounding spaces) of each line that is neither blank
        # nor a comment, found by one scan instead of a loop over lines.
        self.lines: list[tuple[int, str]] = [(len(spaces), content)
                                             for spaces, content in _LINE.findall(text)]
        self.pos = 0

    def parse(self) -> Any:
        if not self.lines:
            return None
        value = self._node(self.lines[0][0], 0)
        if self.pos != len(self.lines):
            raise _Unsupported
        return value

    def _node(self, indent: int, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise YamlError("nesting too deep")
        _, content = self.lines[self.pos]
        if content == "-" or content.startswith("- "):
            return self._sequence(indent, depth)
        return self._mapping(indent, depth)

    def _sequence(self, indent: int, depth: int) -> list[Any]:
        items: list[Any] = []
        while self.pos < len(self.lines):
            ind, content = self.lines[self.pos]
            if ind < indent:
                break
            if ind > indent:
                raise _Unsupported
            if not (content == "-" or content.startswith("- ")):
                break  # back to the mapping that holds this sequence
            rest = content[1:].lstrip(" ")
            if not rest:
                self.pos += 1
                items.append(self._child(indent, depth, allow_same=False))
            elif rest in _ENTRIES or _is_mapping_entry(rest):
                # `- key: value` opens a mapping whose keys sit under `key`.
                inner = indent + (len(content) - len(rest))
                self.lines[self.pos] = (inner, rest)
                items.append(self._mapping(inner, depth + 1))
            elif rest.startswith("- "):
                raise _Unsupported
            else:
                self.pos += 1
                items.append(_scalar_or_flow(rest))
        return items

    def _mapping(self, indent: int, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        lines, entries = self.lines, _ENTRIES  # locals: this loop runs for every line
        end = len(lines)
        while self.pos < end:
            ind, content = lines[self.pos]
            if ind != indent:
                if ind < indent:
                    break
                raise _Unsupported
            if content[0] == "-" and (content == "-" or content[1] == " "):
                break  # a sequence at this indent belongs to the enclosing node
            entry = entries.get(content)
            if entry is None:
                key, value = _entry(content)
            else:
                key, value = entry
                if value is _EMPTY_LIST:
                    value = []
                elif value is _EMPTY_MAP:
                    value = {}
            if key in result:
                raise YamlError(f"duplicate key {key!r}")
            self.pos += 1
            result[key] = self._child(indent, depth, True) if value is _BLOCK else value
        return result

    def _child(self, indent: int, depth: int, allow_same: bool) -> Any:
        """The block value under a `key:` or `-` whose value is on the following lines."""
        if self.pos >= len(self.lines):
            return None
        ind, content = self.lines[self.pos]
        is_seq = content == "-" or content.startswith("- ")
        if ind > indent or (allow_same and ind == indent and is_seq):
            return self._node(ind, depth + 1)
        return None


def _entry(content: str) -> tuple[str, Any]:
    """The key and value of a `key: value` line (`_BLOCK` when the value is on the following
    lines), remembered in `_ENTRIES` when the line is likely to recur."""
    quoted = _QUOTED.fullmatch(content)
    if quoted is not None:
        key, single, double = quoted.groups()
        return key, single if single is not None else double
    key, rest = _split_entry(content)
    value = _scalar_or_flow(rest) if rest else _BLOCK
    if key == "nonce" or rest[:1] in ("'", '"'):
        return key, value  # unique to one op: not worth remembering
    if isinstance(value, (list, dict)):
        if value:
            return key, value  # only immutable values are shared
        shared: Any = _EMPTY_LIST if isinstance(value, list) else _EMPTY_MAP
    else:
        shared = value
    if len(_ENTRIES) >= _ENTRIES_MAX:
        _ENTRIES.clear()
    _ENTRIES[content] = (key, shared)
    return key, value


def _is_mapping_entry(text: str) -> bool:
    try:
        _split_entry(text)
    except _Unsupported:
        return False
    return True


def _split_entry(content: str) -> tuple[str, str]:
    if content[0] in "\"'[{&*!|>%@`?#":
        raise _Unsupported
    idx = content.find(": ")
    if idx < 0:
        if not content.endswith(":"):
            raise _Unsupported
        idx = len(content) - 1
    key = content[:idx]
    if not key or key != key.strip() or " #" in key:
        raise _Unsupported
    return key, _strip_comment(content[idx + 1:].lstrip(" "))


def _strip_comment(text: str) -> str:
    """Drop a trailing `# comment` from a value, ignoring `#` inside quotes."""
    if not text or text.startswith("#"):
        return ""
    if text[0] in "\"'":
        end = _quoted_end(text)
        tail = text[end:].lstrip(" ")
        if tail and not tail.startswith("#"):
            raise YamlError(f"text after a quoted scalar: {tail[:40]!r}")
        return text[:end]
    idx = text.find(" #")
    return text[:idx].rstrip(" ") if idx >= 0 else text


def _quoted_end(text: str) -> int:
    quote = text[0]
    i = 1
    while True:
        end = text.find(quote, i)
        if end < 0:
            raise _Unsupported  # an unterminated quote may continue on the next line
        if quote == '"':
            slashes = end - 1
            while slashes >= 1 and text[slashes] == "\\":
                slashes -= 1
            if (end - 1 - slashes) % 2 == 0:  # not escaped by an odd run of backslashes
                return end + 1
        elif text[end + 1:end + 2] == "'":
            end += 1  # '' is an escaped quote
        else:
            return end + 1
        i = end + 1


def _scalar_or_flow(text: str) -> Any:
    first = text[0]
    if first == "[":
        return _flow_list(text)
    if first == "{":
        if text == "{}":
            return {}
        raise _Unsupported
    return _scalar(text)


def _scalar(text: str) -> Any:
    first = text[0]
    if first == '"':
        return _unescape_double(text[1:-1])
    if first == "'":
        return text[1:-1].replace("''", "'")
    if first in "&*!":
        raise YamlError("anchors, aliases and tags are not allowed")
    if first in "|>%@`" or text.startswith(("---", "...")):
        raise _Unsupported
    if ": " in text or text.endswith(":"):
        raise _Unsupported
    return resolve_plain(text)


def _flow_list(text: str) -> list[Any]:
    if not text.endswith("]"):
        raise _Unsupported
    inner = text[1:-1].strip(" ")
    if not inner:
        return []
    if any(ch in inner for ch in "[]{}\"'#&*!"):
        raise _Unsupported
    items = [part.strip(" ") for part in inner.split(",")]
    if items and items[-1] == "":
        items.pop()  # YAML allows a trailing comma
    if any(not item or ": " in item or item.endswith(":") for item in items):
        raise _Unsupported
    return [resolve_plain(item) for item in items]


_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b",
    "f": "\x0c", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def _unescape_double(body: str) -> str:
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        code = body[i + 1:i + 2]
        if code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
            i += 2
        elif code in _HEX_ESCAPES:
            width = _HEX_ESCAPES[code]
            digits = body[i + 2:i + 2 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise YamlError(f"bad escape \\{code}{digits}")
            point = int(digits, 16)
            if point > 0x10FFFF:
                raise YamlError(f"bad escape \\{code}{digits}")
            out.append(chr(point))
            i += 2 + width
        else:
            raise YamlError(f"bad escape \\{code}")
    return "".join(out)


# -- general path ------------------------------------------------------------------------------

def _load_events(text: str) -> Any:
    """Build a value from parser events; never constructs anchors, aliases or tags."""
    from ruamel.yaml import YAML, events
    from ruamel.yaml.error import YAMLError as RuamelError

    parser = YAML(typ="safe", pure=True)
    stack: list[tuple[Any, list[Any]]] = []  # (container, pending key holder)
    root: list[Any] = []
    documents = 0

    def add(value: Any) -> None:
        if not stack:
            root.append(value)
            return
        container, pending = stack[-1]
        if isinstance(container, list):
            container.append(value)
        elif pending:
            key = pending.pop()
            if key in container:
                raise YamlError(f"duplicate key {key!r}")
            container[key] = value
        else:
            if not isinstance(value, str):
                raise YamlError("mapping keys must be strings")
            pending.append(value)

    try:
        for event in parser.parse(text):
            if isinstance(event, events.AliasEvent) or getattr(event, "anchor", None):
                raise YamlError("anchors and aliases are not allowed")
            if getattr(event, "tag", None) is not None:
                raise YamlError("explicit tags are not allowed")
            if isinstance(event, events.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise YamlError("more than one YAML document")
            elif isinstance(event, events.ScalarEvent):
                add(resolve_plain(event.value) if event.style is None else event.value)
            elif isinstance(event, (events.SequenceStartEvent, events.MappingStartEvent)):
                if len(stack) >= MAX_DEPTH:
                    raise YamlError("nesting too deep")
                new: Any = [] if isinstance(event, events.SequenceStartEvent) else {}
                add(new)
                stack.append((new, []))
            elif isinstance(event, (events.SequenceEndEvent, events.MappingEndEvent)):
                stack.pop()
    except RuamelError as exc:
        raise YamlError(_one_line(str(exc))) from None
    except RecursionError:
        raise YamlError("nesting too deep") from None
    return root[0] if root else None


def _one_line(message: str) -> str:
    return " ".join(message.split())[:200]
