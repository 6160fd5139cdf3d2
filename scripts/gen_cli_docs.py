#!/usr/bin/env python3
"""Write docs/cli.md from the `--help` of every htrac command: `python scripts/gen_cli_docs.py`.

`--check` exits 1 (and writes nothing) when docs/cli.md is out of date.
"""

from __future__ import annotations

import difflib
import sys
from importlib.metadata import version
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "cli.md"
WIDTH = 100

HEADER = """# htrac command reference

Generated from `htrac --help` by `scripts/gen_cli_docs.py`; do not edit by hand.

Global options go before the subcommand (`htrac --json ready`); `--json` also works after it
(`htrac ready --json`). Exit codes: 0 ok; 1 a user error (not found, ambiguous, refused,
invalid value); 2 a usage error or an internal error. Items are named by full ID, a unique
prefix, the first proquint word, or `:N` — the N-th row of the last `ready` or `list` you ran.

Shell completion: `eval "$(htrac completion bash)"` (or `zsh`; `fish` writes a file), or
click's own `_HTRAC_COMPLETE=bash_source htrac`. Item arguments complete to item IDs.
"""


def _help(command: click.Command, path: list[str], parent: click.Context | None) -> str:
    ctx = click.Context(command, info_name=path[-1], parent=parent, terminal_width=WIDTH,
                        max_content_width=WIDTH)
    return command.get_help(ctx)


def _sections(command: click.Command, path: list[str], parent: click.Context | None):
    yield path, _help(command, path, parent)
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=path[-1], parent=parent)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _sections(sub, [*path, name], ctx)


def render() -> str:
    from htrac.cli.main import cli

    parts = [HEADER]
    for path, text in _sections(cli, ["htrac"], None):
        title = " ".join(path)
        parts.append(f"## {title}\n\n```\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(), "docs/cli.md",
                                        "--help now", n=1, lineterm="")
            print("\n".join(list(diff)[:40]), file=sys.stderr)
            print(f"{DOC} is out of date (click {version('click')}): run "
                  "python scripts/gen_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
