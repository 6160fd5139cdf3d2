"""The actor: who is running this command, decided by the real uid alone.

The passwd name of the real user id is matched against the agent patterns (fnmatch, default
`*_agent`): a match is an agent, anything else a human. No environment variable, option or
argument takes part. A uid with no passwd entry is treated as an agent: authority is never
granted by default.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import pwd

from ..core.ops import AGENT, HUMAN
from ..core.record import record


@record(frozen=True)
class Actor:
    """Who is writing: a name, and whether an agent or a human."""
    name: str
    by: str  # 'agent' or 'human'

    @property
    def is_human(self) -> bool:
        return self.by == HUMAN


def current_actor(agent_patterns: tuple[str, ...]) -> Actor:
    uid = os.getuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        return Actor(name=str(uid), by=AGENT)
    return classify(name, agent_patterns)


def classify(name: str, agent_patterns: tuple[str, ...]) -> Actor:
    return _classify(name, tuple(agent_patterns))


@functools.lru_cache(maxsize=256)
def _classify(name: str, agent_patterns: tuple[str, ...]) -> Actor:
    """Remembered: the fold asks it for every human op's actor (Actor is frozen, so one
    answer can be shared)."""
    is_agent = any(fnmatch.fnmatchcase(name, pattern) for pattern in agent_patterns)
    return Actor(name=name, by=AGENT if is_agent else HUMAN)
