"""Click's side of the shared state (`state.Context`): `--json` after any subcommand, and the
decorator that hands a command the Context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from .state import Context


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--json` after the subcommand too (the reference takes it only before)."""

    def set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        if value:
            ctx.ensure_object(Context).json = True
        return value

    return click.option("--json", "json_flag", is_flag=True, expose_value=False,
                        callback=set_json, help="Print JSON instead of text.")(command)


pass_ctx = click.make_pass_decorator(Context)


def session_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--session NAME`: the agent session acting (default: HTRAC_SESSION, the session-start
    hook's record, else one per host; see docs/design/claims.md)."""
    return click.option("--session", "session_name", metavar="NAME",
                        help="The agent session acting (default: $HTRAC_SESSION, else what "
                             "the session-start hook recorded, else host:<hostname>).")(command)


def resolve_session(explicit: str | None) -> str:
    from ..service.sessions import current

    return current(explicit).name
