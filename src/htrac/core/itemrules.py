"""What the configuration asks of a compiled item, checked in one place for writing and for
validation alike: so whatever a write accepts, `validate` (and the pre-commit hook) accepts,
and the other way round.

The op schema (`schema.py`) says what an op may hold at all; these rules say what an item of a
configured kind may be: a known kind whose prefix its ID carries, a status the kind allows (a
deprecated one is only warned about), its declared custom fields present and well typed, no
undeclared ones, no field named like a core attribute, tags spelled as tags, and no empty
message in its discussion. `validate` reports every breach (`--strict` makes warnings errors);
the pre-commit hook reports those a commit brings; the writer refuses an op whose item would
have a breach it didn't have before — so an item that arrived broken can still be mended.
"""

from __future__ import annotations

import re
from typing import Any

from .config import Config, FieldSpec, Kind
from .item import Item
from .record import record

ERROR = "error"
WARNING = "warning"
TAG = re.compile(r"[a-z_][a-z0-9_]*")
# Custom field names that would shadow an item attribute (compared after normalising).
RESERVED_FIELD_NAMES = frozenset({
    "id", "kind", "title", "status", "priority", "tags", "description", "parent", "isbefore",
    "pr_ref", "tier", "duplicate_of", "not_duplicate_of", "blocked_by", "discussion", "created",
    "updated",
})


@record(frozen=True)
class Breach:
    """A configuration rule an item breaks, and how to fix it."""
    level: str  # ERROR or WARNING
    message: str
    fix: str


def breaches(config: Config, item: Item) -> list[Breach]:
    """Everything about `item` the configuration does not allow."""
    if not item.kind:
        return []  # no create: the item is damaged, and reported as such
    spec = config.kinds.get(item.kind)
    if spec is None:
        return [Breach(ERROR, f"unknown kind '{item.kind}'",
                       f"use one of {', '.join(config.kinds)} or add the kind to config.yaml")]
    found = []
    if not item.id.startswith(spec.prefix + "-"):
        found.append(Breach(ERROR, f"ID prefix does not match kind '{item.kind}' (prefix "
                            f"{spec.prefix})", "the file name must be the ID htrac computed; "
                            "recreate the item with add"))
    found.extend(status_breaches(spec, item.status, item.id))
    found.extend(field_breaches(spec, item.fields, item.id))
    found.extend(tag_breaches(item.tags, item.id))
    found.extend(message_breaches(item))
    return found


def status_breaches(spec: Kind, status: str, item_id: str = "<ID>") -> list[Breach]:
    allowed = spec.allowed_statuses
    if status in spec.deprecated_statuses:
        fix = f" <one of {', '.join(allowed)}>" if allowed else " <another status>"
        return [Breach(WARNING, f"status '{status}' is deprecated for kind '{spec.name}'",
                       f"htrac update {item_id} --status{fix}")]
    if allowed and status not in allowed:
        return [Breach(ERROR, f"status '{status}' is not allowed for kind '{spec.name}'",
                       f"htrac update {item_id} --status <one of {', '.join(allowed)}>")]
    return []


def field_breaches(spec: Kind, fields: dict[str, Any], item_id: str = "<ID>") -> list[Breach]:
    found = []
    for name, declared in spec.fields.items():
        if name not in fields:
            if declared.required:
                found.append(Breach(ERROR, f"required field '{name}' is missing",
                                    f"htrac update {item_id} --field {name}=..."))
            continue
        problem = _type_problem(declared, fields[name])
        if problem:
            found.append(Breach(ERROR, f"field '{name}' {problem}",
                                f"htrac update {item_id} --field {name}=<valid value>"))
    for name in fields:
        normal = _normal(name)
        if normal in RESERVED_FIELD_NAMES:
            found.append(Breach(ERROR, f"custom field '{name}' would shadow the item's own "
                                f"'{normal}'", f"htrac update {item_id} --remove-field {name}, "
                                f"and use --{normal.replace('_', '-')} for it"))
        elif spec.fields and name not in spec.fields:
            import difflib  # only to suggest a name for an undeclared field

            close = difflib.get_close_matches(name, list(spec.fields), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            found.append(Breach(WARNING, f"field '{name}' is not in kind '{spec.name}' schema",
                                f"{hint}rename it, or declare it in config.yaml fields_schema"))
    return found


def tag_breaches(tags: list[str], item_id: str = "<ID>") -> list[Breach]:
    return [Breach(WARNING, f"tag '{tag}' is not spelled as a tag (lower-case letters, digits "
                   "and underscores, not starting with a digit)",
                   f"htrac update {item_id} --remove-tag '{tag}'")
            for tag in tags if not TAG.fullmatch(tag)]


def message_breaches(item: Item) -> list[Breach]:
    return [Breach(WARNING, f"discussion {'summary' if entry.is_summary else 'message'} "
                   f"{entry.nonce} is empty", "say something, or leave the message out")
            for entry in item.discussion
            if not entry.is_tombstoned and not entry.message.strip()]


def _type_problem(spec: FieldSpec, value: Any) -> str | None:
    if spec.type == "integer":
        number = value
        if isinstance(value, str):
            try:
                number = int(value)
            except ValueError:
                return f"must be an integer, got {value!r}"
        if not isinstance(number, int) or isinstance(number, bool):
            return f"must be an integer, got {value!r}"
        if spec.min is not None and number < spec.min:
            return f"must be at least {spec.min}, got {number}"
        if spec.max is not None and number > spec.max:
            return f"must be at most {spec.max}, got {number}"
    elif spec.type == "boolean" and not isinstance(value, bool) \
            and str(value).lower() not in ("true", "false"):
        return f"must be true or false, got {value!r}"
    elif spec.type == "list" and not isinstance(value, (list, str)):
        return f"must be a list, got {value!r}"
    elif spec.type == "text" and not isinstance(value, (str, int, float)):
        return f"must be text, got {value!r}"
    return None


def _normal(name: str) -> str:
    return name.casefold().replace("-", "_").replace(" ", "_")


def new_breaches(config: Config, before: Item | None, after: Item) -> list[Breach]:
    """The breaches `after` has that `before` (the item before a write, None for a new one)
    did not: what a write would bring."""
    known = {b.message for b in breaches(config, before)} if before is not None else set()
    return [b for b in breaches(config, after) if b.message not in known]
