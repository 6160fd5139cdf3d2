"""Claims: who is working on an item, for how long, and on which files — as the fold sees it.

A claim is an `update` op with a `claim` key (docs/design/claims.md): `take` makes its writer
(actor and session) the holder and sets the claim status; `renew` and `reserve` extend the
lease (`reserve` adds path globs); `release` ends it. Any applied op by the holder's actor
renews the lease, and an op that moves the item out of the working statuses ends the claim.

The fold is time-free: it records each claim's renewals and TTL, and judges one op against the
claim as it stands *at that op's own `at`*. A `take` while another holder's claim is live at
that moment is lost (unless a human took it naming the holder in `from`: a human may steal);
so is a `renew` or `reserve` by someone who does not hold the claim, and a `release` of
another's claim unless it names the holder and comes from a human or after the lease expired.
Lost ops change nothing and are listed on the item (`Item.lost_claims`) — not as problems:
losing a race is an outcome, not damage. Because the fold applies ops in one total order, every
clone with the same ops agrees on the holder: the first take in fold order wins.

A renewal counts at time `t` only if its `at` is not more than `skew` seconds after `t`: an op
from `t`'s future can't block anyone writing at `t`. Readers apply the same rule with their own
clock (`core.lease`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .ops import HUMAN
from .record import field, record

TYPE_CHECKING = False  # `typing` costs every read command; the annotations are strings
if TYPE_CHECKING:
    from typing import Any

    from .item import Item
    from .ops import Op

KEY = "claim"  # the update op's key that carries a claim
ACTIONS = ("take", "renew", "reserve", "release")
CLAIM_KEYS = ("action", "session", "ttl_seconds", "from", "paths", "reason")
SESSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}")
HOLDER = re.compile(r"[^\s/]{1,128}/[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}")
PATH_GLOB = re.compile(r"[^\x00-\x1f\x7f]{1,512}")
MAX_TTL = 86_400
MAX_PATHS = 100
MAX_REASON = 100
RENEWALS_KEPT = 16  # the latest renewals a claim remembers (a reader may distrust the latest)
AT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@record(frozen=True)
class ClaimRules:
    """What the fold needs from the configuration to judge claims."""

    status: str = "in_progress"  # what a take sets
    working: tuple[str, ...] = ("in_progress",)  # a claim lasts while the status is one of these
    claimable: tuple[str, ...] = ("todo_hard", "todo_soft", "in_progress")
    skew_seconds: int = 120

    @property
    def fallback(self) -> str:
        """Where a release sends an item claimed while already in a working status."""
        return next((s for s in self.claimable if s not in self.working), self.status)


DEFAULT_RULES = ClaimRules()


@record()
class Claim:
    """Who holds an item, since when, with which lease renewals and reserved paths."""

    actor: str
    session: str
    by: str  # 'agent' or 'human': whose authority the take carried
    taken_at: str
    ttl_seconds: int
    nonce: str  # the take op's
    status_before: str  # what `release` goes back to
    renewals: list[str] = field(default_factory=list)  # `at`s, ascending, the take's included
    paths: list[str] = field(default_factory=list)
    taken_from: str | None = None  # `actor/session` of the claim this one displaced

    @property
    def holder(self) -> str:
        return f"{self.actor}/{self.session}"

    def held_by(self, actor: str | None, session: str | None) -> bool:
        return actor == self.actor and session == self.session

    def as_tuple(self) -> tuple[Any, ...]:
        return (self.actor, self.session, self.by, self.taken_at, self.ttl_seconds, self.nonce,
                self.status_before, list(self.renewals), list(self.paths), self.taken_from)

    @classmethod
    def from_tuple(cls, values: tuple[Any, ...]) -> Claim:
        return cls(*values)

    def as_dict(self) -> dict[str, Any]:
        return {"actor": self.actor, "session": self.session, "by": self.by,
                "taken_at": self.taken_at, "renewed_at": self.renewals[-1],
                "ttl_seconds": self.ttl_seconds, "paths": list(self.paths),
                "from": self.taken_from, "nonce": self.nonce}


@record(frozen=True)
class LostClaim:
    """A claim op that had no effect, and why: what its writer must be told."""

    actor: str
    session: str
    action: str
    at: str
    nonce: str
    reason: str
    winner: str | None  # `actor/session` holding the item when it was lost, if anyone

    def as_dict(self) -> dict[str, Any]:
        return {"actor": self.actor, "session": self.session, "action": self.action,
                "at": self.at, "nonce": self.nonce, "reason": self.reason,
                "winner": self.winner}


# -- schema ------------------------------------------------------------------------------------

def check_body(value: Any) -> str | None:
    """Why a `claim` mapping breaks the schema, or None."""
    if not isinstance(value, dict):
        return "'claim' must be a mapping"
    extra = [k for k in value if k not in CLAIM_KEYS]
    if extra:
        return f"'claim.{extra[0]}' is not a claim key ({', '.join(CLAIM_KEYS)})"
    action = value.get("action")
    if action not in ACTIONS:
        return f"'claim.action' must be one of {', '.join(ACTIONS)}, got {_short(action)}"
    session = value.get("session")
    if not isinstance(session, str) or not SESSION.fullmatch(session):
        return f"'claim.session' must be a session name, got {_short(session)}"
    ttl = value.get("ttl_seconds")
    if action == "release":
        if "ttl_seconds" in value:
            return "a release carries no 'ttl_seconds'"
    elif not isinstance(ttl, int) or isinstance(ttl, bool) or not 1 <= ttl <= MAX_TTL:
        return f"'claim.ttl_seconds' must be an integer from 1 to {MAX_TTL}, got {_short(ttl)}"
    holder = value.get("from")
    if "from" in value and (not isinstance(holder, str) or not HOLDER.fullmatch(holder)):
        return f"'claim.from' must be actor/session, got {_short(holder)}"
    paths = value.get("paths")
    if action == "reserve":
        if (not isinstance(paths, list) or not paths or len(paths) > MAX_PATHS
                or not all(isinstance(p, str) and PATH_GLOB.fullmatch(p) for p in paths)):
            return f"'claim.paths' must be a list of 1 to {MAX_PATHS} path globs"
    elif "paths" in value:
        return f"only a reserve carries 'paths', not a {action}"
    reason = value.get("reason")
    if "reason" in value and (not isinstance(reason, str) or len(reason) > MAX_REASON
                              or "\0" in reason):
        return f"'claim.reason' must be text of at most {MAX_REASON} characters"
    return None


def claim_of(op: Op) -> dict[str, Any] | None:
    """The op's `claim` mapping (already schema-checked by the fold), or None."""
    if op.type != "update":
        return None
    value = op.body.get(KEY)
    return value if isinstance(value, dict) else None


# -- time ----------------------------------------------------------------------------------------

def parse_at(at: str) -> datetime:
    """An op's `at` as an aware UTC datetime (microseconds allowed)."""
    text = at[:-1] if at.endswith("Z") else at
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def format_at(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(AT_FORMAT)


def live_until(claim: Claim, moment: datetime, skew_seconds: int) -> datetime | None:
    """When `claim` stops being live, as seen at `moment`: the latest end of a renewal not
    from more than `skew_seconds` after `moment`; None if it has no such renewal or that end
    is past (the claim is not live at `moment`)."""
    horizon = moment + timedelta(seconds=skew_seconds)
    ends = [parse_at(at) + timedelta(seconds=claim.ttl_seconds) for at in claim.renewals
            if parse_at(at) <= horizon]
    if not ends:
        return None
    end = max(ends)
    return end if moment < end else None


def spans(claim: Claim) -> list[tuple[float, float]]:
    """Each renewal as (start, end) in seconds since the epoch: what a reader compares with its
    clock (the index stores them, so a query can ask `is:claimed` without decoding items)."""
    out = []
    for at in claim.renewals:
        start = parse_at(at).timestamp()
        out.append((start, start + claim.ttl_seconds))
    return out


def live_at(spans_: list[tuple[float, float]], now: float, skew: float) -> bool:
    """Is a claim with these renewal spans live at `now` (`live_until`, on numbers)?"""
    return any(start <= now + skew and now < end for start, end in spans_)


# -- the fold's two steps --------------------------------------------------------------------

def conflict(item: Item, op: Op, who: str, rules: ClaimRules) -> LostClaim | None:
    """Whether `op`, offered to `item` as it stands, is a lost claim op (and so must change
    nothing). Called by the fold after the policy let the op through, and by the writer under
    the item's lock — the same rule, so what a writer appends is what every fold applies."""
    body = claim_of(op)
    if body is None:
        return None
    action, session = body["action"], body["session"]
    claim = item.claim
    moment = parse_at(op.at)
    live = claim is not None and live_until(claim, moment, rules.skew_seconds) is not None
    mine = claim is not None and claim.held_by(op.actor, session)

    def lost(reason: str) -> LostClaim:
        winner = claim.holder if claim is not None else None
        return LostClaim(op.actor or "", session, action, op.at, op.nonce, reason, winner)

    # Displacing another's claim must name it (`from`): a human's steal says whom it takes
    # from, so two humans racing for one item don't both win.
    names_holder = claim is not None and body.get("from") == claim.holder
    if action == "take":
        if claim is not None and live and not mine and not (who == HUMAN and names_holder):
            return lost(f"claimed by {claim.holder} until {_until(claim, moment, rules)}")
        if item.status not in rules.claimable and not (mine and live):
            return lost(f"status '{item.status}' can't be claimed")
        return None
    if claim is None:
        return lost("no claim to " + action)
    if mine:
        return None
    if action == "release" and names_holder and (who == HUMAN or not live):
        return None  # a human ends any claim; anyone ends an expired one
    return lost(f"claimed by {claim.holder}, not by {op.actor}/{session}")


def apply(item: Item, op: Op, who: str, rules: ClaimRules, *, status_before: str) -> None:
    """What an applied op (after `conflict` let it through, and after its other effects) does
    to the item's claim; `status_before` is the item's status before the op."""
    body = claim_of(op)
    claim = item.claim
    if body is not None:
        _apply_claim_op(item, op, who, body, rules, status_before)
        return
    if claim is not None and op.actor == claim.actor:
        _renew(claim, op.at, None)  # any write by the holder renews the lease
    _end_if_idle(item, rules)


def _apply_claim_op(item: Item, op: Op, who: str, body: dict[str, Any], rules: ClaimRules,
                    status_before: str) -> None:
    action, session = body["action"], body["session"]
    claim = item.claim
    if action == "take":
        if claim is not None and claim.held_by(op.actor, session):
            _renew(claim, op.at, body["ttl_seconds"])
        else:
            before = status_before
            if before in rules.working:  # taking over: the item goes back where it was
                before = claim.status_before if claim is not None else rules.fallback
            item.claim = Claim(actor=op.actor or "", session=session, by=who, taken_at=op.at,
                               ttl_seconds=body["ttl_seconds"], nonce=op.nonce,
                               status_before=before, renewals=[op.at],
                               taken_from=claim.holder if claim is not None else None)
    elif action in ("renew", "reserve") and claim is not None:
        _renew(claim, op.at, body["ttl_seconds"])
        for path in body.get("paths") or ():
            if path not in claim.paths:
                claim.paths.append(path)
    elif action == "release":
        item.claim = None
        return
    _end_if_idle(item, rules)


def _renew(claim: Claim, at: str, ttl: int | None) -> None:
    if ttl is not None:
        claim.ttl_seconds = ttl
    if at not in claim.renewals:
        claim.renewals.append(at)
        claim.renewals.sort()
        del claim.renewals[:-RENEWALS_KEPT]


def _end_if_idle(item: Item, rules: ClaimRules) -> None:
    """A claim lasts while the item is in a working status: `done` by anyone ends it."""
    if item.claim is not None and item.status not in rules.working:
        item.claim = None


def _until(claim: Claim, moment: datetime, rules: ClaimRules) -> str:
    end = live_until(claim, moment, rules.skew_seconds)
    return format_at(end) if end is not None else "now"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
