"""`validate`: the whole tracker, named files, the staged commit, or a range of history.

- whole tracker (no files): every ops file of every tier, then the checks across items;
- files: each named file on its own (the reference's pre-commit recipe);
- staged: what the next commit would hold, as the pre-commit hook sees it — the staged version of
  each changed ops file (only problems the commit introduces), and append-only against HEAD;
- since REV: every commit after REV checked for removed or altered ops against each parent, so a
  `--no-verify` commit is caught when someone pulls it.
`strict` turns every warning into an error in every mode.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InvalidValueError
from ..core.oplog import read_oplog
from ..core.ops import HUMAN
from ..gitio import history
from ..gitio.run import toplevel
from ..store.index_files import NotRegularFile, kind_of, read_snapshot
from ..store.layout import COMMITTED_TIERS, TIERS, id_from_filename
from . import appendonly, cycles, trackerchecks
from .findings import ERROR, NOTICE, Finding, Report
from .itemchecks import check_file


@dataclass(frozen=True, slots=True)
class Options:
    files: tuple[Path, ...] = ()
    staged: bool = False
    check_locks: bool = False
    strict: bool = False
    since: str | None = None


class Validator:
    def __init__(self, tracker) -> None:
        self.tracker = tracker
        self.layout = tracker.layout
        self.store = tracker.store
        self._repo: Path | None = None

    def run(self, options: Options) -> Report:
        report = Report(strict=options.strict)
        if options.files:
            for path in options.files:
                self._check_path(path, options, report)
        elif options.staged:
            self._check_staged(options, report)
        elif not options.since:
            self._check_tracker(options, report)
        if options.since:
            self.check_history(options.since, report)
        return report

    # -- modes ---------------------------------------------------------------------------------

    def _check_path(self, path: Path, options: Options, report: Report) -> None:
        shown = self._display(path)
        try:  # never through a link, never blocked on a FIFO
            data = read_snapshot(path).data
        except FileNotFoundError:
            report.add(Finding(ERROR, shown, "file not found", "check the path"))
            return
        except NotRegularFile:
            report.add(Finding(ERROR, shown, f"not a regular file ({kind_of(path)}): an item "
                               "htrac can't read, counted as damaged",
                               f"look at it (ls -l {shown}), then restore the item's file "
                               "from git (git checkout -- <path>)"))
            return
        except OSError as exc:
            report.add(Finding(ERROR, shown, f"cannot read: {exc.strerror}", "check permissions"))
            return
        if id_from_filename(path.name) is None:
            report.add(Finding(ERROR, shown, "not an ops file (an item's file is named "
                               ".<ID>.ops)", "name an item's ops file"))
            return
        tier, item_id = self._locate(path.resolve())
        report.files_checked += 1
        report.extend(check_file(self.store, shown, tier, item_id, data,
                                 check_locks=options.check_locks))

    def _check_tracker(self, options: Options, report: Report) -> None:
        tiers_by_id: dict[str, list[str]] = {}
        for tier in TIERS:
            for item_id in self.layout.item_ids(tier):
                tiers_by_id.setdefault(item_id, []).append(tier)
                path = self.layout.item_path(tier, item_id)
                self._check_path(path, options, report)
        items = self.store.items()
        report.extend(trackerchecks.duplicate_ids(tiers_by_id, self._path_of))
        report.extend(trackerchecks.references(items, self._path_of))
        report.extend(trackerchecks.cycles(items, self._path_of))
        report.extend(trackerchecks.config_drift(self.layout.tracker_dir))

    def _check_staged(self, options: Options, report: Report) -> None:
        repo = self._git_repo()
        changes = history.staged_paths(repo, self._pathspecs(repo))
        ids = sorted({i for _, p in changes if (i := id_from_filename(Path(p).name))})
        paths = [self._rel(repo, tier, item_id) for item_id in ids for tier in COMMITTED_TIERS]
        old = history.read_blobs(repo, "HEAD", paths) if history.has_head(repo) else {}
        new = history.read_blobs(repo, history.STAGED, paths)
        self._staged_loops(repo, ids, old, new, report)
        for status, path in changes:
            data = new.get(path)
            item_id = id_from_filename(Path(path).name)
            if status == "D" or data is None or item_id is None:
                continue
            tier = self._tier_of_rel(repo, path)
            report.files_checked += 1
            found = check_file(self.store, path, tier, item_id, data,
                               check_locks=options.check_locks)
            before = old.get(path) or next(
                (old[p] for t in COMMITTED_TIERS if old.get(p := self._rel(repo, t, item_id))),
                None)
            if before is not None:
                known = {f.message for f in check_file(self.store, path, tier, item_id, before,
                                                       check_locks=options.check_locks)}
                found = [f for f in found if f.message not in known]
            report.extend(found)
        new_version = appendonly.group_by_item(new, self._item_of)
        self._add_stealth(new_version, ids)
        old_version = appendonly.group_by_item(old, self._item_of)
        report.extend(self._deleted(old_version, new_version, "the staged commit", "HEAD"))
        for item_id in ids:
            copies = [p for p, _ in new_version.get(item_id, []) if p in new]
            if len(copies) > 1:
                report.add(Finding(ERROR, copies[0], f"duplicate ID {item_id} staged in "
                                   f"{len(copies)} tiers",
                                   f"a human merges them: htrac reconcile-reset {item_id}"))
        report.extend(appendonly.compare(old_version, new_version, old_name="HEAD",
                                         new_name="the staged commit", restore_rev="HEAD"))
        merging = [appendonly.group_by_item(history.read_blobs(repo, rev, paths), self._item_of)
                   for rev in history.merge_heads(repo)]  # ops a merge brings were added there
        report.extend(appendonly.clock_regressions([old_version, *merging], new_version,
                                                   old_name="HEAD", new_name="the staged commit"))
        report.extend(self._reserved(repo))

    def _reserved(self, repo: Path) -> list[Finding]:
        """Staged paths inside another actor's live file reservation (service.reservations):
        a notice, or an error with `claims.reservations: refuse` — for an agent committing. A
        human's commit is never refused by a reservation: the config and the claims are the
        agent's to write, and must not lock the human out of the repository."""
        from .reservations import reserved_by_others

        staged = [p for _, p in history.staged_paths(repo, [])]
        refuse = (self.tracker.config.claims.reservations == "refuse"
                  and not self.tracker.actor.is_human)
        level = ERROR if refuse else NOTICE
        return [Finding(level, path, f"reserved by {r.holding.holder} under "
                        f"{r.holding.item.id} ({r.glob}) while they work on it",
                        "coordinate with them (htrac board -m …, htrac reservations), or wait "
                        "until they release it")
                for path, r in reserved_by_others(self.tracker, staged)]

    def _staged_loops(self, repo: Path, ids: list[str], old: dict, new: dict,
                      report: Report) -> None:
        """Loops of links the commit would bring: the staged items' links (HEAD's before),
        with every other item's links as the worktree has them."""
        def folded(blobs: dict) -> list:
            items = []
            for item_id in ids:
                for tier in COMMITTED_TIERS:
                    data = blobs.get(self._rel(repo, tier, item_id))
                    if data:
                        items.append(self.store.fold_log(tier, item_id, read_oplog(data)))
            return items

        base = cycles.graphs(self.store)
        staged = folded(new)
        tier_of = {item.id: item.tier for item in staged}
        for loop in cycles.new_loops(cycles.with_items(base, ids, folded(old)),
                                     cycles.with_items(base, ids, staged)):
            first = next((i for i in loop.ids if i in tier_of), loop.ids[0])
            where = self._rel(repo, tier_of.get(first, "workspace"), first)
            report.add(trackerchecks.loop_finding(loop, where))

    def check_history(self, since: str, report: Report) -> None:
        """Commits after `since` that removed or altered an op their parent had."""
        repo = self._git_repo()
        history.resolve_rev(repo, since)
        pathspecs = self._pathspecs(repo)
        pairs = []
        for commit in history.commits_between(repo, since):
            for parent in commit.parents:
                changed = history.changed_paths(repo, parent, commit.sha, pathspecs)
                ids = {i for p in changed if (i := id_from_filename(Path(p).name))}
                if ids:
                    pairs.append((commit.sha, parent, ids))
        specs = [f"{rev}:{self._rel(repo, tier, item_id)}" for sha, parent, ids in pairs
                 for rev in (sha, parent) for item_id in ids for tier in COMMITTED_TIERS]
        blobs = history.read_objects(repo, specs)
        parents_of: dict[str, list[appendonly.Version]] = {}
        for sha, parent, ids in pairs:
            versions = []
            for rev in (parent, sha):
                files = {self._rel(repo, t, i): blobs[f"{rev}:{self._rel(repo, t, i)}"]
                         for i in ids for t in COMMITTED_TIERS}
                versions.append(appendonly.group_by_item(files, self._item_of))
            parents_of.setdefault(sha, []).append(versions[0])
            self._add_stealth(versions[1], ids)
            report.extend(self._deleted(versions[0], versions[1], f"commit {sha[:10]}",
                                        parent[:10]))
            report.extend(appendonly.compare(versions[0], versions[1],
                                             old_name=f"parent {parent[:10]}",
                                             new_name=f"commit {sha[:10]}",
                                             restore_rev=parent[:10]))
        for sha, parents in parents_of.items():
            files = {self._rel(repo, t, i): blobs[f"{sha}:{self._rel(repo, t, i)}"]
                     for _, _, ids in pairs for i in ids for t in COMMITTED_TIERS
                     if f"{sha}:{self._rel(repo, t, i)}" in blobs}
            report.extend(appendonly.clock_regressions(
                parents, appendonly.group_by_item(files, self._item_of),
                old_name="its parent" + ("s" if len(parents) > 1 else ""),
                new_name=f"commit {sha[:10]}"))

    def _add_stealth(self, version: appendonly.Version, ids) -> None:
        """Items stealthed here left git on purpose; their ops are kept in the local tier. Only
        the human's own `stealth` op says so: a file an agent moved into `stealth/` by hand
        does not count, so its removal from git is reported (`_deleted`)."""
        for item_id in ids:
            data = _regular_file(self.layout.item_path("stealth", item_id))
            if data is not None and self._stealthed_by_human(item_id, data):
                version[item_id].append((str(self.layout.item_path("stealth", item_id)), data))

    def _stealthed_by_human(self, item_id: str, data: bytes) -> bool:
        moves = [op for op in read_oplog(data).ops if op.type in ("stealth", "unstealth")]
        if not moves or moves[-1].type != "stealth":
            return False
        actor_class = getattr(self.tracker.policy, "actor_class", None)
        op = moves[-1]
        return (actor_class(op, item_id) if actor_class else op.by) == HUMAN

    def _deleted(self, old: appendonly.Version, new: appendonly.Version,
                 new_name: str, restore_rev: str) -> list[Finding]:
        """Items whose committed files are all gone in `new` with no human op for it; they are
        taken out of `old` so the op-by-op comparison does not repeat the finding per op."""
        found = []
        for item_id in [i for i in old if not new.get(i)]:
            for path, _ in old.pop(item_id):
                found.append(Finding(
                    ERROR, path, f"{new_name} deletes this ops file (or moves it out of git) and "
                    "no human op authorises it: only the human's 'htrac stealth' takes an item "
                    "out of git", f"restore it: git checkout {restore_rev} -- {path}"))
        return found

    # -- paths ---------------------------------------------------------------------------------

    def _git_repo(self) -> Path:
        if self._repo is None:
            top = toplevel(self.layout.repo_root)
            if top is None:
                raise InvalidValueError("--staged and --since need a git repository; "
                                        "run validate without them here")
            self._repo = top.resolve()
        return self._repo

    def _pathspecs(self, repo: Path) -> list[str]:
        return [self._rel_dir(repo, tier) for tier in COMMITTED_TIERS]

    def _rel_dir(self, repo: Path, tier: str) -> str:
        try:
            return self.layout.ops_dir(tier).resolve().relative_to(repo).as_posix()
        except ValueError:  # a tier directory that leads out of the repository
            from .governance import replaced_tiers
            found = replaced_tiers(self.layout)
            raise InvalidValueError(found[0] if found else f"the {tier} tier directory is not "
                                    f"inside the repository {repo}") from None

    def _rel(self, repo: Path, tier: str, item_id: str) -> str:
        return f"{self._rel_dir(repo, tier)}/.{item_id}.ops"

    def _tier_of_rel(self, repo: Path, rel: str) -> str:
        parent = rel.rpartition("/")[0]
        return next((t for t in COMMITTED_TIERS if self._rel_dir(repo, t) == parent), "")

    def _item_of(self, path: str) -> str | None:
        return id_from_filename(Path(path).name)

    def _locate(self, path: Path) -> tuple[str, str]:
        item_id = id_from_filename(path.name) or path.name
        for tier in TIERS:
            if path.parent == self.layout.ops_dir(tier).resolve():
                return tier, item_id
        return "", item_id

    def _path_of(self, tier: str, item_id: str) -> str:
        return self._display(self.layout.item_path(tier, item_id))

    def _display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.layout.repo_root.resolve()).as_posix()
        except ValueError:
            return str(path)


def _regular_file(path: Path) -> bytes | None:
    """The bytes of `path` if it is a regular file (never through a symlink, never a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read()
    finally:
        os.close(fd)
