"""The text git shows for an ops file (`diff=tracker`): the compiled item, one fact per line.

Git runs the driver on every revision a diff or `git log -p` touches, on a temporary copy whose
name ends in the original file name, and aborts the whole diff if the driver fails or writes to
stderr. So this never fails: a revision that doesn't fold prints one line saying why. It reads
the tracker's config if the working directory has one, and nothing else: no index, no git.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.config import Config, load_config
from ..core.display import inline, name, names
from ..core.errors import HtracError
from ..core.fold import fold
from ..core.oplog import read_oplog

_ID = re.compile(r"\.([A-Za-z0-9][A-Za-z0-9_-]*)\.ops$")


def item_id_of(name: str) -> str:
    match = _ID.search(name)
    return match.group(1) if match else name


def render_file(filename: str, data: bytes, config: Config | None = None) -> str:
    item_id = item_id_of(filename)
    try:
        config = config or _config()
        log = read_oplog(data)
        item = fold(item_id, log.ops, config.vocabulary(), read_problems=log.problems)
    except (HtracError, RecursionError, ValueError) as exc:
        return f"# {item_id}: op log not compilable at this revision — {_one(str(exc))}\n"
    if not item.kind:
        reason = "no create op" if not log.ops else "no valid create op"
        return f"# {item_id}: op log not compilable at this revision — {reason}\n"
    lines = [
        f"{item.id}  {_one(item.title)}",
        f"  status: {_one(item.status)}  priority: P{item.priority}  tags: {_list(item.tags)}",
        f"  parent: {_value(item.parent)}  isbefore: {_list(item.isbefore)}  "
        f"pr_ref: {_value(item.pr_ref)}",
    ]
    lines += [f"  fields.{name(k)}: {_one(str(v))}" for k, v in item.fields.items()]
    if item.description:
        lines.append(f"  description: {_one(item.description)}")
    lines.append(f"  discussion: {len(item.discussion)} entries")
    lines += [f"    [{name(e.at)}] {name(e.actor)} ({name(e.by)}): "
              f"{'[summary] ' if e.is_summary else ''}"
              f"{_one(e.message)}" for e in item.discussion]
    if item.locked_fields:
        lines.append(f"  locked: {_list(sorted(item.locked_fields))}")
    lines.append(f"  ops: {len(log.ops)}  updated: {inline(item.updated_at)}")
    lines += [f"  problem: {_one(p.describe())}" for p in item.problems]
    return "\n".join(lines) + "\n"


def _config() -> Config:
    start = Path.cwd()
    for directory in (start, *start.parents):
        tracker_dir = directory / ".agent" / "tracker"
        if tracker_dir.is_dir():
            try:
                return load_config(tracker_dir)
            except HtracError:
                break  # a broken config must not break git diff: fold with the defaults
    return load_config(None)


def _one(text: str) -> str:
    return inline(text)  # core.display: what others wrote can't pose as a line of ours


def _list(values: list[str]) -> str:
    return names(values)


def _value(value: object) -> str:
    return "null" if value is None else _one(str(value))


def main(argv: list[str] | None = None) -> int:
    """The diff driver without the CLI around it (`python -m htrac.service.textconv FILE`):
    git starts one process per blob, so skipping click's import is a third of the cost."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m htrac.service.textconv FILE\n")
        return 2
    path = Path(args[0])
    try:
        if not path.is_file():
            raise IsADirectoryError(0, "not a regular file")
        data = path.read_bytes()
    except OSError as exc:
        sys.stderr.write(f"error: cannot read {path}: {exc.strerror}\n")
        return 1
    sys.stdout.write(render_file(path.name, data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
