"""Sync: get local ops to the upstream branch and the upstream's ops here, through git alone.

`htrac sync` commits the ops files (only them), fetches the current branch's upstream, merges
it locally — where `merge=union` runs, unlike a forge's pull-request merge — and pushes. After a
mutating command, auto-sync does the same once the ops lines not yet committed pass a threshold
(`TRACKER_AUTO_SYNC_THRESHOLD`, else `auto_sync_threshold` in config.yaml, else 80; 0 or less
turns it off).

Nothing is lost on failure: local ops are committed before anything else happens, a failed
merge is aborted (back to that commit), a failed push leaves the commit for next time, and no
step resets, checks out or rewrites an ops file. Ops files touched by the commit or the merge
are held under their append locks meanwhile, so a concurrent `htrac update` waits and then
appends to the merged file. After three failed auto-syncs in a row, auto-sync pauses for 30
minutes (a circuit breaker, state in `.git/htrac-sync-state.json`); `htrac sync` by hand always
tries and resets it.
"""

from __future__ import annotations

import json
import shlex
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import HtracError, InvalidValueError
from ..core.oplog import read_oplog
from ..gitio import history
from ..gitio import sync as gsync
from ..gitio.run import GitError
from ..store.appendlog import locked
from ..store.layout import COMMITTED_TIERS, id_from_filename
from .autosync import threshold

BREAKER_FAILURES = 3
BREAKER_COOLDOWN = 30 * 60


@dataclass
class SyncReport:
    pending_lines: int = 0
    committed_files: list[str] = field(default_factory=list)
    upstream: str | None = None
    arrived: dict[str, int] = field(default_factory=dict)  # item ID -> ops that came in
    pushed: bool = False
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    other_files: list[str] = field(default_factory=list)  # non-ops files the merge brought

    def as_dict(self) -> dict:
        return {"pending_lines": self.pending_lines, "committed_files": self.committed_files,
                "upstream": self.upstream, "arrived": self.arrived, "pushed": self.pushed,
                "dry_run": self.dry_run, "notes": self.notes, "other_files": self.other_files}


class GovernanceArrived(HtracError):
    """The upstream changes files that decide authority or what runs: not merged."""


class Syncer:
    def __init__(self, tracker) -> None:
        self.tracker = tracker
        found = gsync.locate(tracker.layout.repo_root, "htrac-sync-state.json")
        if found is None:
            raise InvalidValueError("sync needs a git repository: run 'git init' and add a "
                                    "remote, or keep the tracker local")
        self.repo, self._state_file = found[0].resolve(), found[1]
        try:
            self.pathspecs = [tracker.layout.ops_dir(t).resolve().relative_to(self.repo)
                              .as_posix() for t in COMMITTED_TIERS]
        except ValueError:  # a tier directory that leads out of the repository
            from .governance import replaced_tiers
            found_tiers = replaced_tiers(tracker.layout)
            raise InvalidValueError(found_tiers[0] if found_tiers else "a tier directory is "
                                    "not inside the repository; sync refuses") from None

    # -- threshold and breaker -------------------------------------------------------------------

    def threshold(self) -> int:
        return threshold(self.tracker.layout.tracker_dir)

    def _state_path(self) -> Path:
        return self._state_file

    def _state(self) -> dict:
        try:
            state = json.loads(self._state_path().read_text(encoding="utf-8"))
            return state if isinstance(state, dict) else {}
        except (OSError, ValueError):
            return {}

    def _record(self, failed: bool, reason: str = "") -> None:
        state = self._state()
        failures = int(state.get("failures", 0)) + 1 if failed else 0
        data = {"failures": failures, "last": time.time(), "reason": reason}
        try:
            self._state_path().write_text(json.dumps(data), encoding="utf-8")
        except OSError:
            pass  # a read-only .git only loses the breaker, never an op

    def paused(self) -> bool:
        state = self._state()
        try:
            failures, last = int(state.get("failures", 0)), float(state.get("last", 0))
        except (TypeError, ValueError):
            return False
        return failures >= BREAKER_FAILURES and time.time() - last < BREAKER_COOLDOWN

    # -- the steps -------------------------------------------------------------------------------

    def pending(self) -> dict[str, int]:
        return gsync.pending(self.repo, self.pathspecs)

    def auto(self) -> str | None:
        """Sync if past the threshold; a one-line note for stderr, or None when nothing to say."""
        limit = self.threshold()
        # A branch without an upstream is a local-only tracker: nothing to sync with, and
        # committing behind the user's back would only surprise them.
        if limit <= 0 or self.paused() or gsync.upstream(self.repo) is None:
            return None
        if sum(self.pending().values()) < limit:
            return None
        try:
            report = self.run(auto=True)
        except HtracError as exc:
            return f"auto-sync failed, local ops kept: {exc}"
        arrived = sum(report.arrived.values())
        return (f"auto-sync: committed {len(report.committed_files)} ops file(s), "
                f"{arrived} op(s) arrived, pushed to {report.upstream}")

    def run(self, *, dry_run: bool = False, auto: bool = False) -> SyncReport:
        try:
            report = self._run(dry_run)
        except HtracError as exc:
            if not dry_run:
                self._record(True, str(exc))
            raise
        if not dry_run:
            self._record(False)
        return report

    def _run(self, dry_run: bool) -> SyncReport:
        pending = self.pending()
        report = SyncReport(pending_lines=sum(pending.values()), dry_run=dry_run)
        up = gsync.upstream(self.repo)
        report.upstream = str(up) if up else None
        what = gsync.busy(self.repo)
        if what:
            raise GitError(f"git is in the middle of {what}; finish or abort it, then sync")
        if dry_run:
            report.committed_files = sorted(pending)
            if up is None:
                report.notes.append("no upstream: would commit only")
            return report
        incoming = gsync.fetch(self.repo, up) if up else None
        before = gsync.head(self.repo)
        touched = set(pending)
        if incoming and before:
            touched |= set(gsync.changed(self.repo, before, incoming, self.pathspecs))
        with self._locked(touched):
            if pending:
                gsync.commit(self.repo, self.pathspecs, _message(pending))
                report.committed_files = sorted(pending)
            head = gsync.head(self.repo)
            if incoming and not (head and gsync.is_ancestor(self.repo, incoming, head)):
                report.other_files = self._screen(head, incoming, str(up))
                gsync.merge(self.repo, incoming, str(up))
                if head:
                    report.arrived = self._arrivals(head, gsync.head(self.repo) or head)
                    report.notes.extend(self._arrived_loops(report.arrived))
                    report.notes.extend(self._arrived_history(head))
        if up is None:
            report.notes.append("no upstream for this branch: committed locally, nothing "
                                "pushed (git push -u <remote> <branch>)")
            return report
        head = gsync.head(self.repo)
        if head and not (incoming and head == incoming):
            gsync.push(self.repo, up)
            report.pushed = True
        return report

    def _screen(self, head: str | None, incoming: str, label: str) -> list[str]:
        """The non-ops files a merge of `incoming` brings; stops (GovernanceArrived) before
        merging when any of them decides authority or what runs and a human is syncing."""
        from ..policy.arrivals import why_governed

        changes = gsync.incoming(self.repo, head, incoming)
        governed = [(c.path, why) for c in changes if (why := why_governed(c.path, c.mode))]
        if governed and self.tracker.actor.is_human:
            files = " ".join(shlex.quote(path) for path, _ in governed)
            listed = "; ".join(f"{path} ({why})" for path, why in governed)
            raise GovernanceArrived(
                f"sync stopped before merging {label}: it changes {len(governed)} file(s) that "
                f"decide authority or what runs, which sync never merges behind your back: "
                f"{listed}. Read them: git diff HEAD...{incoming[:12]} -- {files}; to accept "
                f"them: git merge {incoming[:12]}, then htrac sync (your local ops are "
                "committed; nothing was merged or pushed)")
        ops = tuple(f"{spec}/" for spec in self.pathspecs)
        return sorted(c.path for c in changes if not c.path.startswith(ops))

    def _locked(self, paths: set[str]) -> ExitStack:
        stack = ExitStack()
        try:
            for rel in sorted(paths):
                path = self.repo / rel
                if id_from_filename(path.name) and path.is_file():
                    stack.enter_context(locked(path))
        except BaseException:
            stack.close()
            raise
        return stack

    def _arrived_loops(self, arrived: dict[str, int]) -> list[str]:
        """A loop of links the merge closed: nothing on it will be ready until it is broken."""
        from .cycles import loops

        return [f"{loop.describe()} arrived ({loop.harm}): break it with: {loop.fix}"
                for loop in loops(self.tracker.store) if set(loop.ids) & set(arrived)]

    def _arrived_history(self, head: str) -> list[str]:
        """What the commits that arrived did to ops history: ops removed or rewritten, ops
        added with a back-dated clock (`validate --since`, on the merged range)."""
        from .findings import Report
        from .validate import Validator

        found = Report()
        Validator(self.tracker).check_history(head, found)
        return [f"arrived: {finding.text()}" for finding in found.findings]

    def _arrivals(self, old: str, new: str) -> dict[str, int]:
        paths = gsync.changed(self.repo, old, new, self.pathspecs)
        before = history.read_blobs(self.repo, old, paths)
        after = history.read_blobs(self.repo, new, paths)
        arrived: dict[str, int] = {}
        for path in paths:
            item_id = id_from_filename(Path(path).name)
            if not item_id or after[path] is None:
                continue
            seen = {op.nonce for op in read_oplog(before[path] or b"").ops}
            count = sum(1 for op in read_oplog(after[path]).ops if op.nonce not in seen)
            if count:
                arrived[item_id] = arrived.get(item_id, 0) + count
        return arrived


def _message(pending: dict[str, int]) -> str:
    ids = [i for p in sorted(pending) if (i := id_from_filename(Path(p).name))]
    shown = ", ".join(i.split("-")[0] + "-" + i.split("-")[1] if "-" in i else i
                      for i in ids[:3])
    more = f" and {len(ids) - 3} more" if len(ids) > 3 else ""
    return f"tracker: {len(pending)} file(s), {sum(pending.values())} ops lines — {shown}{more}"
