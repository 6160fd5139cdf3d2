"""Claims: claim, release, heartbeat, stale, agents (docs/guide/agents.md)."""

from __future__ import annotations

import click

from ..core.ids import short
from ..core.lease import describe_left
from .completion import complete_status, item_argument
from .context import Context, json_option, pass_ctx, resolve_session, session_option
from .render import as_json, echo_notices, one_line


@click.command()
@item_argument()
@click.option("--steal", is_flag=True,
              help="Take over another session's claim: a human any time, an agent only once "
                   "its lease has expired. Says from whom.")
@session_option
@json_option
@pass_ctx
def claim(ctx: Context, ref: str, steal: bool, session_name: str | None) -> None:
    """Claim an item for this session: status in_progress, a lease, one holder.

    Refused, naming the holder, when another session holds a live claim. Renews the lease
    when this session already holds it. See also: htrac ready --claim.
    """
    from ..service.claims import claim as take

    session = resolve_session(session_name)
    got = take(ctx.tracker, ref, session=session, steal=steal)
    show_claimed(ctx, got, session)


def show_claimed(ctx: Context, got, session: str) -> None:
    item, lease = got.item, got.holding.lease
    if ctx.json:
        click.echo(as_json({"id": item.id, "title": item.title, "status": item.status,
                            "holder": got.holding.holder, "renewed": got.renewed,
                            "from": got.took_from, "lease": lease.as_dict(),
                            "skipped": got.skipped}, indent=None))
        return
    for line in got.skipped:
        click.echo(f"skipped {one_line(line)}", err=True)
    verb = "renewed your claim on" if got.renewed else "claimed"
    text = (f"{verb} {item.id}  {one_line(item.title)}\n  holder: {got.holding.holder}  "
            f"lease: {describe_left(lease.seconds_left)} (until "
            f"{lease.as_dict()['expires_at']})  status: {one_line(item.status)}")
    if got.took_from:
        text += f"\n  taken over from {got.took_from}"
    text += (f"\n  when done: htrac update {short(item.id)} --status done; to give it back: "
             f"htrac release {short(item.id)}")
    click.echo(text)


@click.command()
@item_argument()
@click.option("--reason", help="Why (kept in the op-log; at most 100 characters).")
@click.option("--status", shell_complete=complete_status,
              help="Status to leave the item in (default: what it was before the claim).")
@session_option
@json_option
@pass_ctx
def release(ctx: Context, ref: str, reason: str | None, status: str | None,
            session_name: str | None) -> None:
    """Release a claim: yours; any, as a human; another's expired one, if claims.reclaim
    allows. The item goes back to the status it had before the claim."""
    from ..service.claims import release as give_back

    done = give_back(ctx.tracker, ref, session=resolve_session(session_name), reason=reason,
                     status=status)
    item = done.item
    if ctx.json:
        click.echo(as_json({"id": item.id, "released": done.released_from,
                            "status": item.status}, indent=None))
        return
    move = (f"; status {done.status_from} → {done.status_to}"
            if done.status_from != done.status_to else "")
    click.echo(f"released {short(item.id)} (held by {done.released_from}){one_line(move)}")


@click.command()
@item_argument(nargs=-1, required=False)
@click.option("--force", is_flag=True,
              help="Renew even if renewed less than a third of the lease ago.")
@session_option
@json_option
@pass_ctx
def heartbeat(ctx: Context, ref: tuple[str, ...], force: bool, session_name: str | None) -> None:
    """Renew this session's claims (all, or the REFs given). Each is written at most once per
    third of its lease, so calling it often costs nothing."""
    from ..service.claims import heartbeat as beat

    beats = beat(ctx.tracker, list(ref) or None, session=resolve_session(session_name),
                 force=force)
    if ctx.json:
        click.echo(as_json([{"id": b.item.id, "renewed": b.renewed,
                             "lease": b.holding.lease.as_dict()} for b in beats]))
        return
    if not beats:
        click.echo("(you hold no claims)")
    for b in beats:
        left = describe_left(b.holding.lease.seconds_left)
        verb = "renewed" if b.renewed else "still fresh, not renewed:"
        click.echo(f"{verb} {short(b.item.id)}  {left} left  {one_line(b.item.title)}")


@click.command()
@click.option("--reclaim", is_flag=True,
              help="Release every expired claim, with the reason in the op-log (a human; "
                   "anyone when claims.reclaim is 'anyone').")
@session_option
@json_option
@pass_ctx
def stale(ctx: Context, reclaim: bool, session_name: str | None) -> None:
    """List claims whose lease expired (or whose renewal is dated in the future)."""
    from ..service import stale as stale_claims

    found = stale_claims.stale(ctx.tracker)
    released = []
    if reclaim:
        released = stale_claims.reclaim(ctx.tracker, session=resolve_session(session_name))
    if ctx.json:
        click.echo(as_json({"stale": [{**s.holding.as_dict(), "id": s.holding.item.id,
                                       "why": s.why} for s in found],
                            "released": [r.item.id for r in released]}))
        return
    if not found:
        click.echo("(no stale claims)")
    for s in found:
        h = s.holding
        click.echo(f"{h.item.id}  {one_line(h.item.status):<12} {h.holder}  "
                   f"{one_line(s.why)}  {one_line(h.item.title)}")
    for r in released:
        click.echo(f"released {short(r.item.id)} (held by {r.released_from})")


@click.command()
@json_option
@pass_ctx
def agents(ctx: Context) -> None:
    """Who holds what: each session with claims, its last heartbeat and lease left (derived
    from the ops)."""
    from ..service.agents import agents as holders

    found = holders(ctx.tracker)
    if ctx.json:
        click.echo(as_json([a.as_dict() for a in found]))
        return
    if not found:
        click.echo("(no claims)")
    for a in found:
        beat = a.last_heartbeat.strftime("%Y-%m-%dT%H:%M:%SZ") if a.last_heartbeat else "-"
        click.echo(f"{one_line(a.holder)} ({a.by})  last heartbeat {beat}  "
                   f"{len(a.live)} live, {len(a.expired)} expired")
        for h in a.live:
            paths = f"  reserves {', '.join(h.claim.paths)}" if h.claim.paths else ""
            click.echo(f"  {h.item.id}  {describe_left(h.lease.seconds_left)} left  "
                       f"{one_line(h.item.title)}{one_line(paths)}")
        for h in a.expired:
            click.echo(f"  {h.item.id}  expired  {one_line(h.item.title)}")


__all__ = ["claim", "release", "heartbeat", "stale", "agents", "show_claimed", "echo_notices"]
