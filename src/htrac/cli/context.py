"""What every command shares: global options and the tracker, opened on first use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

if TYPE_CHECKING:
    from ..service.tracker import Tracker


@dataclass
class Context:
    tracker_root: Path | None = None
    json: bool = False
    auto_sync: bool = True
    _tracker: Tracker | None = None

    @property
    def tracker(self) -> Tracker:
        if self._tracker is None:
            from ..service.tracker import Tracker
            self._tracker = Tracker.open(tracker_root=self.tracker_root)
        return self._tracker


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--json` after the subcommand too (the reference takes it only before)."""

    def set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        if value:
            ctx.ensure_object(Context).json = True
        return value

    return click.option("--json", "json_flag", is_flag=True, expose_value=False,
                        callback=set_json, help="Print JSON instead of text.")(command)


pass_ctx = click.make_pass_decorator(Context)
