"""Setup/doctor checks for git integration: attributes, ignores, the diff driver, the hook."""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

from ...core.errors import HtracError
from ...gitio import attributes as attrs
from ...gitio.run import GitError, git, must, toplevel
from ...store.safefs import Tree
from . import ERROR, FIXED, OK, WARN, CheckContext, Result, files


def _repo(ctx: CheckContext):
    return toplevel(ctx.repo)


def _missing(ctx: CheckContext, rel: str, wanted: tuple[str, ...]) -> list[str]:
    text = files.read_text(ctx.repo, rel) or ""
    present = {line.rstrip() for line in text.splitlines()}
    return [line for line in wanted if line not in present]


def gitattributes(ctx: CheckContext) -> Iterator[Result]:
    name = "gitattributes"
    targets = [(".gitattributes", attrs.ROOT_ATTRIBUTES)]
    targets += [(f"{d}/.gitattributes", attrs.OPS_DIR_ATTRIBUTES)
                for d in (".agent/tracker/.ops", ".agent/tracker-workspace/.ops")]
    try:
        missing = [(rel, lines) for rel, wanted in targets
                   if (lines := _missing(ctx, rel, wanted))]
    except files.UnsafePath as exc:
        yield _refused(name, exc)
        return
    if not missing:
        yield Result(name, OK, "ops files merge with merge=union and diff with the tracker driver")
        return
    details = tuple(f"{rel}: {line}" for rel, lines in missing for line in lines)
    if ctx.writes_worktree:
        try:
            for rel, lines in missing:
                files.append_lines(ctx.repo, rel, lines)
        except files.UnsafePath as exc:
            yield _refused(name, exc)
            return
        yield Result(name, FIXED, "added merge=union and diff=tracker attributes", details=details)
    else:
        yield Result(name, ERROR, "ops files lack merge=union / diff=tracker attributes: "
                     "branch merges would conflict", fix=ctx.setup_command, details=details)


def _refused(name: str, exc: Exception) -> Result:
    return Result(name, ERROR, f"refused: {exc} (setup never writes through a link or into "
                  "another user's file)", fix="look at it, move it aside, then htrac setup")


def gitignore(ctx: CheckContext) -> Iterator[Result]:
    name = "gitignore"
    try:
        missing = _missing(ctx, ".gitignore", attrs.ROOT_IGNORES)
        if missing and ctx.writes_worktree:
            files.append_lines(ctx.repo, ".gitignore", missing, header=attrs.IGNORE_HEADER)
    except files.UnsafePath as exc:
        yield _refused(name, exc)
        return
    if not missing:
        yield Result(name, OK, "htrac's local files are ignored")
    elif ctx.writes_worktree:
        yield Result(name, FIXED, "ignored htrac's local files in .gitignore",
                     details=tuple(missing))
    else:
        yield Result(name, WARN, "htrac's local files are not ignored", fix=ctx.setup_command,
                     details=tuple(missing))


def textconv(ctx: CheckContext) -> Iterator[Result]:
    name = "textconv"
    repo = _repo(ctx)
    if repo is None:
        yield Result(name, WARN, "not a git repository: no diff driver", fix="git init")
        return
    value = attrs.local_config(repo, attrs.TEXTCONV_KEY)
    cached = attrs.local_config(repo, attrs.CACHE_KEY) == "true"
    kind = attrs.textconv_kind(value) if value else None
    if kind == "isolated" and cached:
        yield Result(name, OK, f"git diff shows compiled items ({value}, isolated)")
        return
    command = value if kind == "isolated" else attrs.textconv_command()
    wire = (f"git config --local {attrs.TEXTCONV_KEY} {shlex.quote(command)} && "
            f"git config --local {attrs.CACHE_KEY} true") if ctx.foreign_owner is None \
        else ctx.setup_command
    if kind == "foreign":
        yield Result(name, WARN, f"diff.tracker.textconv is '{value}', not htrac's driver",
                     fix=wire)
        return
    if not ctx.writes_worktree:
        if kind == "stale":
            yield Result(name, ERROR, f"git runs the tracker diff driver as '{value}', which "
                         "can import or run code from the repository: whoever pushes an htrac/ "
                         "package or script runs it as you on git diff", fix=wire)
        else:
            yield Result(name, WARN, "git diff shows raw ops instead of compiled items",
                         fix=wire)
        return
    try:
        attrs.set_local_config(repo, attrs.TEXTCONV_KEY, command)
        attrs.set_local_config(repo, attrs.CACHE_KEY, "true")
    except GitError as exc:
        yield Result(name, ERROR, f"could not configure the diff driver: {exc}", fix=wire)
        return
    was = f", replacing '{value}'" if kind == "stale" else ""
    yield Result(name, FIXED, f"configured the tracker diff driver ({command}, isolated, "
                 f"cached{was})")


def precommit_hook(ctx: CheckContext) -> Iterator[Result]:
    name = "precommit_hook"
    repo = _repo(ctx)
    if repo is None:
        yield Result(name, WARN, "not a git repository: no pre-commit hook", fix="git init")
        return
    hook = attrs.hooks_dir(repo) / "pre-commit"
    try:
        text = hook.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        text = None
    reference = _reference_validate(text or "") or _reference_precommit_config(repo)
    if reference:
        yield Result(name, ERROR if "--strict" in (text or "--strict") else WARN,
                     f"the pre-commit hook runs the reference's validate ({reference}): it "
                     "warns \"missing nonce comment\" on every line htrac writes (it knows "
                     "only 4-hex nonces) and, with --strict on the whole tracker, refuses "
                     "the commit",
                     fix=f"replace it with htrac's (rm {hook} && htrac setup), which runs "
                         f"{attrs.HOOK_COMMAND}; see docs/guide/switching.md")
        return
    kind = attrs.hook_kind(text) if text is not None else None
    if kind == "isolated":
        if os.access(hook, os.X_OK):
            yield Result(name, OK, f"pre-commit hook validates staged ops, isolated ({hook})")
        elif ctx.writes_worktree:
            hook.chmod(0o755)
            yield Result(name, FIXED, f"made {hook} executable")
        else:
            yield Result(name, ERROR, f"{hook} is not executable, so git skips it",
                         fix=f"chmod +x {hook}")
        return
    if kind == "broken" and not ctx.writes_worktree:
        yield Result(name, ERROR, f"{hook} runs an interpreter that is gone: every commit fails",
                     fix="htrac setup (reinstalls it for the htrac you run)")
        return
    if kind == "stale" and not ctx.writes_worktree:
        yield Result(name, WARN, f"{hook} runs whatever 'htrac' is first on PATH, not isolated",
                     fix="htrac setup (installs it for this interpreter, isolated)")
        return
    if kind == "foreign":
        if attrs.hook_calls_htrac(text or ""):
            yield Result(name, OK, f"pre-commit hook calls htrac validate ({hook})")
        else:
            line = attrs.python_command(attrs.MODULE, *attrs.HOOK_COMMAND.split()[1:])
            yield Result(name, WARN, f"{hook} exists but does not run htrac validate",
                         fix=f"add this line to it: {line}")
        return
    if not ctx.writes_worktree:
        yield Result(name, WARN, "no pre-commit hook: bad or rewritten ops can be committed",
                     fix=f"{ctx.setup_command} (installs it), or with pre-commit: "
                         "id htrac-validate")
        return
    try:
        hook.parent.mkdir(parents=True, exist_ok=True)
        with Tree.open(hook.parent) as hooks:
            hooks.replace(hook.name, attrs.hook_script().encode(), 0o755)
    except (OSError, files.UnsafePath) as exc:
        yield _refused(name, exc)
        return
    verb = "reinstalled" if kind else "installed"
    yield Result(name, FIXED, f"{verb} the pre-commit hook, isolated ({hook})")


def effective_attributes(ctx: CheckContext) -> Iterator[Result]:
    """What git really applies to ops files (`git check-attr`), whatever line set it: a pushed
    `.gitattributes` with `merge=binary` or another `diff=` would otherwise pass unseen."""
    name = "effective_attributes"
    repo = _repo(ctx)
    if repo is None:
        return
    wanted = {"merge": "union", "diff": "tracker"}
    overrides = []
    for rel in attrs.ops_paths_to_check(repo):
        for attr, value in attrs.check_attr(repo, rel, tuple(wanted)).items():
            if value not in (wanted[attr], "unspecified"):  # unspecified: `gitattributes`
                overrides.append(f"{rel}: {attr}={value} (htrac needs {attr}={wanted[attr]})")
    if not overrides:
        yield Result(name, OK, "git applies merge=union and diff=tracker to every ops file")
        return
    lines = attrs.attribute_lines(repo)
    yield Result(name, ERROR, f"{len(overrides)} ops file attribute(s) overridden: branch merges "
                 "and sync would fail or mix ops, diffs would run another driver",
                 fix="remove the overriding lines below from their .gitattributes (or "
                     ".git/info/attributes), then htrac setup",
                 details=tuple(overrides[:10]) + tuple(f"line: {line}" for line in lines[:10]))


def repo_programs(ctx: CheckContext) -> Iterator[Result]:
    """Git config (local, with its includes) that makes git run a file of the working tree: a
    tracked file is whatever the last push made it (the reference sets `core.hooksPath` to
    `.githooks` and its diff driver to `scripts/tracker-textconv`)."""
    name = "repo_programs"
    repo = _repo(ctx)
    if repo is None:
        return
    found = [(key, value) for key, value in attrs.local_config_list(repo)
             if attrs.runs_worktree_file(repo, key, value)]
    for key, value in found:
        yield Result(name, ERROR, f"git config {key} = {value!r} runs a file from the working "
                     "tree: whoever can change or push that file runs code as you",
                     fix=f"git config --local --unset-all {key}  (then htrac setup)")
    if not found:
        yield Result(name, OK, "no git config runs a file from the working tree")


def _reference_validate(text: str) -> str | None:
    """Why a hook's text runs hypergumbo-tracker's `validate` rather than htrac's, or None."""
    if "validate" not in text:
        return None
    for word in ("hypergumbo-tracker", "hypergumbo_tracker", "scripts/tracker"):
        if word in text:
            return f"it calls {word}"
    if "htrac" in text and "--staged" not in text:
        found = shutil.which("htrac")
        if found and _is_reference_script(Path(found)):
            return f"the htrac on PATH, {found}, is hypergumbo-tracker's"
    return None


def _is_reference_script(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return b"hypergumbo_tracker" in handle.read(4096)
    except OSError:
        return False


def _reference_precommit_config(repo: Path) -> str | None:
    """pre-commit (pre-commit.com) configured with the reference's hook."""
    try:
        text = (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return ".pre-commit-config.yaml names hypergumbo-tracker" if "hypergumbo" in text else None


HISTORY_DEPTH = 200


def _has_head(repo) -> bool:
    result = git(repo, "rev-parse", "-q", "--verify", "HEAD")
    return result is not None and result.returncode == 0


def append_only_history(ctx: CheckContext) -> Iterator[Result]:
    """Recent commits (or those after options['since']) that removed or altered ops."""
    from ..findings import Report
    from ..tracker import Tracker
    from ..validate import Validator

    name = "append_only_history"
    repo = _repo(ctx)
    if repo is None or not _has_head(repo):
        return
    since = ctx.options.get("since")
    if not since:
        revs = must(repo, "rev-list", f"--max-count={HISTORY_DEPTH + 1}", "HEAD").split()
        since = revs[-1].decode()
    report = Report()
    try:
        Validator(Tracker.open(start=ctx.repo)).check_history(since, report)
    except HtracError as exc:
        yield Result(name, WARN, f"could not check history: {exc}",
                     fix="htrac validate --since <rev>")
        return
    if report.errors:
        yield Result(name, ERROR, f"{len(report.errors)} op(s) removed or altered in history "
                     f"since {since[:10]}", fix=f"htrac validate --since {since[:10]}",
                     details=tuple(report.errors[:20]))
    else:
        yield Result(name, OK, f"no commit since {since[:10]} removed or altered an op")


CHECKS = [gitattributes, gitignore, effective_attributes, textconv, precommit_hook,
          repo_programs,
          append_only_history]
