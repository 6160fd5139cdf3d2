"""The reference reads what htrac's governance commands write, and compiles the same item."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.oracle

COMPARED = ("status", "locked_fields", "frozen", "isbefore", "title", "priority")


def test_oracle_reference_compiles_htrac_locks_freeze_delete_and_message_edits(tmp_tracker,
                                                                              reference):
    t = tmp_tracker
    item = t.add("Governed")
    pointer = t.add("Pointer", "--isbefore", item)
    t.ok("lock", item, "priority", "fields.owner")
    t.ok("discuss", item, "tpyo")
    t.ok("freeze", item)
    t.ok("unfreeze", item)
    t.ok("freeze", pointer)
    t.ok("edit-mode", "on", "--ttl", "10m")
    nonce = json.loads(t.ok("--json", "show", item))["discussion"][0]["nonce"]
    t.ok("edit-msg-text", item, nonce, "--new-text", "typo", "--reason", "spelling")
    t.ok("edit-mode", "off")
    t.ok("unfreeze", pointer)
    t.ok("delete", item)
    for ref in (item, pointer):
        ours = json.loads(t.ok("--json", "show", ref))
        run = reference(t.path, "--json", "show", ref)
        assert run.code == 0, run.err
        theirs = json.loads(run.out)
        assert {k: ours[k] for k in COMPARED} == {k: theirs[k] for k in COMPARED}
        assert [e["message"] for e in ours["discussion"]] == \
            [e["message"] for e in theirs["discussion"]]


def test_oracle_reference_sees_htrac_freeze(tmp_tracker, reference):
    item = tmp_tracker.add("Frozen for both")
    tmp_tracker.ok("freeze", item)
    theirs = json.loads(reference(tmp_tracker.path, "--json", "show", item).out)
    assert theirs["frozen"] is True and "discussion" in theirs["locked_fields"]
