"""Analysis commands: clusters, priority-trend."""

from __future__ import annotations

from pathlib import Path

import click

from .context import Context, json_option, pass_ctx
from .render import as_json, one_line

DEFAULT_SVG = "tracker-priority-trend.svg"


@click.command()
@click.option("--k", type=click.IntRange(min=1), default=6, show_default=True,
              help="Neighbours per item.")
@click.option("--shared", type=click.IntRange(min=0), default=3, show_default=True,
              help="Shared neighbours two items need to be joined.")
@click.option("--status", help="Comma-separated statuses to cluster (default: every status "
                               "that is not resolved).")
@click.option("--all", "everything", is_flag=True,
              help="Cluster every item that is not deleted, resolved ones included.")
@click.option("--min-size", type=click.IntRange(min=2), default=2, show_default=True,
              help="Drop clusters smaller than this.")
@click.option("--limit", type=click.IntRange(min=0), help="Show only the N largest clusters.")
@json_option
@pass_ctx
def clusters(ctx: Context, k: int, shared: int, status: str | None, everything: bool,
             min_size: int, limit: int | None) -> None:
    """Groups of similar open items (TF-IDF words of title, description and tags; Jarvis-
    Patrick clustering of nearest neighbours): likely duplicates, or work to do together."""
    from ..service.clusters import open_clusters

    statuses = tuple(s.strip() for s in status.split(",") if s.strip()) if status else None
    result = open_clusters(ctx.tracker, k=k, shared=shared, min_size=min_size,
                           statuses=statuses, everything=everything, limit=limit or None)
    if ctx.json:
        click.echo(as_json(result.as_dict()))
        return
    click.echo(f"{len(result.clusters)} cluster(s) over "
               f"{sum(len(c.members) for c in result.clusters)} of {result.considered} "
               f"item(s)  (k={k}, shared={shared}; fit on {result.fitted} items)")
    for found in result.clusters:
        click.echo(f"\n#{found.rank}  size {len(found.members)}  mean similarity "
                   f"{found.mean_similarity:.2f}")
        for item in found.members:
            click.echo(f"    {item.id}  [{one_line(item.status)}]  {one_line(item.title)}")


@click.command("priority-trend")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help=f"SVG path (default {DEFAULT_SVG}; with --json or --csv, none unless given).")
@click.option("--csv", "as_csv", is_flag=True,
              help="Print the series as CSV (day,open,mean_priority) instead of the summary.")
@click.option("--since", metavar="YYYY-MM-DD", help="First day (UTC).")
@click.option("--until", metavar="YYYY-MM-DD", help="Last day (UTC).")
@json_option
@pass_ctx
def priority_trend(ctx: Context, out: Path | None, as_csv: bool, since: str | None,
                   until: str | None) -> None:
    """Chart how many items were open each day and their mean priority (an SVG with both,
    each labelled on its line), replayed from the op-logs."""
    from ..core.errors import InvalidValueError
    from ..service import trend, trendsvg

    points = trend.series(ctx.tracker, trend.parse_day(since, "--since"),
                          trend.parse_day(until, "--until"))
    if out is None and not (ctx.json or as_csv):
        out = Path(DEFAULT_SVG)
    if out is not None:
        try:
            out.write_text(trendsvg.render(points), encoding="utf-8")
        except OSError as exc:
            raise InvalidValueError(f"--out {out}: {exc.strerror}") from None
    if ctx.json:
        click.echo(as_json({"resolved_statuses": list(ctx.tracker.config.resolved_statuses),
                            "svg": str(out) if out else None,
                            "points": [p.as_dict() for p in points]}))
    elif as_csv:
        click.echo("day,open,mean_priority")
        for p in points:
            mean = "" if p.mean_priority is None else f"{p.mean_priority:.4g}"
            click.echo(f"{p.day},{p.open},{mean}")
    elif not points:
        click.echo(f"wrote {out}: no items yet")
    else:
        first, last = points[0], points[-1]
        click.echo(f"wrote {out}: {len(points)} day(s), {first.day} to {last.day}; open items "
                   f"{first.open} -> {last.open}; mean priority of open items "
                   f"{_mean(first)} -> {_mean(last)}")


def _mean(point) -> str:
    return "-" if point.mean_priority is None else f"{point.mean_priority:.2f}"
