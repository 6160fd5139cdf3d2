"""Checks across items: duplicate IDs between tiers, dangling and stealth references, isbefore
cycles, and config.yaml drifting from its template."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..core.config import parse_config
from ..core.errors import ConfigError
from ..core.item import Item
from .findings import ERROR, WARNING, Finding

LINKS = ("parent", "isbefore", "duplicate_of", "not_duplicate_of")


def duplicate_ids(tiers_by_id: dict[str, list[str]], path_of) -> Iterator[Finding]:
    for item_id, tiers in sorted(tiers_by_id.items()):
        if len(tiers) > 1:
            yield Finding(ERROR, path_of(tiers[0], item_id),
                          f"duplicate ID {item_id} in tiers: {', '.join(tiers)}",
                          f"a human merges the copies with: htrac reconcile-reset {item_id}")


def references(items: list[Item], path_of) -> Iterator[Finding]:
    tier_of: dict[str, str] = {}
    for item in items:
        tier_of.setdefault(item.id, item.tier)
    for item in items:
        for name in LINKS:
            value = getattr(item, name)
            for target in [value] if isinstance(value, str) else (value or []):
                where = path_of(item.tier, item.id)
                if target not in tier_of:
                    yield Finding(ERROR, where, f"{name} points to missing item {target}",
                                  f"htrac update {item.id} "
                                  + (f"--remove-{name.replace('_', '-')} {target}"
                                     if name != "parent" else "--parent <existing ID>"))
                elif tier_of[target] == "stealth" and item.tier != "stealth":
                    yield Finding(ERROR, where,
                                  f"{item.tier} item refers ({name}) to stealth item {target}",
                                  f"unstealth {target} or remove the link from {item.id}")


def cycles(items: list[Item], path_of) -> Iterator[Finding]:
    graph = {item.id: list(item.isbefore) for item in items}
    tier_of = {item.id: item.tier for item in items}
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    reported: set[frozenset[str]] = set()
    for start in sorted(graph):
        if state.get(start):
            continue
        stack = [(start, iter(graph[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                loop = path[path.index(child):] + [child]
                key = frozenset(loop)
                if key not in reported:
                    reported.add(key)
                    yield Finding(ERROR, path_of(tier_of[child], child),
                                  f"cycle in isbefore links: {' -> '.join(loop)}",
                                  f"htrac update {loop[0]} --remove-isbefore {loop[1]}")
            elif child in graph and not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(graph[child])))


def config_drift(tracker_dir: Path) -> Iterator[Finding]:
    config_path, template_path = tracker_dir / "config.yaml", tracker_dir / "config.yaml.template"
    if not (config_path.is_file() and template_path.is_file()):
        return
    try:
        config = parse_config(config_path.read_text(encoding="utf-8"), source=str(config_path))
        template = parse_config(template_path.read_text(encoding="utf-8"),
                                source=str(template_path))
    except (ConfigError, OSError, UnicodeDecodeError):
        return  # an unreadable config already fails every command with its own message
    only_config = sorted(set(config.kinds) - set(template.kinds))
    only_template = sorted(set(template.kinds) - set(config.kinds))
    for names, where, other in ((only_config, "config.yaml", "config.yaml.template"),
                                (only_template, "config.yaml.template", "config.yaml")):
        if names:
            yield Finding(WARNING, str(tracker_dir / where),
                          f"kinds only in {where}: {', '.join(names)}",
                          f"add them to {other} too, so every clone knows them")
