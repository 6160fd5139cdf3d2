"""The documentation a new user starts from: every config key documented, every relative link
alive, docs/cli.md current, no placeholders left."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from htrac.core.config import DEFAULTS, FieldSpec, Kind
from htrac.core.record import fields

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DOC = ROOT / "docs" / "configuration.md"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _keys(prefix: str, value) -> list[str]:
    if not isinstance(value, dict) or prefix == "kinds":
        return [prefix]
    return [f"{prefix}.{k}" for k, v in value.items()]


def test_configuration_md_documents_every_key_and_the_trust_roots_own():
    text = CONFIG_DOC.read_text(encoding="utf-8")
    keys = [k for name, value in DEFAULTS.items() for k in _keys(name, value)]
    keys += ["index.watch", "auto_sync_threshold"]  # htrac's own, not in the defaults
    keys += [f"fields_schema.<field>.{f}" for f in ("type", "required", "description")]
    keys += [f for f in fields(Kind) if f in ("prefix", "description")]
    keys += ["allowed_statuses", "deprecated_statuses", "fields_schema.<field>.min"]
    keys += ["repositories", "agent_usernames", "require_signatures", "human_keys",
             "human_only_statuses"]
    missing = [k for k in keys if f"`{k}`" not in text and f"`{k}`, " not in text]
    assert not missing, f"docs/configuration.md does not document {missing}"
    assert {"text", "integer", "list", "boolean"} <= set(re.findall(r"`(\w+)`", text))
    assert set(fields(FieldSpec)) >= {"min", "max"}


def test_config_template_points_at_a_page_that_exists():
    template = (ROOT / "config.yaml.template").read_text(encoding="utf-8")
    for page in re.findall(r"docs/[\w/.-]+\.md", template):
        assert (ROOT / page).is_file(), page


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_relative_links_lead_somewhere_and_no_placeholder_is_left(doc):
    text = doc.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" not in target and not target.startswith("mailto:"):
            assert (doc.parent / unquote(target)).exists(), f"{doc.name}: broken link {target}"
    assert "<htrac's repository URL>" not in text


def test_readme_says_what_to_run_in_your_own_repository_after_the_quick_start():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.index("## Quick start")
    own = text.index("## In your own repository")
    assert quick < own < text.index("## Using it")
    section = text[own:text.index("## Using it")]
    assert "htrac init && htrac setup" in section and "--agent-user" in section


def test_cli_md_is_current():
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_cli_docs.py"), "--check"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
