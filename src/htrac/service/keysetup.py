"""Creating a human's signing key (`htrac keys init`)."""

from __future__ import annotations

from ..core.errors import AuthorityError
from ..core.ops import AGENT
from ..policy import keys
from ..policy.actor import current_actor
from ..policy.keys import KeyPair


def init_key(agent_patterns: tuple[str, ...] = ("*_agent",)) -> tuple[KeyPair, bool]:
    """The current user's key pair, created if missing. Agents don't sign: refused for them."""
    actor = current_actor(agent_patterns)
    if actor.by == AGENT:
        raise AuthorityError(f"'keys init' is for humans; {actor.name} is an agent user "
                             "(agents' ops are never signed)")
    return keys.create()
