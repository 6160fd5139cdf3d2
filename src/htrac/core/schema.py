"""One strict schema for ops, applied on write and on read (DESIGN, point 3).

Each op type has a closed set of keys; every value has a type and a bound. On write an op that
breaks the schema is refused before a byte is written. On read it is skipped and reported as
rejected — except inside a `create`, where a bad value falls back to that field's default and is
reported, so that one bad value never hides a whole item.
"""

from __future__ import annotations

import re
from typing import Any

from . import evidence, memory
from .claims import DEFAULT_RULES, ClaimRules
from .claims import check_body as check_claim_body
from .ops import (
    ADD_ONLY,
    AGENT,
    BODY_KEYS,
    DATA_KEYS,
    HUMAN,
    LEGACY_KEYS,
    LOCKABLE,
    SEEN,
    SET_VALUED,
    UPDATABLE,
    Op,
    canonical_key,
)
from .record import record

MAX_TITLE = 4096
MAX_TEXT = 256 * 1024
MAX_SHORT = 1024
MAX_LIST = 10_000
MAX_FIELDS = 1000
MAX_REASON = 100
MAX_SEEN = 30_000  # what fits in an op under the reader's 1 MiB limit

AT_PATTERN = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z")
ITEM_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
TAG_VALUE = re.compile(r"[^\x00-\x1f\x7f]{1,128}")
FIELD_KEY = re.compile(r"[^\x00-\x1f\x7f.]{1,128}")
NONCE = re.compile(r"[0-9a-f]{4,64}")
KIND_NAME = re.compile(r"[a-z_][a-z0-9_]{0,63}")


class SchemaError(ValueError):
    """An op or value breaks the schema; the message is one line naming the problem."""


class UnknownKeyError(SchemaError):
    """An op carries a key its type doesn't have: written by something newer, or by hand."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


@record(frozen=True)
class Vocabulary:
    """The configured names the schema checks values against."""

    statuses: tuple[str, ...]
    default_statuses: dict[str, str]  # kind → status a new item of that kind starts in
    fallback_status: str
    claims: ClaimRules = DEFAULT_RULES

    def default_status(self, kind: str) -> str:
        return self.default_statuses.get(kind, self.fallback_status)


def check_op(op: Op, vocab: Vocabulary) -> None:
    """Raise SchemaError if `op` may not take effect as written."""
    if op.by not in (AGENT, HUMAN):
        raise SchemaError(f"'by' must be 'agent' or 'human', got {op.by!r}")
    if not AT_PATTERN.fullmatch(op.at):
        raise SchemaError(f"'at' is not a UTC timestamp: {op.at[:40]!r}")
    if op.actor is not None:
        _text(op.actor, "actor", MAX_SHORT)
    allowed = BODY_KEYS[op.type]
    extra = [k for k in op.body if k not in allowed and k != SEEN]
    if extra:
        raise UnknownKeyError(f"field '{extra[0]}' is not allowed on a {op.type} op", extra[0])
    if SEEN in op.body:
        _check_seen(op.body[SEEN])
    _CHECKS[op.type](op, vocab)


def _check_seen(value: Any) -> None:
    from .identity import is_op_id  # here: reading commands load the schema, not hashing

    if not isinstance(value, list) or len(value) > MAX_SEEN:
        raise SchemaError(f"'seen' must be a list of at most {MAX_SEEN} op identities")
    for ident in value:
        if not is_op_id(ident):
            raise SchemaError(f"'seen' holds {_short(ident)}, which is not an op identity")


def _check_create(op: Op, vocab: Vocabulary) -> None:
    if not isinstance(op.get("data"), dict):
        raise SchemaError("a create op needs a 'data' mapping")
    _check_htrac_keys(op)


def _check_htrac_keys(op: Op) -> None:
    """htrac's own keys on the reference's ops: evidence, remember, forget."""
    checks = ((evidence.KEY, evidence.check), (memory.REMEMBER, memory.check_remember),
              (memory.FORGET, memory.check_forget))
    for key, check in checks:
        if key in op.body:
            try:
                check(op.body[key])
            except ValueError as exc:
                raise SchemaError(str(exc)) from None
    if evidence.KEY in op.body and evidence.sets_status(op) is None:
        raise SchemaError("'evidence' belongs on an op that sets a status")


def _check_update(op: Op, vocab: Vocabulary) -> None:
    set_ = op.get("set")
    if set_ is None:
        set_ = {}
    if not isinstance(set_, dict):
        raise SchemaError("'set' must be a mapping")
    if "set" not in op.body:
        raise SchemaError("an update op needs 'set' (torn or hand-written without it)")
    for key, value in set_.items():
        name = canonical_key(key)
        if name not in UPDATABLE:
            raise SchemaError(f"field '{key}' is not updatable")
        check_value(name, value, vocab, in_set=True)
    for part in ("add", "remove"):
        block = op.get(part)
        if part in op.body and not isinstance(block, dict):
            raise SchemaError(f"'{part}' must be a mapping")
        for key, value in (block or {}).items():
            if key in ADD_ONLY:
                _links(value)
                continue
            if canonical_key(key) not in SET_VALUED:
                raise SchemaError(f"'{part}' may only hold "
                                  f"{', '.join(SET_VALUED + ADD_ONLY)}, not '{key}'")
            check_value(canonical_key(key), value, vocab)
    if "claim" in op.body:
        problem = check_claim_body(op.get("claim"))
        if problem:
            raise SchemaError(problem)
    _check_htrac_keys(op)


def _links(value: Any) -> None:
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise SchemaError("'links' must be a list")
    for link in value:
        try:
            memory.check_link(link)
        except ValueError as exc:
            raise SchemaError(str(exc)) from None


def _check_message(op: Op, vocab: Vocabulary) -> None:
    _text(op.get("message"), "message", MAX_TEXT)


def _check_nothing(op: Op, vocab: Vocabulary) -> None:
    return None


def _check_lock(op: Op, vocab: Vocabulary) -> None:
    names = op.get(op.type)
    if not isinstance(names, list) or not names or len(names) > MAX_LIST:
        raise SchemaError(f"'{op.type}' must be a non-empty list of field names")
    for name in names:
        check_lock_name(name)


def check_lock_name(name: Any) -> None:
    if not isinstance(name, str):
        raise SchemaError(f"a lockable field name must be a string, got {name!r}")
    name = canonical_key(name.lower())
    if name in LOCKABLE:
        return
    if name.startswith("fields.") and FIELD_KEY.fullmatch(name[7:]):
        return
    raise SchemaError(f"'{name}' is not a lockable field (one of {', '.join(LOCKABLE)}, "
                      "or fields.<key>)")


def _check_reconcile(op: Op, vocab: Vocabulary) -> None:
    _text(op.get("from_tier"), "from_tier", MAX_SHORT)
    _text(op.get("reason"), "reason", MAX_SHORT)


def _check_edit_mode_on(op: Op, vocab: Vocabulary) -> None:
    _int(op.get("ttl_seconds"), "ttl_seconds", 1, 3600)
    _int(op.get("cap_max"), "cap_max", 1, 500)


def _check_message_edit(op: Op, vocab: Vocabulary) -> None:
    item = op.get("item")
    if not isinstance(item, str) or not ITEM_REF.fullmatch(item):
        raise SchemaError("'item' must be an item ID")
    target = op.get("target_nonce")
    if not isinstance(target, str) or not NONCE.fullmatch(target):
        raise SchemaError("'target_nonce' must be a nonce (hex string)")
    reason = _text(op.get("reason"), "reason", MAX_REASON)
    if not reason.strip():
        raise SchemaError("'reason' must not be empty")
    if op.type == "edit-msg-text":
        _text(op.get("new_text"), "new_text", MAX_TEXT)


_CHECKS = {
    "create": _check_create, "update": _check_update, "discuss": _check_message,
    "discuss_summarize": _check_message, "discuss_clear": _check_nothing,
    "lock": _check_lock, "unlock": _check_lock, "promote": _check_nothing,
    "demote": _check_nothing, "stealth": _check_nothing, "unstealth": _check_nothing,
    "reconcile": _check_reconcile, "edit-mode-on": _check_edit_mode_on,
    "edit-mode-off": _check_nothing, "delete-msg": _check_message_edit,
    "undelete-msg": _check_message_edit, "edit-msg-text": _check_message_edit,
}


def check_value(name: str, value: Any, vocab: Vocabulary, *, in_set: bool = False) -> None:
    """Raise SchemaError unless `value` is valid for item field `name`."""
    if name == "title":
        if not _text(value, name, MAX_TITLE).strip():
            raise SchemaError("'title' must not be empty")
    elif name == "description":
        _text(value, name, MAX_TEXT)
    elif name == "status":
        if value not in vocab.statuses:
            raise SchemaError(f"unknown status {_short(value)} (configured: "
                              f"{', '.join(vocab.statuses)})")
    elif name == "priority":
        _int(value, "priority", 0, 4)
    elif name == "kind":
        if not isinstance(value, str) or not KIND_NAME.fullmatch(value):
            raise SchemaError(f"'kind' must be a kind name, got {_short(value)}")
    elif name in ("parent", "pr_ref"):
        if value is not None:
            limit = MAX_SHORT
            _text(value, name, limit)
            if name == "parent" and not ITEM_REF.fullmatch(value):
                raise SchemaError(f"'parent' must be an item ID, got {_short(value)}")
    elif name in SET_VALUED:
        _set_values(name, value, in_set)
    elif name == "fields":
        _fields(value, allow_null=in_set)
    else:
        raise SchemaError(f"unknown field '{name}'")


def _set_values(name: str, value: Any, in_set: bool) -> None:
    values = [value] if in_set and isinstance(value, str) else value
    if not isinstance(values, list) or len(values) > MAX_LIST:
        raise SchemaError(f"'{name}' must be a list")
    pattern = TAG_VALUE if name == "tags" else ITEM_REF
    for item in values:
        if not isinstance(item, str) or not pattern.fullmatch(item):
            what = "a tag" if name == "tags" else "an item ID"
            raise SchemaError(f"'{name}' must hold {what}, got {_short(item)}")


def _fields(value: Any, *, allow_null: bool) -> None:
    if not isinstance(value, dict) or len(value) > MAX_FIELDS:
        raise SchemaError("'fields' must be a mapping of at most 1000 keys")
    for key, item in value.items():
        if not isinstance(key, str) or not FIELD_KEY.fullmatch(key):
            raise SchemaError(f"bad custom field name {_short(key)}")
        if item is None and allow_null:
            continue
        if isinstance(item, list):
            if len(item) > MAX_LIST or not all(_field_scalar(v) for v in item):
                raise SchemaError(f"field '{key}' must be a list of strings, numbers or booleans")
        elif not _field_scalar(item):
            raise SchemaError(f"field '{key}' must be a string, number, boolean or list")


def _field_scalar(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_TEXT and _utf8(value)
    return isinstance(value, (bool, int, float)) and not (isinstance(value, int)
                                                         and abs(value) >= 1 << 63)


def clean_create_data(data: dict[str, Any], vocab: Vocabulary) -> tuple[dict[str, Any], list[str]]:
    """The create's values, each invalid one replaced by its default, and what was replaced."""
    notes: list[str] = []
    clean: dict[str, Any] = {}
    for key, value in data.items():
        name = LEGACY_KEYS.get(key, key)
        if name not in DATA_KEYS:
            notes.append(f"ignored unknown create field '{key}'")
        elif name not in clean or key == name:
            clean[name] = value
    kind = clean.get("kind")
    try:
        check_value("kind", kind, vocab)
    except SchemaError as exc:
        notes.append(f"{exc}; using 'work_item'")
        clean["kind"] = kind = "work_item"
    assert isinstance(kind, str)  # check_value refused anything else
    defaults = {
        "title": "", "status": vocab.default_status(kind), "priority": 2, "parent": None,
        "tags": [], "isbefore": [], "duplicate_of": [], "not_duplicate_of": [],
        "pr_ref": None, "description": "", "fields": {},
    }
    for name, default in defaults.items():
        if name not in clean:
            continue
        try:
            check_value(name, clean[name], vocab)
        except SchemaError as exc:
            if not (name == "title" and clean[name] == ""):
                notes.append(f"{exc}; using the default")
            clean[name] = default
    for name, default in defaults.items():
        clean.setdefault(name, default)
    return clean, notes


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise SchemaError(f"'{name}' must be a string, got {_short(value)}")
    if len(value) > limit:
        raise SchemaError(f"'{name}' is longer than {limit} characters")
    if not _utf8(value):
        raise SchemaError(f"'{name}' is not valid Unicode text")
    return value


def _int(value: Any, name: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise SchemaError(f"'{name}' must be an integer from {low} to {high}, got {_short(value)}")
    return value


def _utf8(value: str) -> bool:
    if not value.isascii():  # ASCII always encodes: spare the copy for most text
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return "\0" not in value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
