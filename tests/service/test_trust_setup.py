"""What `htrac setup` writes into the trust root from the worktree's config: a first trust root
takes the config's evidence rule (and lifecycles); an existing one keeps its own, so a config an
agent edited never changes it and doctor finds it up to date."""

from __future__ import annotations

from htrac.core.config import default_status_settings, parse_config
from htrac.core.evidence import EvidenceRule
from htrac.policy import trustroot
from htrac.service.checks import CheckContext
from htrac.service.checks.authority import _desired

RULE = EvidenceRule(require={"work_item": ("done",)}, branches=("main",))


def _ctx(tmp_path):
    return CheckContext(repo=tmp_path / "repo", fix=False, options={"no_signing": True})


def test_a_first_trust_root_takes_the_configs_rule(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # no human key here
    config = parse_config("evidence: {require: {work_item: [done]}, branches: [main]}\n",
                          source="t")
    text, _ = _desired(_ctx(tmp_path), None, None, default_status_settings(), (), config.evidence)
    assert trustroot.parse(text, tmp_path / "t.yaml").evidence == RULE


def test_an_existing_trust_root_keeps_its_rule_and_stays_up_to_date(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    path = tmp_path / "t.yaml"
    first, _ = _desired(_ctx(tmp_path), None, None, default_status_settings(), (), RULE)
    existing = trustroot.parse(first, path)
    edited = EvidenceRule()  # the agent emptied the config's rule
    again, _ = _desired(_ctx(tmp_path), existing, None, default_status_settings(), (), edited)
    assert trustroot.parse(again, path) == existing  # doctor: up to date, rule kept
