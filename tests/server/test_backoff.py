"""Login back-off: doubling waits per account, client and device, a global rate for unknown
clients, and never a lockout."""

from __future__ import annotations

from htrac.server.backoff import LoginBackoff


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_waits_double_up_to_the_cap_and_never_lock_out():
    clock = Clock()
    backoff = LoginBackoff(base=1, cap=60, global_per_second=1000, clock=clock)
    keys = backoff.keys("human", "127.0.0.1", None)
    waits = []
    for _ in range(10):
        assert backoff.wait(keys) == 0
        backoff.failed(keys)
        waits.append(round(backoff.wait(keys)))
        clock.now += waits[-1]
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    assert backoff.wait(keys) == 0  # after the wait, a try is allowed: no lockout
    backoff.succeeded(keys)
    backoff.failed(keys)
    assert round(backoff.wait(keys)) == 1


def test_rotating_client_ids_do_not_escape_the_account():
    clock = Clock()
    backoff = LoginBackoff(base=1, cap=60, global_per_second=1000, clock=clock)
    for n in range(5):
        keys = backoff.keys("human", f"10.0.0.{n}", None)
        clock.now += backoff.wait(keys)
        backoff.failed(keys)
    assert backoff.wait(backoff.keys("human", "10.9.9.9", None)) > 8


def test_a_known_device_is_not_held_back_by_others_failures():
    clock = Clock()
    backoff = LoginBackoff(base=1, cap=60, global_per_second=1000, clock=clock)
    for _ in range(8):  # an agent flooding the login as an unknown client
        keys = backoff.keys("human", "127.0.0.1", None)
        clock.now += backoff.wait(keys)
        backoff.failed(keys)
    assert backoff.wait(backoff.keys("human", "127.0.0.1", None)) > 30
    assert backoff.wait(backoff.keys("human", "127.0.0.1", "human's device")) == 0


def test_global_rate_for_unknown_clients():
    clock = Clock()
    backoff = LoginBackoff(base=1, cap=60, global_per_second=5, clock=clock)
    assert backoff.wait(backoff.keys("human", "a", None)) == 0
    assert 0 < backoff.wait(backoff.keys("human", "b", None)) <= 0.2 + 1e-9
    clock.now += 0.21
    assert backoff.wait(backoff.keys("human", "c", None)) == 0
