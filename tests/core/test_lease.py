"""Leases as a reader sees them with its own clock (injected: no sleeps)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from htrac.core.claims import Claim
from htrac.core.lease import EXPIRED, LIVE, describe_left, due_for_renewal, lease

T0 = datetime(2026, 1, 1, 10, 0, 0, tzinfo=UTC)


def claim(*renewals: datetime, ttl: int = 900) -> Claim:
    ats = [r.strftime("%Y-%m-%dT%H:%M:%SZ") for r in renewals]
    return Claim("bob_agent", "s1", "agent", ats[0], ttl, "n", "todo_hard", renewals=ats)


def test_lease_live_then_expired_by_the_readers_clock():
    c = claim(T0)
    assert lease(c, T0 + timedelta(minutes=5), 120).state == LIVE
    assert lease(c, T0 + timedelta(minutes=5), 120).seconds_left == 600
    late = lease(c, T0 + timedelta(minutes=15), 120)
    assert late.state == EXPIRED and late.seconds_left == 0
    assert late.expires_at == T0 + timedelta(minutes=15)


def test_lease_renewal_extends_it():
    c = claim(T0, T0 + timedelta(minutes=10))
    assert lease(c, T0 + timedelta(minutes=20), 120).state == LIVE
    assert lease(c, T0 + timedelta(minutes=25), 120).state == EXPIRED


def test_lease_future_renewal_is_flagged_and_not_trusted():
    c = claim(T0, T0 + timedelta(hours=5))
    now = T0 + timedelta(minutes=20)
    seen = lease(c, now, 120)
    assert seen.suspect and seen.state == EXPIRED
    assert seen.last_renewed == T0
    only_future = lease(claim(T0 + timedelta(hours=5)), now, 120)
    assert only_future.suspect and only_future.state == EXPIRED
    assert only_future.expires_at is None


def test_lease_renewal_within_the_skew_is_trusted():
    c = claim(T0 + timedelta(seconds=90))
    seen = lease(c, T0, 120)
    assert seen.state == LIVE and not seen.suspect


def test_lease_due_for_renewal_after_a_third_of_the_ttl():
    c = claim(T0, ttl=900)
    assert not due_for_renewal(c, T0 + timedelta(minutes=4, seconds=59), 120)
    assert due_for_renewal(c, T0 + timedelta(minutes=5), 120)


def test_lease_describe_left():
    assert describe_left(40) == "40s"
    assert describe_left(14 * 60 + 3) == "15m"
    assert describe_left(899) == "15m"
    assert describe_left(2 * 3600 + 5 * 60) == "2h05m"
