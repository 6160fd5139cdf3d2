"""Claiming work: `claim`, `ready --claim`, `release`, `heartbeat` (docs/design/claims.md).

Every verb names the acting session (service.sessions) and writes one claim op through the
Tracker's append path, where the same rule the fold applies (`core.claims.conflict`) is checked
against the file *under the item's lock*: of concurrent claimers in one worktree exactly one
appends a take, and the others get `ClaimedError` naming the holder. What needs other items —
`isbefore` blockers, duplicates, `claims.max_claims_per_session` — is checked before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from ..core.claims import conflict, parse_at
from ..core.errors import AuthorityError, ClaimedError, InvalidValueError
from ..core.ids import short
from ..core.lease import describe_left, due_for_renewal
from . import queries
from .holdings import Holding, describe, holding, holdings

if TYPE_CHECKING:
    from ..core.item import Item
    from ..core.ops import Op
    from .tracker import Tracker


@dataclass
class Claimed:
    """What `claim` did: the item as it now is, and whose claim it displaced, if any."""

    item: Item
    holding: Holding
    took_from: str | None = None
    renewed: bool = False  # the session already held it: the lease was renewed
    skipped: list[str] = field(default_factory=list)  # `ready --claim`: why earlier ones failed


def claim(tracker: Tracker, ref: str, *, session: str, steal: bool = False) -> Claimed:
    tier, item_id = tracker.store.resolve(ref)
    item = tracker.store.load(tier, item_id)
    _check_takeable(tracker, item)
    actor = tracker.actor
    current = holding(tracker, item)
    took_from = None
    if current is not None and not current.held_by(actor.name, session):
        if current.live and not (steal and actor.is_human):
            raise ClaimedError(_claimed_message(tracker, current, steal), current.holder)
        took_from = current.holder  # named in the op: a steal that raced another fails
    mine = current is not None and current.held_by(actor.name, session) and current.live
    if not mine:
        _check_session_limit(tracker, session, item.id)
    settings = tracker.config.claims
    body: dict = {"action": "take", "session": session, "ttl_seconds": settings.ttl_seconds}
    if took_from:
        body["from"] = took_from
    set_ = {"status": settings.status} if item.status != settings.status else {}
    after = tracker.write_claim(tier, item_id, set_, body)
    now = holding(tracker, after)
    if now is None or not now.held_by(actor.name, session):
        raise ClaimedError(f"{short(item_id)}: the claim did not take effect "
                           f"({describe(now) if now else 'no holder'})")
    return Claimed(after, now, took_from=took_from, renewed=mine)


def claim_ready(tracker: Tracker, *, session: str) -> Claimed | None:
    """Take the top ready item; when a racer got it first (or it can't be taken), the next."""
    from .listing import ready_view

    skipped: list[str] = []
    for candidate in ready_view(tracker, numbered=False).ready:
        try:
            got = claim(tracker, candidate.id, session=session)
        except (ClaimedError, AuthorityError, InvalidValueError) as exc:
            skipped.append(f"{short(candidate.id)}: {exc}")
            if isinstance(exc, InvalidValueError) and "max_claims_per_session" in str(exc):
                raise
            continue
        got.skipped = skipped
        return got
    if skipped:
        raise ClaimedError("no ready item could be claimed:\n  " + "\n  ".join(skipped))
    return None


@dataclass
class Released:
    item: Item
    released_from: str  # holder whose claim ended
    status_from: str
    status_to: str


def release(tracker: Tracker, ref: str, *, session: str, reason: str | None = None,
            status: str | None = None) -> Released:
    """End a claim: the caller's own; any, for a human; an expired one of another's, for
    whoever `claims.reclaim` allows. The item goes back to the status it had before the claim
    (while it is still in a working status), or to `status`."""
    tier, item_id = tracker.store.resolve(ref)
    item = tracker.store.load(tier, item_id)
    current = holding(tracker, item)
    if current is None:
        raise InvalidValueError(f"nobody holds {short(item_id)} (status {item.status})")
    actor = tracker.actor
    body: dict = {"action": "release", "session": session}
    if not current.held_by(actor.name, session):
        if not actor.is_human:
            if current.live:
                raise ClaimedError(f"{short(item_id)} is {describe(current)}, not by you "
                                   f"({actor.name}/{session}): only the holder or a human may "
                                   "release it", current.holder)
            if tracker.config.claims.reclaim != "anyone":
                raise AuthorityError(f"{short(item_id)}: the {describe(current)}; releasing "
                                     "another's claim requires a human (claims.reclaim: "
                                     "human)")
        body["from"] = current.holder
    if reason:
        body["reason"] = reason
    set_ = {}
    if status is not None:
        set_["status"] = status
    elif item.status in tracker.config.claims.working_statuses:
        set_["status"] = current.claim.status_before
    after = tracker.write_claim(tier, item_id, set_, body)
    return Released(after, current.holder, item.status, after.status)


@dataclass
class Heartbeat:
    item: Item
    renewed: bool  # False: renewed less than a third of the TTL ago, nothing written
    holding: Holding


def heartbeat(tracker: Tracker, refs: list[str] | None = None, *, session: str,
              force: bool = False) -> list[Heartbeat]:
    """Renew this session's claims (all, or those `refs` name) — each only once a third of its
    TTL has passed since its last renewal, unless `force`."""
    actor = tracker.actor
    if refs:
        items = []
        for ref in refs:
            tier, item_id = tracker.store.resolve(ref)
            item = tracker.store.load(tier, item_id)
            h = holding(tracker, item)
            if h is None or not h.held_by(actor.name, session):
                what = describe(h) if h else "held by nobody"
                raise ClaimedError(f"you ({actor.name}/{session}) don't hold "
                                   f"{short(item_id)}: it is {what}")
            items.append(item)
    else:
        items = [h.item for h in holdings(tracker) if h.held_by(actor.name, session)]
    beats = []
    skew = tracker.config.claims.clock_skew_seconds
    for item in items:
        claim_ = item.claim
        if not force and not due_for_renewal(claim_, tracker.clock(), skew):
            beats.append(Heartbeat(item, False, holding(tracker, item)))
            continue
        body = {"action": "renew", "session": session,
                "ttl_seconds": tracker.config.claims.ttl_seconds}
        after = tracker.write_claim(item.tier, item.id, {}, body)
        beats.append(Heartbeat(after, True, holding(tracker, after)))
    return beats


def held_by_session(tracker: Tracker, session: str,
                    claimed: list[Item] | None = None) -> list[Holding]:
    """This actor's live claims under `session` (among `claimed`, when already read)."""
    name = tracker.actor.name
    return [h for h in holdings(tracker, items=claimed) if h.live and h.held_by(name, session)]


# -- checked under the item's lock (Tracker._check) ------------------------------------------

def check_claim_op(tracker: Tracker, item: Item, op: Op) -> None:
    """Refuse a claim op the fold would not apply to the file as it is now, or one dated in
    the future (a lease must not be extended by a clock that runs ahead)."""
    rules = tracker.config.claim_rules()
    now = tracker.clock()
    if parse_at(op.at) > now + timedelta(seconds=rules.skew_seconds):
        raise InvalidValueError(f"this claim op is dated {op.at}, in the future: not written")
    lost = conflict(item, op, tracker.actor.by, rules)
    if lost is None:
        return
    current = holding(tracker, item)
    if current is not None and current.live and not current.held_by(op.actor, lost.session):
        raise ClaimedError(_claimed_message(tracker, current, False), current.holder)
    if lost.action == "take":
        raise InvalidValueError(f"{short(item.id)} is {item.status}: only items in "
                                f"{', '.join(rules.claimable)} can be claimed")
    raise ClaimedError(f"{short(item.id)}: {lost.reason}", lost.winner)


# -- write-time rules that need other items --------------------------------------------------

def _check_takeable(tracker: Tracker, item: Item) -> None:
    if item.damaged:
        raise InvalidValueError(f"{short(item.id)} is damaged: its state is uncertain; "
                                "see htrac show and htrac validate, and tell a human")
    if item.duplicate_of:
        raise InvalidValueError(f"{short(item.id)} is a duplicate of "
                                f"{', '.join(short(i) for i in item.duplicate_of)}: work on that")
    found = queries.blockers(tracker.store, tracker.config, item.id)
    if found:
        names = ", ".join(f"{short(i)} ({status})" for i, status in found[:5])
        raise InvalidValueError(f"{short(item.id)} is blocked: {names} must finish first "
                                "(isbefore)")


def _check_session_limit(tracker: Tracker, session: str, item_id: str) -> None:
    limit = tracker.config.claims.max_claims_per_session
    if not limit:
        return
    held = [h for h in held_by_session(tracker, session) if h.item.id != item_id]
    if len(held) >= limit:
        names = ", ".join(short(h.item.id) for h in held[:5])
        raise InvalidValueError(f"session {session} already holds {len(held)} claim(s) "
                                f"({names}); claims.max_claims_per_session is {limit}: "
                                "release one first (htrac release <ID>)")


def _claimed_message(tracker: Tracker, current: Holding, steal: bool) -> str:
    who = "a human may steal it (htrac claim --steal)" if not tracker.actor.is_human \
        else "take it over with htrac claim --steal"
    if steal and not tracker.actor.is_human:
        who = "an agent may steal a claim only after its lease expires"
    return (f"{short(current.item.id)} is claimed by {current.holder} "
            f"({describe_left(current.lease.seconds_left)} left): pick another item "
            f"(htrac ready), or {who}")


__all__ = ["claim", "claim_ready", "release", "heartbeat", "held_by_session", "Claimed",
           "Released", "Heartbeat", "check_claim_op"]
