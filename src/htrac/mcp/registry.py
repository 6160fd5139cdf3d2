"""Which tools a server offers: every tool module's `TOOLS`, narrowed by `--tools`,
`--read-only` and `--allow-human-ops`."""

from __future__ import annotations

import importlib

from ..core.errors import InvalidValueError
from .tool import Tool

# Tool modules, in the order their tools are listed.
MODULES = ["htrac.mcp.tracker_tools", "htrac.mcp.claim_tools", "htrac.mcp.memory_tools",
           "htrac.mcp.human_tools"]


def all_tools() -> list[Tool]:
    tools: list[Tool] = []
    for name in MODULES:
        tools.extend(importlib.import_module(name).TOOLS)
    return tools


def select(spec: str | None = None, *, allow_human_ops: bool = False,
           read_only: bool = False) -> list[Tool]:
    """The tools to offer. `spec` names tools and toolsets, comma-separated (default: every
    toolset but `human`); human-only tools need `allow_human_ops`, and `read_only` keeps only
    the tools that change nothing."""
    tools = all_tools()
    if spec is None or not spec.strip():
        chosen = [t for t in tools if not t.human_only or allow_human_ops]
    else:
        chosen = _named(tools, spec, allow_human_ops)
    if read_only:
        chosen = [t for t in chosen if t.read_only]
    if not chosen:
        raise InvalidValueError("no tools left to offer: check --tools and --read-only")
    return chosen


def _named(tools: list[Tool], spec: str, allow_human_ops: bool) -> list[Tool]:
    names = [n.strip() for n in spec.split(",") if n.strip()]
    sets = {t.toolset for t in tools}
    wanted: set[str] = set()
    for name in names:
        members = [t for t in tools if t.name == name or t.toolset == name]
        if not members:
            choices = ", ".join(sorted(sets) + [t.name for t in tools])
            raise InvalidValueError(f"--tools: no tool or toolset {name!r} (choose from "
                                    f"{choices})")
        human = [t.name for t in members if t.human_only]
        if human and not allow_human_ops:
            raise InvalidValueError(f"--tools: {', '.join(human)} only with --allow-human-ops")
        wanted.update(t.name for t in members)
    return [t for t in tools if t.name in wanted]
