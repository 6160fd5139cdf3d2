from __future__ import annotations

import os
import stat

import pytest

from htrac.core.errors import AuthorityError
from htrac.core.oplog import read_oplog
from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op
from htrac.policy import keys
from htrac.policy.signing import Verifier, sign, signed_bytes


def test_signing_signed_bytes_cover_every_field_but_sig_and_bind_the_item():
    op = make_op("discuss", by="human", actor="al", clock=3, body={"message": "é"},
                 at="2026-01-01T00:00:00Z", nonce="00112233aabbccdd")
    assert signed_bytes(op, "WI-a") == signed_bytes(op.with_sig("x"), "WI-a")
    assert signed_bytes(op, "WI-a") != signed_bytes(op, "WI-b")
    assert signed_bytes(op, "WI-a").startswith(b"htrac-op-sig-v1\n{")
    assert "é".encode() in signed_bytes(op, "WI-a")


def test_signing_round_trips_through_the_file_format_and_verifies(tmp_path):
    pair, created = keys.create(tmp_path / "keys")
    assert created and keys.create(tmp_path / "keys") == (pair, False)
    op = make_op("lock", by="human", actor="al", clock=9, body={"lock": ["status"]})
    signed = sign(op, "WI-a", pair.private_pem())
    text = serialize_op(signed)
    assert text.splitlines()[-1].startswith(f"  sig: ed25519:{pair.key_id}:")
    (read,) = read_oplog(text.encode()).ops
    assert read == signed
    verifier = Verifier((pair.public,))
    assert verifier.verify(read, "WI-a") is None
    assert "does not match" in verifier.verify(read, "WI-b")
    assert "does not list" in Verifier(()).verify(read, "WI-a")


def test_keys_are_private_to_their_owner(tmp_path):
    pair, _ = keys.create(tmp_path / "keys")
    assert stat.S_IMODE(pair.private_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(pair.private_path.parent.stat().st_mode) == 0o700
    os.chmod(pair.private_path, 0o644)
    with pytest.raises(AuthorityError, match="chmod 600"):
        pair.private_pem()
