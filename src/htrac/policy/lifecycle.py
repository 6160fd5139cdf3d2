"""Lifecycles: which status may follow which, per kind (docs/design/claims.md, "Lifecycles").

A kind may list, for some statuses, the statuses allowed next (`kinds.<kind>.transitions` in the
config, or `lifecycles:` in the trust root, which then replaces the config's: an agent can write
the config). A status the lifecycle doesn't list as a starting point is unconstrained. The rules
bind agents — the policy refuses a disallowed transition on write and in the fold — and a human
leaves the lifecycle only by saying so (`--force`, checked by the writer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.config import Kind

Transitions = tuple[tuple[str, tuple[str, ...]], ...]  # ((from, (to, …)), …), sorted
Lifecycles = tuple[tuple[str, Transitions], ...]  # ((kind, transitions), …), sorted


def from_kinds(kinds: Mapping[str, Kind]) -> Lifecycles:
    """The lifecycles the config's kinds declare."""
    found = [(name, spec.transitions) for name, spec in kinds.items() if spec.transitions]
    return tuple(sorted(found))


def allowed_next(lifecycles: Lifecycles, kind: str, current: str) -> tuple[str, ...] | None:
    """The statuses allowed after `current` for `kind`, or None when nothing constrains it."""
    for name, transitions in lifecycles:
        if name != kind:
            continue
        for source, targets in transitions:
            if source == current:
                return targets
    return None


def refusal(lifecycles: Lifecycles, kind: str, current: str, new: str) -> str | None:
    """Why moving a `kind` item from `current` to `new` leaves its lifecycle, or None."""
    if new == current:
        return None
    allowed = allowed_next(lifecycles, kind, current)
    if allowed is None or new in allowed:
        return None
    after = ", ".join(allowed) if allowed else "none (a final status)"
    return (f"status {current} → {new} is not in the {kind} lifecycle; "
            f"allowed next: {after}")
