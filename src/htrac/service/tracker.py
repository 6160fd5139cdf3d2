"""The Tracker: the one entry point every surface (CLI, TUI, server) goes through.

A surface parses its input, makes one call here, and renders what comes back. Every write goes
the same way: values are checked against the schema and the configuration, authority is checked
by the policy, the op is built and serialized, and only then is anything appended — under the
item file's lock, with the Lamport clock computed from what the file and the git refs hold.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.config import Config, load_config
from ..core.errors import AuthorityError, InvalidValueError, ItemExistsError, WriteError
from ..core.policy import PERMISSIVE, Policy
from ..core.record import record
from ..store.layout import TIERS, Layout, find_root
from ..store.store import Store
from .governance import open_authority

if TYPE_CHECKING:
    from ..core.item import Item
    from ..core.ops import Op
    from ..policy.actor import Actor
    from ..policy.authority import Authority

# Reading commands (`ready`, `list`, the stop hooks) run many times an hour and must start fast,
# so what only writing needs — values, the op model, the serializer, the file lock, git — is
# imported by the methods that write.

DEFAULT_TIER = "workspace"
CREATE_ATTEMPTS = 5


@record(frozen=True)
class Change:
    """One change a write made, as a surface reports it."""
    field: str
    detail: str


class Tracker:
    def __init__(self, layout: Layout, config: Config, actor: Actor,
                 policy: Policy = PERMISSIVE, authority: Authority | None = None) -> None:
        self.layout = layout
        self.config = config
        self.actor = actor
        self.policy = policy
        self.authority = authority  # signs human ops; None: nothing is signed
        self.store = Store(layout, config, policy)
        self.wrote = False  # set by every write: auto-sync follows writes, never reads
        self._repo: Path | None | bool = False
        # What every reader and writer here calls "now" (leases, `at`): tests inject a clock.
        self.clock: Callable[[], datetime] = _utc_now

    @classmethod
    def open(cls, start: Path | None = None, tracker_root: Path | None = None) -> Tracker:
        layout = find_root(start or Path.cwd(), tracker_root)
        authority = open_authority(layout, load_config(layout.tracker_dir))
        return cls(layout, authority.config, authority.actor, authority.rules, authority)

    # -- reading -------------------------------------------------------------------------------

    def show(self, ref: str) -> Item:
        """The item `ref` names, with any loop of links it is on among its problems."""
        tier, item_id = self.store.resolve(ref)
        item = self.store.load(tier, item_id)
        if item.isbefore or item.parent:
            from ..core.problems import LOOP, Problem
            from .cycles import loops_through

            item.problems.extend(Problem(LOOP, f"{loop.describe()}; break it with: {loop.fix}")
                                 for loop in loops_through(self.store, item))
        return item

    def raw_log(self, ref: str) -> bytes:
        tier, item_id = self.store.resolve(ref)
        return self.layout.item_path(tier, item_id).read_bytes()

    def items(self, tiers: tuple[str, ...] = TIERS) -> list[Item]:
        return self.store.items(tiers)

    # -- writing -------------------------------------------------------------------------------

    def add(self, *, kind: str, title: str, status: str | None = None, priority: int = 2,
            parent: str | None = None, tags: tuple[str, ...] = (),
            isbefore: tuple[str, ...] = (), duplicate_of: tuple[str, ...] = (),
            not_duplicate_of: tuple[str, ...] = (), pr_ref: str | None = None,
            description: str = "", fields: dict[str, Any] | None = None,
            tier: str = DEFAULT_TIER, evidence: list[str] | tuple[str, ...] = ()) -> Item:
        from . import values

        values.check_tier(tier)
        spec = values.check_kind(self.config, kind)
        status = status or self.config.default_status(kind)
        values.check_status_for_kind(self.config, spec, status)
        fields = dict(fields or {})
        values.check_required_fields(spec, fields)
        data = {
            "kind": kind, "title": title, "status": status, "priority": priority,
            "parent": self._link(parent, tier) if parent else None,
            "tags": values.tag_list(tags),
            "isbefore": self._links(isbefore, tier),
            "duplicate_of": self._links(duplicate_of, tier),
            "not_duplicate_of": self._links(not_duplicate_of, tier),
            "pr_ref": pr_ref, "description": description, "fields": fields,
        }
        values.check_data(data, self.store.vocab)
        body: dict[str, Any] = {"data": data}
        if evidence:
            from .evidence import prepare

            body["evidence"] = prepare(self, evidence)
        op = self._new_op("create", body)
        item_id = self._claim_id(self.config.prefix(kind), data, op, tier)
        self._refuse_loops(item_id, data["isbefore"], data["parent"])
        self._append(tier, item_id, op, create=True)
        return self.store.load(tier, item_id)

    def update(self, ref: str, *, set_: dict[str, Any] | None = None,
               add: dict[str, list[str]] | None = None,
               remove: dict[str, list[str]] | None = None,
               expected_version: str | None = None,
               evidence: list[str] | tuple[str, ...] = ()) -> tuple[Item, Item]:
        from . import values

        tier, item_id = self.store.resolve(ref)
        before = self.store.load(tier, item_id)
        body = values.update_body(set_ or {}, add or {}, remove or {})
        for key in ("parent",):
            if body["set"].get(key):
                body["set"][key] = self._link(body["set"][key], tier)
        for part in ("set", "add", "remove"):
            for key in ("isbefore", "duplicate_of", "not_duplicate_of"):
                if key in body.get(part, {}):
                    body[part][key] = self._links(body[part][key], tier)
        if "status" in body["set"]:
            values.check_status_for_kind(self.config, self.config.kinds.get(before.kind),
                                         body["set"]["status"])
        if not any(body.get(p) for p in ("set", "add", "remove")):
            raise InvalidValueError("nothing to update: give at least one change")
        self._refuse_loops(item_id, [*(body["set"].get("isbefore") or ()),
                                     *body.get("add", {}).get("isbefore", ())],
                           body["set"].get("parent"))
        if evidence:
            if "status" not in body["set"]:
                raise InvalidValueError("--evidence goes with the --status it proves")
            from .evidence import prepare

            body["evidence"] = prepare(self, evidence)
        self._append(tier, item_id, self._new_op("update", body),
                     expected_version=expected_version)
        return before, self.store.load(tier, item_id)

    def annotate(self, ref: str, body: dict[str, Any]) -> tuple[Item, Item]:
        """Append an update that changes no field, carrying htrac's own keys (`remember`,
        `forget`: see `service.memory`); returns the item before and after."""
        tier, item_id = self.store.resolve(ref)
        before = self.store.load(tier, item_id)
        self._append(tier, item_id, self._new_op("update", {"set": {}, **body}))
        return before, self.store.load(tier, item_id)

    def discuss(self, ref: str, message: str, *, summarize: bool = False,
                expected_version: str | None = None) -> Item:
        if not message.strip():
            raise InvalidValueError(
                "empty summary: it would replace the whole visible thread with nothing"
                if summarize else "empty message: write something (to read the thread, "
                "run 'htrac discuss ID' without a message)")
        tier, item_id = self.store.resolve(ref)
        op_type = "discuss_summarize" if summarize else "discuss"
        self._append(tier, item_id, self._new_op(op_type, {"message": message}),
                     expected_version=expected_version)
        return self.store.load(tier, item_id)

    # Governance writes are never refused as stale: they commit to what the human saw (`seen`,
    # the identities of the ops on screen; everything in the file when None) and so bind, or
    # spare, whatever they did not see.

    def clear_discussion(self, ref: str, *, seen: Collection[str] | None = None) -> Item:
        tier, item_id = self.store.resolve(ref)
        self._append(tier, item_id, self._new_op("discuss_clear", {}), seen=seen)
        return self.store.load(tier, item_id)

    def write_claim(self, tier: str, item_id: str, set_: dict[str, Any],
                    claim: dict[str, Any]) -> Item:
        """Append a claim op (docs/design/claims.md): an update whose `claim` key says what it
        does. Whether it may is decided under the item's lock by the same rule the fold
        applies (`core.claims.conflict`), so of concurrent claimers exactly one wins."""
        self._append(tier, item_id, self._new_op("update", {"set": set_, "claim": claim}))
        return self.store.load(tier, item_id)

    def lock(self, ref: str, names: list[str], *, unlock: bool = False,
             seen: Collection[str] | None = None) -> Item:
        tier, item_id = self.store.resolve(ref)
        op_type = "unlock" if unlock else "lock"
        names = [n.lower() for n in names]
        self._append(tier, item_id, self._new_op(op_type, {op_type: names}), seen=seen)
        return self.store.load(tier, item_id)

    def _refuse_loops(self, item_id: str, isbefore: list[str], parent: str | None) -> None:
        """New links that would close a loop of isbefore or parent links are refused."""
        if not isbefore and not parent:
            return  # no new link, no loop (and no graph module to import)
        from .cycles import refuse_loop

        refuse_loop(self.store, item_id, "isbefore", isbefore)
        refuse_loop(self.store, item_id, "parent", [parent] if parent else [])

    # -- the write path ------------------------------------------------------------------------

    def _new_op(self, op_type: str, body: dict[str, Any]) -> Op:
        from ..core.ops import make_op, now_at

        return make_op(op_type, by=self.actor.by, actor=self.actor.name, clock=0, body=body,
                       at=now_at(op_type, self.clock()))

    def _append(self, tier: str, item_id: str, op: Op, *, create: bool = False,
                then: Callable[[Path], None] | None = None, expected_version: str | None = None,
                seen: Collection[str] | None = None) -> Op:
        """Append `op` under the file's lock; `then(path)` runs before the lock is let go (a
        tier move, so no other writer can append to the old place in between).

        `expected_version`: the item's version the write was based on; if the item changed
        meanwhile nothing is written (StaleVersionError). `seen`: the identities of the ops the
        human had on screen — a signed human op commits to those (every op in the file when
        None), so it binds whatever it did not see (`core.causal`)."""
        from ..core.oplog import read_oplog
        from ..core.ops import Op, now_at
        from ..core.serialize import serialize_op
        from ..store.appendlog import FileAppeared, locked

        path = self.layout.item_path(tier, item_id)
        floor, branch_locks = self._refs_view(path, item_id)
        if self.signs:
            self._close_expired_windows(tier)
        for _ in range(CREATE_ATTEMPTS):
            try:
                with locked(path, create=create) as log:
                    current = read_oplog(log.read())
                    clock = 1 + max(current.max_clock, floor)
                    # `at` is taken under the lock, so on one machine it follows append order
                    # (a claim is judged at its own `at`: core.claims)
                    at = now_at(op.type, self.clock())
                    written = Op(op.type, at, op.by, op.actor, clock, op.nonce, op.body)
                    self._check(written, tier, item_id, current, branch_locks,
                                expected_version)
                    if self.signs:
                        written = self._committed(written, item_id, current.ops, seen)
                        written = self.authority.sign(written, item_id)
                    text = serialize_op(written)
                    if read_oplog(text.encode("utf-8")).ops != [written]:
                        raise InvalidValueError("this op would not read back as written; "
                                                "not written")
                    log.append(text)
                    self.wrote = True
                    if then is not None:
                        then(path)
                return written
            except FileAppeared:
                continue  # another writer created the file meanwhile: write against it
        raise WriteError(f"{path.name} keeps appearing and disappearing; nothing was written")

    @property
    def signs(self) -> bool:
        """Are this actor's ops signed (and so carry a causal commitment)?"""
        return self.authority is not None and self.authority.signs

    def _committed(self, op: Op, item_id: str, present: list[Op],
                   seen: Collection[str] | None) -> Op:
        """`op` with its `seen:` commitment to the ops present in the file (DESIGN, point 13)."""
        from ..core.causal import seen_for
        from ..core.fold import order
        from ..core.ops import SEEN, Op
        from ..core.schema import MAX_SEEN

        listed = seen_for(order(item_id, present, self.policy), seen)
        if len(listed) > MAX_SEEN:
            raise InvalidValueError(f"{item_id} has {len(listed)} ops you have not yet "
                                    f"committed to (at most {MAX_SEEN} fit in one op); nothing "
                                    "was written")
        body = {k: v for k, v in op.body.items() if k != SEEN}
        body[SEEN] = listed
        return Op(op.type, op.at, op.by, op.actor, op.clock, op.nonce, body, op.sig)

    def _close_expired_windows(self, tier: str) -> None:
        """A human's write first closes an edit-mode window whose time ran out (the fold can
        judge agents' message edits only by what the closing op lists: `core.editmode`)."""
        from .editwindow import close_expired

        close_expired(self, tier)

    def _check(self, op: Op, tier: str, item_id: str, current,
               branch_locks: frozenset[str] | set[str] = frozenset(),
               expected_version: str | None = None) -> Item:
        from ..core.errors import StaleVersionError
        from ..core.item import Item
        from ..core.schema import SchemaError, check_op

        try:
            check_op(op, self.store.vocab)
        except SchemaError as exc:
            raise InvalidValueError(str(exc)) from None
        item = self.store.fold_log(tier, item_id, current) if current.ops else Item(id=item_id)
        if expected_version is not None and item.version != expected_version:
            raise StaleVersionError(item, expected_version)
        if item.read_only_reason and not self.actor.is_human:
            raise AuthorityError(f"{item_id}: {item.read_only_reason}")
        item.locked_fields |= branch_locks  # a lock in force on another branch binds here too
        reason = self.policy.refuse(op, item, self.actor.by)
        if reason:
            raise AuthorityError(reason)
        if op.type == "update" and "claim" in op.body:
            from .claims import check_claim_op

            check_claim_op(self, item, op)
        self._refuse_breaches(op, tier, item_id, current, item if current.ops else None)
        return item

    def _refuse_breaches(self, op: Op, tier: str, item_id: str, current,
                         before: Item | None) -> None:
        """Refuse an op whose item would break a rule of the configuration it didn't break
        before — the rules `validate` and the pre-commit hook apply (`core.itemrules`)."""
        from ..core.itemrules import new_breaches
        from ..core.oplog import OpLog

        with_op = OpLog(ops=[*current.ops, op], problems=list(current.problems),
                        lines=dict(current.lines))
        after = self.store.fold_log(tier, item_id, with_op)
        found = new_breaches(self.config, before, after)
        if found:
            # A repair command is no advice for a write that never happened; a hint is.
            hint = "" if found[0].fix.startswith("htrac ") else f"; {found[0].fix}"
            raise InvalidValueError(f"{found[0].message}: not written (validate and the "
                                    f"pre-commit hook would refuse it{hint})")

    def _refs_view(self, path: Path, item_id: str) -> tuple[int, set[str]]:
        """(clock floor, locks in force) from the item's file on the Lamport branches and HEAD."""
        from .governance import refs_view

        # Git reads `REF:./PATH` relative to the directory it runs in, so no process is spent
        # finding the repository's top: a path that leads out of the repository (or a tracker
        # outside one) makes git refuse the batch, and then nothing counts but the file itself.
        here = self.layout.repo_root.resolve()
        rel = Path(os.path.relpath(path.resolve(), here)).as_posix()
        rules = self.authority.rules if self.authority is not None else None
        return refs_view(here, f"./{rel}", item_id, self.config, rules or self.policy,
                         want_locks=not self.actor.is_human)

    def _repo_root(self) -> Path | None:
        if self._repo is False:
            from ..gitio.run import toplevel

            top = toplevel(self.layout.repo_root)
            self._repo = top.resolve() if top else None
        return self._repo  # type: ignore[return-value]

    def _claim_id(self, prefix: str, data: dict[str, Any], op: Op, tier: str) -> str:
        """The new item's ID; salted when a create-less file already holds the plain one."""
        from ..core.ids import make_id

        item_id = make_id(prefix, data)
        for t in TIERS:
            path = self.layout.item_path(t, item_id)
            if not path.exists():
                continue
            existing = self.store.read_log(t, item_id)
            if any(o.type == "create" for o in existing.ops):
                title = self.store.load(t, item_id).title
                raise ItemExistsError(f"{item_id} already exists (title: {title!r}). "
                                      "Use 'update' to modify it.")
            return make_id(prefix, data, salt=op.nonce)
        return item_id

    def _links(self, refs: tuple[str, ...] | list[str], tier: str) -> list[str]:
        return list(dict.fromkeys(self._link(r, tier) for r in refs))

    def _link(self, ref: str, tier: str) -> str:
        target_tier, target = self.store.resolve(ref)
        if target_tier == "stealth" and tier != "stealth":
            raise InvalidValueError(f"{target} is a stealth item; a {tier} item may not "
                                    "reference it (stealth items never leave this clone)")
        return target


def _utc_now() -> datetime:
    return datetime.now(UTC)


def init_tracker(repo_dir: Path) -> Layout:
    """Create the tracker directories in `repo_dir` (idempotent). Never through a symlink: each
    directory is opened as a real directory of the repository's owner (`store.safefs`), and
    what is created belongs to that owner."""
    from ..store.safefs import Tree

    layout = Layout(repo_dir.resolve() / ".agent")
    with Tree.open(layout.repo_root) as repo, repo.sub(".agent", create=0o755) as agent:
        with agent.sub("tracker", create=0o755) as tracker:
            with tracker.sub(".ops", create=0o755) as ops:
                _write_once(ops, ".gitattributes", "*.ops merge=union\n")
            _write_once(tracker, ".gitignore", "config.yaml\n")
        with agent.sub("tracker-workspace", create=0o755) as workspace:
            with workspace.sub(".ops", create=0o755) as ops:
                _write_once(ops, ".gitattributes", "*.ops merge=union\n")
            with workspace.sub("stealth", create=0o755) as stealth:
                _write_once(stealth, ".gitignore", "*.ops\n")
    return layout


def _write_once(tree, name: str, text: str) -> None:
    if tree.lstat(name) is None:
        tree.create(name, text.encode("utf-8"), 0o644)


__all__ = ["Tracker", "Change", "init_tracker"]
