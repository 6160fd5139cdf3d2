"""Checks across items: duplicate IDs between tiers, dangling and stealth references, loops of
isbefore or parent links, and config.yaml drifting from its template."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..core.config import parse_config
from ..core.errors import ConfigError
from ..core.item import Item
from .cycles import Loop, graphs_of, loops_in
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
                                     if name != "parent"
                                     else "--parent <existing ID> (or --clear-parent)"))
                elif tier_of[target] == "stealth" and item.tier != "stealth":
                    yield Finding(ERROR, where,
                                  f"{item.tier} item refers ({name}) to stealth item {target}",
                                  f"unstealth {target} or remove the link from {item.id}")


def cycles(items: list[Item], path_of) -> Iterator[Finding]:
    """One finding per loop of isbefore or parent links, with the command that breaks it."""
    tier_of = {item.id: item.tier for item in items}
    for loop in loops_in(graphs_of(items)):
        yield loop_finding(loop, path_of(tier_of[loop.ids[0]], loop.ids[0]))


def loop_finding(loop: Loop, path: str) -> Finding:
    return Finding(ERROR, path, f"cycle in {loop.link} links: {' -> '.join(loop.ids)}", loop.fix)


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
