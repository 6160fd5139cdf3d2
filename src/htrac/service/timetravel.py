"""Time travel: items as they were at a commit, or at a date.

The past is what git recorded, not what ops say about themselves: an op's `at` and clock are
written by whoever wrote it, so they can't define what the tracker held at a moment. `--as-of`
takes a commit (any revision git resolves) and reads the ops files as they were *in that
commit* — exact, the same bytes — or a date, meaning the last commit on or before it (by
committer date, on the history of HEAD). The files are folded by today's fold and today's
governance: "what did the tracker hold then", judged by the rules in force now. The index is
not involved; the stealth tier, never committed, has no past.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import InvalidValueError, NotFoundError
from ..core.ids import matches
from ..store.layout import COMMITTED_TIERS, id_from_filename

if TYPE_CHECKING:
    from ..core.item import Item
    from .tracker import Tracker

_DATE = re.compile(r"\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d)?(Z|[+-]\d\d:?\d\d)?)?")


@dataclass(frozen=True, slots=True)
class Moment:
    commit: str
    asked: str  # what the user typed

    def describe(self) -> str:
        if self.commit.startswith(self.asked):
            return f"as of commit {self.commit[:12]}"
        return f"as of {self.asked} (commit {self.commit[:12]})"


def resolve(tracker: Tracker, when: str) -> Moment:
    """The commit `when` stands for: a revision, or a date's last commit on or before it."""
    from ..gitio import history
    from ..gitio.run import GitError

    repo = _repo(tracker)
    if _DATE.fullmatch(when):
        # a date alone means the end of that day (UTC): "as of 2026-03-01" includes that day
        moment = when if len(when) > 10 else f"{when} 23:59:59 +0000"
        try:
            sha = history.last_commit_on_or_before(repo, moment)
        except GitError as exc:
            raise InvalidValueError(f"--as-of {when}: {exc}") from None
        if sha is None:
            raise NotFoundError(f"--as-of {when}: no commit on or before that date")
        return Moment(sha, when)
    if when.startswith("-"):
        raise InvalidValueError(f"--as-of {when!r}: give a commit, branch, tag or YYYY-MM-DD")
    try:
        return Moment(history.resolve_rev(repo, when), when)
    except GitError:
        raise NotFoundError(f"--as-of {when!r}: not a commit, branch or tag here, nor a date "
                            "(YYYY-MM-DD[THH:MM[:SS]])") from None


def items_at(tracker: Tracker, moment: Moment,
             tiers: tuple[str, ...] = COMMITTED_TIERS) -> list[Item]:
    """Every item of `tiers` as folded from the files in `moment`'s commit."""
    from ..core.oplog import read_oplog
    from ..gitio import history

    repo = _repo(tracker)
    paths = {tier: _rel(tracker, repo, tier) for tier in tiers if tier in COMMITTED_TIERS}
    found: list[tuple[str, str, str]] = []  # (tier, item ID, path)
    for tier, directory in paths.items():
        for path in history.tracked_files(repo, moment.commit, [directory]):
            item_id = id_from_filename(Path(path).name)
            if item_id is not None and Path(path).parent.as_posix() == directory:
                found.append((tier, item_id, path))
    blobs = history.read_blobs(repo, moment.commit, [p for _, _, p in found]
                               + [_edit_rel(tracker, repo, t) for t in paths])
    items = []
    for tier, item_id, path in sorted(found, key=lambda f: (tiers.index(f[0]), f[1])):
        edits = blobs.get(_edit_rel(tracker, repo, tier))
        global_ops = read_oplog(edits).ops if edits else []
        items.append(tracker.store.fold_log(tier, item_id, read_oplog(blobs[path] or b""),
                                            global_ops))
    return items


def item_at(tracker: Tracker, ref: str, moment: Moment) -> Item:
    """The item `ref` names (now, or among the files of that commit) as it was then."""
    items = items_at(tracker, moment)
    try:
        wanted = tracker.store.resolve(ref)[1]
    except NotFoundError:
        wanted = None
    if wanted is not None:
        chosen = [i for i in items if i.id == wanted]
    else:
        chosen = [i for i in items if i.id == ref] or [i for i in items if matches(i.id, ref)]
    if not chosen:
        raise NotFoundError(f"{ref!r} did not exist {moment.describe()}")
    if len({i.id for i in chosen}) > 1:
        raise NotFoundError(f"{ref!r} matched several items {moment.describe()}; "
                            "type more of the ID")
    return chosen[0]


def _repo(tracker: Tracker) -> Path:
    repo = tracker._repo_root()
    if repo is None:
        raise InvalidValueError("--as-of needs a git repository: the past is what git recorded")
    return repo


def _rel(tracker: Tracker, repo: Path, tier: str) -> str:
    return tracker.layout.ops_dir(tier).resolve().relative_to(repo).as_posix()


def _edit_rel(tracker: Tracker, repo: Path, tier: str) -> str:
    return tracker.layout.edit_log(tier).resolve().relative_to(repo).as_posix()
