"""Human governance commands: lock, unlock, freeze, unfreeze, repair-drift, delete, edit-mode,
message edits, keys, fork-setup."""

from __future__ import annotations

import click

from .completion import item_argument
from .context import Context, json_option, pass_ctx
from .render import as_json


def _done(ctx: Context, word: str, **extra) -> None:
    click.echo(as_json({"result": word, **extra}, indent=None) if ctx.json else word)


@click.command()
@item_argument()
@click.argument("names", nargs=-1, required=True, metavar="FIELD...")
@json_option
@pass_ctx
def lock(ctx: Context, ref: str, names: tuple[str, ...]) -> None:
    """Lock fields of an item against agents (human only): status, fields.<key>, discussion…"""
    from ..service import humanops
    humanops.lock_fields(ctx.tracker, ref, list(names))
    _done(ctx, "locked")


@click.command()
@item_argument()
@click.argument("names", nargs=-1, required=True, metavar="FIELD...")
@json_option
@pass_ctx
def unlock(ctx: Context, ref: str, names: tuple[str, ...]) -> None:
    """Unlock fields of an item (human only)."""
    from ..service import humanops
    humanops.lock_fields(ctx.tracker, ref, list(names), unlock=True)
    _done(ctx, "unlocked")


@click.command()
@item_argument()
@json_option
@pass_ctx
def freeze(ctx: Context, ref: str) -> None:
    """Freeze an item: agents can change nothing on it (human only; recorded in the op-log)."""
    from ..service import humanops
    humanops.freeze(ctx.tracker, ref)
    _done(ctx, "frozen")


@click.command()
@item_argument()
@json_option
@pass_ctx
def unfreeze(ctx: Context, ref: str) -> None:
    """Unfreeze an item (human only); locks set before the freeze stay."""
    from ..service import humanops
    humanops.unfreeze(ctx.tracker, ref)
    _done(ctx, "unfrozen")


@click.command("repair-drift")
@item_argument()
@json_option
@pass_ctx
def repair_drift(ctx: Context, ref: str) -> None:
    """Append again the ops a frozen item's log lost since it was frozen (human only)."""
    from ..service import humanops
    repair = humanops.repair_drift(ctx.tracker, ref)
    if not repair.has_sentinel:
        word = "no freeze sentinel: nothing to compare with"
    else:
        word = f"drift repaired ({repair.restored} op(s) restored)" if repair.restored \
            else "no drift"
    _done(ctx, word, restored=repair.restored)


@click.command()
@item_argument()
@json_option
@pass_ctx
def delete(ctx: Context, ref: str) -> None:
    """Mark an item deleted and drop the references to it (human only)."""
    from ..service import humanops
    item, cleared = humanops.delete(ctx.tracker, ref)
    if ctx.json:
        click.echo(as_json({"id": item.id, "status": item.status, "cleared_inbound": cleared},
                           indent=None))
        return
    click.echo("deleted")
    if cleared:
        click.echo(f"Cleared {cleared} inbound isbefore reference(s).")


@click.group("edit-mode")
def edit_mode() -> None:
    """Open or close a window in which discussion messages may be edited (human only)."""


@edit_mode.command("on")
@click.option("--ttl", default="1800", show_default=True, help="Window length: 600, 600s, 30m, 1h.")
@click.option("--cap-max", type=int, default=500, show_default=True,
              help="Most message edits in this window.")
@json_option
@pass_ctx
def edit_mode_on(ctx: Context, ttl: str, cap_max: int) -> None:
    """Open an edit-mode window."""
    from ..service import editwindow
    seconds = editwindow.parse_ttl(ttl)
    editwindow.switch(ctx.tracker, True, seconds, cap_max)
    _done(ctx, f"edit-mode ON  (ttl={seconds}s, cap={cap_max})")


@edit_mode.command("off")
@json_option
@pass_ctx
def edit_mode_off(ctx: Context) -> None:
    """Close the edit-mode window."""
    from ..service import editwindow
    editwindow.switch(ctx.tracker, False)
    _done(ctx, "edit-mode OFF")


@edit_mode.command("status")
@json_option
@pass_ctx
def edit_mode_status(ctx: Context) -> None:
    """Say whether a window is open, for how long, and how many edits it has used."""
    from ..service import editwindow
    state = editwindow.status(ctx.tracker)
    if ctx.json:
        click.echo(as_json({"active": state.active, "remaining": state.remaining,
                            "ops_used": state.used, "cap_max": state.cap}, indent=None))
    elif state.active:
        click.echo(f"edit-mode ON  remaining={state.remaining}s  "
                   f"ops_used={state.used}/{state.cap}")
    else:
        click.echo("edit-mode OFF")


def _message_edit(op_type: str, word: str, help_text: str, with_text: bool = False):
    @click.command(op_type, help=help_text)
    @item_argument()
    @click.argument("nonce")
    @click.option("--reason", required=True, help="Why (1-100 characters).")
    @json_option
    @pass_ctx
    def command(ctx: Context, ref: str, nonce: str, reason: str, new_text: str | None = None):
        from ..service import editwindow
        op = editwindow.edit_message(ctx.tracker, op_type, ref, nonce, reason, new_text)
        _done(ctx, f"{word} message {nonce} on {op.get('item')}")

    if with_text:
        command = click.option("--new-text", required=True, help="The message's new text.")(
            command)
    return command


delete_msg = _message_edit("delete-msg", "deleted",
                           "Hide a discussion message (needs an open edit-mode window).")
undelete_msg = _message_edit("undelete-msg", "restored",
                             "Show a hidden discussion message again (needs an open window).")
edit_msg_text = _message_edit("edit-msg-text", "edited",
                              "Reword a discussion message, keeping its history (needs an "
                              "open window).", with_text=True)


@click.group()
def keys() -> None:
    """Your signing key: human ops are signed with it when the trust root requires it."""


@keys.command("init")
@json_option
@pass_ctx
def keys_init(ctx: Context) -> None:
    """Create your Ed25519 key pair (readable only by you) and print the public key."""
    from ..core.errors import HtracError
    from ..service import keysetup
    try:  # inside a tracker, its governance says who is an agent
        patterns = ctx.tracker.config.governance.agent_usernames
    except HtracError:
        patterns = ("*_agent",)
    pair, created = keysetup.init_key(patterns)
    if ctx.json:
        click.echo(as_json({"public_key": pair.public, "key_id": pair.key_id,
                            "private_key": str(pair.private_path), "created": created},
                           indent=None))
        return
    click.echo(f"{'created' if created else 'exists'}: {pair.private_path} (key {pair.key_id})")
    click.echo(f"public key: {pair.public}")
    click.echo("next: run 'sudo htrac setup' in the repository to trust this key")


@click.command("fork-setup")
@json_option
@pass_ctx
def fork_setup(ctx: Context) -> None:
    """Make the stop hook count only workspace items (stop_hook.scope: workspace; human only)."""
    from ..service import configedit
    configedit.set_scope(ctx.tracker, "workspace")
    root = ctx.tracker.authority.trust_root if ctx.tracker.authority else None
    if root is None:
        _done(ctx, "scope set to 'workspace'")
    else:  # the trust root decides the scope: config.yaml is what setup copies into it
        _done(ctx, f"scope set to 'workspace' in config.yaml; the trust root {root.path} "
                   "decides: run 'sudo htrac setup' to apply it")
