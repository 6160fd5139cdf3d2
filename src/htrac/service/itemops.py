"""`update` as a user asks for it: one request, several ops, and a readable list of what changed.

A request may touch the item itself (one `update` op), other items (`--add-blocked-by X` puts
this item into X's `isbefore`, written on X as the reference does), and the discussion (`--note`).
What changed is computed from the compiled item before and after, so a request that changes
nothing reports nothing, whatever ops it wrote.
"""

from __future__ import annotations

from typing import Any

from ..core.config import Kind
from ..core.errors import AuthorityError, HtracError, InvalidValueError, StaleVersionError
from ..core.ids import short
from ..core.item import Item
from ..core.record import field, record
from . import discussion
from .tracker import Change, Tracker
from .values import check_field_name

LINKS = ("isbefore", "duplicate_of", "not_duplicate_of")


@record()
class UpdateRequest:
    """What one `update` asks for, whichever surface it came from."""
    status: str | None = None
    priority: int | None = None
    title: str | None = None
    parent: str | None = None
    clear_parent: bool = False
    pr_ref: str | None = None
    description: str | None = None
    tags: list[str] | None = None  # the whole list (the reference server's `set: {tags}`)
    add: dict[str, list[str]] = field(default_factory=dict)
    remove: dict[str, list[str]] = field(default_factory=dict)
    add_blocked_by: list[str] = field(default_factory=list)
    remove_blocked_by: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)  # a None value removes the key
    force_field_key: bool = False
    note: str | None = None
    expected_version: str | None = None  # the item's version the request was based on
    force: bool = False  # a human leaving the kind's lifecycle (policy.lifecycle)
    evidence: list[str] = field(default_factory=list)  # proves the status (service.evidence)

    def set_part(self) -> dict[str, Any]:
        scalars = {"status": self.status, "priority": self.priority, "title": self.title,
                   "pr_ref": self.pr_ref, "description": self.description}
        part = {k: v for k, v in scalars.items() if v is not None}
        if self.tags is not None:
            part["tags"] = list(self.tags)
        if self.parent:  # an empty --parent is ignored, as in the reference
            part["parent"] = self.parent
        if self.clear_parent:
            part["parent"] = None
        if self.fields:
            part["fields"] = dict(self.fields)
        return part

    def is_empty(self) -> bool:
        return not (self.set_part() or any(self.add.values()) or any(self.remove.values())
                    or self.add_blocked_by or self.remove_blocked_by or self.note is not None)


@record()
class UpdateResult:
    """The item after an update, what changed, and any warnings."""
    item: Item
    changes: list[Change]
    warnings: list[str] = field(default_factory=list)


def update_item(tracker: Tracker, ref: str, request: UpdateRequest) -> UpdateResult:
    """Apply `request` to the item `ref` names; every write goes through the Tracker."""
    if request.parent and request.clear_parent:
        raise InvalidValueError("give --parent ID or --clear-parent, not both")
    if request.note is not None and not request.note.strip():
        raise InvalidValueError("empty --note: write something, or leave --note out")
    if request.is_empty():
        hint = ("an empty --parent is ignored, as in the reference; to remove the parent use "
                "--clear-parent" if request.parent == "" else
                "give at least one change (see 'htrac update --help')")
        raise InvalidValueError(f"nothing to update: {hint}")
    if request.evidence and request.status is None:
        raise InvalidValueError("--evidence goes with the --status it proves")
    tier, item_id = tracker.store.resolve(ref)
    before = tracker.store.load(tier, item_id)
    check_field_keys(tracker.config.kinds.get(before.kind), request.fields,
                     force=request.force_field_key)
    if request.status is not None:
        check_transition(tracker, before, request.status, force=request.force)
    # Every other item named must exist before anything is written.
    blockers = ([(tracker.store.resolve(r)[1], True) for r in request.add_blocked_by]
                + [(tracker.store.resolve(r)[1], False) for r in request.remove_blocked_by])
    changes: list[Change] = []
    after = before
    expected = request.expected_version  # checked again by the first write, under its lock
    if expected is not None and before.version != expected:
        raise StaleVersionError(before, expected)
    if request.set_part() or any(request.add.values()) or any(request.remove.values()):
        before, after = tracker.update(item_id, set_=request.set_part(), add=request.add,
                                       remove=request.remove, expected_version=expected,
                                       evidence=request.evidence)
        expected = None
        changes.extend(describe_changes(tracker, before, after))
    for other, adding in blockers:
        changes.extend(_blocked_by(tracker, item_id, other, adding))
    warnings = _record_tags(tracker, request.add.get("tags", []))
    if request.note is not None:
        unread = discussion.unread_for(tracker, after)
        if unread:
            warnings.append(f"your note follows {len(unread)} unread human message(s) on "
                            f"{short(item_id)}: read them with 'htrac discuss {item_id}'")
        after = tracker.discuss(item_id, request.note, expected_version=expected)
    else:
        after = tracker.store.load(tier, item_id)
    return UpdateResult(after, changes, warnings)


def check_transition(tracker: Tracker, item: Item, status: str, *, force: bool) -> None:
    """A human leaves the kind's lifecycle only with `force`; an agent never (the policy
    refuses its op, on write and in the fold, naming the allowed next statuses)."""
    from ..policy.lifecycle import refusal

    if force and not tracker.actor.is_human:
        raise AuthorityError("--force (leaving a lifecycle) requires human authority")
    moved = refusal(getattr(tracker.policy, "lifecycles", ()), item.kind, item.status, status)
    if moved and tracker.actor.is_human and not force:
        raise InvalidValueError(f"{moved}; a human may leave it with --force")


def add_item(tracker: Tracker, *, force_field_key: bool = False,
             links: tuple[str, ...] | list[str] = (),
             **values: Any) -> tuple[Item, list[str]]:
    """Create an item (see `Tracker.add`), then attach `links`; returns it and warnings about
    deprecated tags. (The reference's create has no links: they go in an update after it.)"""
    from .links import check_link

    spec = tracker.config.kinds.get(values.get("kind", ""))
    check_field_keys(spec, values.get("fields") or {}, force=force_field_key)
    links = [check_link(uri) for uri in links]  # refused before anything is written
    item = tracker.add(**values)
    if links:
        _, item = tracker.update(item.id, add={"links": links})
    return item, _record_tags(tracker, item.tags)


def _record_tags(tracker: Tracker, used: list[str]) -> list[str]:
    """The catalog's bookkeeping, after the item is written: a catalog that can't be read or
    written costs a warning, never the write that already happened."""
    if not used:
        return []  # most writes: no catalog to read (nor its module to import)
    from . import tags

    try:
        return tags.record_use(tracker, used)
    except HtracError as exc:
        return [f"tag catalog not updated: {exc}"]


def check_field_keys(spec: Kind | None, fields: dict[str, Any], *, force: bool = False) -> None:
    """Refuse a custom key that shadows a core attribute, or that spells a declared field of the
    kind differently (`Root-Cause` for `root_cause`); removals are always allowed. `force` (the
    reference's `--force-field-key`) no longer lets the twin through: a field the kind doesn't
    declare is refused by validation, so writing it would only make a file nobody can commit."""
    declared = {_normal(name): name for name in (spec.fields if spec else {})}
    for key, value in fields.items():
        if value is None:
            continue
        check_field_name(key)
        twin = declared.get(_normal(key))
        if twin is not None and twin != key:
            raise InvalidValueError(f"field {key!r} looks like the declared field {twin!r}: "
                                    f"use {twin!r}")


def _normal(name: str) -> str:
    return name.casefold().replace("-", "_").replace(" ", "_")


def _blocked_by(tracker: Tracker, item_id: str, other_ref: str, adding: bool) -> list[Change]:
    """`X --add-blocked-by Y`: Y must finish before X, so X goes into Y's isbefore, on Y."""
    other_tier, other_id = tracker.store.resolve(other_ref)
    if other_id == item_id:
        raise InvalidValueError(f"{short(item_id)} can't be blocked by itself")
    other = tracker.store.load(other_tier, other_id)
    present = item_id in other.isbefore
    if adding == present:
        return []
    part = {"isbefore": [item_id]}
    tracker.update(other_id, add=part if adding else None, remove=None if adding else part)
    verb = "now blocks" if adding else "no longer blocks"
    return [Change("blocked-by", f"{short(other_id)} ({other.title}) {verb} {short(item_id)}")]


def describe_changes(tracker: Tracker, before: Item, after: Item) -> list[Change]:
    """What differs between two states of one item, in the reference's order and wording style."""
    changes: list[Change] = []
    if before.status != after.status:
        changes.append(Change("status", f"{before.status} → {after.status}"))
    if before.priority != after.priority:
        changes.append(Change("priority", f"P{before.priority} → P{after.priority}"))
    if before.title != after.title:
        changes.append(Change("title", f"{before.title!r} → {after.title!r}"))
    if before.parent != after.parent and after.parent:
        changes.append(Change("parent", f"now child of {_named(tracker, after.parent)}"))
    elif before.parent != after.parent and before.parent:
        changes.append(Change("parent", f"no longer child of {_named(tracker, before.parent)}"))
    if before.pr_ref != after.pr_ref:
        changes.append(Change("pr_ref", str(after.pr_ref)))
    if before.description != after.description:
        changes.append(Change("description", f"{len(after.description)} characters"))
    added = [t for t in after.tags if t not in before.tags]
    removed = [t for t in before.tags if t not in after.tags]
    if added:
        changes.append(Change("tags", ", ".join(f"+{t}" for t in added)))
    if removed:
        changes.append(Change("tags", ", ".join(f"-{t}" for t in removed)))
    for name in LINKS:
        changes.extend(_link_changes(tracker, name, before, after))
    gained = [u for u in after.links if u not in before.links]
    lost = [u for u in before.links if u not in after.links]
    if gained:
        changes.append(Change("links", ", ".join(f"+{u}" for u in gained)))
    if lost:
        changes.append(Change("links", ", ".join(f"-{u}" for u in lost)))
    if after.evidence and after.evidence != before.evidence:
        changes.append(Change("evidence", ", ".join(after.evidence)))
    for key in after.fields:
        if before.fields.get(key, _MISSING) != after.fields[key]:
            changes.append(Change(f"fields.{key}", str(after.fields[key])))
    changes.extend(Change(f"fields.{key}", "removed")
                   for key in before.fields if key not in after.fields)
    return changes


_MISSING = object()


def _link_changes(tracker: Tracker, name: str, before: Item, after: Item) -> list[Change]:
    gained = [i for i in getattr(after, name) if i not in getattr(before, name)]
    lost = [i for i in getattr(before, name) if i not in getattr(after, name)]
    me = short(after.id)
    changes = []
    for target in gained:
        detail = (f"{me} now blocks {_named(tracker, target)}" if name == "isbefore"
                  else f"+{_named(tracker, target)}")
        changes.append(Change(name, detail))
    for target in lost:
        detail = (f"{me} no longer blocks {_named(tracker, target)}" if name == "isbefore"
                  else f"removed {_named(tracker, target)}")
        changes.append(Change(name, detail))
    return changes


def _named(tracker: Tracker, item_id: str) -> str:
    """`WI-gugup (Its title)`, or just the short ID when the item can't be found."""
    tiers = tracker.store.tiers_of(item_id)
    if not tiers:
        return short(item_id)
    return f"{short(item_id)} ({tracker.store.load(tiers[0], item_id).title})"
