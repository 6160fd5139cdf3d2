"""A tool: its name, what the model reads about it, its parameters, and the service call it
makes. Every tool module lists its tools in `TOOLS`; `registry` gathers them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .params import Param, input_schema

if TYPE_CHECKING:
    from ..service.tracker import Tracker


@dataclass
class Call:
    """One tool call: the tracker (opened for this call, as the OS user running the server),
    its checked arguments, and the agent session making it (named when first asked)."""

    tracker: Tracker
    args: dict[str, Any]
    _session: Callable[[], str]

    def get(self, name: str, default: Any = None) -> Any:
        return self.args.get(name, default)

    @property
    def session(self) -> str:
        return self._session()


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    run: Callable[[Call], Any]  # -> what the tool answers, as JSON-able data
    params: tuple[Param, ...] = ()
    read_only: bool = False
    destructive: bool = False  # may overwrite or remove what is there (else only adds)
    toolset: str = "tracker"
    human_only: bool = False  # offered only with --allow-human-ops

    def schema(self) -> dict[str, Any]:
        return input_schema(self.params)

    def annotations(self) -> dict[str, bool]:
        return {"readOnlyHint": self.read_only, "destructiveHint": self.destructive}
