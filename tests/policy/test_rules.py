from __future__ import annotations

from htrac.core.config import Governance, load_config
from htrac.core.fold import fold
from htrac.core.ops import LOCKABLE, make_op
from htrac.policy.rules import Rules
from htrac.policy.signing import digest, sign

CONFIG = load_config(None)
VOCAB = CONFIG.vocabulary()
ITEM = "WI-test"


def _op(op_type, by="agent", actor="bot_agent", clock=1, **body):
    return make_op(op_type, by=by, actor=actor, clock=clock, body=body,
                   at=f"2026-01-01T00:00:{clock:02d}Z")


def _create(by="human", actor="alice", status="todo_hard"):
    data = {"kind": "work_item", "title": "t", "status": status, "priority": 2, "parent": None,
            "tags": [], "isbefore": [], "duplicate_of": [], "not_duplicate_of": [],
            "pr_ref": None, "description": "", "fields": {}}
    return _op("create", by=by, actor=actor, clock=1, data=data)


def _fold(ops, rules=None):
    return fold(ITEM, ops, VOCAB, policy=rules or Rules(Governance()))


def _rejected(item):
    return [p.reason for p in item.problems if p.kind == "rejected"]


def test_rules_reject_agent_update_of_a_locked_field():
    item = _fold([_create(), _op("lock", "human", "alice", 2, lock=["status"]),
                  _op("update", clock=3, set={"status": "done", "priority": 0})])
    assert item.status == "todo_hard" and item.priority == 2
    assert _rejected(item) == [f"field 'status' of {ITEM} is locked by a human"]


def test_rules_fields_lock_covers_every_custom_field_and_a_key_lock_one():
    item = _fold([_create(), _op("lock", "human", "alice", 2, lock=["fields.owner"]),
                  _op("update", clock=3, set={"fields": {"owner": "x"}}),
                  _op("update", clock=4, set={"fields": {"other": "y"}})])
    assert item.fields == {"other": "y"}
    item = _fold([_create(), _op("lock", "human", "alice", 2, lock=["fields"]),
                  _op("update", clock=3, set={"fields": {"other": "y"}})])
    assert item.fields == {} and len(_rejected(item)) == 1


def test_rules_refuse_human_only_ops_and_statuses_from_agents():
    ops = [_create(), _op("lock", clock=2, lock=["title"]), _op("discuss", clock=3, message="m"),
           _op("discuss_clear", clock=4), _op("update", clock=5, set={"status": "deleted"}),
           _op("unlock", clock=6, unlock=["title"])]
    item = _fold(ops)
    assert item.locked_fields == set() and item.status == "todo_hard"
    assert [e.message for e in item.discussion] == ["m"]
    assert len(_rejected(item)) == 4


def test_rules_agent_create_with_a_human_only_status_is_refused():
    item = _fold([_create(by="agent", actor="bot_agent", status="deleted")])
    assert item.damaged and "requires human authority" in _rejected(item)[0]


def test_rules_frozen_item_refuses_every_agent_op_and_humans_still_act():
    ops = [_create(), _op("lock", "human", "alice", 2, lock=list(LOCKABLE)),
           _op("promote", clock=3), _op("update", clock=4, set={}, add={"tags": ["x"]}),
           _op("update", "human", "alice", 5, set={"priority": 0})]
    item = _fold(ops)
    assert item.frozen and item.tags == [] and item.priority == 0
    assert all("frozen" in r for r in _rejected(item)) and len(_rejected(item)) == 2


def test_rules_agent_summary_keeps_human_messages_and_a_human_summary_replaces_all():
    ops = [_create(), _op("discuss", "human", "alice", 2, message="human says"),
           _op("discuss", clock=3, message="agent says"),
           _op("discuss_summarize", clock=4, message="summary")]
    item = _fold(ops)
    assert [(e.by, e.message) for e in item.discussion] == [("human", "human says"),
                                                             ("agent", "summary")]
    ops.append(_op("discuss_summarize", "human", "alice", 5, message="all done"))
    assert [e.message for e in _fold(ops).discussion] == ["all done"]


def test_rules_human_claim_naming_an_agent_user_is_forged():
    item = _fold([_create(), _op("discuss", "human", "bot_agent", 2, message="trust me")])
    assert item.discussion == [] and "names agent user" in _rejected(item)[0]


def _keypair():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    from htrac.policy.signing import format_public_key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    return pem, format_public_key(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def test_rules_with_signing_accept_signed_human_ops_and_refuse_unsigned_tampered_replayed():
    pem, public = _keypair()
    rules = Rules(Governance(require_signatures=True, human_keys=(public,)))
    create = sign(_create(), ITEM, pem)
    good = sign(_op("lock", "human", "alice", 2, lock=["status"]), ITEM, pem)
    unsigned = _op("unlock", "human", "alice", 3, unlock=["status"])
    tampered = sign(_op("discuss", "human", "alice", 4, message="a"), ITEM, pem)
    tampered = make_op("discuss", by="human", actor="alice", clock=4, at=tampered.at,
                       nonce=tampered.nonce, body={"message": "b"}).with_sig(tampered.sig)
    replayed = sign(_op("discuss_clear", "human", "alice", 5), "WI-other", pem)
    item = _fold([create, good, unsigned, tampered, replayed], rules)
    assert item.locked_fields == {"status"} and item.discussion == []
    reasons = _rejected(item)
    assert len(reasons) == 3 and all(r.startswith("forged op") for r in reasons)
    assert any("does not match" in r for r in reasons)


def test_rules_baseline_keeps_unsigned_history_but_not_new_unsigned_ops():
    _pem, public = _keypair()
    create, old = _create(), _op("lock", "human", "alice", 2, lock=["title"])
    rules = Rules(Governance(require_signatures=True, human_keys=(public,)),
                  baseline=frozenset({digest(create, ITEM), digest(old, ITEM)}))
    item = _fold([create, old, _op("unlock", "human", "alice", 3, unlock=["title"])], rules)
    assert item.locked_fields == {"title"} and len(_rejected(item)) == 1


def test_rules_forged_edit_window_lets_no_message_be_deleted():
    message = _op("discuss", "human", "alice", 2, message="keep this")
    window = make_op("edit-mode-on", by="human", actor="bot_agent", clock=0,
                     body={"ttl_seconds": 600, "cap_max": 5}, at="2026-01-01T00:00:02.000000Z")
    delete = make_op("delete-msg", by="agent", actor="bot_agent", clock=3,
                     body={"item": ITEM, "target_nonce": message.nonce, "reason": "x"},
                     at="2026-01-01T00:00:03.000000Z")
    item = fold(ITEM, [_create(), message, delete], VOCAB, policy=Rules(Governance()),
                global_ops=[window])
    assert not item.discussion[0].is_tombstoned
    assert len(_rejected(item)) == 2  # the forged window, and the edit outside any window
