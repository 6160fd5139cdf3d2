"""The evidence rule: parsed from config or trust root (which alone counts where it governs),
applied to agents only."""

from __future__ import annotations

import os

import pytest

from htrac.core.config import Governance, load_config, parse_config
from htrac.core.errors import ConfigError
from htrac.core.evidence import EvidenceRule
from htrac.core.fold import fold
from htrac.core.ops import make_op
from htrac.policy import authority, trustroot
from htrac.policy.rules import Rules

VOCAB = load_config(None).vocabulary()
SHA = "a" * 40


def _create(status="todo_hard", by="human", actor="alice", **extra):
    data = {"kind": "work_item", "title": "t", "status": status, "priority": 2, "parent": None,
            "tags": [], "isbefore": [], "duplicate_of": [], "not_duplicate_of": [],
            "pr_ref": None, "description": "", "fields": {}}
    return make_op("create", by=by, actor=actor, clock=1, body={"data": data, **extra},
                   at="2026-01-01T00:00:01Z")


def _close(by="agent", actor="bot_agent", **extra):
    return make_op("update", by=by, actor=actor, clock=2,
                   body={"set": {"status": "done"}, **extra}, at="2026-01-01T00:00:02Z")


RULE = EvidenceRule(require={"work_item": ("done",)}, accept=("commit", "pr"))


def _fold(*ops, rule=RULE):
    return fold("WI-x", list(ops), VOCAB, policy=Rules(Governance(), evidence=rule))


def test_agent_close_needs_an_accepted_form_human_does_not():
    assert _fold(_create(), _close()).status == "todo_hard"
    assert _fold(_create(), _close(evidence=["test:t_x"])).status == "todo_hard"  # not accepted
    item = _fold(_create(), _close(evidence=[f"commit:{SHA}"]))
    assert (item.status, item.status_by, item.evidence) == ("done", "agent", [f"commit:{SHA}"])
    item = _fold(_create(), _close(by="human", actor="alice"))
    assert (item.status, item.status_by, item.evidence) == ("done", "human", [])
    assert _fold(_create(), _close(), rule=EvidenceRule()).status == "done"  # no rule


def test_agent_create_in_a_gated_status_needs_evidence_too():
    assert _fold(_create("done", by="agent", actor="bot_agent")).damaged
    item = _fold(_create("done", by="agent", actor="bot_agent", evidence=["pr:7"]))
    assert item.status == "done" and item.evidence == ["pr:7"]


def test_malformed_evidence_rejects_the_op_for_everyone():
    item = _fold(_create(), _close(by="human", actor="alice", evidence=["commit:xyz"]))
    assert item.status == "todo_hard" and item.problems[0].kind == "rejected"
    item = _fold(_create(), make_op("update", by="human", actor="alice", clock=2,
                                    body={"set": {"priority": 1}, "evidence": ["pr:1"]},
                                    at="2026-01-01T00:00:02Z"))
    assert item.priority == 2  # evidence belongs on an op that sets a status


def test_config_parses_and_checks_the_rule():
    config = parse_config("evidence:\n  require: {work_item: [done]}\n  branches: [main]\n",
                          source="t")
    assert config.evidence == EvidenceRule(require={"work_item": ("done",)},
                                           branches=("main",))
    for bad in ("evidence: {require: {nokind: [done]}}", "evidence: {require: {work_item: [x]}}",
                "evidence: {accept: [email]}", "evidence: {other: 1}", "evidence: [1]"):
        with pytest.raises(ConfigError):
            parse_config(bad + "\n", source="t")
    assert Rules(Governance()).fingerprint != Rules(Governance(), evidence=RULE).fingerprint


def test_trust_root_rule_replaces_the_worktree_rule(tmp_path):
    trust = tmp_path / "trust.d"
    trust.mkdir(mode=0o755)
    os.chmod(trust, 0o755)
    worktree = tmp_path / "repo"
    (trust / "repo.yaml").write_text(
        f'repositories: ["{worktree}"]\nagent_usernames: ["*_agent"]\n'
        "evidence: {require: {work_item: [done, wont_do]}, accept: [commit]}\n")
    os.chmod(trust / "repo.yaml", 0o644)
    config = parse_config("evidence: {require: {}}\n", source="t")  # the agent's attempt
    found = authority.resolve([worktree], config, trust_dir=trust)
    assert found.config.evidence.require == {"work_item": ("done", "wont_do")}
    assert found.rules.evidence.accept == ("commit",)
    (trust / "repo.yaml").write_text(f'repositories: ["{worktree}"]\n')
    assert trustroot.find([worktree], trust).evidence is None
    # none in the trust root: nothing needs evidence, whatever the (agent-writable) config says
    config = parse_config("evidence: {require: {work_item: [done]}}\n", source="t")
    found = authority.resolve([worktree], config, trust_dir=trust)
    assert found.config.evidence == EvidenceRule() and found.rules.evidence == EvidenceRule()


def test_setup_writes_the_rule_into_the_trust_file_and_reads_it_back(tmp_path):
    from htrac.core.config import Governance as Gov

    rule = EvidenceRule(require={"work_item": ("done",), "invariant": ("done", "wont_do")},
                        accept=("commit", "pr"), branches=("main",))
    for evidence in (rule, EvidenceRule(), None):
        text = trustroot.render(["/r"], Gov(), None, (), evidence)
        assert trustroot.parse(text, tmp_path / "t.yaml").evidence == evidence
