from __future__ import annotations

from pathlib import Path

import pytest

from htrac.core.config import DEFAULTS, load_config, parse_config
from htrac.core.errors import ConfigError
from htrac.core.yamlread import load_block

TEMPLATE = Path(__file__).parents[2] / "config.yaml.template"


def test_config_template_spells_out_the_built_in_defaults():
    assert load_block(TEMPLATE.read_text()) == DEFAULTS


def test_load_config_prefers_config_then_template_then_defaults(tmp_path):
    assert load_config(tmp_path).source == "built-in defaults"
    (tmp_path / "config.yaml.template").write_text("statuses: [a, b, todo_hard, todo_soft, "
                                                   "done, wont_do, deleted]\n")
    assert load_config(tmp_path).statuses[:2] == ("a", "b")
    (tmp_path / "config.yaml").write_text("lamport_branches: [trunk]\n")
    config = load_config(tmp_path)
    assert config.lamport_branches == ("trunk",) and config.statuses == tuple(DEFAULTS["statuses"])


def test_config_partial_file_keeps_every_other_default():
    config = parse_config("stop_hook:\n  scope: workspace\n", source="x")
    assert config.scope == "workspace" and config.blocking_statuses == ("todo_hard", "todo_soft")


@pytest.mark.parametrize("text,message", [
    ("statuses: []", "non-empty"),
    ("stop_hook: {blocking_statuses: [done]}", "both blocking and resolved"),
    ("stop_hook:\n  blocking_statuses: [nope]", "unknown status"),
    ("stop_hook:\n  scope: everything", "scope"),
    ("kinds:\n  k:\n    fields_schema:\n      f: {type: blob}", "unknown type"),
    ("kinds:\n  k:\n    fields_schema:\n      f: {type: text, min: 1}", "only to integers"),
    ("actor_resolution: {agent_usernames: []}", "non-empty"),
    ("- just\n- a list", "mapping"),
    ("key: [unclosed", "YAML"),
])
def test_config_invalid_settings_raise_one_clear_error(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(text, source="cfg")


def test_config_default_status_respects_allowed_statuses():
    config = parse_config("kinds:\n  k:\n    allowed_statuses: [in_progress, todo_soft]\n", source="x")
    assert config.default_status("k") == "todo_soft" and config.prefix("k") == "K"
