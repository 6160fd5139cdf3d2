"""The trust root: governance settings that no one but root (or the human) can change.

Files `/etc/htrac/trust.d/*.yaml`, outside every worktree, each naming the repositories it
governs (absolute worktree paths; `fnmatch` patterns allowed) and the settings that decide
authority and the stop hook:

    repositories: ["/home/alice/proj", "/home/proj_agent/proj"]
    agent_usernames: ["*_agent"]
    require_signatures: true
    human_keys: ["ed25519:<base64>"]
    statuses: [todo_hard, todo_soft, in_progress, needs_human_review, done, wont_do, deleted]
    stop_hook:
      blocking_statuses: [todo_hard, todo_soft]
      resolved_statuses: [done, wont_do, deleted]
      human_only_statuses: [deleted]
      scope: all
    lifecycles:                         # per kind, the statuses allowed next (policy.lifecycle)
      work_item: {todo_hard: [in_progress], in_progress: [needs_human_review, todo_hard]}
    evidence:                           # closing statuses an agent must prove (core.evidence)
      require: {work_item: [done]}
      branches: [main]

The settings of the file that governs the repository a command runs in replace the
in-repository `actor_resolution`, `statuses` and `stop_hook` wholesale: nothing an agent can
write or push (a `config.yaml.template`, a gitignored `config.yaml` in its clone) decides which
ops the fold accepts or what the stop hook counts; its `lifecycles` and `evidence` replace the
config's too (absent, there are none: an agent can write the config). A file written before
`statuses` and `stop_hook` existed (a top-level `human_only_statuses` only) governs with the
built-in defaults for them, never the repository's; `doctor` reports it out of date. The
location is fixed: no environment variable, option or file in the worktree moves it. A trust
file that an agent could change protects nothing, so one that is group- or world-writable, or
owned by an agent user, is refused (every command stops with the fix) rather than silently used
or silently ignored; two files governing one repository are refused the same way.
"""

from __future__ import annotations

import fnmatch
import json
import os
import pwd
import stat
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core.config import (
    DEFAULTS,
    Fail,
    Governance,
    StatusSettings,
    default_status_settings,
    parse_evidence,
    status_settings,
)
from ..core.errors import ConfigError
from ..core.evidence import EvidenceRule
from ..core.yamlread import YamlError, load_block
from .actor import classify
from .lifecycle import Lifecycles
from .signing import KeyFormatError, key_id, parse_public_key
from .trustdir import BASELINE_SUFFIX, SUFFIX
from .trustdir import TRUST_DIR as _TRUST_DIR

TRUST_DIR = Path(_TRUST_DIR)


@dataclass(frozen=True, slots=True)
class TrustRoot:
    """The machine's trust root for a repository: what governs it, out of agents' reach."""
    path: Path
    repositories: tuple[str, ...]
    governance: Governance
    settings: StatusSettings = field(default_factory=default_status_settings)
    complete: bool = True  # False: written before `statuses` and `stop_hook` (defaults apply)
    baseline: frozenset[str] = frozenset()
    lifecycles: Lifecycles = ()
    evidence: EvidenceRule | None = None  # None: nothing needs evidence where it governs

    @property
    def human_only_statuses(self) -> tuple[str, ...]:
        return self.settings.human_only_statuses

    @property
    def baseline_path(self) -> Path:
        return baseline_path(self.path)

    def governs(self, worktree: Path) -> bool:
        text = str(worktree)
        return any(text == pattern or fnmatch.fnmatchcase(text, pattern)
                   for pattern in self.repositories)


def find(worktrees: list[Path], trust_dir: Path = TRUST_DIR) -> TrustRoot | None:
    """The trust root governing any of `worktrees` (resolved paths), or None."""
    try:
        names = sorted(n for n in os.listdir(trust_dir) if n.endswith(SUFFIX))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read the trust root {trust_dir}: {exc.strerror}; fix: "
                          f"sudo chmod 755 {trust_dir}") from None
    found: list[TrustRoot] = []
    for name in names:
        if not _may_govern(trust_dir / name, worktrees):
            continue
        root = load(trust_dir / name)
        if any(root.governs(w) for w in worktrees):
            found.append(root)
    if len(found) > 1:
        paths = ", ".join(str(r.path) for r in found)
        raise SeveralTrustRoots(f"several trust roots govern this repository ({paths}): a "
                                "repository must be listed in one trust file only; as root, "
                                "edit the 'repositories' of all but one (never delete a trust "
                                "file you have not read: each may govern other repositories)")
    if not found:
        return None
    return checked(found[0])


def _may_govern(path: Path, worktrees: list[Path]) -> bool:
    """False only for a file whose `repositories` can be read and name none of `worktrees`: a
    trust file for another repository — one a newer htrac wrote, say, with settings this version
    doesn't know — is none of this repository's business. Anything unclear is read in full, so
    its error stops the command (fail closed)."""
    try:
        raw = load_block(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YamlError):
        return True
    patterns = raw.get("repositories") if isinstance(raw, dict) else None
    if not isinstance(patterns, list) or not patterns \
            or not all(isinstance(p, str) and p for p in patterns):
        return True
    return any(str(w) == p or fnmatch.fnmatchcase(str(w), p) for p in patterns
               for w in worktrees)


class SeveralTrustRoots(ConfigError):
    """Two trust files name the same repository (or the tracker's files lead into another)."""


def by_key(trust_dir: Path = TRUST_DIR) -> dict[str, Path]:
    """The trust file listing each human key, by key ID — to find the one that governs a
    tracker holding ops its keys signed, wherever the tracker is (a copy, a linked worktree, a
    clone at a path no trust file names). Only the keys are read here; the caller `load`s the
    file that matches, in full, and `checked` it."""
    try:
        names = sorted(n for n in os.listdir(trust_dir) if n.endswith(SUFFIX))
    except OSError:
        return {}
    found: dict[str, Path] = {}
    for name in names:
        try:
            keys = _raw(trust_dir / name).get("human_keys") or []
        except ConfigError:
            continue  # refused where it governs by path; its keys can't be known here
        for key in keys if isinstance(keys, list) else []:
            try:
                found.setdefault(key_id(parse_public_key(str(key))), trust_dir / name)
            except KeyFormatError:
                continue
    return found


def checked(root: TrustRoot) -> TrustRoot:
    """`root` with its baseline, once its file and baseline are found safe (ConfigError if
    an agent could have changed them)."""
    for path in (root.path, root.baseline_path):
        problem = unsafe(path, root.governance.agent_usernames) if path.exists() else None
        if problem:
            raise ConfigError(problem)
    return replace(root, baseline=read_baseline(root.baseline_path))


def baseline_path(trust_file: Path) -> Path:
    """Digests of the human ops that predate signing (see `signing.Verifier`)."""
    return trust_file.with_suffix(BASELINE_SUFFIX)


def read_baseline(path: Path) -> frozenset[str]:
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return frozenset()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"trust root baseline {path}: cannot read it ({exc})") from None
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def _failing(path: Path) -> Callable[[str], ConfigError]:
    def fail(message: str) -> ConfigError:
        return ConfigError(f"trust root {path}: {message}")
    return fail


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"trust root {path}: cannot read it ({exc})") from None


def _raw(path: Path) -> dict[str, Any]:
    return _mapping(_read(path), path)


def _mapping(text: str, path: Path) -> dict[str, Any]:
    fail = _failing(path)
    try:
        raw = load_block(text)
    except YamlError as exc:
        raise fail(f"not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise fail("must be a mapping of settings")
    return raw


def load(path: Path) -> TrustRoot:
    return parse(_read(path), path)


def parse(text: str, path: Path) -> TrustRoot:
    fail = _failing(path)
    raw = _mapping(text, path)
    unknown = set(raw) - {"repositories", "agent_usernames", "require_signatures", "human_keys",
                          "human_only_statuses", "statuses", "stop_hook", "lifecycles",
                          "evidence"}
    if unknown:
        raise fail(f"unknown setting {sorted(unknown)[0]!r}")
    repos = _names(raw.get("repositories"), "repositories", fail)
    patterns = _names(raw.get("agent_usernames", ["*_agent"]), "agent_usernames", fail)
    keys = _names(raw.get("human_keys") or [], "human_keys", fail, empty_ok=True)
    for key in keys:
        try:
            parse_public_key(key)
        except KeyFormatError as exc:
            raise fail(str(exc)) from None
    required = raw.get("require_signatures", False)
    if not isinstance(required, bool):
        raise fail("require_signatures must be true or false")
    if required and not keys:
        raise fail("require_signatures is true but human_keys is empty: no human could act; "
                   "add a key with 'sudo htrac setup' after 'htrac keys init'")
    governance = Governance(agent_usernames=patterns, require_signatures=required,
                            human_keys=keys, source=str(path))
    settings, complete = _status_settings(raw, fail)
    rule = parse_evidence(raw["evidence"], fail) if "evidence" in raw else None
    return TrustRoot(path, repos, governance, settings, complete,
                     lifecycles=_lifecycles(raw.get("lifecycles"), fail), evidence=rule)


def _status_settings(raw: dict[str, Any],
                     fail: Callable[[str], ConfigError]) -> tuple[StatusSettings, bool]:
    """The statuses and stop-hook settings, and whether the file states them (a file from
    before they were kept here names at most `human_only_statuses`: defaults for the rest)."""
    hook = raw.get("stop_hook")
    legacy = raw.get("human_only_statuses")
    if "statuses" not in raw or hook is None:
        if "statuses" in raw or hook is not None:
            raise fail("statuses and stop_hook go together: give both")
        hook = dict(DEFAULTS["stop_hook"])
        if legacy is not None:
            hook["human_only_statuses"] = list(dict.fromkeys(
                [*hook["human_only_statuses"],
                 *_names(legacy, "human_only_statuses", fail, empty_ok=True)]))
        return status_settings(DEFAULTS["statuses"], hook, fail), False
    if legacy is not None:
        raise fail("human_only_statuses belongs under stop_hook")
    if not isinstance(hook, dict) or set(hook) - set(DEFAULTS["stop_hook"]):
        raise fail("stop_hook must be a mapping of blocking_statuses, resolved_statuses, "
                   "human_only_statuses and scope")
    missing = [k for k in DEFAULTS["stop_hook"] if k not in hook]
    if missing:
        raise fail(f"stop_hook.{missing[0]} is missing: the trust root states them all")
    return status_settings(raw["statuses"], hook, fail), True


def _lifecycles(value: Any, fail: Fail) -> Lifecycles:
    """`lifecycles: {<kind>: {<from>: [<to>, …]}}`. Status names are not checked against a
    config here (the trust root governs repositories whatever their config): a name no config
    uses simply never matches."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise fail("lifecycles must be a mapping of kind to transitions")
    found = []
    for kind, transitions in value.items():
        if not isinstance(transitions, dict):
            raise fail(f"lifecycles.{kind} must map a status to the statuses allowed next")
        pairs = []
        for source, targets in transitions.items():
            names = _names(targets if targets is not None else [], f"lifecycles.{kind}.{source}",
                           fail, empty_ok=True)
            pairs.append((str(source), names))
        found.append((str(kind), tuple(sorted(pairs))))
    return tuple(sorted(found))


def _names(value: Any, key: str, fail: Fail, *, empty_ok: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise fail(f"{key} must be a list of strings")
    if not value and not empty_ok:
        raise fail(f"{key} must not be empty")
    return tuple(value)


def unsafe(path: Path, agent_patterns: tuple[str, ...]) -> str | None:
    """Why an agent could change the trust file at `path` (or its directory), or None."""
    for target in (path, path.parent):
        try:
            info = os.stat(target, follow_symlinks=False) if target == path else target.stat()
        except OSError as exc:
            return f"trust root {target}: {exc.strerror}"
        if stat.S_ISLNK(info.st_mode):
            return f"trust root {target} is a symbolic link; fix: replace it with a file"
        owner = _user(info.st_uid)
        if info.st_uid != 0 and classify(owner, agent_patterns).by != "human":
            return (f"trust root {target} is owned by agent user {owner}; fix: "
                    f"sudo chown root:root {target}")
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            mode = "755" if stat.S_ISDIR(info.st_mode) else "644"
            return (f"trust root {target} is writable by group or others; fix: "
                    f"sudo chmod {mode} {target}")
    return None


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def render(repositories: list[str], governance: Governance,
           settings: StatusSettings | None = None, lifecycles: Lifecycles = (),
           evidence: EvidenceRule | None = None) -> str:
    """The text of a trust file (JSON strings are valid YAML double-quoted scalars)."""
    settings = settings or default_status_settings()

    def block(key: str, values: tuple[str, ...] | list[str], indent: str = "") -> str:
        if not values:
            return f"{indent}{key}: []\n"
        return f"{indent}{key}:\n" + "".join(f"{indent}  - {json.dumps(v)}\n" for v in values)

    return ("# htrac trust root (written by `htrac setup`): who holds authority in the\n"
            "# repositories below, which statuses exist and what the stop hook counts.\n"
            "# Owned by root, readable by all, writable by no one else. These settings\n"
            "# replace the repositories' own actor_resolution, statuses and stop_hook.\n"
            + block("repositories", repositories)
            + block("agent_usernames", governance.agent_usernames)
            + f"require_signatures: {'true' if governance.require_signatures else 'false'}\n"
            + block("human_keys", governance.human_keys)
            + block("statuses", settings.statuses)
            + "stop_hook:\n"
            + block("blocking_statuses", settings.blocking_statuses, "  ")
            + block("resolved_statuses", settings.resolved_statuses, "  ")
            + block("human_only_statuses", settings.human_only_statuses, "  ")
            + f"  scope: {json.dumps(settings.scope)}\n"
            + _render_lifecycles(lifecycles)
            + _render_evidence(evidence))


def _render_lifecycles(lifecycles: Lifecycles) -> str:
    if not lifecycles:
        return ""
    lines = ["lifecycles:\n"]
    for kind, transitions in lifecycles:
        lines.append(f"  {json.dumps(kind)}:\n")
        for source, targets in transitions:
            listed = ", ".join(json.dumps(t) for t in targets)
            lines.append(f"    {json.dumps(source)}: [{listed}]\n")
    return "".join(lines)


def _render_evidence(rule: EvidenceRule | None) -> str:
    if rule is None:
        return ""
    lines = ["evidence:\n", "  require:\n" if rule.require else "  require: {}\n"]
    lines.extend(f"    {json.dumps(kind)}: [{', '.join(json.dumps(s) for s in statuses)}]\n"
                 for kind, statuses in sorted(rule.require.items()))
    lines.append(f"  accept: [{', '.join(json.dumps(f) for f in rule.accept)}]\n")
    lines.append(f"  branches: [{', '.join(json.dumps(b) for b in rule.branches)}]\n")
    return "".join(lines)
