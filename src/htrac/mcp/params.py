"""Tool parameters: one declaration gives the JSON Schema a client sees and the checks a call
gets, so what is advertised and what is accepted can't drift apart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.errors import InvalidValueError

# kind -> (JSON Schema, what a wrong value is told)
KINDS: dict[str, tuple[dict[str, Any], str]] = {
    "str": ({"type": "string"}, "a string"),
    "int": ({"type": "integer"}, "an integer"),
    "bool": ({"type": "boolean"}, "true or false"),
    "strs": ({"type": "array", "items": {"type": "string"}}, "a list of strings"),
    "map": ({"type": "object"}, "an object of strings (null removes a key)"),
    "ref": ({"type": "string"}, "an item ID or unique prefix"),
    "refs": ({"type": "array", "items": {"type": "string"}}, "a list of item IDs or prefixes"),
}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: str = "str"
    description: str = ""
    required: bool = False

    def schema(self) -> dict[str, Any]:
        schema = dict(KINDS[self.kind][0])
        if self.description:
            schema["description"] = self.description
        return schema


def input_schema(params: tuple[Param, ...]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object",
                              "properties": {p.name: p.schema() for p in params}}
    required = [p.name for p in params if p.required]
    if required:
        schema["required"] = required
    return schema


def checked(tool: str, params: tuple[Param, ...], arguments: dict[str, Any] | None
            ) -> dict[str, Any]:
    """`arguments` as the tool declared them, or an InvalidValueError naming the first fault."""
    arguments = dict(arguments or {})
    known = {p.name: p for p in params}
    for name in arguments:
        if name not in known:
            takes = ", ".join(known) or "no arguments"
            raise InvalidValueError(f"{tool}: unknown argument {name!r} (takes: {takes})")
    for param in params:
        value = arguments.get(param.name)
        if value is None:
            if param.required:
                raise InvalidValueError(f"{tool}: missing argument {param.name!r}")
            arguments.pop(param.name, None)
            continue
        if not _fits(param.kind, value):
            raise InvalidValueError(f"{tool}: argument {param.name!r} must be "
                                    f"{KINDS[param.kind][1]}")
        if param.kind == "ref":
            item_ref(value)
        if param.kind == "refs":
            for ref in value:
                item_ref(ref)
    return arguments


def item_ref(ref: str) -> str:
    """An item named the way this surface allows: by full ID or unique prefix."""
    if ref.startswith(":"):
        raise InvalidValueError(f"{ref!r}: name items by ID or prefix here; ':N' numbers belong "
                                "to the CLI's last list, shared by every session of this user")
    return ref


def _fits(kind: str, value: Any) -> bool:
    if kind in ("str", "ref"):
        return isinstance(value, str)
    if kind in ("strs", "refs"):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "map":
        return isinstance(value, dict) and all(isinstance(v, str) or v is None
                                               for v in value.values())
    raise AssertionError(kind)
