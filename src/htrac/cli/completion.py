"""Shell completion: `htrac completion SHELL` prints the script; item arguments complete to IDs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
from click.shell_completion import CompletionItem, get_completion_class

from .context import Context, json_option, pass_ctx

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_HTRAC_COMPLETE"


def complete_item(ctx: click.Context, _param: click.Parameter,
                  incomplete: str) -> list[CompletionItem]:
    """IDs of the tracker's items that start with what was typed (or whose first word does).
    Cheap — file names only, nothing is parsed — and silent: completion never prints errors."""
    try:
        from pathlib import Path

        from ..core.ids import matches
        from ..store.layout import TIERS, find_root

        root = ctx.find_root().params.get("tracker_root")
        layout = find_root(Path.cwd(), root)
        ids = sorted({i for tier in TIERS for i in layout.item_ids(tier)})
    except Exception:  # completion must never break the shell
        return []
    return [CompletionItem(i) for i in ids if not incomplete or matches(i, incomplete)]


def _config(ctx: click.Context):
    from pathlib import Path

    from ..core.config import load_config
    from ..store.layout import find_root

    root = ctx.find_root().params.get("tracker_root")
    return load_config(find_root(Path.cwd(), root).tracker_dir)


def _complete_names(pick: Callable[[Any], Any]):
    """A completer for names the tracker's configuration declares (statuses, kinds)."""

    def complete(ctx: click.Context, _param: click.Parameter,
                 incomplete: str) -> list[CompletionItem]:
        try:
            names = pick(_config(ctx))
        except Exception:  # completion must never break the shell
            return []
        return [CompletionItem(n) for n in names if n.startswith(incomplete)]

    return complete


complete_status = _complete_names(lambda config: config.statuses)
complete_kind = _complete_names(lambda config: config.kinds)


def item_argument(name: str = "ref", **kwargs: Any) -> Callable[..., Any]:
    """An argument naming an item: full ID, unique prefix, first word, or :N."""
    return click.argument(name, shell_complete=complete_item, **kwargs)


def item_option(*decls: str, **kwargs: Any) -> Callable[..., Any]:
    return click.option(*decls, shell_complete=complete_item, **kwargs)


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
@json_option
@pass_ctx
def completion(ctx: Context, shell: str) -> None:
    """Print the shell completion script for SHELL.

    \b
    bash: eval "$(htrac completion bash)"   (e.g. in ~/.bashrc)
    zsh:  eval "$(htrac completion zsh)"    (e.g. in ~/.zshrc)
    fish: htrac completion fish > ~/.config/fish/completions/htrac.fish
    """
    from .main import cli

    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - the Choice above lists only shells click knows
        raise click.UsageError(f"unsupported shell {shell}")
    script = cls(cli, {}, "htrac", COMPLETE_VAR).source()
    click.echo(json.dumps({"shell": shell, "script": script}) if ctx.json else script)
