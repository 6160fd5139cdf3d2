"""`htrac watch start|stop|status`: this user's watcher, so reads need not look at every file."""

from __future__ import annotations

import click

from .context import Context, json_option, pass_ctx
from .render import as_json


@click.group()
def watch() -> None:
    """Run a watcher that names the changed ops files, so reads need not look at every one.

    The watcher (Linux inotify) runs per OS user and tracker and exits after 30 idle minutes.
    Reads start it themselves for a tracker of 2,000 ops files or more (`index: {watch: true}`
    in the config: for any size; `false`: never), detached from the command. Reads that can't
    reach it look at every file, as without one."""


@watch.command("start")
@json_option
@pass_ctx
def start(ctx: Context) -> None:
    """Start this user's watcher for the tracker (if none runs) and wait until it answers."""
    from ..service.watching import start_watcher

    state = start_watcher(ctx.tracker)
    if ctx.json:
        click.echo(as_json(state, indent=None))
        return
    verb = "watching" if state["started"] else "already watching"
    click.echo(f"{verb} {state['root']} (pid {state['pid']})")


@watch.command("stop")
@json_option
@pass_ctx
def stop(ctx: Context) -> None:
    """Stop this user's watcher for the tracker."""
    from ..service.watching import stop_watcher

    result = stop_watcher(ctx.tracker)
    if ctx.json:
        click.echo(as_json(result, indent=None))
    elif result["stopped"]:
        click.echo(f"stopped the watcher (pid {result['pid']})")
    else:
        click.echo("no watcher was running")


@watch.command("status")
@json_option
@pass_ctx
def status(ctx: Context) -> None:
    """Is a watcher running for this tracker, since when, and what it watches."""
    from ..service.watching import watch_status

    state = watch_status(ctx.tracker)
    if ctx.json:
        click.echo(as_json(state, indent=None))
        return
    auto = state["auto_start"]
    if auto == "auto":
        auto = f"auto (reads start one for {state['auto_items']:,} items or more)"
    if not state["running"]:
        click.echo("watcher: not running" + (f" ({state['unavailable']})"
                                             if state.get("unavailable") else ""))
        starts = {"on": "start one", "off": "do not start one"}.get(state["auto_start"], "")
        click.echo(f"index.watch: {auto}" + (f" (reads {starts})" if starts else "")
                   + "; 'htrac watch start' starts one now")
        return
    resets = state["resets"]
    click.echo(f"watcher: running (pid {state['pid']}) since {state['started']}, "
               f"{state['requests']} requests, {resets} reset{'s' * (resets != 1)} "
               f"(last: {state['last_reset']})")
    click.echo(f"watching: {len(state['watching'])} directories"
               + (f"; missing (watched for): {len(state['missing'])}" if state["missing"] else ""))
    for path, why in state["blind"].items():
        click.echo(f"cannot watch {path}: {why} (reads look at every file)")
    click.echo(f"index.watch: {auto}; exits after {state['idle_timeout'] / 60:.0f} idle minutes")
