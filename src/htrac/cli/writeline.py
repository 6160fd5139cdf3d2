"""The write command lines `cli.entry` runs without click: `update REF` with its commonest
options, `discuss [--ack-thread] REF MESSAGE`, `add --kind K --title T …`.

Only a line click would read one way is taken: known options, each followed by its value, no
value or argument that starts with `-` (click might take it for an option, or refuse it), a
single-valued option at most once, `--priority` in plain digits, the right number of arguments,
no `--opt=value`, `--`, `--help`, abbreviation or global option but `--json`. Anything else —
including every mistake — returns None and goes to click, which parses it (and words its
errors) as always. The values come out as click would give them to the command
(tests/cli/test_writeline.py holds the two side by side).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Per command: (options taking one value, options taking one value each time they are given,
# flags, the names of the positional arguments, every parameter's default as click has it).
_UPDATE_DEFAULTS: dict[str, Any] = {
    "status": None, "priority": None, "title": None, "parent": None, "clear_parent": False,
    "pr_ref": None, "description": None, "description_file": None, "description_stdin": False,
    "add_tag": (), "remove_tag": (), "add_isbefore": (), "remove_isbefore": (),
    "add_duplicate_of": (), "remove_duplicate_of": (), "add_not_duplicate_of": (),
    "remove_not_duplicate_of": (), "add_blocked_by": (), "remove_blocked_by": (),
    "field_pairs": (), "add_field_pairs": (), "remove_field": (), "force_field_key": False,
    "add_link": (), "remove_link": (), "evidence": (), "note": None, "force": False,
}
_ADD_DEFAULTS: dict[str, Any] = {
    "kind": None, "title": None, "status": None, "priority": 2, "parent": None, "tags": (),
    "isbefore": (), "description": None, "description_file": None, "description_stdin": False,
    "pr_ref": None, "field_pairs": (), "force_field_key": False, "tier": "workspace",
    "links": (), "evidence": (),
}
SPECS: dict[str, tuple[dict[str, str], dict[str, str], dict[str, str], tuple[str, ...],
                       dict[str, Any]]] = {
    "update": ({"--status": "status", "--priority": "priority", "--title": "title",
                "--parent": "parent", "--pr-ref": "pr_ref", "--description": "description",
                "--note": "note"},
               {"--add-tag": "add_tag", "--remove-tag": "remove_tag"},
               {}, ("ref",), _UPDATE_DEFAULTS),
    "discuss": ({}, {}, {"--ack-thread": "ack_thread"}, ("ref", "message"),
                {"ack_thread": False}),
    "add": ({"--kind": "kind", "--title": "title", "--status": "status",
             "--priority": "priority", "--parent": "parent", "--description": "description",
             "--pr-ref": "pr_ref"},
            {"--tag": "tags"}, {}, (), _ADD_DEFAULTS),
}
INTEGERS = frozenset({"priority"})
REQUIRED = {"add": ("kind", "title")}


def parse(args: list[str]) -> tuple[str, bool, dict[str, Any]] | None:
    """(command, --json given, the command's parameters by name) for a simple write line."""
    try:
        for arg in args:
            arg.encode("utf-8")  # click words an argument that isn't text; leave it to click
    except UnicodeEncodeError:
        return None
    at = 0
    while at < len(args) and args[at] == "--json":
        at += 1
    if at == len(args) or args[at] not in SPECS:
        return None
    command = args[at]
    values, multiple, flags, names, defaults = SPECS[command]
    params = dict(defaults)
    json = at > 0
    given: set[str] = set()
    positional: list[str] = []
    rest = args[at + 1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "--json":
            json = True
        elif arg in flags:
            if arg in given:
                return None
            given.add(arg)
            params[flags[arg]] = True
        elif arg in values or arg in multiple:
            if i + 1 == len(rest) or rest[i + 1].startswith("-"):
                return None
            value: Any = rest[i + 1]
            i += 1
            if arg in multiple:
                key = multiple[arg]
                params[key] = (*params[key], value)
            else:
                if arg in given:
                    return None
                given.add(arg)
                key = values[arg]
                if key in INTEGERS:
                    if not (value.isascii() and value.isdigit()):
                        return None
                    value = int(value)
                params[key] = value
        elif arg.startswith("-"):
            return None
        else:
            positional.append(arg)
        i += 1
    if len(positional) != len(names):
        return None
    params.update(zip(names, positional, strict=True))
    if any(params[key] is None for key in REQUIRED.get(command, ())):
        return None
    return command, json, params
