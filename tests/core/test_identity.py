"""Canonical bytes and the create-hash check, against their plain definitions."""

from __future__ import annotations

import hashlib
import json

import pytest

from htrac.core import identity
from htrac.core.ids import hashes_to, make_id
from htrac.core.ops import Op

BODIES = [{}, {"message": "é\u2028\"q\"\\"}, {"set": {"priority": 1, "tags": ["b", "a"]}},
          {"data": {"z": 1.5, "a": [None, True, float("inf"), float("nan")], "m": {"y": {}}}},
          {"x": -0.0, "n": 10**30}]


@pytest.mark.parametrize("body", BODIES)
def test_canonical_bytes_are_the_documented_json(body):
    op = Op("update", "2026-01-01T00:00:00Z", "agent", "a_agent", 3, "abcd", body)
    text = json.dumps({"context": "WI-x", "header": ["update", op.at, "agent", "a_agent", 3,
                                                     "abcd"], "body": body},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert identity.canonical_bytes(op, "WI-x") == identity.DOMAIN + text.encode("utf-8")


def spelled(data, salt):
    digest = hashlib.sha256((json.dumps(data, sort_keys=True) + salt).encode()).digest()[:16]
    return make_id("WI", data, salt) == "WI-" + "-".join(
        "bdfghjklmnprstvz"[(w >> 12) & 15] + "aiou"[(w >> 10) & 3] + "bdfghjklmnprstvz"[(w >> 6) & 15]
        + "aiou"[(w >> 4) & 3] + "bdfghjklmnprstvz"[w & 15]
        for w in (int.from_bytes(digest[i:i + 2], "big") for i in range(0, 16, 2)))


def test_hashes_to_plain_salted_and_neither():
    data = {"title": "t", "priority": 1}
    assert spelled(data, "") and spelled(data, "beef")
    assert hashes_to(make_id("WI", data), data, salt="beef")
    assert hashes_to(make_id("WI", data, "beef"), data, salt="beef")
    assert not hashes_to(make_id("WI", data, "beef"), data, salt="cafe")
    assert not hashes_to(make_id("WI", {"title": "u"}), data, salt="beef")
    assert not hashes_to("WI-not-an-id", data, salt="beef")
    assert not hashes_to(make_id("WI", data), {"x": object()}, salt="beef")  # not JSON
    assert not hashes_to(make_id("WI", data), data, salt=None)  # type: ignore[arg-type]
