"""The hot command lines answered the quick way (`service.quick`), printed by the same
functions as the ordinary way (`cli.hot`); None when the ordinary way must answer."""

from __future__ import annotations

from . import hot
from .render import list_rows

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..service.quick import Hot


def answer(state: Hot, command: str, json: bool, arguments: tuple[str, ...]) -> str | None:
    """What `command` prints, or None (nothing printed, nothing written but the `:N` stash a
    listing replaces, as the ordinary way would)."""
    from ..service import quick

    if command in ("count-todos", "hash-todos") and state.config.get("evidence", True):
        return None  # unproven closes are found with git: the ordinary way (`stophook`)
    if command == "count-todos":
        return hot.count_output(quick.count_todos(state), json=json)
    if command == "hash-todos":
        return hot.hash_output(quick.hash_todos(state), json=json)
    if command == "list" and not json:
        rows = quick.listed(state, arguments)
        return None if rows is None else "\n".join(list_rows(rows)) or "(no items)"
    if command == "show":
        item = quick.shown(state, arguments[0])
        return None if item is None else hot.show_output(item, json=json)
    if command == "ready" and not json:
        view = quick.ready_view(state)
        return None if view is None else hot.ready_output(view, [])  # type: ignore[arg-type]
    return None
