"""Passkeys: registration and login verified by py_webauthn against a software authenticator,
and login challenges that a flood of other challenges can't push out (they are sealed, not
stored) and that log in once."""

from __future__ import annotations

import json

import pytest
from webauthn_soft import SoftAuthenticator, b64url, unb64url

from htrac.server.passkeys import CHALLENGE_SECONDS, PasskeyError, Passkeys

ORIGIN = "http://localhost:7380"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def keys(tmp_path, clock):
    return Passkeys("localhost", "htrac", (ORIGIN,), "human", path=tmp_path / "passkeys.json",
                    clock=clock)


@pytest.fixture
def key(keys):
    """A registered authenticator."""
    authenticator = SoftAuthenticator(ORIGIN)
    options, challenge = keys.registration_options()
    keys.register(authenticator.register(json.loads(options)), challenge, "soft key")
    return authenticator


def begin(keys):
    options, challenge_id = keys.login_options()
    return json.loads(options), challenge_id


def test_register_and_log_in(keys, key):
    assert keys.count() == 1
    options, challenge_id = begin(keys)
    assert keys.login(challenge_id, key.login(options)) == b64url(key.cred_id)
    assert keys.load()["credentials"][0]["sign_count"] == key.count


def test_a_flood_of_login_options_does_not_push_out_the_humans_challenge(keys, key):
    options, challenge_id = begin(keys)  # the human's page asks first...
    for _ in range(5000):  # ...then an agent asks, and asks (the route is public)
        keys.login_options()
    assert keys.login(challenge_id, key.login(options))  # the human's answer still verifies


def test_a_challenge_logs_in_once(keys, key):
    options, challenge_id = begin(keys)
    answer = key.login(options)
    keys.login(challenge_id, answer)
    with pytest.raises(PasskeyError, match="used already"):
        keys.login(challenge_id, key.login(options))


def test_a_failed_answer_does_not_spend_the_challenge(keys, key):
    options, challenge_id = begin(keys)
    forged = key.login(options)
    forged["response"]["signature"] = b64url(b"\x30\x06\x02\x01\x01\x02\x01\x01")
    with pytest.raises(PasskeyError, match="did not verify"):
        keys.login(challenge_id, forged)
    assert keys.login(challenge_id, key.login(options))


def test_challenges_expire(keys, key, clock):
    options, challenge_id = begin(keys)
    clock.now += CHALLENGE_SECONDS + 1
    with pytest.raises(PasskeyError, match="unknown or expired"):
        keys.login(challenge_id, key.login(options))


@pytest.mark.parametrize("tamper", ["deadline", "nonce", "another server", "garbage", "empty"])
def test_a_challenge_this_server_did_not_make_is_refused(keys, key, tamper, tmp_path, clock):
    options, challenge_id = begin(keys)
    raw = bytearray(unb64url(challenge_id))
    if tamper == "deadline":  # pushed later, to outlive its time
        raw[16:24] = b"\x7f" * 8
        challenge_id = b64url(bytes(raw))
    elif tamper == "nonce":
        raw[0] ^= 1
        challenge_id = b64url(bytes(raw))
    elif tamper == "another server":  # same file, another process's key
        other = Passkeys("localhost", "htrac", (ORIGIN,), "human", path=keys.path, clock=clock)
        options, challenge_id = begin(other)
    elif tamper == "garbage":
        challenge_id = "!!not base64!!"
    else:
        challenge_id = ""
    options["challenge"] = challenge_id or "AAAA"
    with pytest.raises(PasskeyError, match="unknown or expired"):
        keys.login(challenge_id, key.login(options))


def test_an_answer_to_another_challenge_is_refused(keys, key):
    mine, mine_id = begin(keys)
    other, _ = begin(keys)
    with pytest.raises(PasskeyError, match="did not verify"):
        keys.login(mine_id, key.login(other))
