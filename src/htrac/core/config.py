"""Configuration: kinds, statuses, stop-hook sets, actor patterns, Lamport branches.

Loaded from the first of `.agent/tracker/config.yaml`, `.agent/tracker/config.yaml.template` and
the built-in defaults (which `config.yaml.template` at the top of the repository spells out); a
top-level key the file leaves out takes its default, so a partial file never bricks the tracker.
The result is validated as a whole. The authority settings — who counts as an agent, whose keys
sign human ops, whether signatures are required — are `Governance`; the status vocabulary and
the stop hook's sets and scope are `StatusSettings`. A trust root outside the worktree replaces
both wholesale (see `htrac.policy` and docs/design/trust-root.md), so nothing in the repository
— a pushed `config.yaml.template`, a gitignored `config.yaml` in an agent's clone — can.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .claims import ClaimRules
from .errors import ConfigError
from .evidence import FORMS, EvidenceRule
from .ids import default_prefix
from .record import field as record_field
from .record import record
from .schema import Vocabulary
from .yamlread import YamlError, load_block

DEFAULTS: dict[str, Any] = {
    "kinds": {
        "invariant": {
            "prefix": "INV",
            "description": "Discovered invariant with root cause analysis",
            "fields_schema": {
                "statement": {"type": "text", "required": True},
                "root_cause": {"type": "text", "required": True},
            },
        },
        "work_item": {"prefix": "WI", "description": "Backlog item"},
    },
    "statuses": ["todo_hard", "todo_soft", "in_progress", "needs_human_review", "done",
                 "wont_do", "deleted"],
    "stop_hook": {
        "blocking_statuses": ["todo_hard", "todo_soft"],
        "resolved_statuses": ["done", "wont_do", "deleted"],
        "human_only_statuses": ["deleted"],
        "scope": "all",
    },
    "well_known_tags": [],
    "actor_resolution": {"agent_usernames": ["*_agent"]},
    "lamport_branches": ["dev", "main"],
}
FIELD_TYPES = ("text", "integer", "list", "boolean")
SCOPES = ("all", "workspace")


@record(frozen=True)
class FieldSpec:
    """One custom field a kind declares (`fields_schema`)."""
    name: str
    type: str
    required: bool = False
    description: str = ""
    min: int | None = None
    max: int | None = None


@record(frozen=True)
class Kind:
    """A kind of item: its ID prefix, fields and statuses."""
    name: str
    prefix: str
    description: str = ""
    fields: dict[str, FieldSpec] = record_field(default_factory=dict)
    allowed_statuses: tuple[str, ...] = ()
    deprecated_statuses: tuple[str, ...] = ()
    # `transitions: {from: [to, …]}` — the kind's lifecycle (policy.lifecycle); htrac's key
    transitions: tuple[tuple[str, tuple[str, ...]], ...] = ()


@record(frozen=True)
class ClaimSettings:
    """`claims:` in config.yaml — htrac's key, which the reference ignores (docs/design/
    claims.md). Not in DEFAULTS, so the template and `init` stay as the reference writes them."""

    lease_minutes: int = 15
    status: str = "in_progress"
    working_statuses: tuple[str, ...] = ("in_progress",)
    clock_skew_seconds: int = 120
    max_claims_per_session: int = 0  # 0: no limit
    reclaim: str = "human"  # who may `stale --reclaim`: human | anyone
    reservations: str = "warn"  # pre-commit on another actor's reserved path: warn | refuse

    @property
    def ttl_seconds(self) -> int:
        return self.lease_minutes * 60


@record(frozen=True)
class Governance:
    """Who holds authority. From the in-repo config unless a trust root replaces it."""

    agent_usernames: tuple[str, ...] = ("*_agent",)
    require_signatures: bool = False
    human_keys: tuple[str, ...] = ()
    source: str = "config"


@dataclass(frozen=True, slots=True)  # stays one: callers `replace` it
class StatusSettings:
    """Which statuses exist (an op naming another is rejected by the fold), which block the
    stop hook, which are resolved, which only a human may set, and which tiers the stop hook
    looks at. From the config unless a trust root replaces them."""

    statuses: tuple[str, ...]
    blocking_statuses: tuple[str, ...]
    resolved_statuses: tuple[str, ...]
    human_only_statuses: tuple[str, ...]
    scope: str


@dataclass(frozen=True, slots=True)
class Config:
    """The tracker's configuration (config.yaml over the packaged defaults)."""
    kinds: dict[str, Kind]
    statuses: tuple[str, ...]
    blocking_statuses: tuple[str, ...]
    resolved_statuses: tuple[str, ...]
    human_only_statuses: tuple[str, ...]
    scope: str
    well_known_tags: tuple[str, ...]
    lamport_branches: tuple[str, ...]
    governance: Governance
    source: str = "built-in defaults"
    # `evidence:` — closing statuses that need evidence (core.evidence); replaced by the trust
    # root's when it has one
    evidence: EvidenceRule = field(default_factory=EvidenceRule)
    # `index: {watch: true|false}`: do reads start this user's watcher — always, never, or
    # (None, the default) for trackers large enough to need one (docs/design/index.md). Left
    # out of the repr, which fingerprints what compiled items depend on: they don't on this.
    index_watch: bool | None = field(default=None, repr=False)
    claims: ClaimSettings = ClaimSettings()

    def vocabulary(self) -> Vocabulary:
        return Vocabulary(
            statuses=self.statuses,
            default_statuses={name: self.default_status(name) for name in self.kinds},
            fallback_status=self.blocking_statuses[0],
            claims=self.claim_rules(),
        )

    def claim_rules(self) -> ClaimRules:
        settings = self.claims
        claimable = tuple(dict.fromkeys([*self.blocking_statuses, *settings.working_statuses]))
        return ClaimRules(status=settings.status, working=settings.working_statuses,
                          claimable=claimable, skew_seconds=settings.clock_skew_seconds)

    def default_status(self, kind: str) -> str:
        """First blocking status the kind permits, else the first status it allows."""
        spec = self.kinds.get(kind)
        allowed = spec.allowed_statuses if spec and spec.allowed_statuses else self.statuses
        for status in self.blocking_statuses:
            if status in allowed:
                return status
        return allowed[0]

    def prefix(self, kind: str) -> str:
        spec = self.kinds.get(kind)
        return spec.prefix if spec else default_prefix(kind)

    def with_governance(self, governance: Governance) -> Config:
        return replace(self, governance=governance)

    @property
    def status_settings(self) -> StatusSettings:
        return StatusSettings(self.statuses, self.blocking_statuses, self.resolved_statuses,
                              self.human_only_statuses, self.scope)

    def governed_by(self, settings: StatusSettings, source: str) -> Config:
        """This config with a trust root's status settings (`source` names the trust file);
        ConfigError when a kind here names a status the trust root doesn't list."""
        for kind in self.kinds.values():
            for status in (*kind.allowed_statuses, *kind.deprecated_statuses):
                if status not in settings.statuses:
                    raise ConfigError(
                        f"{self.source}: kind {kind.name!r} names status {status!r}, which the "
                        f"trust root {source} does not list; fix: sudo htrac setup (it writes "
                        "your config.yaml's statuses into the trust root), or drop it here")
        return replace(self, statuses=settings.statuses,
                       blocking_statuses=settings.blocking_statuses,
                       resolved_statuses=settings.resolved_statuses,
                       human_only_statuses=settings.human_only_statuses, scope=settings.scope)

    def with_evidence(self, rule: EvidenceRule) -> Config:
        return replace(self, evidence=rule)


def load_config(tracker_dir: Path | None) -> Config:
    """The configuration for the tracker whose canonical directory is `tracker_dir`."""
    if tracker_dir is not None:
        for name in ("config.yaml", "config.yaml.template"):
            path = tracker_dir / name
            if path.is_file():
                return parse_config(_read(path), source=str(path))
    return build_config(copy.deepcopy(DEFAULTS), source="built-in defaults")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None


def parse_config(text: str, *, source: str) -> Config:
    try:
        raw = load_block(text)
    except YamlError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc})") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: must be a mapping of settings")
    merged = copy.deepcopy(DEFAULTS)
    merged.update(raw)
    return build_config(merged, source=source)


def build_config(raw: dict[str, Any], *, source: str) -> Config:
    try:
        return _build(raw, source)
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{source}: malformed setting ({exc})") from None


def _build(raw: dict[str, Any], source: str) -> Config:
    def fail(message: str) -> ConfigError:
        return ConfigError(f"{source}: {message}")

    settings = status_settings(raw.get("statuses"), raw.get("stop_hook") or {}, fail)
    kinds = _kinds(raw.get("kinds"), settings.statuses, fail)
    agents = raw.get("actor_resolution") or {}
    if not isinstance(agents, dict):
        raise fail("'actor_resolution' must be a mapping")
    patterns = _names(agents.get("agent_usernames", ["*_agent"]),
                      "actor_resolution.agent_usernames", fail, nonempty=True)
    branches = _names(raw.get("lamport_branches"), "lamport_branches", fail, nonempty=True)
    tags = _names(raw.get("well_known_tags") or [], "well_known_tags", fail)
    claims = _claims(raw.get("claims"), settings.statuses, settings.blocking_statuses,
                     settings.resolved_statuses, fail)
    return Config(kinds=kinds, statuses=settings.statuses,
                  blocking_statuses=settings.blocking_statuses,
                  resolved_statuses=settings.resolved_statuses,
                  human_only_statuses=settings.human_only_statuses, scope=settings.scope,
                  well_known_tags=tags, lamport_branches=branches,
                  governance=Governance(agent_usernames=patterns), source=source,
                  index_watch=_index_watch(raw.get("index"), fail), claims=claims,
                  evidence=parse_evidence(raw.get("evidence"), fail, kinds=kinds,
                                          statuses=settings.statuses))


def status_settings(statuses: Any, hook: Any,
                    fail: Callable[[str], ConfigError]) -> StatusSettings:
    """`statuses` and the `stop_hook` mapping, checked as a whole (a config's or a trust
    root's); a key the mapping leaves out takes its default."""
    statuses = _names(statuses, "statuses", fail, nonempty=True)
    if not isinstance(hook, dict):
        raise fail("'stop_hook' must be a mapping")
    hook_defaults = DEFAULTS["stop_hook"]
    blocking = _names(hook.get("blocking_statuses", hook_defaults["blocking_statuses"]),
                      "stop_hook.blocking_statuses", fail, nonempty=True)
    resolved = _names(hook.get("resolved_statuses", hook_defaults["resolved_statuses"]),
                      "stop_hook.resolved_statuses", fail)
    human_only = _names(hook.get("human_only_statuses", hook_defaults["human_only_statuses"]),
                        "stop_hook.human_only_statuses", fail)
    scope = hook.get("scope", "all")
    if scope not in SCOPES:
        raise fail(f"stop_hook.scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    for name, group in (("blocking_statuses", blocking), ("resolved_statuses", resolved),
                        ("human_only_statuses", human_only)):
        unknown = [s for s in group if s not in statuses]
        if unknown:
            raise fail(f"stop_hook.{name} names unknown status {unknown[0]!r}")
    if set(blocking) & set(resolved):
        raise fail("a status can't be both blocking and resolved")
    if set(human_only) & set(blocking):
        raise fail("a human-only status can't be blocking")
    return StatusSettings(statuses, blocking, resolved, human_only, scope)


def default_status_settings() -> StatusSettings:
    def fail(message: str) -> ConfigError:
        return ConfigError(f"built-in defaults: {message}")
    return status_settings(DEFAULTS["statuses"], DEFAULTS["stop_hook"], fail)


_CLAIM_KEYS = ("lease_minutes", "status", "working_statuses", "clock_skew_seconds",
               "max_claims_per_session", "reclaim", "reservations")


def _claims(value: Any, statuses: tuple[str, ...], blocking: tuple[str, ...],
            resolved: tuple[str, ...], fail: Fail) -> ClaimSettings:
    """`claims:` (docs/design/claims.md); every key optional."""
    if value is None:
        return ClaimSettings()
    if not isinstance(value, dict):
        raise fail("'claims' must be a mapping")
    unknown = [k for k in value if k not in _CLAIM_KEYS]
    if unknown:
        raise fail(f"claims.{unknown[0]} is not a claims setting ({', '.join(_CLAIM_KEYS)})")
    defaults = ClaimSettings()

    def number(key: str, low: int, high: int) -> int:
        got = value.get(key, getattr(defaults, key))
        if not isinstance(got, int) or isinstance(got, bool) or not low <= got <= high:
            raise fail(f"claims.{key} must be an integer from {low} to {high}, not {got!r}")
        return got

    def choice(key: str, options: tuple[str, ...]) -> str:
        got = value.get(key, getattr(defaults, key))
        if got not in options:
            raise fail(f"claims.{key} must be one of {', '.join(options)}, not {got!r}")
        return str(got)

    status = value.get("status", defaults.status)
    if status not in statuses or status in blocking or status in resolved:
        raise fail(f"claims.status must be a configured status that is neither blocking nor "
                   f"resolved, not {status!r}")
    working = _names(value.get("working_statuses", [status]), "claims.working_statuses", fail,
                     nonempty=True)
    if status not in working:
        working = (status, *working)
    for name in working:
        if name not in statuses or name in blocking or name in resolved:
            raise fail(f"claims.working_statuses: {name!r} must be a configured status that "
                       "is neither blocking nor resolved")
    return ClaimSettings(lease_minutes=number("lease_minutes", 1, 1440), status=status,
                         working_statuses=working,
                         clock_skew_seconds=number("clock_skew_seconds", 0, 3600),
                         max_claims_per_session=number("max_claims_per_session", 0, 10_000),
                         reclaim=choice("reclaim", ("human", "anyone")),
                         reservations=choice("reservations", ("warn", "refuse")))


def parse_evidence(value: Any, fail: Fail, *, kinds: dict[str, Kind] | None = None,
                   statuses: tuple[str, ...] | None = None) -> EvidenceRule:
    """`evidence: {require: {<kind>: [<status>…]}, accept: [<form>…], branches: [<branch>…]}`
    — an htrac key the reference ignores; absent, nothing needs evidence."""
    if value is None:
        return EvidenceRule()
    if not isinstance(value, dict) or set(value) - {"require", "accept", "branches"}:
        raise fail("'evidence' must be a mapping with the keys require, accept, branches")
    require_raw = value.get("require") or {}
    if not isinstance(require_raw, dict):
        raise fail("evidence.require must map kinds to lists of statuses")
    require: dict[str, tuple[str, ...]] = {}
    for kind, names in require_raw.items():
        if kinds is not None and kind not in kinds:
            raise fail(f"evidence.require names unknown kind {kind!r}")
        require[str(kind)] = _names(names, f"evidence.require.{kind}", fail)
        unknown = [s for s in require[kind] if statuses is not None and s not in statuses]
        if unknown:
            raise fail(f"evidence.require.{kind} names unknown status {unknown[0]!r}")
    accept = _names(value.get("accept", list(FORMS)), "evidence.accept", fail, nonempty=True)
    bad = [f for f in accept if f not in FORMS]
    if bad:
        raise fail(f"evidence.accept: {bad[0]!r} is not one of {', '.join(FORMS)}")
    branches = _names(value.get("branches") or [], "evidence.branches", fail)
    return EvidenceRule(require=require, accept=accept, branches=branches)


# Makes the error a setting is refused with: `raise fail("...")` names the config file.
Fail = Callable[[str], ConfigError]


def _index_watch(value: Any, fail: Fail) -> bool | None:
    """`index: {watch: true|false}` — an htrac key the reference ignores (not in DEFAULTS,
    so the template and `init` stay as the reference writes them). Left out: None, reads
    start a watcher for a large tracker."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"watch"}:
        raise fail("'index' must be a mapping with the key 'watch'")
    watch = value.get("watch")
    if watch is not None and not isinstance(watch, bool):
        raise fail(f"index.watch must be true or false, not {watch!r}")
    return watch


def _names(value: Any, key: str, fail: Fail, *, nonempty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise fail(f"'{key}' must be a list of names")
    if nonempty and not value:
        raise fail(f"'{key}' must be a non-empty list")
    return tuple(value)


def _kinds(value: Any, statuses: tuple[str, ...], fail: Fail) -> dict[str, Kind]:
    if not isinstance(value, dict) or not value:
        raise fail("'kinds' must be a non-empty mapping")
    kinds: dict[str, Kind] = {}
    for name, spec in value.items():
        spec = spec or {}
        if not isinstance(spec, dict):
            raise fail(f"kind {name!r} must be a mapping")
        allowed = _names(spec.get("allowed_statuses") or [], f"{name}.allowed_statuses", fail)
        deprecated = _names(spec.get("deprecated_statuses") or [],
                            f"{name}.deprecated_statuses", fail)
        for status in allowed + deprecated:
            if status not in statuses:
                raise fail(f"kind {name!r} names unknown status {status!r}")
        if set(allowed) & set(deprecated):
            raise fail(f"kind {name!r}: a status can't be both allowed and deprecated")
        prefix = spec.get("prefix") or default_prefix(name)
        if not isinstance(prefix, str):
            raise fail(f"kind {name!r}: prefix must be a string")
        kinds[name] = Kind(name=name, prefix=prefix, description=str(spec.get("description") or ""),
                           fields=_field_specs(name, spec.get("fields_schema") or {}, fail),
                           allowed_statuses=allowed, deprecated_statuses=deprecated,
                           transitions=parse_transitions(spec.get("transitions"), statuses,
                                                         f"kind {name!r}: transitions", fail))
    return kinds


def _field_specs(kind: str, value: Any, fail: Fail) -> dict[str, FieldSpec]:
    if not isinstance(value, dict):
        raise fail(f"kind {kind!r}: fields_schema must be a mapping")
    specs: dict[str, FieldSpec] = {}
    for name, spec in value.items():
        if not isinstance(spec, dict):
            raise fail(f"kind {kind!r}: field {name!r} must be a mapping")
        ftype = spec.get("type", "text")
        if ftype not in FIELD_TYPES:
            raise fail(f"kind {kind!r}: field {name!r} has unknown type {ftype!r}")
        if ftype != "integer" and ("min" in spec or "max" in spec):
            raise fail(f"kind {kind!r}: field {name!r}: min/max apply only to integers")
        specs[name] = FieldSpec(name=name, type=ftype, required=bool(spec.get("required")),
                                description=str(spec.get("description") or ""),
                                min=spec.get("min"), max=spec.get("max"))
    return specs


def parse_transitions(value: Any, statuses: tuple[str, ...], where: str,
                      fail: Fail) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A lifecycle, `{from_status: [allowed next statuses]}`, as sorted pairs (hashable, and
    so part of the config's fingerprint). Used for config kinds and the trust root."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise fail(f"{where} must be a mapping of status to a list of next statuses")
    pairs = []
    for source, targets in value.items():
        names = _names(targets if targets is not None else [], f"{where}.{source}", fail)
        for status in (source, *names):
            if status not in statuses:
                raise fail(f"{where} names unknown status {status!r}")
        pairs.append((source, names))
    return tuple(sorted(pairs))
