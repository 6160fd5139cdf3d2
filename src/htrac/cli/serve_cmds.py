"""`htrac serve`: the web UI and its API, and `htrac serve passwd` for its login password."""

from __future__ import annotations

import sys

import click

from .context import Context, json_option, pass_ctx
from .render import as_json


@click.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs --certfile/--keyfile "
                   "(or --insecure-bind).")
@click.option("--port", type=click.IntRange(0, 65535), default=7380, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False),
              help="TLS certificate (PEM): serve HTTPS, cookies marked Secure.")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False),
              help="TLS private key (PEM) for --certfile.")
@click.option("--insecure-bind", is_flag=True,
              help="DANGER: listen on a non-loopback address over plain HTTP. Anyone on the "
                   "network can read the session and every item. Prefer an SSH tunnel.")
@click.option("--allow-origin", "origins", multiple=True, metavar="URL",
              help="Another origin the page may be opened from (e.g. http://localhost:9000 "
                   "through an SSH tunnel). Repeatable.")
@click.option("--rp-id", default="localhost", show_default=True,
              help="WebAuthn relying party ID: the host name in the browser's address bar.")
@click.option("--user-verification", default="preferred", show_default=True,
              type=click.Choice(["required", "preferred", "discouraged"]),
              help="Whether passkeys must verify the user (PIN, biometrics).")
@click.option("--idle-minutes", type=click.FloatRange(1, 24 * 60), default=30.0,
              show_default=True, help="A session unused this long ends.")
@click.option("--session-hours", type=click.FloatRange(0.1, 24 * 30), default=12.0,
              show_default=True, help="A session ends this long after login, used or not.")
@click.option("--background", is_flag=True, help="Start detached and return.")
@click.option("--status", is_flag=True, help="Say whether a server runs for this tracker.")
@click.option("--stop", is_flag=True, help="Stop the server running for this tracker.")
@json_option
@pass_ctx
@click.pass_context
def serve(click_ctx: click.Context, ctx: Context, host: str, port: int, certfile: str | None,
          keyfile: str | None, insecure_bind: bool, origins: tuple[str, ...], rp_id: str,
          user_verification: str, idle_minutes: float, session_hours: float, background: bool,
          status: bool, stop: bool) -> None:
    """Serve the web UI and its API (REST and WebSocket) for this tracker.

    The web user acts as the OS user running the server, after logging in with the password
    ('htrac serve passwd') or a passkey registered from the page. See docs/guide/web.md."""
    if click_ctx.invoked_subcommand is not None:
        return
    from ..core.errors import HtracError
    from ..server import process
    from ..server.settings import ServerSettings, check_binding

    if sum((background, status, stop)) > 1:
        raise click.UsageError("give at most one of --background, --status, --stop")
    root = ctx.tracker.layout.root
    if status:
        return _status(ctx, process.running(root))
    if stop:
        pid = process.stop(root)
        if ctx.json:
            click.echo(as_json({"stopped": pid is not None, "pid": pid}, indent=None))
        else:
            click.echo("Server stopped." if pid else "No running server found.")
        if pid is None:
            sys.exit(1)
        return
    if bool(certfile) != bool(keyfile):
        raise click.UsageError("--certfile and --keyfile go together")
    reason = check_binding(host, bool(certfile), insecure_bind)
    if reason:
        raise HtracError(reason)
    if insecure_bind and not certfile:
        click.echo(f"WARNING: serving plain HTTP on {host}: anyone on that network can read "
                   "sessions and items", err=True)
    settings = ServerSettings(host=host, port=port, certfile=certfile, keyfile=keyfile,
                              extra_origins=origins, rp_id=rp_id,
                              user_verification=user_verification, idle_minutes=idle_minutes,
                              absolute_hours=session_hours)
    if background:
        argv = [a for a in sys.argv[1:] if a != "--background"]
        found = process.serve_background(argv, root)
        click.echo(f"Started htrac serve (PID {found.pid}) — open {found.url}")
        return
    process.serve_foreground(settings, ctx.tracker, say=click.echo)


def _status(ctx: Context, found) -> None:
    if ctx.json:
        data = {"running": found is not None}
        if found is not None:
            data.update(pid=found.pid, url=found.url)
        click.echo(as_json(data, indent=None))
    elif found is None:
        click.echo("Not running.")
    else:
        click.echo(f"Server running (PID {found.pid}) at {found.url}")


@serve.command("passwd")
@click.option("--stdin", "from_stdin", is_flag=True,
              help="Read the new password from the first line of standard input.")
def passwd(from_stdin: bool) -> None:
    """Set the web login's password (bcrypt, in your own config directory, mode 0600)."""
    from ..server.passwords import set_password

    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("New web password", hide_input=True, confirmation_prompt=True)
    path = set_password(password)
    click.echo(f"password set ({path}); sessions logged in before keep running until they end")


@serve.command("link")
@json_option
@pass_ctx
def link(ctx: Context) -> None:
    """A one-login link for a new browser: it logs in as a known device, never held back by
    the failed logins of others (an agent flooding the login). The password is still needed."""
    import time

    from ..server import process
    from ..server.devices import Devices
    from ..server.settings import DEFAULT_PORT

    secret, expires = Devices().link()
    found = process.running(ctx.tracker.layout.root)
    base = found.url if found is not None and found.url else f"http://localhost:{DEFAULT_PORT}/"
    url = f"{base}#device={secret}"
    if ctx.json:
        click.echo(as_json({"url": url, "device": secret, "expires": expires}, indent=None))
        return
    until = time.strftime("%Y-%m-%d %H:%M", time.localtime(expires))
    click.echo(f"Open this in the new browser (one login, until {until}):\n  {url}\n"
               "Through a tunnel, put the same #device=… after your tunnel's address.")


@serve.command("passkeys")
@click.option("--remove", "remove", metavar="ID", help="Forget this passkey (a lost key).")
@json_option
@pass_ctx
def passkeys(ctx: Context, remove: str | None) -> None:
    """List the passkeys registered for the web login, or forget one."""
    from ..core.errors import NotFoundError
    from ..server.passkeys import Passkeys

    keys = Passkeys(rp_id="", rp_name="", origins=(), user="")
    if remove:
        if not keys.remove(remove):
            raise NotFoundError(f"no passkey {remove!r}: see 'htrac serve passkeys'")
        click.echo(f"removed passkey {remove}; a server already running keeps sessions it made")
        return
    listed = [{"id": c["id"], "name": c.get("name", ""), "created": c.get("created", "")}
              for c in keys.load()["credentials"]]
    if ctx.json:
        click.echo(as_json(listed, indent=None))
    elif not listed:
        click.echo("no passkeys: add one from the page after logging in with the password")
    for c in listed if not ctx.json else []:
        click.echo(f"{c['id']}  {c['created']}  {c['name']}")
