"""Questions asked of the whole tracker: what is ready, what blocks the stop hook, who is waiting.

These work on compiled items, whatever produced them (a fold of every file, or the index), so
`ready`, `count-todos`, `hash-todos`, `guidance` and the hooks all agree on one definition.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..store.places import TIERS, sha256_hex

TYPE_CHECKING = False  # the hot read path (`service.quick`) asks these questions too
if TYPE_CHECKING:
    from ..core.config import Config
    from ..core.item import Item

SCOPE_TIERS = {"all": TIERS, "workspace": ("workspace", "stealth")}


def scope_tiers(config: Config) -> tuple[str, ...]:
    """The tiers the stop hook looks at (`stop_hook.scope`)."""
    return SCOPE_TIERS[config.scope]


def sort_key(item: Item) -> tuple[int, str]:
    return (item.priority, item.created_at)


def ready(items: Iterable[Item], config: Config) -> list[Item]:
    """Items an agent may start now: blocking status, not a duplicate, nothing unresolved before
    them. Sorted by (priority, created_at). Damaged items are not offered as ready work."""
    items = list(items)
    resolved = set(config.resolved_statuses)
    blocked = {target for item in items if item.status not in resolved
               for target in item.isbefore}
    blocking = set(config.blocking_statuses)
    chosen = [i for i in items
              if i.status in blocking and not i.duplicate_of and not i.cross_tier_conflict
              and i.id not in blocked and not i.damaged]
    return sorted(chosen, key=sort_key)


def is_blocking(item: Item, config: Config, statuses: frozenset[str] | None = None) -> bool:
    """Does `item` keep the stop hook from letting the agent stop? A damaged item always does
    (DESIGN, point 7): corrupting a file must never unblock an agent."""
    # An empty set is a real answer (`--hard` where no blocking status is named *hard*).
    chosen = statuses if statuses is not None else frozenset(config.blocking_statuses)
    return item.damaged or item.status in chosen


def blocking_statuses(config: Config, *, hard: bool = False,
                      soft: bool = False) -> frozenset[str]:
    """The configured blocking statuses; `hard` (wins over `soft`) keeps those named `*hard*`,
    `soft` the others."""
    statuses = frozenset(config.blocking_statuses)
    if hard:
        return frozenset(s for s in statuses if "hard" in s)
    if soft:
        return frozenset(s for s in statuses if "hard" not in s)
    return statuses


def blocking(items: Iterable[Item], config: Config, *, hard: bool = False,
             soft: bool = False) -> list[Item]:
    statuses = blocking_statuses(config, hard=hard, soft=soft)
    return [i for i in items if is_blocking(i, config, statuses)]


def todo_hash(items: Iterable[Item], config: Config) -> str:
    """SHA-256 over the sorted `id\\tstatus\\ttitle\\n` lines of blocking items (the
    reference's)."""
    return todo_hash_of((i.id, i.status, i.title) for i in blocking(items, config))


def with_unread(items: Iterable[Item]) -> list[Item]:
    """Items whose discussion ends in human messages no agent has answered, by (priority, id)."""
    return sorted((i for i in items if i.unread_human()), key=lambda i: (i.priority, i.id))


# -- the same questions, answered by the store's index when it can --------------------------
# Each answer equals the definition above applied to `store.items(...)`; the index only
# avoids decoding items nobody prints (tests/store/test_index_queries.py compares them).

def overview_in(store, config: Config, *, summary: bool = False) -> tuple:
    """`ready` over every tier, `with_unread` over the hook's scope, the damaged items of
    every tier (by tier, then ID), the items with claims (same order) and which of those are
    blocked, from one look at the files: what `htrac ready` and the session brief show. With
    `summary`, the first two as `Summary` tuples."""
    scope = scope_tiers(config)
    fast = store.query("ready_unread_damaged", TIERS, config.blocking_statuses,
                       config.resolved_statuses, scope, summary=summary)
    if fast is not None:
        return fast
    items = store.items(TIERS)
    resolved = set(config.resolved_statuses)
    blocked = {t for i in items if i.status not in resolved for t in i.isbefore}
    claimed = [i for i in items if i.claim is not None or i.lost_claims]
    found = [ready(items, config), with_unread(i for i in items if i.tier in scope),
             [i for i in items if i.damaged], claimed,
             frozenset(i.id for i in claimed if i.id in blocked)]
    if summary:
        from ..core.summary import Summary

        found[:2] = [Summary.of(i) for i in found[0]], [Summary.of(i) for i in found[1]]
    return tuple(found)


def unread_in(store, tiers: tuple[str, ...]) -> list[Item]:
    fast = store.query("with_unread", tiers)
    return fast if fast is not None else with_unread(store.items(tiers))


def todo_rows(store, config: Config, tiers: tuple[str, ...], *, hard: bool = False,
              soft: bool = False) -> list[tuple[str, str, str]]:
    """(id, status, title) of the items `blocking` keeps, in file order — after one row
    (`tier:<name>`, `damaged`, why) for each tier whose directory can't be trusted: a tier
    directory replaced by a file or a link to an empty directory hides its items, so it
    blocks like a damaged item (`count-todos` never drops below the truth)."""
    broken = [(f"tier:{tier}", "damaged", problem)
              for tier, problem in broken_tiers(store.layout, tiers)]
    statuses = blocking_statuses(config, hard=hard, soft=soft)
    fast = store.query("blocking_rows", tiers, sorted(statuses))
    if fast is not None:
        return broken + fast
    return broken + [(i.id, i.status, i.title) for i in store.items(tiers)
                     if is_blocking(i, config, statuses)]


def broken_tiers(layout, tiers: tuple[str, ...]) -> list[tuple[str, str]]:
    """(tier, why) for each of `tiers` whose directory is missing, replaced or unreadable."""
    return [(tier, problem) for tier in tiers if (problem := layout.tier_problem(tier))]


def todo_count(store, config: Config, tiers: tuple[str, ...], *, hard: bool = False,
               soft: bool = False) -> int:
    """`len(todo_rows(…))`, counted by the index when it can."""
    statuses = blocking_statuses(config, hard=hard, soft=soft)
    fast = store.query("blocking_count", tiers, sorted(statuses))
    if fast is not None:
        return len(broken_tiers(store.layout, tiers)) + int(fast)
    return len(todo_rows(store, config, tiers, hard=hard, soft=soft))


def todo_hash_of(rows: Iterable[tuple[str, str, str]]) -> str:
    """`todo_hash` from `todo_rows`."""
    lines = sorted(f"{item_id}\t{status}\t{title}\n" for item_id, status, title in rows)
    return sha256_hex("".join(lines).encode("utf-8"))


def blockers(store, config: Config, item_id: str) -> list[tuple[str, str]]:
    """(id, status) of the unresolved items that must finish before `item_id`."""
    resolved = config.resolved_statuses
    found = store.query("blockers", item_id, list(resolved))
    if found is not None:
        return found
    return [(i.id, i.status) for i in store.items(TIERS)
            if item_id in i.isbefore and i.status not in resolved]
