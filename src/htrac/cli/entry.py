"""`htrac`'s entry point: the hot commands straight away, everything else through click.

Every agent runs `htrac ready` many times an hour and its stop hook runs `htrac count-todos` and
`htrac hash-todos` at every stop, and reads items with `htrac show :1`. Importing click and
building the command tree costs about a fifth of such a command, and when the command line is
just the command's name, `--json` and (for `show`) one item reference, there is nothing for
click to parse. So `main` runs those command lines itself, with the same bodies (`cli.hot`), the
same context and the same error handling (`guarded`) as the click commands; any other command
line — an option, `--help`, a missing or extra argument, a typo — goes to click (`cli.main`).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # `typing` is a tenth of a hot command: not imported here
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn, TypeVar

    from ..service.quick import Miss
    from .state import Context

    T = TypeVar("T")

# The command lines run without click: a command's name, with `--json` (at most once before and
# once after it), and for `show` one item reference that can't be taken for an option.
FAST = ("ready", "count-todos", "hash-todos")
FAST_WITH_ITEM = ("show",)
# The writes agents make all day, run without click when the line is simple (`cli.writeline`).
WRITES = ("update", "discuss", "add")
COMPLETE_VAR = "_HTRAC_COMPLETE"  # click's shell completion: always click's


def main() -> None:
    args = sys.argv[1:]
    json = "--json" in args
    rest = [a for a in args if a != "--json"]
    if len(args) - len(rest) <= 2 and rest:
        if len(rest) == 1 and rest[0] in FAST:
            return run_fast(rest[0], json)
        if len(rest) == 2 and rest[0] in FAST_WITH_ITEM and not rest[1].startswith("-"):
            return run_fast(rest[0], json, rest[1])
        statuses = _statuses(rest)
        if statuses is not None and not json \
                and guarded(lambda: quickly("list", False, statuses)) is True:
            return
    if rest and rest[0] in WRITES and COMPLETE_VAR not in os.environ:
        from .writeline import parse

        line = parse(args)
        if line is not None:
            return run_write(*line)
    from .main import main as click_main

    click_main()


def _statuses(rest: list[str]) -> tuple[str, ...] | None:
    """The statuses of a `list [--status S]…` command line, or None for any other: only that
    one is answered the quick way (`cli.quick`); click parses everything else."""
    if rest[0] != "list" or len(rest) % 2 == 0:
        return None
    options, values = rest[1::2], rest[2::2]
    if any(o != "--status" for o in options) or any(v.startswith("-") for v in values):
        return None
    return tuple(values)


def run_fast(command: str, json: bool, *arguments: str) -> None:
    miss = guarded(lambda: quickly(command, json, arguments))
    if miss is True:
        return
    from . import hot
    from .state import Context

    ctx = Context(json=json)
    body = {"ready": hot.ready, "count-todos": hot.count_todos,
            "hash-todos": hot.hash_todos, "show": hot.show}[command]
    guarded(lambda: ordinarily(ctx, miss, lambda: body(ctx, *arguments)))


def run_write(command: str, json: bool, params: dict) -> None:
    """A write as its click command runs it: the same body (`cli.writes`), errors handled the
    same way (`guarded`), auto-sync after it, the tracker closed at the end."""
    from . import writes
    from .state import Context

    ctx = Context(json=json)

    def body() -> None:
        if command == "update":
            writes.update(ctx, params.pop("ref"), params)
        elif command == "discuss":
            writes.post(ctx, params["ref"], params["message"], params["ack_thread"])
        else:
            writes.add(ctx, **params)
        writes.after_write(command, ctx)

    try:
        guarded(body)
    finally:
        ctx.close()


def quickly(command: str, json: bool, arguments: tuple[str, ...]) -> Miss | bool | None:
    """Answer the quick way (`cli.quick`): True when done; else what the ordinary way should
    remember for next time (a `Miss`), or None. Anything unexpected here is left to the
    ordinary way, which answers or fails as it always does (HTRAC_DEBUG=1 shows it)."""
    from ..service.quick import Miss, open_hot
    from .quick import answer
    from .render import echo

    try:
        state = open_hot()
        if isinstance(state, Miss):
            return state
        try:
            text = answer(state, command, json, arguments)
        finally:
            state.close()
    except Exception:
        if os.environ.get("HTRAC_DEBUG"):
            raise
        return None
    if text is None:
        return None
    echo(text)
    return True


def ordinarily(ctx: Context, miss: Miss | bool | None, body: Callable[[], None]) -> None:
    """Run `body` the ordinary way, first remembering the open for the quick way's next time."""
    if miss is not None and miss is not True and miss.root is not None:
        from ..service.openmemo import remember

        remember(miss.cache, miss.inputs, ctx.tracker, miss.memo, miss.index)
    body()


def guarded(call: Callable[[], T], passthrough: tuple[type[BaseException], ...] = ()) -> T:
    """`call()`, with every failure turned into one line on stderr and an exit status — never
    a traceback (set HTRAC_DEBUG=1 to see one). Exceptions in `passthrough` go up untouched."""
    from ..core.errors import HtracError

    try:
        return call()
    except passthrough:
        raise
    except HtracError as exc:
        fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:  # the last line of defence
        if os.environ.get("HTRAC_DEBUG"):
            raise
        fail(f"internal error: {type(exc).__name__}: {exc} "
             "(set HTRAC_DEBUG=1 for a traceback)", 2)


def fail(message: str, code: int) -> NoReturn:
    from .render import clean, echo

    echo(f"error: {clean(message)}", err=True)
    sys.exit(code)
