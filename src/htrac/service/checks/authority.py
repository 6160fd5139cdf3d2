"""Setup and doctor checks for authority: the trust root, signing, the human's key, and the
ops that tried to take authority they don't have (rejected ops, freeze drift)."""

from __future__ import annotations

import os
import pwd
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from ...core.config import Governance, StatusSettings, load_config
from ...core.errors import HtracError
from ...core.evidence import EvidenceRule
from ...core.oplog import read_oplog
from ...core.ops import HUMAN
from ...core.problems import REJECTED, TAMPERED
from ...policy import exposure, keys, lifecycle, trustroot
from ...policy.actor import classify
from ...policy.signing import KeyFormatError, digest, parse_public_key
from ...store.layout import TIERS
from . import ERROR, FIXED, OK, WARN, CheckContext, Result


def _tracker(ctx: CheckContext):
    from ..tracker import Tracker
    return Tracker.open(start=ctx.repo)


def trust_root(ctx: CheckContext) -> Iterator[Result]:
    try:
        tracker = _tracker(ctx)
    except HtracError as exc:  # a message that names its own fix keeps it
        text, _, fix = str(exc).partition("; fix: ")
        yield Result("trust_root", ERROR, text, fix=fix or "sudo htrac setup (as root) to "
                     "repair it")
        return
    existing = tracker.authority.trust_root if tracker.authority else None
    agent = ctx.options.get("agent_user")
    if existing is None and not agent:
        yield Result("trust_root", WARN, "no trust root governs this repository (single user): "
                     "who is an agent is read from the in-repository config, which anyone who "
                     "can write this worktree can change",
                     fix="sudo htrac setup --agent-user <agent> --human-user <you> "
                         "--layout clones --shared-repo <path> --agent-clone <path>")
        return
    settings, source = _status_source(tracker, existing)
    text, notes = _desired(ctx, existing, agent, settings,
                           lifecycle.from_kinds(tracker.config.kinds),
                           tracker.config.evidence if tracker.config.evidence.require else None)
    path = existing.path if existing else trustroot.TRUST_DIR / f"{_slug(ctx.repo)}.yaml"
    desired = trustroot.parse(text, path)
    if existing is not None and desired == replace(existing, baseline=frozenset()):
        yield Result("trust_root", OK, f"trust root {path}")
    elif not ctx.fix:
        yield Result("trust_root", ERROR, f"trust root {path} is out of date",
                     fix="sudo htrac setup " + _setup_args(ctx))
    elif not _may_write(path):
        yield Result("trust_root", ERROR, f"no right to write the trust root {path}",
                     fix="sudo htrac setup " + _setup_args(ctx), details=tuple(text.splitlines()))
        return
    else:
        _install(path, text)
        yield Result("trust_root", FIXED, f"wrote trust root {path}", details=(
            f"statuses and stop hook from {source}: statuses {list(settings.statuses)}, "
            f"blocking {list(settings.blocking_statuses)}, scope {settings.scope}",))
        was_signing = existing is not None and existing.governance.require_signatures
        if desired.governance.require_signatures and not was_signing:
            yield _record_baseline(tracker, desired)
    yield from notes


def _status_source(tracker, existing) -> tuple[StatusSettings, str]:
    """The statuses and stop-hook settings the trust root should hold, and where they come
    from: the human's own `config.yaml` when no agent user could have written it, else what
    the trust root already says, else (a first setup, or a trust file from before these
    settings) the repository's config as it loads. Never a file an agent can push or write
    when the trust root already states them: re-running setup must not launder its edits."""
    config_path = tracker.layout.tracker_dir / "config.yaml"
    patterns = existing.governance.agent_usernames if existing else ("*_agent",)
    if config_path.is_file() and not _agent_writable(config_path, patterns):
        return load_config(tracker.layout.tracker_dir).status_settings, str(config_path)
    if existing is not None and existing.complete:
        return existing.settings, f"the trust root {existing.path}"
    config = load_config(tracker.layout.tracker_dir)
    return config.status_settings, config.source


def _agent_writable(path: Path, patterns: tuple[str, ...]) -> bool:
    return any(exposure.can_write(user, path) for user in exposure.agent_users(patterns))


def _desired(ctx: CheckContext, existing, agent: str | None, settings: StatusSettings,
             config_lifecycles: tuple = (),
             config_evidence: EvidenceRule | None = None) -> tuple[str, list[Result]]:
    gov = existing.governance if existing else Governance()
    repos = list(existing.repositories) if existing else []
    for repo in (ctx.repo, ctx.options.get("agent_clone")):
        if repo and str(Path(repo).absolute()) not in repos:
            repos.append(str(Path(repo).absolute()))
    patterns = list(gov.agent_usernames)
    if agent and classify(agent, tuple(patterns)).by != "agent":
        patterns.append(agent)
    human_keys = list(gov.human_keys)
    notes: list[Result] = []
    key = _human_key(ctx.options.get("human_user"))
    if key and key not in human_keys:
        human_keys.append(key)
    signing = bool(human_keys) and not ctx.options.get("no_signing")
    if not human_keys:
        notes.append(Result("signing", WARN, "no human key yet: signing stays off",
                            fix="htrac keys init (as the human), then sudo htrac setup again"))
    governance = Governance(tuple(patterns), signing, tuple(human_keys))
    # Lifecycles and the evidence rule stay as the trust root has them; a first trust root
    # takes the config's (without a trust root, tracker.config's rule is the config's own).
    lifecycles = existing.lifecycles if existing is not None else config_lifecycles
    evidence = existing.evidence if existing is not None else config_evidence
    return trustroot.render(repos, governance, settings, lifecycles, evidence), notes


def _record_baseline(tracker, root: trustroot.TrustRoot) -> Result:
    """Signing starts now: the unsigned human ops already here stay the human's."""
    digests = set(trustroot.read_baseline(root.baseline_path))
    patterns = root.governance.agent_usernames
    logs = [(item_id, tracker.store.read_log(tier, item_id).ops)
            for tier in TIERS for item_id in tracker.layout.item_ids(tier)]
    for tier in TIERS:
        try:
            logs.append(("", read_oplog(tracker.layout.edit_log(tier).read_bytes()).ops))
        except OSError:
            pass
    for item_id, ops in logs:
        for op in ops:
            if op.by == HUMAN and not op.sig and classify(op.actor or "", patterns).by == HUMAN:
                digests.add(digest(op, item_id))
    _install(root.baseline_path, "# unsigned human ops from before signing was required\n"
             + "".join(f"{d}\n" for d in sorted(digests)))
    return Result("signing_baseline", FIXED, f"{len(digests)} unsigned human op(s) written "
                  "before signing stay the human's", fix="",
                  details=(str(root.baseline_path),))


def _human_key(human: str | None) -> str | None:
    """The human's public key: from their own key directory (via sudo) or ours."""
    if human and os.getuid() != pwd.getpwnam(human).pw_uid:
        path = Path(pwd.getpwnam(human).pw_dir) / ".config/htrac/keys" / keys.PUBLIC_NAME
        try:
            text = path.read_text(encoding="utf-8").strip()
            parse_public_key(text)
            return text
        except (OSError, KeyFormatError):
            return None
    pair = keys.load()
    return pair.public if pair else None


def _slug(repo: Path) -> str:
    import hashlib
    tail = "".join(c if c.isalnum() or c in "._-" else "_" for c in repo.name)[:40]
    return hashlib.sha256(str(repo).encode()).hexdigest()[:12] + "_" + tail


def _may_write(path: Path) -> bool:
    if os.geteuid() == 0:
        return True
    directory = path.parent
    while not directory.exists():
        directory = directory.parent
    return os.access(directory, os.W_OK) and classify(
        pwd.getpwuid(os.getuid()).pw_name, ("*_agent",)).by == "human"


def _install(path: Path, text: str) -> None:
    path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _setup_args(ctx: CheckContext) -> str:
    flags = {"agent_user": "--agent-user", "human_user": "--human-user", "layout": "--layout",
             "shared_repo": "--shared-repo", "agent_clone": "--agent-clone", "group": "--group"}
    parts = [f"{flag} {ctx.options[key]}" for key, flag in flags.items() if ctx.options.get(key)]
    return " ".join(parts) or "(in this repository)"


def governed_config(ctx: CheckContext) -> Iterator[Result]:
    """Where the repository's own config disagrees with the trust root on what the trust root
    decides: harmless (the trust root wins) but worth knowing — an agent may have pushed it."""
    try:
        tracker = _tracker(ctx)
        own = load_config(tracker.layout.tracker_dir)
    except HtracError:
        return
    root = tracker.authority.trust_root if tracker.authority else None
    if root is None:
        return
    differ = [key for key in ("statuses", "blocking_statuses", "resolved_statuses",
                              "human_only_statuses", "scope")
              if getattr(own.status_settings, key) != getattr(root.settings, key)]
    if own.governance.agent_usernames != root.governance.agent_usernames:
        differ.append("agent_usernames")
    if not differ:
        yield Result("governed_config", OK, f"{own.source} agrees with the trust root")
        return
    config_path = tracker.layout.tracker_dir / "config.yaml"
    if own.source == str(config_path) and not _agent_writable(
            config_path, root.governance.agent_usernames):
        fix = "sudo htrac setup (writes your config.yaml's statuses and stop hook into it)"
    else:
        fix = ("nothing, if you didn't change it (an agent may have: it has no effect); to "
               f"adopt it, review it, cp {own.source} {config_path}, then sudo htrac setup")
    yield Result("governed_config", WARN, f"{own.source} differs from the trust root on "
                 f"{', '.join(differ)}; the trust root {root.path} decides", fix=fix,
                 details=tuple(f"{key}: trust root {_value(root, key)}" for key in differ))


def _value(root, key: str):
    if key == "agent_usernames":
        return list(root.governance.agent_usernames)
    value = getattr(root.settings, key)
    return value if isinstance(value, str) else list(value)


def signing(ctx: CheckContext) -> Iterator[Result]:
    try:
        tracker = _tracker(ctx)
    except HtracError:
        return
    gov = tracker.config.governance
    if tracker.authority is None or tracker.authority.trust_root is None:
        return
    if not gov.require_signatures:
        yield Result("signing", ERROR, "signing is off: an op hand-written with 'by: human' and "
                     "a human's name can't be told from a real one",
                     fix="htrac keys init (as the human), then sudo htrac setup")
        return
    yield Result("signing", OK, f"human ops must be signed ({len(gov.human_keys)} key(s))")
    if not tracker.actor.is_human:
        return
    if os.geteuid() == 0 and ctx.options.get("human_user") not in (None, "root"):
        return  # root setting up for the human: their key was checked into the trust root
    pair = keys.load()
    if pair is None:
        yield Result("human_key", ERROR, "you have no signing key: your ops can't be written",
                     fix="htrac keys init && sudo htrac setup")
    elif pair.public not in gov.human_keys:
        yield Result("human_key", ERROR, f"your key {pair.key_id} is not in the trust root",
                     fix="sudo htrac setup --human-user " + tracker.actor.name)
    else:
        yield Result("human_key", OK, f"your key {pair.key_id} is trusted")
    yield from _uncommitted_decisions(tracker)


def _uncommitted_decisions(tracker) -> Iterator[Result]:
    """Governed items whose newest human op has no `seen:` commitment (written before signing,
    or by the reference or an older htrac): a back-dated agent op is judged by its clock there
    (docs/design/causality.md, Limits). Any new human op on the item closes the gap."""
    from ...core.causal import commitment
    from ...core.fold import order

    open_items = []
    for item in tracker.items():
        if not item.locked_fields:
            continue
        humans = [p for p in order(item.id, tracker.store.read_log(item.tier, item.id).ops,
                                   tracker.policy) if p.who == HUMAN]
        if humans and commitment(humans[-1].op) is None:
            open_items.append(item)
    if open_items:
        first = open_items[0]
        yield Result("uncommitted_decisions", WARN,
                     f"{len(open_items)} locked item(s) rest on human ops from before causal "
                     "commitments: an agent op written with a low clock can still fold "
                     "before them", fix=f"re-lock as the human, e.g. htrac lock {first.id} "
                     f"{' '.join(sorted(first.locked_fields))}",
                     details=tuple(i.id for i in open_items[:20]))
    else:
        yield Result("uncommitted_decisions", OK, "every lock rests on a signed commitment")


def rejected_ops(ctx: CheckContext) -> Iterator[Result]:
    from ..humanops import drift
    try:
        tracker = _tracker(ctx)
        items = tracker.items()
    except HtracError:
        return
    rejected = [(item, p) for item in items for p in item.problems if p.kind == REJECTED]
    if rejected:
        details = tuple(f"{item.id}: {p.describe()}" for item, p in rejected[:20])
        yield Result("rejected_ops", ERROR, f"{len(rejected)} op(s) in "
                     f"{len({i.id for i, _ in rejected})} item(s) were refused (they have no "
                     "effect): someone wrote ops they had no authority for",
                     fix="htrac show <ID> to see them; find the writer (the op's actor) and "
                         "take away their write access", details=details)
    else:
        yield Result("rejected_ops", OK, f"no rejected ops in {len(items)} item(s)")
    tampered = [(item, p) for item in items for p in item.problems if p.kind == TAMPERED]
    if tampered:
        yield Result("removed_ops", ERROR, f"{len({i.id for i, _ in tampered})} item(s) lost "
                     "ops a human had seen when deciding: someone removed them from the file",
                     fix="htrac show <ID>; restore the file from git history (git log -p -- "
                         "<file>, then git checkout <commit> -- <file>)",
                     details=tuple(f"{item.id}: {p.describe()}" for item, p in tampered[:20]))
    drifted = [(item.id, n) for item in items
               if (n := drift(tracker, item.tier, item.id))]
    for item_id, count in drifted:
        yield Result("freeze_drift", ERROR, f"{item_id} lost {count} op(s) since it was frozen",
                     fix=f"htrac repair-drift {item_id}")


CHECKS = [trust_root, governed_config, signing, rejected_ops]
