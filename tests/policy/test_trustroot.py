from __future__ import annotations

import os

import pytest

from htrac.core.config import Governance, StatusSettings, default_status_settings, load_config
from htrac.core.errors import ConfigError
from htrac.policy import trustroot
from htrac.policy.authority import resolve


def _write(directory, name, text, mode=0o644):
    directory.mkdir(mode=0o755, exist_ok=True)
    os.chmod(directory, 0o755)
    path = directory / name
    path.write_text(text)
    os.chmod(path, mode)
    return path


def test_trustroot_render_then_find_governs_the_listed_worktrees(tmp_path):
    gov = Governance(("*_bot",), False, ())
    trust = tmp_path / "trust.d"
    _write(trust, "a.yaml", trustroot.render(["/srv/proj", "/home/*/proj"], gov))
    root = trustroot.find([tmp_path / "elsewhere", trustroot.Path("/home/al/proj")], trust)
    assert root is not None and root.governance.agent_usernames == ("*_bot",)
    assert trustroot.find([tmp_path / "other"], trust) is None
    assert trustroot.find([tmp_path], tmp_path / "missing") is None


NARROW = ("statuses: [todo_hard, todo_soft, in_progress, wont_do, deleted, parked]\n"
          "stop_hook:\n  blocking_statuses: [parked]\n  human_only_statuses: []\n"
          "  resolved_statuses: [wont_do, deleted]\n"
          "  scope: workspace\n"
          "actor_resolution:\n  agent_usernames: [nobody_matches]\n")


def _pushed_config(tmp_path):
    tracker_dir = tmp_path / ".agent" / "tracker"
    tracker_dir.mkdir(parents=True)
    (tracker_dir / "config.yaml.template").write_text(NARROW)
    return load_config(tracker_dir)


def test_trustroot_replaces_governance_statuses_and_the_stop_hook_wholesale(tmp_path):
    """An agent-pushed template narrowing blocking_statuses, dropping `done`, widening the
    scope and renaming agents decides nothing where a trust root governs."""
    trust = tmp_path / "trust.d"
    settings = StatusSettings(("todo", "later", "done", "deleted"), ("todo",), ("done",),
                              ("deleted", "later"), "all")
    _write(trust, "a.yaml", trustroot.render([str(tmp_path)], Governance(("*_bot",)), settings))
    config = _pushed_config(tmp_path)
    assert config.blocking_statuses == ("parked",) and config.scope == "workspace"
    authority = resolve([tmp_path], config, trust)
    assert authority.config.governance.agent_usernames == ("*_bot",)
    assert authority.config.status_settings == settings
    assert authority.rules.human_only_statuses == ("deleted", "later")
    assert authority.config.vocabulary().statuses == settings.statuses


def test_trustroot_from_before_status_settings_governs_with_the_defaults(tmp_path):
    trust = tmp_path / "trust.d"
    _write(trust, "old.yaml", f"repositories: [{tmp_path}]\nhuman_only_statuses: [wont_do]\n")
    root = trustroot.find([tmp_path], trust)
    assert not root.complete
    authority = resolve([tmp_path], _pushed_config(tmp_path), trust)
    defaults = default_status_settings()
    assert authority.config.statuses == defaults.statuses
    assert authority.config.blocking_statuses == ("todo_hard", "todo_soft")
    assert authority.config.scope == "all"
    assert authority.rules.human_only_statuses == ("deleted", "wont_do")


def test_trustroot_governed_kinds_must_name_listed_statuses(tmp_path):
    trust = tmp_path / "trust.d"
    _write(trust, "a.yaml", trustroot.render([str(tmp_path)], Governance()))
    tracker_dir = tmp_path / ".agent" / "tracker"
    tracker_dir.mkdir(parents=True)
    (tracker_dir / "config.yaml").write_text(
        "statuses: [todo_hard, todo_soft, parked, done, wont_do, deleted]\n"
        "kinds:\n  work_item:\n    allowed_statuses: [todo_hard, parked]\n")
    with pytest.raises(ConfigError, match="names status 'parked'.*sudo htrac setup"):
        resolve([tmp_path], load_config(tracker_dir), trust)


@pytest.mark.parametrize("text, fragment", [
    ("repositories: []\n", "must not be empty"),
    ("repositories: [HERE]\nextra: 1\n", "unknown setting"),
    ("repositories: [HERE]\nhuman_keys: ['ed25519:no!']\n", "base64"),
    ("repositories: [HERE]\nhuman_keys: [ed25519:nope]\n", "32 bytes"),
    ("repositories: [HERE]\nrequire_signatures: true\n", "human_keys is empty"),
    ("repositories: [HERE]\nrequire_signatures: yes\n", "true or false"),
    ("repositories: /x\n", "list of strings"),
    ("- a\n", "mapping"),
    ("repositories: [/x\n", "not valid YAML"),
    ("repositories: [HERE]\nstatuses: [a]\n", "go together"),
    ("repositories: [HERE]\nstatuses: [a, b]\nstop_hook:\n  blocking_statuses: [a]\n",
     "resolved_statuses is missing"),
    ("repositories: [HERE]\nstatuses: [a]\nstop_hook:\n  blocking_statuses: [a]\n"
     "  resolved_statuses: []\n  human_only_statuses: []\n  scope: all\n  extra: 1\n",
     "must be a mapping of"),
    ("repositories: [HERE]\nstatuses: [a]\nstop_hook:\n  blocking_statuses: [b]\n"
     "  resolved_statuses: []\n  human_only_statuses: []\n  scope: all\n", "unknown status"),
    ("repositories: [HERE]\nstatuses: [a]\nstop_hook:\n  blocking_statuses: [a]\n"
     "  resolved_statuses: []\n  human_only_statuses: [a]\n  scope: all\n", "can't be blocking"),
    ("repositories: [HERE]\nstatuses: [a]\nstop_hook:\n  blocking_statuses: [a]\n"
     "  resolved_statuses: []\n  human_only_statuses: []\n  scope: both\n", "scope must be"),
    ("repositories: [HERE]\nhuman_only_statuses: [a]\nstatuses: [a]\nstop_hook:\n"
     "  blocking_statuses: [a]\n  resolved_statuses: []\n  human_only_statuses: []\n"
     "  scope: all\n", "belongs under stop_hook"),
])
def test_trustroot_refuses_a_malformed_file_with_a_clear_error(tmp_path, text, fragment):
    trust = tmp_path / "trust.d"
    _write(trust, "bad.yaml", text.replace("HERE", str(tmp_path)))
    with pytest.raises(ConfigError, match=fragment):
        trustroot.find([tmp_path], trust)


def test_trustroot_file_for_another_repository_with_settings_unknown_here_is_ignored(tmp_path):
    """A newer htrac's trust file for another repository (with a setting this version doesn't
    know) used to stop every command in every repository on the machine."""
    trust = tmp_path / "trust.d"
    _write(trust, "newer.yaml", "repositories: [/srv/other]\nfuture_setting: 1\n")
    assert trustroot.find([tmp_path], trust) is None
    _write(trust, "mine.yaml", trustroot.render([str(tmp_path)], Governance(("*_bot",))))
    assert trustroot.find([tmp_path], trust).governance.agent_usernames == ("*_bot",)
    _write(trust, "newer.yaml", f"repositories: ['{tmp_path}*']\nfuture_setting: 1\n")
    with pytest.raises(ConfigError, match="unknown setting"):  # it governs us: fail closed
        trustroot.find([tmp_path], trust)


def test_trustroot_writable_by_others_is_refused_not_used(tmp_path):
    trust = tmp_path / "trust.d"
    _write(trust, "a.yaml", trustroot.render([str(tmp_path)], Governance()), mode=0o666)
    with pytest.raises(ConfigError, match="chmod 644"):
        trustroot.find([tmp_path], trust)
    os.chmod(trust / "a.yaml", 0o644)
    os.chmod(trust, 0o777)
    with pytest.raises(ConfigError, match="chmod 755"):
        trustroot.find([tmp_path], trust)


def test_trustroot_two_files_for_one_repository_are_refused(tmp_path):
    trust = tmp_path / "trust.d"
    for name in ("a.yaml", "b.yaml"):
        _write(trust, name, trustroot.render([str(tmp_path)], Governance()))
    with pytest.raises(ConfigError, match="several trust roots"):
        trustroot.find([tmp_path], trust)


def test_trustroot_lifecycles_replace_the_configs_which_an_agent_can_write(tmp_path):
    from htrac.core.config import parse_config

    loose = parse_config("kinds:\n  work_item:\n    prefix: WI\n", source="agent's config")
    strict = ((("work_item", (("todo_hard", ("in_progress",)),)),))
    trust = tmp_path / "trust.d"
    _write(trust, "a.yaml", trustroot.render([str(tmp_path)], Governance(), None, strict))
    assert resolve([tmp_path], loose, trust).rules.lifecycles == strict
    tight_config = parse_config("kinds:\n  work_item:\n    prefix: WI\n    transitions:\n"
                                "      todo_hard: [done]\n", source="config")
    assert resolve([tmp_path / "ungoverned"], tight_config, trust).rules.lifecycles == (
        ("work_item", (("todo_hard", ("done",)),)),)
    _write(trust, "a.yaml", trustroot.render([str(tmp_path)], Governance()))
    assert resolve([tmp_path], tight_config, trust).rules.lifecycles == ()  # the root decides
