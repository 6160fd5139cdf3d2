"""Checks on what a user asks to write, beyond the op schema: configured kinds and statuses,
tag spelling, required fields, custom field names. Each failure is one line naming the fix."""

from __future__ import annotations

from typing import Any

from ..core.config import Config, Kind
from ..core.errors import InvalidValueError
from ..core.itemrules import RESERVED_FIELD_NAMES, TAG
from ..core.ops import ADD_ONLY, LEGACY_KEYS, SET_VALUED, UPDATABLE
from ..core.schema import SchemaError, Vocabulary, check_value
from ..store.layout import TIERS


def check_tier(tier: str) -> None:
    if tier not in TIERS:
        raise InvalidValueError(f"unknown tier {tier!r}: use one of {', '.join(TIERS)}")


def check_kind(config: Config, kind: str) -> Kind:
    spec = config.kinds.get(kind)
    if spec is None:
        raise InvalidValueError(f"unknown kind {kind!r}: use one of {', '.join(config.kinds)}")
    return spec


def check_status_for_kind(config: Config, spec: Kind | None, status: str) -> None:
    if status not in config.statuses:
        raise InvalidValueError(f"unknown status {status!r}: use one of "
                                f"{', '.join(config.statuses)}")
    if spec is None:
        return
    if status in spec.deprecated_statuses:
        raise InvalidValueError(f"status {status!r} is deprecated for kind {spec.name!r}")
    if spec.allowed_statuses and status not in spec.allowed_statuses:
        raise InvalidValueError(f"status {status!r} is not allowed for kind {spec.name!r}: use "
                                f"one of {', '.join(spec.allowed_statuses)}")


def check_required_fields(spec: Kind, fields: dict[str, Any]) -> None:
    missing = [name for name, f in spec.fields.items() if f.required and name not in fields]
    if missing:
        hint = " ".join(f"--field {m}=..." for m in missing)
        raise InvalidValueError(f"kind {spec.name!r} requires field(s): {', '.join(missing)}. "
                                f"Use {hint}")


def check_field_name(name: str) -> str:
    normal = name.casefold().replace("-", "_").replace(" ", "_")
    if normal in RESERVED_FIELD_NAMES:
        raise InvalidValueError(f"custom field {name!r} would shadow the item's own {normal!r}: "
                                "choose another name")
    return name


def tag_list(tags: tuple[str, ...] | list[str]) -> list[str]:
    for tag in tags:
        if not TAG.fullmatch(tag):
            raise InvalidValueError(f"invalid tag {tag!r}: tags are lower-case letters, digits "
                                    "and underscores, starting with a letter or underscore")
    return list(dict.fromkeys(tags))


def check_data(data: dict[str, Any], vocab: Vocabulary) -> None:
    for name, value in data.items():
        try:
            check_value(name, value, vocab)
        except SchemaError as exc:
            raise InvalidValueError(str(exc)) from None
    for key in data["fields"]:
        check_field_name(key)


def update_body(set_: dict[str, Any], add: dict[str, list[str]],
                remove: dict[str, list[str]]) -> dict[str, Any]:
    """An update op's body, with names checked and empty parts left out. Values are checked
    on the item the op would make (`core.itemrules`, as `validate` checks it), not here."""
    body: dict[str, Any] = {"set": {}}
    for key, value in set_.items():
        name = LEGACY_KEYS.get(key, key)
        if name not in UPDATABLE:
            raise InvalidValueError(f"field {key!r} can't be updated")
        if name == "tags" and isinstance(value, list):
            value = list(dict.fromkeys(value))
        body["set"][name] = value
    for part, given in (("add", add), ("remove", remove)):
        clean = {}
        for key, items in given.items():
            if key not in SET_VALUED + ADD_ONLY:
                raise InvalidValueError(f"can't {part} to {key!r}: only "
                                        f"{', '.join(SET_VALUED + ADD_ONLY)}")
            if key in ADD_ONLY:
                from .links import check_link

                items = list(dict.fromkeys(check_link(i) for i in items))
            if items:
                clean[key] = list(dict.fromkeys(items))
        if clean:
            body[part] = clean
    return body
