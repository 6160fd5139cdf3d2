from __future__ import annotations

import os

import pytest

from htrac.core.config import Governance, load_config
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


def test_trustroot_replaces_the_config_governance_and_adds_human_only_statuses(tmp_path):
    trust = tmp_path / "trust.d"
    _write(trust, "a.yaml", trustroot.render([str(tmp_path)], Governance(("*_bot",)),
                                              ("deleted", "wont_do")))
    authority = resolve([tmp_path], load_config(None), trust)
    assert authority.config.governance.agent_usernames == ("*_bot",)
    assert authority.rules.human_only_statuses == ("deleted", "wont_do")


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
    _write(trust, "newer.yaml", "repositories: [/srv/other]\nstatuses: [a, b]\n")
    assert trustroot.find([tmp_path], trust) is None
    _write(trust, "mine.yaml", trustroot.render([str(tmp_path)], Governance(("*_bot",))))
    assert trustroot.find([tmp_path], trust).governance.agent_usernames == ("*_bot",)
    _write(trust, "newer.yaml", f"repositories: ['{tmp_path}*']\nstatuses: [a, b]\n")
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
    _write(trust, "a.yaml", trustroot.render([str(tmp_path)], Governance(), ("deleted",),
                                              strict))
    assert resolve([tmp_path], loose, trust).rules.lifecycles == strict
    tight_config = parse_config("kinds:\n  work_item:\n    prefix: WI\n    transitions:\n"
                                "      todo_hard: [done]\n", source="config")
    assert resolve([tmp_path / "ungoverned"], tight_config, trust).rules.lifecycles == (
        ("work_item", (("todo_hard", ("done",)),)),)
    _write(trust, "a.yaml", trustroot.render([str(tmp_path)], Governance()))
    assert resolve([tmp_path], tight_config, trust).rules.lifecycles == ()  # the root decides
