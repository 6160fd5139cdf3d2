"""Putting authority together for one tracker: governance, the actor, the rules, the signer.

Governance — who is an agent, whose keys sign, the statuses and the stop hook's sets and scope —
comes from the trust root when one governs the repository — looked up for every worktree the
tracker's files really belong to (the caller resolves symlinks, so a decoy `--tracker-root`
whose directories point into a governed repository is governed too) — and otherwise from the
in-repository config, as in the reference. The actor is the real uid's user, classified by that
governance.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..core.config import Config
from ..core.errors import AuthorityError
from ..core.evidence import EvidenceRule
from ..core.record import record
from . import lifecycle, trustroot
from .actor import Actor, current_actor
from .rules import Rules

if TYPE_CHECKING:
    from ..core.ops import Op


@record(frozen=True)
class Authority:
    config: Config  # with the governing settings in `config.governance`
    actor: Actor
    rules: Rules
    trust_root: trustroot.TrustRoot | None

    @property
    def signs(self) -> bool:
        """Are this actor's ops signed: a human's, where the governance requires it?"""
        return self.actor.is_human and self.config.governance.require_signatures

    def sign(self, op: Op, item_id: str) -> Op:
        """The op as written: signed when it is a human's and the governance requires it."""
        if not self.signs:
            return op
        from . import keys
        from .signing import sign

        pair = keys.load()
        if pair is None:
            raise AuthorityError("this repository requires signed human ops and you have no "
                                 "signing key: run 'htrac keys init', then 'sudo htrac setup' "
                                 "to add it to the trust root")
        if pair.public not in self.config.governance.human_keys:
            raise AuthorityError(f"your signing key {pair.key_id} is not in the trust root "
                                 f"{self.config.governance.source}: run 'sudo htrac setup' "
                                 "to add it (ops signed with it would be refused)")
        return sign(op, item_id, pair.private_pem())


def resolve(worktrees: list[Path], config: Config,
            trust_dir: Path = trustroot.TRUST_DIR) -> Authority:
    return govern(trustroot.find(worktrees, trust_dir), config)


def govern(root: trustroot.TrustRoot | None, config: Config) -> Authority:
    """Authority under the trust root `root` (None: the in-repository config decides)."""
    if root is not None:
        # Nothing the worktree holds decides authority, the statuses or the stop hook.
        config = config.with_governance(root.governance).governed_by(root.settings,
                                                                     str(root.path))
        # The evidence rule binds agents, and an agent can write the config: with a trust root
        # only the trust root's rule counts (none there: nothing needs evidence), as lifecycles.
        config = config.with_evidence(root.evidence or EvidenceRule())
    actor = current_actor(config.governance.agent_usernames)
    baseline = root.baseline if root is not None else frozenset()
    # A lifecycle binds agents, so with a trust root only the trust root's count (an agent can
    # write the config); without one, the config's kinds declare them.
    lifecycles = root.lifecycles if root is not None else lifecycle.from_kinds(config.kinds)
    rules = Rules(config.governance, config.human_only_statuses, baseline, lifecycles,
                  evidence=config.evidence)
    return Authority(config, actor, rules, root)
